//! Payments received against approved orders (回款), payment plans (instalments) and the
//! receivables list. `sales_orders.received` is kept equal to the sum of an order's live
//! payments by changing both in one transaction, and it is only ever raised by the
//! conditional `UPDATE … SET received = received + :a WHERE … AND received + :a <= total`,
//! so concurrent payments can never take it past the total.

mod receivables;
pub use receivables::*;

use crate::entity::payment::{self, Column as P, Entity as Payment};
use crate::entity::payment_plan::{self, Entity as Plan};
use crate::entity::sales_order::{self, Column as O, Entity as Order};
use crate::orders::Status;
use crate::scope::RecordScope;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use payment::Model;
pub use payment_plan::Model as Instalment;

pub const ENTITY: &str = "payment";

/// Payment methods.
pub const METHODS: [&str; 7] = [
    "bank_transfer",
    "cash",
    "cheque",
    "card",
    "alipay",
    "wechat",
    "other",
];

/// Adds `amount` to what an approved order has received, unless that would exceed its
/// total. True when added.
pub async fn add_received<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Order::update_many()
        .col_expr(O::Received, Expr::col(O::Received).add(amount))
        .col_expr(O::UpdatedAt, Expr::value(now))
        .filter(O::Id.eq(order_id))
        .filter(O::Status.eq(Status::Approved.as_str()))
        .filter(O::DeletedAt.is_null())
        .filter(Expr::col(O::Received).add(amount).lte(Expr::col(O::Total)))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Takes `amount` off what an order has received (a payment was deleted). True when done.
