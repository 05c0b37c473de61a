use sea_orm::entity::prelude::*;

/// 销售订单: draft → submitted → approved / rejected; approved → cancelled.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub quote_id: Option<i64>,
    pub opportunity_id: Option<i64>,
    pub owner_id: i64,
    pub status: String,
    pub order_date: Date,
    pub due_date: Option<Date>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub total: i64,
    pub received: i64,
    pub notes: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i64>,
    pub decision_comment: Option<String>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancelled_by: Option<i64>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
