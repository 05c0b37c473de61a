//! Soft deletion and restore, written once for every entity that has `id`, `version` and
//! `deleted_at`: a delete is a version-checked update that stamps `deleted_at`; a restore
//! clears it. Both bump the version, so a form opened before either is stale.

use crate::entity;
use crate::Versioned;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// An entity with the columns soft deletion needs.
pub trait SoftDeletable: EntityTrait {
    const ID: Self::Column;
    const VERSION: Self::Column;
    const DELETED_AT: Self::Column;
}

macro_rules! soft_deletable {
    ($($m:ident),* $(,)?) => {
        $(
            impl SoftDeletable for entity::$m::Entity {
                const ID: Self::Column = entity::$m::Column::Id;
                const VERSION: Self::Column = entity::$m::Column::Version;
                const DELETED_AT: Self::Column = entity::$m::Column::DeletedAt;
            }
        )*
    };
}

soft_deletable!(
    customer,
    contact,
    activity,
    department,
    product,
    product_category,
    opportunity,
    quote,
    sales_order,
    expense,
);

/// Deletes live record `id` at `version` when `extra` also holds (e.g. "not converted").
/// `Stale` when the record is live but the version or `extra` does not match; `Missing`
/// when there is no live record.
pub async fn delete<E: SoftDeletable, C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
    extra: Condition,
) -> Result<Versioned<()>, DbErr> {
    let res = E::update_many()
        .col_expr(E::DELETED_AT, Expr::value(Some(now)))
        .col_expr(E::VERSION, Expr::col(E::VERSION).add(1))
        .filter(E::ID.eq(id))
        .filter(E::VERSION.eq(version))
        .filter(E::DELETED_AT.is_null())
        .filter(extra)
        .exec(db)
        .await?;
    if res.rows_affected == 1 {
        return Ok(Versioned::Done(()));
    }
    let live = E::find()
        .filter(E::ID.eq(id))
        .filter(E::DELETED_AT.is_null())
        .one(db)
        .await?;
    Ok(if live.is_some() {
        Versioned::Stale
    } else {
        Versioned::Missing
    })
}

/// Brings deleted record `id` back; true when this call restored it.
pub async fn restore<E: SoftDeletable, C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    let res = E::update_many()
        .col_expr(E::DELETED_AT, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(E::VERSION, Expr::col(E::VERSION).add(1))
        .filter(E::ID.eq(id))
        .filter(E::DELETED_AT.is_not_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
