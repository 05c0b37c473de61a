//! Queries: Sales expenses.
