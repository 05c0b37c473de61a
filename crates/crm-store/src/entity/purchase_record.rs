use sea_orm::entity::prelude::*;

/// 购买记录: one row per line of an approved order (unique per order line); a cancelled
/// order's rows get `reversed_at`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub order_id: i64,
    pub order_line_id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub quantity: i64,
    pub amount: i64,
    pub purchased_at: DateTimeUtc,
    pub reversed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
