//! Use-cases: quotas (market issue).
