//! The recycle bin: an index of soft-deleted records, restorable by administrators.

use crate::entity::recycle_bin::{self, Entity as Bin};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub use recycle_bin::Model;

pub async fn add<C: ConnectionTrait>(
    db: &C,
    entity_type: &str,
    entity_id: i64,
    label: &str,
    deleted_by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<Model, DbErr> {
    recycle_bin::ActiveModel {
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        label: Set(label.chars().take(200).collect()),
        deleted_by: Set(deleted_by),
        deleted_at: Set(at),
        restored_at: Set(None),
        restored_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Entries not yet restored, newest first, keyset-paginated by id.
pub async fn list_pending<C: ConnectionTrait>(
    db: &C,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = Bin::find().filter(recycle_bin::Column::RestoredAt.is_null());
    if let Some(b) = before_id {
        q = q.filter(recycle_bin::Column::Id.lt(b));
    }
    q.order_by_desc(recycle_bin::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Bin::find_by_id(id).one(db).await
}

/// Marks an entry restored; false when it already was (so a double click restores once).
pub async fn mark_restored<C: ConnectionTrait>(
    db: &C,
    id: i64,
    by: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Bin::update_many()
        .col_expr(recycle_bin::Column::RestoredAt, Expr::value(Some(at)))
        .col_expr(recycle_bin::Column::RestoredBy, Expr::value(Some(by)))
        .filter(recycle_bin::Column::Id.eq(id))
        .filter(recycle_bin::Column::RestoredAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
