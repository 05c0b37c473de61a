use sea_orm::entity::prelude::*;

/// A product line of a sales order (product fields copied when the line was written).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub line_no: i32,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub spec: Option<String>,
    pub unit: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_bp: i32,
    pub line_total: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
