//! Queries: quotas (market issue).
