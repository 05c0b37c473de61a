//! Purchase records (购买记录): one row per line of an approved order, written in the
//! approval's transaction. `UNIQUE(order_line_id)` makes a second row for a line impossible;
//! cancelling the order sets `reversed_at` instead of deleting.

use crate::entity::purchase_record::{self, Column as R, Entity as Record};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

pub use purchase_record::Model as PurchaseRecord;

/// Writes the purchase records of an approved order, one per line.
pub async fn add_purchase_records<C: ConnectionTrait>(
    db: &C,
    order: &super::Model,
    lines: &[super::Line],
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    if lines.is_empty() {
        return Ok(0);
    }
    let rows = lines.iter().map(|l| purchase_record::ActiveModel {
        customer_id: Set(order.customer_id),
        order_id: Set(order.id),
        order_line_id: Set(l.id),
        product_id: Set(l.product_id),
        product_name: Set(l.product_name.clone()),
        quantity: Set(l.quantity),
        amount: Set(l.line_total),
        purchased_at: Set(now),
        reversed_at: Set(None),
        ..Default::default()
    });
    Record::insert_many(rows).exec(db).await?;
    Ok(lines.len())
}

/// Marks the live purchase records of an order reversed; returns how many.
pub async fn reverse_purchase_records<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = Record::update_many()
        .col_expr(R::ReversedAt, Expr::value(Some(now)))
        .filter(R::OrderId.eq(order_id))
        .filter(R::ReversedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Every purchase record of an order (reversed ones included), in line order.
pub async fn purchase_records_of_order<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
) -> Result<Vec<PurchaseRecord>, DbErr> {
    Record::find()
        .filter(R::OrderId.eq(order_id))
        .order_by_asc(R::OrderLineId)
        .all(db)
        .await
}

/// A customer's purchase history: records not reversed, newest first.
pub async fn purchase_history<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
) -> Result<Vec<PurchaseRecord>, DbErr> {
    Record::find()
        .filter(R::CustomerId.eq(customer_id))
        .filter(R::ReversedAt.is_null())
        .order_by_desc(R::PurchasedAt)
        .order_by_desc(R::Id)
        .all(db)
        .await
}
