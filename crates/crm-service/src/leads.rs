//! Use-cases: leads (market issue).
