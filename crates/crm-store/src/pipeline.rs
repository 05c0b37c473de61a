//! Queries: Pipeline stages.
