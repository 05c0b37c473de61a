//! Queries: Document lines shared by quotes and orders.