pub async fn sub_received<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
    amount: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Order::update_many()
        .col_expr(O::Received, Expr::col(O::Received).sub(amount))
        .col_expr(O::UpdatedAt, Expr::value(now))
        .filter(O::Id.eq(order_id))
        .filter(O::Received.gte(amount))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A payment as validated by the service.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub order_id: i64,
    pub customer_id: i64,
    pub owner_id: i64,
    pub amount: i64,
    pub paid_on: NaiveDate,
    pub method: String,
    pub note: Option<String>,
    pub created_by: i64,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    p: NewPayment,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    payment::ActiveModel {
        order_id: Set(p.order_id),
        customer_id: Set(p.customer_id),
        owner_id: Set(p.owner_id),
        amount: Set(p.amount),
        paid_on: Set(p.paid_on),
        method: Set(p.method),
        note: Set(p.note),
        created_by: Set(Some(p.created_by)),
        created_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A live payment.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Payment::find_by_id(id)
        .filter(P::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Model>, DbErr> {
    Payment::find_by_id(id).one(db).await
}

/// Soft-deletes a live payment; true when this call deleted it.
pub async fn soft_delete<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Payment::update_many()
        .col_expr(P::DeletedAt, Expr::value(Some(now)))
        .filter(P::Id.eq(id))
        .filter(P::DeletedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Brings a deleted payment back; true when this call restored it.
pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    let res = Payment::update_many()
        .col_expr(P::DeletedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(P::Id.eq(id))
        .filter(P::DeletedAt.is_not_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Whether an order has live payments.
pub async fn has_live<C: ConnectionTrait>(db: &C, order_id: i64) -> Result<bool, DbErr> {
    Ok(Payment::find()
        .select_only()
        .column(P::Id)
        .filter(P::OrderId.eq(order_id))
        .filter(P::DeletedAt.is_null())
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}

/// The live payments of an order, by date.
pub async fn of_order<C: ConnectionTrait>(db: &C, order_id: i64) -> Result<Vec<Model>, DbErr> {
    Payment::find()
        .filter(P::OrderId.eq(order_id))
        .filter(P::DeletedAt.is_null())
        .order_by_asc(P::PaidOn)
        .order_by_asc(P::Id)
        .all(db)
        .await
}

/// The ids of every payment ever recorded against an order, deleted ones included.
pub async fn ids_of_order<C: ConnectionTrait>(db: &C, order_id: i64) -> Result<Vec<i64>, DbErr> {
    Payment::find()
        .select_only()
        .column(P::Id)
        .filter(P::OrderId.eq(order_id))
        .into_tuple::<i64>()
        .all(db)
        .await
}

/// List filters; dates are payment dates, both inclusive.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub order_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One page of live payments whose owner (the order's owner) is in scope, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    f: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all()
        .add(scope.owned_by(P::OwnerId))
        .add(P::DeletedAt.is_null());
    if let Some(o) = f.order_id {
        cond = cond.add(P::OrderId.eq(o));
    }
    if let Some(c) = f.customer_id {
        cond = cond.add(P::CustomerId.eq(c));
    }
    if let Some(d) = f.from {
        cond = cond.add(P::PaidOn.gte(d));
    }
    if let Some(d) = f.to {
        cond = cond.add(P::PaidOn.lte(d));
    }
    if let Some(a) = after {
        cond = cond.add(P::Id.lt(a));
    }
    Payment::find()
        .filter(cond)
        .order_by_desc(P::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The payment plan of an order in due order.
pub async fn plan_of<C: ConnectionTrait>(db: &C, order_id: i64) -> Result<Vec<Instalment>, DbErr> {
    Plan::find()
        .filter(payment_plan::Column::OrderId.eq(order_id))
        .order_by_asc(payment_plan::Column::DueDate)
        .order_by_asc(payment_plan::Column::Seq)
        .all(db)
        .await
}

/// The plans of many orders at once.
pub async fn plans_of<C: ConnectionTrait>(
    db: &C,
    order_ids: &[i64],
) -> Result<Vec<Instalment>, DbErr> {
    if order_ids.is_empty() {
        return Ok(vec![]);
    }
    Plan::find()
        .filter(payment_plan::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(payment_plan::Column::OrderId)
        .order_by_asc(payment_plan::Column::DueDate)
        .order_by_asc(payment_plan::Column::Seq)
        .all(db)
        .await
}

/// One instalment as validated by the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstalment {
    pub due_date: NaiveDate,
    pub amount: i64,
    pub note: Option<String>,
}

/// Replaces the plan of an order (an empty list removes it). Instalments are numbered in
/// the order given.
pub async fn replace_plan<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
    items: Vec<NewInstalment>,
) -> Result<(), DbErr> {
    delete_plan(db, order_id).await?;
    if items.is_empty() {
        return Ok(());
    }
    let rows = items
        .into_iter()
        .enumerate()
        .map(|(i, it)| payment_plan::ActiveModel {
            order_id: Set(order_id),
            seq: Set(i as i32 + 1),
            due_date: Set(it.due_date),
            amount: Set(it.amount),
            note: Set(it.note),
            ..Default::default()
        });
    Plan::insert_many(rows).exec(db).await?;
    Ok(())
}

pub async fn delete_plan<C: ConnectionTrait>(db: &C, order_id: i64) -> Result<u64, DbErr> {
    Ok(Plan::delete_many()
        .filter(payment_plan::Column::OrderId.eq(order_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// `received` of an order as stored (for consistency checks).
pub async fn received_of<C: ConnectionTrait>(db: &C, order_id: i64) -> Result<Option<i64>, DbErr> {
    Order::find_by_id(order_id)
        .select_only()
        .column(sales_order::Column::Received)
        .into_tuple::<i64>()
        .one(db)
        .await
}

/// Locks an order for a change of its payment plan: touches it only while its total is
/// still `total` and it is not cancelled. True when it was.
pub async fn lock_for_plan<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
    total: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = Order::update_many()
        .col_expr(O::UpdatedAt, Expr::value(now))
        .filter(O::Id.eq(order_id))
        .filter(O::Total.eq(total))
        .filter(O::Status.ne(Status::Cancelled.as_str()))
        .filter(O::DeletedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
