//! SeaORM entities. These never leave the store/service layers as JSON: the web layer has
//! its own DTOs.

pub mod activity;
pub mod api_token;
pub mod audit_log;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod department;
pub mod job;
pub mod login_attempt;
pub mod record_share;
pub mod recycle_bin;
pub mod role;
pub mod session;
pub mod user;
