use sea_orm::entity::prelude::*;

/// 销售线索. `status`: new / contacting / qualified / unqualified / converted. No owner =
/// in the shared pool (线索池). `*_norm` are the duplicate-detection keys (digits of the
/// phone, lower-cased email, company name without legal suffixes). `import_key` makes a
/// re-run import insert each row once. A converted lead records what it became.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub phone_norm: Option<String>,
    pub email_norm: Option<String>,
    pub company_norm: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub industry: Option<String>,
    pub source: Option<String>,
    pub campaign_id: Option<i64>,
    pub status: String,
    pub owner_id: Option<i64>,
    pub notes: Option<String>,
    pub next_follow_up: Option<Date>,
    pub last_contacted_at: Option<DateTimeUtc>,
    pub import_key: Option<String>,
    pub converted_at: Option<DateTimeUtc>,
    pub converted_by: Option<i64>,
    pub customer_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
