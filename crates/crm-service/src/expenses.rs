//! Sales expenses.
