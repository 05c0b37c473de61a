use sea_orm::entity::prelude::*;

/// 联络历史: one call, visit, email, meeting or note with a customer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub kind: String,
    pub occurred_at: DateTimeUtc,
    /// Who logged it.
    pub author_id: i64,
    /// Who is responsible for the follow-up (moves with a customer transfer).
    pub owner_id: i64,
    pub content: String,
    pub next_follow_up: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
