//! Filling `match_keys` from the customers and contacts already stored (migration 9 runs it
//! at upgrade): keyset batches over ids, each batch read with one query and written with a
//! few multi-row INSERTs in its own transaction, so a million customers and two million
//! contacts never sit in memory at once. The queries name only the columns they need, so
//! this keeps working whatever later migrations add.

use super::{contact_keys, customer_keys, insert_many, NewKey};
use sea_orm::sea_query::{Alias, Expr, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

/// Rows read per batch.
pub const BATCH: u64 = 5_000;

/// Rebuilds every key: deletes what is there, then adds the keys of every live customer
/// and of every live contact of a live customer. Returns (customers, contacts) read.
pub async fn backfill<C>(db: &C) -> Result<(u64, u64), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let backend = db.get_database_backend();
    let delete = Query::delete()
        .from_table(Alias::new("match_keys"))
        .to_owned();
    db.execute(backend.build(&delete)).await?;
    let (mut customers, mut contacts) = (0u64, 0u64);
    let mut after = 0i64;
    loop {
        let q = Query::select()
            .columns([
                Alias::new("id"),
                Alias::new("name"),
                Alias::new("phone"),
                Alias::new("owner_id"),
            ])
            .from(Alias::new("customers"))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .and_where(Expr::col(Alias::new("id")).gt(after))
            .order_by(Alias::new("id"), Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = db.query_all(backend.build(&q)).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "id")?;
        let mut keys: Vec<NewKey> = Vec::with_capacity(rows.len() * 2);
        for r in &rows {
            let name: String = r.try_get("", "name")?;
            let phone: Option<String> = r.try_get("", "phone")?;
            keys.extend(customer_keys(
                r.try_get("", "id")?,
                &name,
                phone.as_deref(),
                r.try_get("", "owner_id")?,
            ));
        }
        customers += rows.len() as u64;
        write(db, &keys).await?;
    }
    let mut after = 0i64;
    loop {
        let (k, c) = (Alias::new("k"), Alias::new("c"));
        let q = Query::select()
            .column((k.clone(), Alias::new("id")))
            .column((k.clone(), Alias::new("customer_id")))
            .column((k.clone(), Alias::new("mobile")))
            .column((k.clone(), Alias::new("phone")))
            .column((k.clone(), Alias::new("email")))
            .column((c.clone(), Alias::new("owner_id")))
            .from_as(Alias::new("contacts"), k.clone())
            .join_as(
                JoinType::InnerJoin,
                Alias::new("customers"),
                c.clone(),
                Expr::col((c.clone(), Alias::new("id")))
                    .equals((k.clone(), Alias::new("customer_id"))),
            )
            .and_where(Expr::col((k.clone(), Alias::new("deleted_at"))).is_null())
            .and_where(Expr::col((c.clone(), Alias::new("deleted_at"))).is_null())
            .and_where(Expr::col((k.clone(), Alias::new("id"))).gt(after))
            .order_by((k.clone(), Alias::new("id")), Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = db.query_all(backend.build(&q)).await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("", "id")?;
        let mut keys: Vec<NewKey> = Vec::with_capacity(rows.len() * 2);
        for r in &rows {
            let mobile: Option<String> = r.try_get("", "mobile")?;
            let phone: Option<String> = r.try_get("", "phone")?;
            let email: Option<String> = r.try_get("", "email")?;
            keys.extend(contact_keys(
                r.try_get("", "id")?,
                r.try_get("", "customer_id")?,
                r.try_get("", "owner_id")?,
                mobile.as_deref(),
                phone.as_deref(),
                email.as_deref(),
            ));
        }
        contacts += rows.len() as u64;
        write(db, &keys).await?;
    }
    Ok((customers, contacts))
}

/// One batch in its own transaction (a savepoint inside the migration's transaction on
/// PostgreSQL; on SQLite it spares a commit per statement).
async fn write<C>(db: &C, keys: &[NewKey]) -> Result<(), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    insert_many(&txn, keys).await?;
    txn.commit().await
}
