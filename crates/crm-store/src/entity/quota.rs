use sea_orm::entity::prelude::*;

/// 销售定额: a target for a person (`subject_key` "user:<id>", `user_id`) or a department
/// ("department:<id>", `department_id`) per period. `metric`: sales_amount / payments
/// (minor units) / new_customers (count); `period_kind`: month / quarter / year, starting
/// at `period_start` (a local date).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_key: String,
    pub user_id: Option<i64>,
    pub department_id: Option<i64>,
    pub metric: String,
    pub period_kind: String,
    pub period_start: Date,
    pub target: i64,
    pub set_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
