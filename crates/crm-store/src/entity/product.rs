use sea_orm::entity::prelude::*;

/// 产品: a catalogue item. Prices in minor units.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub category_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub spec: Option<String>,
    pub unit: String,
    pub cost_price: Option<i64>,
    pub guide_price: i64,
    pub status: String,
    pub description: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
