//! Payments and payment plans (receivables).
