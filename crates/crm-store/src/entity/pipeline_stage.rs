use sea_orm::entity::prelude::*;

/// A stage of the sales pipeline with its default probability (%). Built-in stages have a
/// `code` and no `name` until renamed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pipeline_stages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: Option<String>,
    pub name: Option<String>,
    pub probability: i32,
    pub sort_order: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
