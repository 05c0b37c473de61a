//! Queries: Payments and payment plans (receivables).
