use sea_orm::entity::prelude::*;

/// A long-running task (export now; imports and mass sends later) with its progress and,
/// when done, its result file. Kept in the database so any app server can report it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub user_id: i64,
    /// queued, running, done, failed
    pub status: String,
    pub done: i64,
    pub total: Option<i64>,
    pub message: Option<String>,
    pub result: Option<Vec<u8>>,
    pub result_name: Option<String>,
    pub result_type: Option<String>,
    pub created_at: DateTimeUtc,
    /// Heartbeat: a running job whose row stops moving was interrupted.
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
