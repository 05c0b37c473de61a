//! SeaORM entities. These never leave the store/service layers as JSON: the web layer has
//! its own DTOs.

pub mod activity;
pub mod api_token;
pub mod audit_log;
pub mod campaign;
pub mod competitor;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod department;
pub mod expense;
pub mod job;
pub mod lead;
pub mod lead_activity;
pub mod login_attempt;
pub mod match_key;
pub mod opportunity;
pub mod opportunity_competitor;
pub mod order_line;
pub mod payment;
pub mod payment_plan;
pub mod pipeline_stage;
pub mod product;
pub mod product_category;
pub mod purchase_record;
pub mod quota;
pub mod quote;
pub mod quote_line;
pub mod record_share;
pub mod recycle_bin;
pub mod role;
pub mod sales_order;
pub mod session;
pub mod user;
