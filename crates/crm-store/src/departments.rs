//! Departments: a tree by `parent_id`, soft-deleted into the recycle bin.

use crate::entity::department::{self, Entity as Department};
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

pub use department::Model;

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    name: &str,
    parent_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    department::ActiveModel {
        name: Set(name.to_string()),
        parent_id: Set(parent_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A live (not deleted) department.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Department::find_by_id(id)
        .filter(department::Column::DeletedAt.is_null())
        .one(db)
        .await
}

/// A department whether deleted or not (for restore).
pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Department::find_by_id(id).one(db).await
}

/// All live departments, by name. Departments number in the hundreds, not millions.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Department::find()
        .filter(department::Column::DeletedAt.is_null())
        .order_by_asc(department::Column::Name)
        .order_by_asc(department::Column::Id)
        .all(db)
        .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    name: &str,
    parent_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = Department::update_many()
        .col_expr(department::Column::Name, Expr::value(name))
        .col_expr(department::Column::ParentId, Expr::value(parent_id))
        .col_expr(department::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            department::Column::Version,
            Expr::col(department::Column::Version).add(1),
        )
        .filter(department::Column::Id.eq(id))
        .filter(department::Column::Version.eq(version))
        .filter(department::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

/// Marks a department deleted (version-checked).
pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<Versioned<()>, DbErr> {
    crate::soft::delete::<crate::entity::department::Entity, _>(
        db,
        id,
        version,
        now,
        sea_orm::Condition::all(),
    )
    .await
}

pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    crate::soft::restore::<crate::entity::department::Entity, _>(db, id).await
}

pub async fn count_children<C: ConnectionTrait>(db: &C, id: i64) -> Result<u64, DbErr> {
    Department::find()
        .filter(department::Column::ParentId.eq(id))
        .filter(department::Column::DeletedAt.is_null())
        .count(db)
        .await
}

/// The ids of `root` and every live department below it.
pub async fn subtree_ids<C: ConnectionTrait>(db: &C, root: i64) -> Result<Vec<i64>, DbErr> {
    let all = list(db).await?;
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|d| d.parent_id == Some(parent))
                .map(|d| d.id),
        );
        i += 1;
    }
    Ok(out)
}
