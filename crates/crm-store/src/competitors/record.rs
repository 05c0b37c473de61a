//! The win/loss record against competitors: grouped queries over the linked opportunities
//! whose owner is in the viewer's scope ([`RecordScope::owned_by`] on
//! `opportunities.owner_id`, in SQL), live opportunities only.

use crate::entity::opportunity::{self, Entity as Opportunity};
use crate::entity::opportunity_competitor::{self as oc, Entity as Link};
use crate::scope::RecordScope;
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr};

/// Count and amount (minor units) of one competitor's linked opportunities in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTally {
    pub competitor_id: i64,
    /// open, won or lost.
    pub status: String,
    pub count: i64,
    pub amount: i64,
}

/// One competitor's opportunities closed on one day with one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedDay {
    pub closed_on: NaiveDate,
    /// won or lost.
    pub status: String,
    pub count: i64,
    pub amount: i64,
}

/// One linked opportunity in scope with the competitor's price on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedOpportunity {
    pub opportunity: opportunity::Model,
    pub their_price: Option<i64>,
    pub notes: Option<String>,
}

/// `CAST(e AS BIGINT)`: PostgreSQL counts into BIGINT but sums BIGINT into NUMERIC.
fn bigint(e: SimpleExpr) -> SimpleExpr {
    Func::cast_as(e, Alias::new("BIGINT")).into()
}

fn sum0(e: SimpleExpr) -> SimpleExpr {
    Func::coalesce([bigint(Func::sum(e).into()), Expr::val(0i64).into()]).into()
}

/// `opportunity_competitors JOIN opportunities` for the given competitors, restricted to
/// live opportunities owned in `scope`.
fn joined(scope: &RecordScope, competitor_ids: &[i64]) -> SelectStatement {
    Query::select()
        .from(Link)
        .join(
            JoinType::InnerJoin,
            Opportunity,
            Expr::col((Opportunity, opportunity::Column::Id))
                .equals((Link, oc::Column::OpportunityId)),
        )
        .cond_where(
            Condition::all()
                .add(oc::Column::CompetitorId.is_in(competitor_ids.iter().copied()))
                .add(opportunity::Column::DeletedAt.is_null())
                .add(scope.owned_by(opportunity::Column::OwnerId)),
        )
        .to_owned()
}

/// Per competitor and opportunity status: how many linked opportunities in scope and their
/// amount — one grouped query for a whole page of competitors.
pub async fn tallies<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    competitor_ids: &[i64],
) -> Result<Vec<StatusTally>, DbErr> {
    if competitor_ids.is_empty() {
        return Ok(vec![]);
    }
    let q = joined(scope, competitor_ids)
        .expr_as(
            Expr::col((Link, oc::Column::CompetitorId)),
            Alias::new("competitor_id"),
        )
        .expr_as(
            Expr::col((Opportunity, opportunity::Column::Status)),
            Alias::new("status"),
        )
        .expr_as(
            bigint(Expr::col((Link, oc::Column::Id)).count()),
            Alias::new("n"),
        )
        .expr_as(
            sum0(Expr::col((Opportunity, opportunity::Column::Amount)).into()),
            Alias::new("amount"),
        )
        .group_by_col((Link, oc::Column::CompetitorId))
        .group_by_col((Opportunity, opportunity::Column::Status))
        .to_owned();
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for row in db.query_all(backend.build(&q)).await? {
        out.push(StatusTally {
            competitor_id: row.try_get("", "competitor_id")?,
            status: row.try_get("", "status")?,
            count: row.try_get("", "n")?,
            amount: row.try_get("", "amount")?,
        });
    }
    Ok(out)
}

/// One competitor's won and lost opportunities in scope, grouped by closing day and
/// outcome (callers bucket the days into quarters).
pub async fn closed_by_day<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    competitor_id: i64,
) -> Result<Vec<ClosedDay>, DbErr> {
    let closed_on = Expr::col((Opportunity, opportunity::Column::ClosedOn));
    let status = Expr::col((Opportunity, opportunity::Column::Status));
    let q = joined(scope, &[competitor_id])
        .expr_as(closed_on.clone(), Alias::new("closed_on"))
        .expr_as(status.clone(), Alias::new("status"))
        .expr_as(
            bigint(Expr::col((Link, oc::Column::Id)).count()),
            Alias::new("n"),
        )
        .expr_as(
            sum0(Expr::col((Opportunity, opportunity::Column::Amount)).into()),
            Alias::new("amount"),
        )
        .and_where(opportunity::Column::Status.is_in(["won", "lost"]))
        .and_where(opportunity::Column::ClosedOn.is_not_null())
        .group_by_col((Opportunity, opportunity::Column::ClosedOn))
        .group_by_col((Opportunity, opportunity::Column::Status))
        .to_owned();
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for row in db.query_all(backend.build(&q)).await? {
        out.push(ClosedDay {
            closed_on: row.try_get("", "closed_on")?,
            status: row.try_get("", "status")?,
            count: row.try_get("", "n")?,
            amount: row.try_get("", "amount")?,
        });
    }
    out.sort_by(|a, b| a.closed_on.cmp(&b.closed_on).then(a.status.cmp(&b.status)));
    Ok(out)
}

/// Up to `limit` of one competitor's linked opportunities in scope, newest first.
pub async fn opportunities_of<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    competitor_id: i64,
    limit: u64,
) -> Result<Vec<LinkedOpportunity>, DbErr> {
    use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let pairs: Vec<(i64, Option<i64>, Option<String>)> = Link::find()
        .select_only()
        .column(oc::Column::OpportunityId)
        .column(oc::Column::TheirPrice)
        .column(oc::Column::Notes)
        .join(
            JoinType::InnerJoin,
            Link::belongs_to(Opportunity)
                .from(oc::Column::OpportunityId)
                .to(opportunity::Column::Id)
                .into(),
        )
        .filter(oc::Column::CompetitorId.eq(competitor_id))
        .filter(opportunity::Column::DeletedAt.is_null())
        .filter(scope.owned_by(opportunity::Column::OwnerId))
        .order_by_desc(oc::Column::OpportunityId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    let mut rows = Opportunity::find()
        .filter(opportunity::Column::Id.is_in(ids))
        .all(db)
        .await?;
    rows.sort_by_key(|o| std::cmp::Reverse(o.id));
    let mut by_id: std::collections::HashMap<i64, (Option<i64>, Option<String>)> = pairs
        .into_iter()
        .map(|(id, price, notes)| (id, (price, notes)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|o| {
            let (their_price, notes) = by_id.remove(&o.id).unwrap_or_default();
            LinkedOpportunity {
                opportunity: o,
                their_price,
                notes,
            }
        })
        .collect())
}
