use sea_orm::entity::prelude::*;

/// A lead's follow-up history entry (call / visit / email / meeting / note).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lead_id: i64,
    pub kind: String,
    pub occurred_at: DateTimeUtc,
    pub content: String,
    pub next_follow_up: Option<Date>,
    pub author_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
