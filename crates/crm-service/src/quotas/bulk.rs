//! The bulk-entry grid: the people and departments whose targets the principal may set,
//! and saving them all at once (every row checked first; nothing written when any is bad).

use super::write::{entry, put, rule, snapshot, Found};
use super::{parse_target, period_of, Metric, Reach, Subject};
use crate::{Core, Result};
use chrono::NaiveDate;
use crm_domain::{Action, DataScope, FieldErrors, Module, Period, PeriodKind, Principal};
use crm_store::audit::{self, Entry};
use crm_store::quotas::{self, Readable, Slot};
use crm_store::{departments, users};

/// The outcome of a bulk save.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub set: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// One row of the bulk-entry grid: a subject the principal may set, with its current target.
#[derive(Debug, Clone)]
pub struct GridRow {
    pub subject: Subject,
    pub name: String,
    /// Depth in the department tree (departments only), for indenting.
    pub depth: usize,
    pub current: Option<i64>,
}

/// The subjects whose targets the principal may set for one period and metric: active
/// people in scope (not themself unless their scope is `all`), then the departments they
/// may set, in tree order. `None` without `sales:approve`.
pub async fn grid(
    core: &Core,
    p: &Principal,
    kind: PeriodKind,
    date: Option<NaiveDate>,
    metric: Metric,
) -> Result<Option<(Period, Vec<GridRow>)>> {
    p.require(Module::Sales, Action::View)?;
    if !p.can(Module::Sales, Action::Approve) {
        return Ok(None);
    }
    let period = period_of(core, kind, date);
    let reach = Reach::load(core, p).await?;
    let people = quotas::members(&core.db, reach.people()).await?;
    let current: std::collections::HashMap<String, i64> = quotas::list(
        &core.db,
        kind.as_str(),
        period.start,
        Some(metric.as_str()),
        Readable {
            users: reach.people(),
            departments: reach.settable.as_deref(),
        },
        None,
        None,
    )
    .await?
    .into_iter()
    .map(|q| (q.subject_key, q.target))
    .collect();
    let all_scope = p.scope() == DataScope::All;
    let mut rows: Vec<GridRow> = people
        .into_iter()
        .filter(|m| m.active && (all_scope || m.id != p.user_id.0))
        .map(|m| {
            let s = Subject::User(m.id);
            GridRow {
                current: current.get(&s.key()).copied(),
                subject: s,
                name: m.name,
                depth: 0,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let depts = departments::list(&core.db).await?;
    for (d, depth) in super::progress::tree_order(&depts, |id| reach.sets_department(id)) {
        let s = Subject::Department(d.id);
        rows.push(GridRow {
            current: current.get(&s.key()).copied(),
            subject: s,
            name: d.name.clone(),
            depth,
        });
    }
    Ok(Some((period, rows)))
}

/// Saves the grid: for each (subject, text) a target, or no target when the text is blank.
/// Every row is checked first; any bad row fails the whole save with field errors keyed by
/// the subject ("user:12", "department:3") and nothing is written.
pub async fn set_many(
    core: &Core,
    p: &Principal,
    kind: PeriodKind,
    date: Option<NaiveDate>,
    metric: Metric,
    rows: &[(Subject, String)],
) -> Result<BulkOutcome> {
    p.require(Module::Sales, Action::Approve)?;
    let reach = Reach::load(core, p).await?;
    let period = period_of(core, kind, date);
    let slot = Slot {
        metric: metric.as_str(),
        kind: kind.as_str(),
        start: period.start,
    };
    // The people in scope and the live departments, read once for every row.
    let people: std::collections::HashMap<i64, bool> = quotas::members(&core.db, reach.people())
        .await?
        .into_iter()
        .map(|m| (m.id, m.active))
        .collect();
    let depts: std::collections::HashSet<i64> = departments::list(&core.db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let mut e = FieldErrors::new();
    let mut parsed: Vec<(Subject, Option<i64>)> = Vec::with_capacity(rows.len());
    for (subject, text) in rows {
        let key = subject.key();
        let found = match *subject {
            Subject::User(u) => match people.get(&u) {
                Some(active) => Found::User(Some(*active)),
                None => Found::User(users::find(&core.db, u).await?.map(|x| x.active)),
            },
            Subject::Department(d) => Found::Department(depts.contains(&d)),
        };
        if let Some((code, msg)) = rule(p, &reach, *subject, found) {
            e.add(&key, code, msg);
            continue;
        }
        if text.trim().is_empty() {
            parsed.push((*subject, None));
            continue;
        }
        match parse_target(core, metric, text) {
            Ok(v) => parsed.push((*subject, Some(v))),
            Err((code, msg)) => e.add(&key, code, msg),
        }
    }
    e.into_result()?;
    let now = core.now();
    let txn = core.begin_write().await?;
    let mut out = BulkOutcome::default();
    for (subject, target) in parsed {
        match target {
            Some(t) => match put(&txn, p, now, subject, slot, t, None).await? {
                Some(_) => out.set += 1,
                None => out.unchanged += 1,
            },
            None => match quotas::find_slot(&txn, subject, slot).await? {
                Some(q) => {
                    quotas::delete(&txn, q.id).await?;
                    audit::record(
                        &txn,
                        now,
                        Entry {
                            before: Some(snapshot(&q)),
                            ..entry(p, "delete", q.id)
                        },
                    )
                    .await?;
                    out.removed += 1;
                }
                None => out.unchanged += 1,
            },
        }
    }
    txn.commit().await?;
    Ok(out)
}
