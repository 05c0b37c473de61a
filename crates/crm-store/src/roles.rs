//! Role policies as adjusted by administrators.

use crate::entity::role::{self, Entity as RoleRow};
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

pub use role::Model;

pub async fn find<C: ConnectionTrait>(db: &C, key: &str) -> Result<Option<Model>, DbErr> {
    RoleRow::find_by_id(key.to_string()).one(db).await
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    RoleRow::find()
        .order_by_asc(role::Column::Key)
        .all(db)
        .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    key: &str,
    version: i32,
    scope: &str,
    modules_json: &str,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = RoleRow::update_many()
        .col_expr(role::Column::Scope, Expr::value(scope))
        .col_expr(role::Column::Modules, Expr::value(modules_json))
        .col_expr(role::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            role::Column::Version,
            Expr::col(role::Column::Version).add(1),
        )
        .filter(role::Column::Key.eq(key))
        .filter(role::Column::Version.eq(version))
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, key).await?)
}
