//! Use-cases: campaigns (market issue).
