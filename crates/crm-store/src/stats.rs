//! Queries: Rep statistics per period.
