use sea_orm::entity::prelude::*;

/// A soft-deleted record waiting in the recycle bin. The record itself keeps its row with
/// `deleted_at` set; this is the index the bin lists.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recycle_bin")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_type: String,
    pub entity_id: i64,
    pub label: String,
    pub deleted_by: Option<i64>,
    pub deleted_at: DateTimeUtc,
    pub restored_at: Option<DateTimeUtc>,
    pub restored_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
