//! Sales orders (销售订单) with their lines, the approval state machine and the purchase
//! records (购买记录) an approval writes. Orders are owned records: visibility is the owner
//! being in the viewer's scope ([`RecordScope::owned_by`]), always in SQL.
//!
//! Every state change is a conditional `UPDATE … WHERE id = ? AND status IN (…)`: its row
//! count says whether this request made the change, so two racing requests can never both
//! approve, cancel or pay past the total.

mod links;
mod purchase;
pub use links::*;
pub use purchase::*;

use crate::entity::order_line::{self, Entity as OrderLine};
use crate::entity::sales_order::{self, Column as C, Entity as Order};
use crate::scope::RecordScope;
use crate::Versioned;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use order_line::Model as Line;
pub use sales_order::Model;

pub const ENTITY: &str = "sales_order";

/// The states of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::Approved,
        Status::Rejected,
        Status::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// Lines and header may change only in these states.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Rejected)
    }
}

fn in_states(states: &[Status]) -> SimpleExpr {
    C::Status.is_in(states.iter().map(|s| s.as_str()))
}

/// The header fields of an order, already validated; totals come from its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub customer_id: i64,
    pub opportunity_id: Option<i64>,
    pub quote_id: Option<i64>,
    pub order_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub notes: Option<String>,
    pub subtotal: i64,
    pub discount_total: i64,
    pub total: i64,
}

impl Fields {
    pub fn of(m: &Model) -> Self {
        Self {
            customer_id: m.customer_id,
            opportunity_id: m.opportunity_id,
            quote_id: m.quote_id,
            order_date: m.order_date,
            due_date: m.due_date,
            notes: m.notes.clone(),
            subtotal: m.subtotal,
            discount_total: m.discount_total,
            total: m.total,
        }
    }
}

/// The order number: "SO" + order date + "-" + id, e.g. `SO20260302-000042`.
pub fn number(order_date: NaiveDate, id: i64) -> String {
    format!("SO{}-{id:06}", order_date.format("%Y%m%d"))
}

/// Inserts a draft under a provisional `temp_number` (unique), then gives it its number in
/// the same transaction.
pub async fn insert<C2: ConnectionTrait>(
    db: &C2,
    f: Fields,
    owner_id: i64,
    created_by: i64,
    temp_number: String,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let m = sales_order::ActiveModel {
        number: Set(temp_number),
        customer_id: Set(f.customer_id),
        quote_id: Set(f.quote_id),
        opportunity_id: Set(f.opportunity_id),
        owner_id: Set(owner_id),
        status: Set(Status::Draft.as_str().to_string()),
        order_date: Set(f.order_date),
        due_date: Set(f.due_date),
        subtotal: Set(f.subtotal),
        discount_total: Set(f.discount_total),
        total: Set(f.total),
        received: Set(0),
        notes: Set(f.notes),
        created_by: Set(Some(created_by)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let number = number(m.order_date, m.id);
    Order::update_many()
        .col_expr(C::Number, Expr::value(number))
        .filter(C::Id.eq(m.id))
        .exec(db)
        .await?;
    find_any(db, m.id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("order vanished after insert".into()))
}

/// A live order, whoever owns it (callers check visibility).
pub async fn find<C2: ConnectionTrait>(db: &C2, id: i64) -> Result<Option<Model>, DbErr> {
    Order::find_by_id(id)
        .filter(C::DeletedAt.is_null())
        .one(db)
        .await
}

pub async fn find_any<C2: ConnectionTrait>(db: &C2, id: i64) -> Result<Option<Model>, DbErr> {
    Order::find_by_id(id).one(db).await
}

/// The lines of an order in line order.
pub async fn lines_of<C2: ConnectionTrait>(db: &C2, order_id: i64) -> Result<Vec<Line>, DbErr> {
    OrderLine::find()
        .filter(order_line::Column::OrderId.eq(order_id))
        .order_by_asc(order_line::Column::LineNo)
        .all(db)
        .await
}

/// Replaces the lines of an order (only ever called for orders without purchase records).
pub async fn replace_lines<C2: ConnectionTrait>(
    db: &C2,
    order_id: i64,
    lines: Vec<order_line::ActiveModel>,
) -> Result<(), DbErr> {
    OrderLine::delete_many()
        .filter(order_line::Column::OrderId.eq(order_id))
        .exec(db)
        .await?;
    if !lines.is_empty() {
        OrderLine::insert_many(lines).exec(db).await?;
    }
    Ok(())
}

/// Header and totals of an editable order (draft or rejected) at `version`.
pub async fn update<C2: ConnectionTrait>(
    db: &C2,
    id: i64,
    version: i32,
    f: Fields,
    now: DateTime<Utc>,
) -> Result<Versioned<Model>, DbErr> {
    let res = Order::update_many()
        .col_expr(C::CustomerId, Expr::value(f.customer_id))
        .col_expr(C::OpportunityId, Expr::value(f.opportunity_id))
        .col_expr(C::OrderDate, Expr::value(f.order_date))
        .col_expr(C::DueDate, Expr::value(f.due_date))
        .col_expr(C::Notes, Expr::value(f.notes))
        .col_expr(C::Subtotal, Expr::value(f.subtotal))
        .col_expr(C::DiscountTotal, Expr::value(f.discount_total))
        .col_expr(C::Total, Expr::value(f.total))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(id))
        .filter(C::Version.eq(version))
        .filter(in_states(&[Status::Draft, Status::Rejected]))
        .filter(C::DeletedAt.is_null())
        .exec(db)
        .await?;
    Versioned::after_update(res.rows_affected, find(db, id).await?)
}

/// One state change: from one of `from` to `to`, with the columns it sets. True when this
/// call made the change (false: the order is not, or no longer, in one of `from`).
pub struct Transition<'a> {
    pub from: &'a [Status],
    pub to: Status,
    /// Extra columns to set (who and when, the comment…).
    pub set: Vec<(C, SimpleExpr)>,
    /// Only at this version, when given.
    pub version: Option<i32>,
    /// Only while nothing has been received (cancelling an approved order).
    pub nothing_received: bool,
}

