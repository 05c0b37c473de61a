//! Queries: Sales orders with approval, purchase records.
