//! Queries: match_keys (market issue).
