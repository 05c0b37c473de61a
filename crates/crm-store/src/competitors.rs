//! Queries: competitors (market issue).
