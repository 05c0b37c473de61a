//! Use-cases: competitors (market issue).
