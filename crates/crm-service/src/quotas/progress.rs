//! Live progress against targets: per person (ranked by percent), per department (the sum
//! of its people's actuals, sub-departments included), the team or company total, and the
//! home-page card. A handful of queries whatever the company's size: the people in scope,
//! the period's quotas, the departments, and one grouped statistics query per metric.

use super::{percent, period_of, range, Metric, Reach};
use crate::{stats, Core, Result};
use chrono::{DateTime, NaiveDate, Utc};
use crm_domain::{Action, DataScope, Module, Period, PeriodKind, Principal};
use crm_store::departments::{self, Model as Department};
use crm_store::quotas::{self, Member, Model as Quota};
use std::collections::{HashMap, HashSet};

/// A person with a target in the period.
#[derive(Debug, Clone)]
pub struct PersonProgress {
    /// 1 = highest percent.
    pub rank: usize,
    pub user_id: i64,
    pub name: String,
    pub active: bool,
    pub department_id: Option<i64>,
    pub quota_id: i64,
    pub target: i64,
    pub actual: i64,
    /// Tenths of a percent; `None` for a zero target.
    pub percent: Option<i64>,
}

/// Where a department's target comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSource {
    /// The department's own quota.
    Own,
    /// No quota of its own: the sum of its people's targets.
    Members,
    /// Neither the department nor any of its people has a target.
    None,
}

impl TargetSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetSource::Own => "own",
            TargetSource::Members => "members",
            TargetSource::None => "none",
        }
    }
}

/// A department's roll-up: its people in the viewer's scope, sub-departments included.
#[derive(Debug, Clone)]
pub struct DepartmentProgress {
    pub department_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    /// Depth in the tree shown (0 = top).
    pub depth: usize,
    /// The department's own quota, if set.
    pub quota_id: Option<i64>,
    pub target: i64,
    pub target_source: TargetSource,
    pub actual: i64,
    pub percent: Option<i64>,
    /// People in the viewer's scope counted in it.
    pub members: usize,
}

/// Everyone in the viewer's scope: the company (scope `all`) or the team.
#[derive(Debug, Clone)]
pub struct TotalProgress {
    pub company: bool,
    /// The sum of the people's targets.
    pub target: i64,
    /// The sum of everyone's actuals, with or without a target.
    pub actual: i64,
    pub percent: Option<i64>,
    pub people: usize,
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub period: Period,
    pub metric: Metric,
    pub people: Vec<PersonProgress>,
    pub departments: Vec<DepartmentProgress>,
    /// `None` for a viewer who sees only themself.
    pub total: Option<TotalProgress>,
    /// When the actuals were read (now: progress is never cached).
    pub as_of: DateTime<Utc>,
}

/// `depts` that `keep` accepts, depth first (each under its nearest kept parent), in the
/// list's order (by name) among siblings, with their depth.
pub(crate) fn tree_order(
    depts: &[Department],
    keep: impl Fn(i64) -> bool,
) -> Vec<(&Department, usize)> {
    let kept: Vec<&Department> = depts.iter().filter(|d| keep(d.id)).collect();
    let ids: HashSet<i64> = kept.iter().map(|d| d.id).collect();
    let mut out = Vec::with_capacity(kept.len());
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Department, usize)> = kept
        .iter()
        .rev()
        .filter(|d| d.parent_id.is_none_or(|p| !ids.contains(&p)))
        .map(|d| (*d, 0))
        .collect();
    while let Some((d, depth)) = stack.pop() {
        if !seen.insert(d.id) {
            continue;
        }
        out.push((d, depth));
        stack.extend(
            kept.iter()
                .rev()
                .filter(|c| c.parent_id == Some(d.id))
                .map(|c| (*c, depth + 1)),
        );
    }
    out
}

/// What [`roll_up`] needs besides the people.
pub(crate) struct Inputs<'a> {
    pub members: &'a [Member],
    pub quotas: &'a [Quota],
    pub actuals: &'a HashMap<i64, i64>,
    pub departments: &'a [Department],
}

