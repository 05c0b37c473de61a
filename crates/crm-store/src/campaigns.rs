//! Queries: campaigns (market issue).
