//! Reading opportunities: the list, one customer's, the pipeline board and "likely to close
//! soon". Every query is scoped in SQL by the principal's owner set.

use super::{scope_of, weighted, Filter, Opportunity, Sort, Totals};
use crate::{customers, pipeline, Core, Result};
use chrono::{Duration, NaiveDate};
use crm_domain::{Action, Module, Principal};
use crm_store::opportunities::{self as store, Window};

/// How many cards a board column shows at most (its header counts them all).
pub const BOARD_CARDS: u64 = 50;
/// How many opportunities of one customer the customer page gets at most.
pub const PER_CUSTOMER: u64 = 200;

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Opportunity>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    Ok(store::list(&core.db, &scope, filter, sort, after, limit).await?)
}

/// The opportunities of one customer that this user may see (newest first, at most
/// [`PER_CUSTOMER`]); an invisible customer is a 404.
pub async fn for_customer(
    core: &Core,
    p: &Principal,
    customer_id: i64,
) -> Result<Vec<Opportunity>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    customers::visible(&core.db, &scope, customer_id).await?;
    Ok(store::of_customer(&core.db, &scope, customer_id, PER_CUSTOMER).await?)
}

/// One opportunity of "likely to close soon" with its weighted amount (minor units).
#[derive(Debug, Clone)]
pub struct Weighted {
    pub opportunity: Opportunity,
    pub weighted: i64,
}

/// "Likely to close soon": the window asked for, the first opportunities in it and the
/// totals of all of them.
#[derive(Debug, Clone)]
pub struct ClosingSoon {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    pub min_probability: i32,
    pub items: Vec<Weighted>,
    pub totals: Totals,
}

/// The parameters of [`closing_soon`].
#[derive(Debug, Clone)]
pub struct ClosingQuery {
    /// 0–366: today through today + days.
    pub days: i64,
    /// 0–100.
    pub min_probability: i32,
    pub owner_id: Option<i64>,
    /// 1–500 items.
    pub limit: u64,
}

impl Default for ClosingQuery {
    fn default() -> Self {
        Self {
            days: 30,
            min_probability: 60,
            owner_id: None,
            limit: 100,
        }
    }
}

/// Open opportunities in scope expected to close between today and today + `days` with at
/// least `min_probability` %, soonest first, each with its weighted amount. A team's window
/// is computed once and reused until this server writes anything (see [`crate::cache`]).
pub async fn closing_soon(core: &Core, p: &Principal, q: &ClosingQuery) -> Result<ClosingSoon> {
    p.require(Module::Sales, Action::View)?;
    let mut e = crm_domain::FieldErrors::new();
    if !(0..=366).contains(&q.days) {
        e.add("days", "out_of_range", "Between 0 and 366");
    }
    if !(0..=100).contains(&q.min_probability) {
        e.add("min_probability", "out_of_range", "Between 0 and 100");
    }
    if !(1..=500).contains(&q.limit) {
        e.add("limit", "out_of_range", "Between 1 and 500");
    }
    e.into_result()?;
    let scope = scope_of(core, p).await?;
    let from = core.today();
    let to = from + Duration::days(q.days);
    let w = Window {
        from,
        to,
        min_probability: q.min_probability,
        owner_id: q.owner_id,
    };
    let key = format!("{:?}|{w:?}|{}", scope.visible, q.limit);
    let generation = core.writes.current();
    let (rows, totals) = match core.closing_cache.get(&key, generation) {
        Some(hit) => hit,
        None => {
            let computed = store::closing_soon(&core.db, &scope, &w, q.limit).await?;
            core.closing_cache.put(key, generation, computed.clone());
            computed
        }
    };
    Ok(ClosingSoon {
        from,
        to,
        days: q.days,
        min_probability: q.min_probability,
        items: rows
            .into_iter()
            .map(|o| Weighted {
                weighted: weighted(o.amount, o.probability),
                opportunity: o,
            })
            .collect(),
        totals,
    })
}

/// One column of the pipeline board: an active stage, the totals of all open
/// opportunities in scope in it, and the first [`BOARD_CARDS`] of them.
#[derive(Debug, Clone)]
pub struct Column {
    pub stage: pipeline::Stage,
    pub totals: Totals,
    pub cards: Vec<Opportunity>,
}

/// The pipeline board (kanban): one column per active stage, in pipeline order.
pub async fn board(core: &Core, p: &Principal) -> Result<Vec<Column>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    let stages = crm_store::pipeline::list(&core.db, true).await?;
    let totals = store::open_totals_by_stage(&core.db, &scope).await?;
    let mut out = Vec::with_capacity(stages.len());
    for stage in stages {
        let t = totals
            .iter()
            .find(|(id, _)| *id == stage.id)
            .map(|(_, t)| *t)
            .unwrap_or_default();
        let cards = if t.count > 0 {
            store::open_in_stage(&core.db, &scope, stage.id, BOARD_CARDS).await?
        } else {
            Vec::new()
        };
        out.push(Column {
            stage,
            totals: t,
            cards,
        });
    }
    Ok(out)
}

/// Moves an open opportunity to another stage (the board's action): the probability
/// becomes the new stage's default.
pub async fn move_to_stage(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    stage_id: i64,
) -> Result<Opportunity> {
    let input = super::OpportunityInput {
        stage_id: Some(stage_id),
        ..Default::default()
    };
    super::update(core, p, id, version, input).await
}
