//! Bulk loading for the demo generator and benchmarks: rows with explicit ids, many per
//! statement, search tokens written in the same batches.

use crate::entity::{activity, contact, customer};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Statement};

pub async fn customers<C: ConnectionTrait>(
    db: &C,
    rows: Vec<customer::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    customer::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn contacts<C: ConnectionTrait>(
    db: &C,
    rows: Vec<contact::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    contact::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn activities<C: ConnectionTrait>(
    db: &C,
    rows: Vec<activity::ActiveModel>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    activity::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The largest id in a table (0 when empty).
pub async fn max_id<C: ConnectionTrait>(db: &C, table: &str) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"),
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64>("", "m")?,
        None => 0,
    })
}

pub use crate::db::sync_sequence;
pub use crate::search::index_customers_bulk as search_tokens;

/// Inserts rows of any entity in one statement (explicit ids allowed). Keep batches under
/// the backend's bound-parameter limit (a few hundred rows).
pub async fn rows<C, A>(db: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    if rows.is_empty() {
        return Ok(());
    }
    <A::Entity as EntityTrait>::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Splits `v` into vectors of at most `size` items.
pub fn chunks<T>(mut v: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    while v.len() > size {
        let rest = v.split_off(size);
        out.push(v);
        v = rest;
    }
    if !v.is_empty() {
        out.push(v);
    }
    out
}
