//! Use-cases: one function per business action. Each takes `&Principal`, authorizes first,
//! validates, and owns its transaction (the change and its audit entry commit together).

pub mod activities;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod campaigns;
pub mod clock;
pub mod competitors;
pub mod contacts;
pub mod conversion;
pub mod core;
pub mod custom_fields;
pub mod customers;
pub mod demo;
pub mod demo_customers;
pub mod demo_market;
pub mod demo_sales;
pub mod departments;
pub mod error;
pub mod expenses;
pub mod export;
pub mod jobs;
pub mod lead_import;
pub mod leads;
pub mod lines;
pub mod opportunities;
pub mod orders;
pub mod payments;
pub mod pipeline;
pub mod products;
pub mod quotas;
pub mod quotes;
pub mod recycle;
pub mod roles;
pub mod stats;
pub mod users;

pub use crate::core::Core;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::ServiceError;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
