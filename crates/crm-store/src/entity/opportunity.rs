use sea_orm::entity::prelude::*;

/// 销售机会. `status` is open / won / lost; amount in minor units.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub amount: i64,
    pub stage_id: i64,
    pub probability: i32,
    pub expected_close: Option<Date>,
    pub source: Option<String>,
    pub owner_id: i64,
    pub status: String,
    pub closed_on: Option<Date>,
    pub close_reason: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
