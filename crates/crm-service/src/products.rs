//! Product catalogue: categories and products.
