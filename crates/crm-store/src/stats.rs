//! Queries: rep statistics per period. Each metric is one grouped query over an index that
//! starts with the person column and the period column, restricted to the people asked for
//! (the caller has already limited them to the principal's scope).

use crate::entity::{activity, customer, opportunity, payment, sales_order};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, StatementBuilder};
use std::collections::HashMap;

/// The figures of one person in one period. Amounts in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepFigures {
    /// Distinct customers with contact history written by the person.
    pub customers_followed: i64,
    /// Customers the person owns that were created in the period.
    pub new_customers: i64,
    pub opportunities_created: i64,
    pub opportunities_won: i64,
    pub opportunities_lost: i64,
    pub orders_approved: i64,
    /// Sum of the totals of the orders approved in the period (still approved now).
    pub sales_amount: i64,
    /// Sum of payments received in the period on the person's orders.
    pub payments_received: i64,
}

impl RepFigures {
    pub fn add(&mut self, o: &RepFigures) {
        self.customers_followed += o.customers_followed;
        self.new_customers += o.new_customers;
        self.opportunities_created += o.opportunities_created;
        self.opportunities_won += o.opportunities_won;
        self.opportunities_lost += o.opportunities_lost;
        self.orders_approved += o.orders_approved;
        self.sales_amount += o.sales_amount;
        self.payments_received += o.payments_received;
    }
}

/// A period as both UTC instants (for timestamp columns) and local dates (for date columns).
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    who: i64,
    n: i64,
    amount: Option<i64>,
}

async fn grouped<C: ConnectionTrait>(db: &C, q: &SelectStatement) -> Result<Vec<Row>, DbErr> {
    let stmt = StatementBuilder::build(q, &db.get_database_backend());
    Row::find_by_statement(stmt).all(db).await
}

