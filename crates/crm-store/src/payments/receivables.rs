//! Receivables (应收): approved orders in scope with something outstanding, and whether
//! they are overdue: past the order's due date, or an instalment due before today that the
//! money received (allocated to instalments in due order) does not cover.

use crate::entity::payment_plan::{self, Entity as Plan};
use crate::entity::sales_order::{self, Column as O, Entity as Order};
use crate::orders::Status;
use crate::scope::RecordScope;
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};

#[derive(Debug, Clone, Default)]
pub struct ReceivableFilter {
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Only overdue ones.
    pub overdue: bool,
}

/// Approved, live, in scope, with an outstanding amount.
fn open(scope: &RecordScope) -> Condition {
    Condition::all()
        .add(scope.owned_by(O::OwnerId))
        .add(O::DeletedAt.is_null())
        .add(O::Status.eq(Status::Approved.as_str()))
        .add(Expr::col(O::Received).lt(Expr::col(O::Total)))
}

/// The sum of the instalments of the order being selected that fall due before `today`.
fn due_before(today: NaiveDate) -> SimpleExpr {
    let sub = Query::select()
        .expr(Func::coalesce([
            Expr::col((Plan, payment_plan::Column::Amount)).sum(),
            Expr::val(0i64).into(),
        ]))
        .from(Plan)
        .and_where(
            Expr::col((Plan, payment_plan::Column::OrderId)).equals((sales_order::Entity, O::Id)),
        )
        .and_where(Expr::col((Plan, payment_plan::Column::DueDate)).lt(today))
        .to_owned();
    SimpleExpr::SubQuery(None, Box::new(sub.into_sub_query_statement()))
}

/// Overdue on `today` (callers combine it with [`open`]).
pub fn overdue(today: NaiveDate) -> Condition {
    Condition::any()
        .add(O::DueDate.lt(today))
        .add(Expr::expr(due_before(today)).gt(Expr::col((sales_order::Entity, O::Received))))
}

fn receivable_cond(scope: &RecordScope, f: &ReceivableFilter, today: NaiveDate) -> Condition {
    let mut cond = open(scope);
    if let Some(o) = f.owner_id {
        cond = cond.add(O::OwnerId.eq(o));
    }
    if let Some(c) = f.customer_id {
        cond = cond.add(O::CustomerId.eq(c));
    }
    if f.overdue {
        cond = cond.add(overdue(today));
    }
    cond
}

/// One page of receivables, newest order first.
pub async fn receivables<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    f: &ReceivableFilter,
    today: NaiveDate,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<sales_order::Model>, DbErr> {
    let mut q = Order::find().filter(receivable_cond(scope, f, today));
    if let Some(a) = after {
        q = q.filter(O::Id.lt(a));
    }
    q.order_by_desc(O::Id).limit(limit).all(db).await
}

/// Totals over every receivable matching the filter (not just one page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReceivableTotals {
    pub orders: i64,
    pub outstanding: i64,
    pub overdue_orders: i64,
    pub overdue_outstanding: i64,
}

#[derive(Debug, FromQueryResult)]
struct SumRow {
    n: Option<i64>,
    amount: Option<i64>,
}

async fn sum<C: ConnectionTrait>(db: &C, cond: Condition) -> Result<(i64, i64), DbErr> {
    let outstanding = Expr::col(O::Total).sub(Expr::col(O::Received));
    let row = Order::find()
        .select_only()
        .expr_as(Expr::col(O::Id).count().cast_as(Alias::new("BIGINT")), "n")
        .expr_as(
            Func::coalesce([Expr::expr(outstanding).sum(), Expr::val(0i64).into()])
                .cast_as(Alias::new("BIGINT")),
            "amount",
        )
        .filter(cond)
        .into_model::<SumRow>()
        .one(db)
        .await?;
    Ok(row.map_or((0, 0), |r| (r.n.unwrap_or(0), r.amount.unwrap_or(0))))
}

pub async fn receivable_totals<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    f: &ReceivableFilter,
    today: NaiveDate,
) -> Result<ReceivableTotals, DbErr> {
    let (orders, outstanding) = sum(db, receivable_cond(scope, f, today)).await?;
    let (overdue_orders, overdue_outstanding) =
        sum(db, receivable_cond(scope, f, today).add(overdue(today))).await?;
    Ok(ReceivableTotals {
        orders,
        outstanding,
        overdue_orders,
        overdue_outstanding,
    })
}
