//! Queries: leads (market issue).