/// Ranks people with a target, rolls actuals and targets up the department tree and sums
/// the total. Pure: the arithmetic the tests check by hand.
pub(crate) fn roll_up(
    inp: &Inputs<'_>,
    reads_department: impl Fn(i64) -> bool,
    total: Option<bool>,
) -> (
    Vec<PersonProgress>,
    Vec<DepartmentProgress>,
    Option<TotalProgress>,
) {
    let person_quota: HashMap<i64, &Quota> = inp
        .quotas
        .iter()
        .filter_map(|q| q.user_id.map(|u| (u, q)))
        .collect();
    let dept_quota: HashMap<i64, &Quota> = inp
        .quotas
        .iter()
        .filter_map(|q| q.department_id.map(|d| (d, q)))
        .collect();
    let actual = |id: i64| inp.actuals.get(&id).copied().unwrap_or(0);

    let mut people: Vec<PersonProgress> = inp
        .members
        .iter()
        .filter_map(|m| {
            let q = person_quota.get(&m.id)?;
            Some(PersonProgress {
                rank: 0,
                user_id: m.id,
                name: m.name.clone(),
                active: m.active,
                department_id: m.department_id,
                quota_id: q.id,
                target: q.target,
                actual: actual(m.id),
                percent: percent(actual(m.id), q.target),
            })
        })
        .collect();
    people.sort_by(|a, b| {
        b.percent
            .cmp(&a.percent)
            .then(b.actual.cmp(&a.actual))
            .then(a.name.cmp(&b.name))
    });
    for (i, r) in people.iter_mut().enumerate() {
        r.rank = i + 1;
    }

    // (actual, members' targets, people) per department, walking up from each person.
    let parent: HashMap<i64, Option<i64>> = inp
        .departments
        .iter()
        .map(|d| (d.id, d.parent_id))
        .collect();
    let mut agg: HashMap<i64, (i64, i64, usize, bool)> = HashMap::new();
    for m in inp.members {
        let mut cur = m.department_id.filter(|d| parent.contains_key(d));
        let mut steps = 0;
        while let Some(d) = cur {
            let e = agg.entry(d).or_default();
            e.0 += actual(m.id);
            if let Some(q) = person_quota.get(&m.id) {
                e.1 += q.target;
                e.3 = true;
            }
            e.2 += 1;
            steps += 1;
            cur = parent
                .get(&d)
                .copied()
                .flatten()
                .filter(|_| steps <= parent.len());
        }
    }
    let departments = tree_order(inp.departments, |id| {
        reads_department(id) && (agg.contains_key(&id) || dept_quota.contains_key(&id))
    })
    .into_iter()
    .map(|(d, depth)| {
        let (act, members_target, n, any_target) = agg.get(&d.id).copied().unwrap_or_default();
        let own = dept_quota.get(&d.id);
        let (target, source) = match own {
            Some(q) => (q.target, TargetSource::Own),
            None if any_target => (members_target, TargetSource::Members),
            None => (0, TargetSource::None),
        };
        DepartmentProgress {
            department_id: d.id,
            name: d.name.clone(),
            parent_id: d.parent_id,
            depth,
            quota_id: own.map(|q| q.id),
            target,
            target_source: source,
            actual: act,
            percent: percent(act, target),
            members: n,
        }
    })
    .collect();

    let total = total.map(|company| {
        let target: i64 = people.iter().map(|r| r.target).sum();
        let act: i64 = inp.members.iter().map(|m| actual(m.id)).sum();
        TotalProgress {
            company,
            target,
            actual: act,
            percent: percent(act, target),
            people: inp.members.len(),
        }
    });
    (people, departments, total)
}

/// Progress of everyone in the principal's scope against their targets for the period of
/// `kind` containing `date` (today when `None`), read live.
pub async fn progress(
    core: &Core,
    p: &Principal,
    kind: PeriodKind,
    date: Option<NaiveDate>,
    metric: Metric,
) -> Result<Progress> {
    p.require(Module::Sales, Action::View)?;
    let period = period_of(core, kind, date);
    let reach = Reach::load(core, p).await?;
    let members = quotas::members(&core.db, reach.people()).await?;
    let quotas = quotas::list(
        &core.db,
        kind.as_str(),
        period.start,
        Some(metric.as_str()),
        reach.readable(),
        None,
        None,
    )
    .await?;
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let actuals = stats::metric(core, &ids, range(core, &period), metric.stat()).await?;
    let departments = if reach.readable.as_ref().is_some_and(Vec::is_empty) {
        Vec::new()
    } else {
        departments::list(&core.db).await?
    };
    let total = match p.scope() {
        DataScope::Own => None,
        DataScope::All => Some(true),
        _ => Some(false),
    };
    let inputs = Inputs {
        members: &members,
        quotas: &quotas,
        actuals: &actuals,
        departments: &departments,
    };
    let (people, departments, total) = roll_up(&inputs, |d| reach.reads_department(d), total);
    Ok(Progress {
        period,
        metric,
        people,
        departments,
        total,
        as_of: core.now(),
    })
}
