//! Opportunities (销售机会).
