//! Queries: Opportunities (销售机会).
