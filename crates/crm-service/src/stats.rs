//! Rep statistics per period (业绩统计): for every person in the principal's scope, the
//! customers they followed, new customers, opportunities created / won / lost, orders
//! approved, sales amount and payments received, in the installation's time zone; a
//! ranking for the period and a trend over consecutive periods.

use crate::cache::ReadCache;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, NaiveDate, Utc};
use crm_domain::{Action, Module, Period, PeriodKind, Principal};
use crm_store::scope::Visible;
use crm_store::stats::{self, Range, RepFigures};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The most periods a trend covers.
pub const MAX_TREND: u32 = 24;

/// How long computed figures are reused at most. Counting the distinct customers a team
/// followed in a quarter reads every contact-history entry of the quarter (hundreds of
/// thousands at a million customers); a team's figures are computed once and reused until
/// this server writes anything (see [`crate::cache`]) or this long has passed (writes of
/// other processes); `fresh` asks for a new computation.
pub const CACHE_TTL: Duration = Duration::from_secs(30);
const CACHE_MAX_ENTRIES: usize = 512;

/// Figures of a set of people over a range, with when they were computed.
#[derive(Debug, Clone)]
pub struct Computed {
    at: DateTime<Utc>,
    figures: Arc<HashMap<i64, RepFigures>>,
}

/// Recently computed figures, per set of people and range (one per app server).
pub type StatsCache = ReadCache<Computed>;

/// A new, empty statistics cache.
pub fn new_cache() -> StatsCache {
    ReadCache::new(CACHE_TTL, CACHE_MAX_ENTRIES)
}

/// The figures of `ids` over `range`, from the cache unless `fresh`, expired or written
/// since.
async fn figures(core: &Core, ids: &[i64], range: Range, fresh: bool) -> Result<Computed> {
    let key = format!(
        "{ids:?}|{}|{}",
        range.from.timestamp(),
        range.to.timestamp()
    );
    let generation = core.writes.current();
    if !fresh {
        if let Some(c) = core.stats_cache.get(&key, generation) {
            return Ok(c);
        }
    }
    let c = Computed {
        at: core.now(),
        figures: Arc::new(stats::figures(&core.db, ids, range).await?),
    };
    core.stats_cache.put(key, generation, c.clone());
    Ok(c)
}

/// One metric (sales amount, payments, new customers) per person of `ids` over `range`, as
/// quotas show it; computed once per write generation like the rep figures (a company's
/// year of approved orders is ~100 ms to sum at a million orders).
pub async fn metric(
    core: &Core,
    ids: &[i64],
    range: Range,
    metric: stats::Metric,
) -> Result<Arc<HashMap<i64, i64>>> {
    let key = format!(
        "{metric:?}|{ids:?}|{}|{}",
        range.from.timestamp(),
        range.to.timestamp()
    );
    let generation = core.writes.current();
    if let Some(v) = core.metric_cache.get(&key, generation) {
        return Ok(v);
    }
    let v = Arc::new(stats::metric(&core.db, ids, range, metric).await?);
    core.metric_cache.put(key, generation, v.clone());
    Ok(v)
}

#[derive(Debug, Clone)]
pub struct RepRow {
    pub user_id: i64,
    pub name: String,
    pub active: bool,
    /// 1 = highest sales amount in the period.
    pub rank: usize,
    pub figures: RepFigures,
}

#[derive(Debug, Clone)]
pub struct RepStats {
    pub period: Period,
    pub rows: Vec<RepRow>,
    pub totals: RepFigures,
    /// When the figures were computed (at most [`CACHE_TTL`] ago).
    pub as_of: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct TrendPoint {
    pub period: Period,
    pub figures: RepFigures,
}

fn range(core: &Core, p: &Period) -> Range {
    let (from, to) = core.settings.instants(p);
    Range {
        from,
        to,
        from_date: p.start,
        to_date: p.end,
    }
}

/// The people whose figures `p` may read.
async fn people(core: &Core, p: &Principal) -> Result<Vec<(i64, String, bool)>> {
    let scope = core.scope(p).await?;
    Ok(match &scope.visible {
        Visible::All => stats::people(&core.db, None).await?,
        Visible::Owners(ids) => stats::people(&core.db, Some(ids)).await?,
    })
}

/// The period of `kind` containing `date` (today when `None`).
pub fn period_of(core: &Core, kind: PeriodKind, date: Option<NaiveDate>) -> Period {
    Period::containing(
        kind,
        date.unwrap_or_else(|| core.today()),
        core.settings.week_start,
    )
}

/// Every person in scope with their figures for the period, ranked by sales amount (then
/// payments received, then name). Inactive people appear only when they have figures.
/// `fresh` computes anew instead of reusing figures up to [`CACHE_TTL`] old.
pub async fn reps(
    core: &Core,
    p: &Principal,
    kind: PeriodKind,
    date: Option<NaiveDate>,
    fresh: bool,
) -> Result<RepStats> {
    p.require(Module::Sales, Action::View)?;
    let period = period_of(core, kind, date);
    let people = people(core, p).await?;
    let ids: Vec<i64> = people.iter().map(|x| x.0).collect();
    let computed = figures(core, &ids, range(core, &period), fresh).await?;
    let figures = &computed.figures;
    let mut rows: Vec<RepRow> = people
        .into_iter()
        .filter_map(|(id, name, active)| {
            let f = figures.get(&id).copied();
            if !active && f.is_none() {
                return None;
            }
            Some(RepRow {
                user_id: id,
                name,
                active,
                rank: 0,
                figures: f.unwrap_or_default(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.figures
            .sales_amount
            .cmp(&a.figures.sales_amount)
            .then(
                b.figures
                    .payments_received
                    .cmp(&a.figures.payments_received),
            )
            .then(a.name.cmp(&b.name))
    });
    let mut totals = RepFigures::default();
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
        totals.add(&r.figures);
    }
    Ok(RepStats {
        period,
        rows,
        totals,
        as_of: computed.at,
    })
}

/// The figures of one person (or everyone in scope when `user_id` is `None`) over `count`
/// consecutive periods ending with the one containing `date`, oldest first.
pub async fn trend(
    core: &Core,
    p: &Principal,
    kind: PeriodKind,
    count: u32,
    date: Option<NaiveDate>,
    user_id: Option<i64>,
    fresh: bool,
) -> Result<Vec<TrendPoint>> {
    p.require(Module::Sales, Action::View)?;
    if count == 0 || count > MAX_TREND {
        return Err(ServiceError::field(
            "count",
            "out_of_range",
            format!("must be between 1 and {MAX_TREND}"),
        ));
    }
    let people = people(core, p).await?;
    let ids: Vec<i64> = match user_id {
        Some(u) if people.iter().any(|x| x.0 == u) => vec![u],
        Some(_) => return Err(ServiceError::NotFound),
        None => people.iter().map(|x| x.0).collect(),
    };
    let last = period_of(core, kind, date);
    let mut out = Vec::with_capacity(count as usize);
    for back in (0..count).rev() {
        let period = last.shift(-(back as i32), core.settings.week_start);
        let by_person = figures(core, &ids, range(core, &period), fresh).await?;
        let mut figures = RepFigures::default();
        for f in by_person.figures.values() {
            figures.add(f);
        }
        out.push(TrendPoint { period, figures });
    }
    Ok(out)
}