/// `SELECT who_col AS who, <count> AS n, <sum> AS amount FROM table WHERE who IN people GROUP BY who`.
fn base(
    table: impl sea_orm::sea_query::IntoTableRef,
    who: SimpleExpr,
    count: SimpleExpr,
    sum: SimpleExpr,
    people: &[i64],
) -> SelectStatement {
    Query::select()
        .expr_as(who.clone(), Alias::new("who"))
        .expr_as(
            Expr::expr(count).cast_as(Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .expr_as(
            Expr::expr(sum).cast_as(Alias::new("BIGINT")),
            Alias::new("amount"),
        )
        .from(table)
        .and_where(Expr::expr(who.clone()).is_in(people.iter().copied()))
        .add_group_by([who])
        .to_owned()
}

fn zero() -> SimpleExpr {
    Expr::val(0i64).into()
}

/// The figures of each of `people` over `range`. People without activity are absent.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    people: &[i64],
    range: Range,
) -> Result<HashMap<i64, RepFigures>, DbErr> {
    let mut out: HashMap<i64, RepFigures> = HashMap::new();
    if people.is_empty() {
        return Ok(out);
    }
    // Contact history: distinct customers per author.
    {
        use activity::Column as A;
        let mut q = base(
            activity::Entity,
            Expr::col(A::AuthorId).into(),
            Func::count_distinct(Expr::col(A::CustomerId)).into(),
            zero(),
            people,
        );
        q.and_where(Expr::col(A::OccurredAt).gte(range.from))
            .and_where(Expr::col(A::OccurredAt).lt(range.to))
            .and_where(Expr::col(A::DeletedAt).is_null());
        for r in grouped(db, &q).await? {
            out.entry(r.who).or_default().customers_followed = r.n;
        }
    }
    for r in grouped(db, &new_customers_query(people, range)).await? {
        out.entry(r.who).or_default().new_customers = r.n;
    }
    {
        use opportunity::Column as O;
        let mut q = base(
            opportunity::Entity,
            Expr::col(O::OwnerId).into(),
            Func::count(Expr::col(O::Id)).into(),
            zero(),
            people,
        );
        q.and_where(Expr::col(O::CreatedAt).gte(range.from))
            .and_where(Expr::col(O::CreatedAt).lt(range.to))
            .and_where(Expr::col(O::DeletedAt).is_null());
        for r in grouped(db, &q).await? {
            out.entry(r.who).or_default().opportunities_created = r.n;
        }
        for (status, won) in [("won", true), ("lost", false)] {
            let mut q = base(
                opportunity::Entity,
                Expr::col(O::OwnerId).into(),
                Func::count(Expr::col(O::Id)).into(),
                zero(),
                people,
            );
            q.and_where(Expr::col(O::Status).eq(status))
                .and_where(Expr::col(O::ClosedOn).gte(range.from_date))
                .and_where(Expr::col(O::ClosedOn).lt(range.to_date))
                .and_where(Expr::col(O::DeletedAt).is_null());
            for r in grouped(db, &q).await? {
                let f = out.entry(r.who).or_default();
                if won {
                    f.opportunities_won = r.n;
                } else {
                    f.opportunities_lost = r.n;
                }
            }
        }
    }
    for r in grouped(db, &sales_query(people, range)).await? {
        let f = out.entry(r.who).or_default();
        f.orders_approved = r.n;
        f.sales_amount = r.amount.unwrap_or(0);
    }
    for r in grouped(db, &payments_query(people, range)).await? {
        out.entry(r.who).or_default().payments_received = r.amount.unwrap_or(0);
    }
    Ok(out)
}

/// Customers each person owns that were created in the range (`n`).
fn new_customers_query(people: &[i64], range: Range) -> SelectStatement {
    use customer::Column as C;
    let mut q = base(
        customer::Entity,
        Expr::col(C::OwnerId).into(),
        Func::count(Expr::col(C::Id)).into(),
        zero(),
        people,
    );
    q.and_where(Expr::col(C::CreatedAt).gte(range.from))
        .and_where(Expr::col(C::CreatedAt).lt(range.to))
        .and_where(Expr::col(C::DeletedAt).is_null());
    q
}

/// Orders of each person approved in the range (`n`) and their totals (`amount`).
fn sales_query(people: &[i64], range: Range) -> SelectStatement {
    // Approved orders are never soft-deleted (only drafts are), so the index
    // (owner_id, status, decided_at, total) answers this alone.
    use sales_order::Column as S;
    let mut q = base(
        sales_order::Entity,
        Expr::col(S::OwnerId).into(),
        Func::count(Expr::col(S::Id)).into(),
        Func::coalesce([Func::sum(Expr::col(S::Total)).into(), zero()]).into(),
        people,
    );
    q.and_where(Expr::col(S::Status).eq("approved"))
        .and_where(Expr::col(S::DecidedAt).gte(range.from))
        .and_where(Expr::col(S::DecidedAt).lt(range.to));
    q
}

/// Live payments received in the range on each person's orders (`amount`).
fn payments_query(people: &[i64], range: Range) -> SelectStatement {
    use payment::Column as P;
    let mut q = base(
        payment::Entity,
        Expr::col(P::OwnerId).into(),
        Func::count(Expr::col(P::Id)).into(),
        Func::coalesce([Func::sum(Expr::col(P::Amount)).into(), zero()]).into(),
        people,
    );
    q.and_where(Expr::col(P::PaidOn).gte(range.from_date))
        .and_where(Expr::col(P::PaidOn).lt(range.to_date))
        .and_where(Expr::col(P::DeletedAt).is_null());
    q
}

/// One figure of [`RepFigures`], for callers that need a single figure (quota progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// [`RepFigures::new_customers`].
    NewCustomers,
    /// [`RepFigures::sales_amount`].
    SalesAmount,
    /// [`RepFigures::payments_received`].
    PaymentsReceived,
}

/// One figure for each of `people` over `range`, by the very grouped query [`figures`]
/// runs for it (so the two always agree), without the others. People with nothing are
/// absent.
pub async fn metric<C: ConnectionTrait>(
    db: &C,
    people: &[i64],
    range: Range,
    metric: Metric,
) -> Result<HashMap<i64, i64>, DbErr> {
    if people.is_empty() {
        return Ok(HashMap::new());
    }
    let (q, count) = match metric {
        Metric::NewCustomers => (new_customers_query(people, range), true),
        Metric::SalesAmount => (sales_query(people, range), false),
        Metric::PaymentsReceived => (payments_query(people, range), false),
    };
    Ok(grouped(db, &q)
        .await?
        .into_iter()
        .map(|r| (r.who, if count { r.n } else { r.amount.unwrap_or(0) }))
        .collect())
}

/// People a statistic may list: `(id, display name, active)`, all users when `ids` is `None`.
pub async fn people<C: ConnectionTrait>(
    db: &C,
    ids: Option<&[i64]>,
) -> Result<Vec<(i64, String, bool)>, DbErr> {
    use crate::entity::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut q = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::DisplayName)
        .column(user::Column::Active)
        .order_by_asc(user::Column::Id);
    if let Some(ids) = ids {
        q = q.filter(user::Column::Id.is_in(ids.iter().copied()));
    }
    q.into_tuple::<(i64, String, bool)>().all(db).await
}
