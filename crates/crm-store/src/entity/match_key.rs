use sea_orm::entity::prelude::*;

/// A duplicate-detection key (查重) of a live customer or contact: `kind` is phone / email /
/// company, `key` the value of `crm_domain::dedupe::{phone_key, email_key, company_key}`.
/// `customer_id` is the customer itself or the contact's customer; `owner_id` that
/// customer's owner (so a match says whose it is without loading the record).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "match_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub entity_type: String,
    pub entity_id: i64,
    pub customer_id: i64,
    pub owner_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
