//! What campaigns brought in, counted from their leads, one grouped query per figure for a
//! whole page of campaigns (never one query per campaign). Every figure only counts what
//! the viewer may see:
//!
//! - leads: pool leads (no owner) and leads owned within the viewer's scope;
//! - converted customers: distinct `leads.customer_id` of those leads, among the customers
//!   the viewer sees (`customers::visible_ids`);
//! - won opportunities: the opportunities the leads became (`leads.opportunity_id`), status
//!   `won`, owned within the viewer's scope;
//! - revenue: approved sales orders of the converted customers, created at or after the
//!   conversion (so a lead linked to an existing customer does not bring in that
//!   customer's earlier orders), owned within the viewer's scope.

use crate::customers;
use crate::entity::{lead, opportunity, sales_order};
use crate::scope::RecordScope;
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::BTreeMap;

/// The raw figures of one campaign (money in minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub leads: i64,
    pub converted: i64,
    pub customers: i64,
    pub won: i64,
    pub won_amount: i64,
    pub revenue: i64,
}

/// Which figures to compute: customers need `customers:view`, won opportunities and
/// revenue `sales:view` (the service decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Include {
    pub customers: bool,
    pub sales: bool,
}

fn leads_of(scope: &RecordScope, ids: &[i64]) -> Condition {
    crate::leads::visible(scope).add(lead::Column::CampaignId.is_in(ids.iter().copied()))
}

fn bigint(e: SimpleExpr) -> SimpleExpr {
    // PostgreSQL counts into BIGINT but sums BIGINT into NUMERIC: cast every figure back.
    Expr::expr(e).cast_as(Alias::new("BIGINT"))
}

fn sum0(e: SimpleExpr) -> SimpleExpr {
    bigint(Func::coalesce([Expr::expr(e).sum(), Expr::val(0i64).into()]).into())
}

async fn rows<C: ConnectionTrait>(
    db: &C,
    q: &SelectStatement,
    cols: &[&str],
) -> Result<Vec<(i64, Vec<i64>)>, DbErr> {
    let stmt = db.get_database_backend().build(q);
    let mut out = Vec::new();
    for row in db.query_all(stmt).await? {
        let id: i64 = row.try_get("", "campaign_id")?;
        let mut vals = Vec::with_capacity(cols.len());
        for c in cols {
            vals.push(row.try_get::<Option<i64>>("", c)?.unwrap_or(0));
        }
        out.push((id, vals));
    }
    Ok(out)
}

/// The figures of the campaigns `ids` as `scope` sees them (campaigns without leads are
/// absent from the map).
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    ids: &[i64],
    include: Include,
) -> Result<BTreeMap<i64, Counts>, DbErr> {
    let mut out: BTreeMap<i64, Counts> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let l = lead::Entity;
    let campaign = (l, lead::Column::CampaignId);

    // Leads and converted leads.
    let converted = Expr::case(lead::Column::Status.eq("converted"), 1i64).finally(0i64);
    let q = Query::select()
        .column(campaign)
        .expr_as(
            bigint(Expr::col((l, lead::Column::Id)).count()),
            Alias::new("n"),
        )
        .expr_as(sum0(converted.into()), Alias::new("c"))
        .from(l)
        .cond_where(leads_of(scope, ids))
        .group_by_col(campaign)
        .to_owned();
    for (id, v) in rows(db, &q, &["n", "c"]).await? {
        let e = out.entry(id).or_default();
        e.leads = v[0];
        e.converted = v[1];
    }

    if include.customers {
        let q = Query::select()
            .column(campaign)
            .expr_as(
                bigint(Expr::col((l, lead::Column::CustomerId)).count_distinct()),
                Alias::new("n"),
            )
            .from(l)
            .cond_where(
                leads_of(scope, ids)
                    .add(lead::Column::CustomerId.is_not_null())
                    .add(lead::Column::CustomerId.in_subquery(customers::visible_ids(scope))),
            )
            .group_by_col(campaign)
            .to_owned();
        for (id, v) in rows(db, &q, &["n"]).await? {
            out.entry(id).or_default().customers = v[0];
        }
    }

    if include.sales {
        won(db, scope, ids, &mut out).await?;
        revenue(db, scope, ids, &mut out).await?;
    }
    Ok(out)
}

