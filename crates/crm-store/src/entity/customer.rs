use sea_orm::entity::prelude::*;

/// 客户: a company, person or agency the sales force sells to.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub nature: Option<String>,
    pub size: Option<String>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub source: Option<String>,
    pub status: String,
    pub owner_id: i64,
    pub notes: Option<String>,
    /// Custom field values, a JSON object keyed by field key.
    pub custom: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
