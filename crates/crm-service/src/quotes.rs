//! Quotes (报价方案).
