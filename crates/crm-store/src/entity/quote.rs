use sea_orm::entity::prelude::*;

/// 报价方案: draft / sent / accepted / rejected; `order_id` once turned into an order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub opportunity_id: Option<i64>,
    pub title: String,
    pub status: String,
    pub valid_until: Option<Date>,
    pub notes: Option<String>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub total: i64,
    pub owner_id: i64,
    pub order_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