async fn won<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    ids: &[i64],
    out: &mut BTreeMap<i64, Counts>,
) -> Result<(), DbErr> {
    let l = lead::Entity;
    let o = opportunity::Entity;
    let d = Alias::new("d");
    // Each (campaign, opportunity) once, however many leads name it.
    let pairs = Query::select()
        .distinct()
        .column((l, lead::Column::CampaignId))
        .column((l, lead::Column::OpportunityId))
        .from(l)
        .cond_where(leads_of(scope, ids).add(lead::Column::OpportunityId.is_not_null()))
        .to_owned();
    let q = Query::select()
        .expr_as(
            Expr::col((d.clone(), Alias::new("campaign_id"))),
            Alias::new("campaign_id"),
        )
        .expr_as(
            bigint(Expr::col((o, opportunity::Column::Id)).count()),
            Alias::new("n"),
        )
        .expr_as(
            sum0(Expr::col((o, opportunity::Column::Amount)).into()),
            Alias::new("amount"),
        )
        .from_subquery(pairs, d.clone())
        .join(
            JoinType::InnerJoin,
            o,
            Expr::col((o, opportunity::Column::Id))
                .equals((d.clone(), Alias::new("opportunity_id"))),
        )
        .cond_where(
            Condition::all()
                .add(opportunity::Column::Status.eq("won"))
                .add(opportunity::Column::DeletedAt.is_null())
                .add(scope.owned_by(opportunity::Column::OwnerId)),
        )
        .group_by_col((d, Alias::new("campaign_id")))
        .to_owned();
    for (id, v) in rows(db, &q, &["n", "amount"]).await? {
        let e = out.entry(id).or_default();
        e.won = v[0];
        e.won_amount = v[1];
    }
    Ok(())
}

async fn revenue<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    ids: &[i64],
    out: &mut BTreeMap<i64, Counts>,
) -> Result<(), DbErr> {
    let l = lead::Entity;
    let so = sales_order::Entity;
    let d = Alias::new("d");
    // Each (campaign, customer) once, from its first conversion on.
    let customers = Query::select()
        .column((l, lead::Column::CampaignId))
        .column((l, lead::Column::CustomerId))
        .expr_as(
            Expr::col((l, lead::Column::ConvertedAt)).min(),
            Alias::new("since"),
        )
        .from(l)
        .cond_where(
            leads_of(scope, ids)
                .add(lead::Column::CustomerId.is_not_null())
                .add(lead::Column::ConvertedAt.is_not_null()),
        )
        .group_by_col((l, lead::Column::CampaignId))
        .group_by_col((l, lead::Column::CustomerId))
        .to_owned();
    let q = Query::select()
        .expr_as(
            Expr::col((d.clone(), Alias::new("campaign_id"))),
            Alias::new("campaign_id"),
        )
        .expr_as(
            sum0(Expr::col((so, sales_order::Column::Total)).into()),
            Alias::new("amount"),
        )
        .from_subquery(customers, d.clone())
        .join(
            JoinType::InnerJoin,
            so,
            Condition::all()
                .add(
                    Expr::col((so, sales_order::Column::CustomerId))
                        .equals((d.clone(), Alias::new("customer_id"))),
                )
                .add(
                    Expr::col((so, sales_order::Column::CreatedAt))
                        .gte(Expr::col((d.clone(), Alias::new("since")))),
                ),
        )
        .cond_where(
            Condition::all()
                .add(sales_order::Column::Status.eq("approved"))
                .add(sales_order::Column::DeletedAt.is_null())
                .add(scope.owned_by(sales_order::Column::OwnerId)),
        )
        .group_by_col((d, Alias::new("campaign_id")))
        .to_owned();
    for (id, v) in rows(db, &q, &["amount"]).await? {
        out.entry(id).or_default().revenue = v[0];
    }
    Ok(())
}

/// The newest leads of one campaign that `scope` may see.
pub async fn leads<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    campaign_id: i64,
    limit: u64,
) -> Result<Vec<lead::Model>, DbErr> {
    lead::Entity::find()
        .filter(leads_of(scope, &[campaign_id]))
        .order_by_desc(lead::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