pub async fn transition<C2: ConnectionTrait>(
    db: &C2,
    id: i64,
    t: Transition<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut q = Order::update_many()
        .col_expr(C::Status, Expr::value(t.to.as_str()))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(C::Version, Expr::col(C::Version).add(1));
    for (col, v) in t.set {
        q = q.col_expr(col, v);
    }
    q = q
        .filter(C::Id.eq(id))
        .filter(in_states(t.from))
        .filter(C::DeletedAt.is_null());
    if let Some(v) = t.version {
        q = q.filter(C::Version.eq(v));
    }
    if t.nothing_received {
        q = q.filter(C::Received.eq(0));
    }
    Ok(q.exec(db).await?.rows_affected == 1)
}

/// Soft-deletes a draft at `version`.
pub async fn soft_delete<C2: ConnectionTrait>(
    db: &C2,
    id: i64,
    version: Option<i32>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut q = Order::update_many()
        .col_expr(C::DeletedAt, Expr::value(Some(now)))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(id))
        .filter(C::Status.eq(Status::Draft.as_str()))
        .filter(C::DeletedAt.is_null());
    if let Some(v) = version {
        q = q.filter(C::Version.eq(v));
    }
    Ok(q.exec(db).await?.rows_affected == 1)
}

pub async fn restore<C2: ConnectionTrait>(db: &C2, id: i64) -> Result<bool, DbErr> {
    let res = Order::update_many()
        .col_expr(C::DeletedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(id))
        .filter(C::DeletedAt.is_not_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// List filters. Dates are order dates, both inclusive.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// "Awaiting my approval": submitted orders in scope that this user neither owns nor
    /// submitted.
    pub awaiting: Option<i64>,
}

/// Live orders whose owner is in `scope`.
pub fn visible(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(scope.owned_by(C::OwnerId))
        .add(C::DeletedAt.is_null())
}

fn filtered(scope: &RecordScope, f: &Filter) -> Condition {
    let mut cond = visible(scope);
    if let Some(s) = f.status {
        cond = cond.add(C::Status.eq(s.as_str()));
    }
    if let Some(o) = f.owner_id {
        cond = cond.add(C::OwnerId.eq(o));
    }
    if let Some(c) = f.customer_id {
        cond = cond.add(C::CustomerId.eq(c));
    }
    if let Some(d) = f.from {
        cond = cond.add(C::OrderDate.gte(d));
    }
    if let Some(d) = f.to {
        cond = cond.add(C::OrderDate.lte(d));
    }
    if let Some(me) = f.awaiting {
        cond = cond
            .add(C::Status.eq(Status::Submitted.as_str()))
            .add(C::OwnerId.ne(me))
            .add(
                Condition::any()
                    .add(C::SubmittedBy.is_null())
                    .add(C::SubmittedBy.ne(me)),
            );
    }
    cond
}

/// One page of visible orders, newest first; `after` is the last id of the previous page.
pub async fn list<C2: ConnectionTrait>(
    db: &C2,
    scope: &RecordScope,
    f: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = Order::find().filter(filtered(scope, f));
    if let Some(a) = after {
        q = q.filter(C::Id.lt(a));
    }
    q.order_by_desc(C::Id).limit(limit).all(db).await
}
