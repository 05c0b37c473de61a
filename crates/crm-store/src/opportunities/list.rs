//! The opportunity list: filters, sorts and keyset pages, and one customer's opportunities.

use super::{find_any, visible, Col, Model, Opportunity};
use crate::dialect;
use crate::scope::RecordScope;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func, NullOrdering};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Recently changed first.
    Updated,
    /// Soonest expected close first (no date last).
    ExpectedClose,
    /// Largest amount first.
    Amount,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" => Some(Sort::Newest),
            "updated" => Some(Sort::Updated),
            "expected_close" => Some(Sort::ExpectedClose),
            "amount" => Some(Sort::Amount),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Updated => "updated",
            Sort::ExpectedClose => "expected_close",
            Sort::Amount => "amount",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the name (case-insensitive).
    pub q: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub status: Option<String>,
    /// Expected close on or after this date.
    pub close_from: Option<NaiveDate>,
    /// Expected close on or before this date.
    pub close_to: Option<NaiveDate>,
}

fn filtered(scope: &RecordScope, f: &Filter, backend: sea_orm::DbBackend) -> Condition {
    let mut c = visible(scope);
    if let Some(v) = f.owner_id {
        c = c.add(Col::OwnerId.eq(v));
    }
    if let Some(v) = f.customer_id {
        c = c.add(Col::CustomerId.eq(v));
    }
    if let Some(v) = f.stage_id {
        c = c.add(Col::StageId.eq(v));
    }
    if let Some(v) = &f.status {
        c = c.add(Col::Status.eq(v.as_str()));
    }
    if let Some(v) = f.close_from {
        c = c.add(Col::ExpectedClose.gte(v));
    }
    if let Some(v) = f.close_to {
        c = c.add(Col::ExpectedClose.lte(v));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        c = c.add(dialect::contains(
            backend,
            Func::lower(Expr::col(Col::Name)).into(),
            q.to_lowercase(),
        ));
    }
    c
}

/// The rows after `last` in the order of `sort`.
fn keyset(sort: Sort, last: &Model) -> Condition {
    let after = last.id;
    match sort {
        Sort::Newest => Condition::all().add(Col::Id.lt(after)),
        Sort::Updated => Condition::any()
            .add(Col::UpdatedAt.lt(last.updated_at))
            .add(
                Condition::all()
                    .add(Col::UpdatedAt.eq(last.updated_at))
                    .add(Col::Id.lt(after)),
            ),
        Sort::Amount => Condition::any().add(Col::Amount.lt(last.amount)).add(
            Condition::all()
                .add(Col::Amount.eq(last.amount))
                .add(Col::Id.lt(after)),
        ),
        Sort::ExpectedClose => match last.expected_close {
            Some(d) => Condition::any()
                .add(Col::ExpectedClose.gt(d))
                .add(
                    Condition::all()
                        .add(Col::ExpectedClose.eq(d))
                        .add(Col::Id.gt(after)),
                )
                .add(Col::ExpectedClose.is_null()),
            None => Condition::all()
                .add(Col::ExpectedClose.is_null())
                .add(Col::Id.gt(after)),
        },
    }
}

fn ordered(q: Select<Opportunity>, sort: Sort) -> Select<Opportunity> {
    match sort {
        Sort::Newest => q.order_by_desc(Col::Id),
        Sort::Updated => q.order_by_desc(Col::UpdatedAt).order_by_desc(Col::Id),
        Sort::Amount => q.order_by_desc(Col::Amount).order_by_desc(Col::Id),
        Sort::ExpectedClose => by_close(q),
    }
}

/// Soonest expected close first, opportunities without a date last (the same on both
/// databases), then by id.
pub(super) fn by_close(q: Select<Opportunity>) -> Select<Opportunity> {
    q.order_by_with_nulls(Col::ExpectedClose, Order::Asc, NullOrdering::Last)
        .order_by_asc(Col::Id)
}

/// One page of visible opportunities. `after` is the id of the last row of the previous
/// page (keyset pagination).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = filtered(scope, filter, db.get_database_backend());
    if let Some(after) = after {
        match find_any(db, after).await? {
            Some(last) => cond = cond.add(keyset(sort, &last)),
            None => return Ok(vec![]),
        }
    }
    ordered(Opportunity::find().filter(cond), sort)
        .limit(limit)
        .all(db)
        .await
}

/// The visible opportunities of one customer, newest first.
pub async fn of_customer<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    customer_id: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Opportunity::find()
        .filter(visible(scope))
        .filter(Col::CustomerId.eq(customer_id))
        .order_by_desc(Col::Id)
        .limit(limit)
        .all(db)
        .await
}
