//! Queries: Product catalogue: categories and products.
