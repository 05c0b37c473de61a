//! The home page's quota card: the principal's own targets for the current month, quarter
//! and year, and (for managers) the summed targets of everyone in their scope.

use super::{percent, range, Metric, Reach, KINDS};
use crate::{stats, Core, Result};
use chrono::NaiveDate;
use crm_domain::{Action, DataScope, Module, Period, Principal};
use crm_store::quotas::{self, Model as Quota};

/// One target on the home page.
#[derive(Debug, Clone)]
pub struct HomeLine {
    pub period: Period,
    pub metric: Metric,
    pub target: i64,
    pub actual: i64,
    pub percent: Option<i64>,
}

/// The home-page card: the principal's own targets for the current month, quarter and
/// year, and (for managers) their team's summed targets.
#[derive(Debug, Clone, Default)]
pub struct HomeQuotas {
    pub mine: Vec<HomeLine>,
    pub team: Vec<HomeLine>,
    /// The team is everyone (scope `all`).
    pub company: bool,
    pub team_size: usize,
}

/// The home-page card; `None` for users without `sales:view`.
pub async fn home(core: &Core, p: &Principal) -> Result<Option<HomeQuotas>> {
    if !p.can(Module::Sales, Action::View) {
        return Ok(None);
    }
    let today = core.today();
    let periods: Vec<Period> = KINDS
        .iter()
        .map(|k| Period::containing(*k, today, core.settings.week_start))
        .collect();
    let keys: Vec<(&str, NaiveDate)> = periods.iter().map(|x| (x.kind.as_str(), x.start)).collect();
    let me = p.user_id.0;
    let reach = Reach::load(core, p).await?;
    let team: Vec<i64> = match (p.scope(), reach.people()) {
        (DataScope::Own, _) => vec![me],
        (_, Some(ids)) => ids.to_vec(),
        (_, None) => quotas::members(&core.db, None)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect(),
    };
    let with_team = team.len() > 1;
    let scope_ids: &[i64] = if with_team { &team } else { &[me] };
    let rows = quotas::of_users_in(&core.db, Some(scope_ids), &keys).await?;
    let mut out = HomeQuotas {
        company: p.scope() == DataScope::All,
        team_size: team.len(),
        ..Default::default()
    };
    for period in &periods {
        for metric in Metric::ALL {
            let here: Vec<&Quota> = rows
                .iter()
                .filter(|q| {
                    q.period_kind == period.kind.as_str()
                        && q.period_start == period.start
                        && q.metric == metric.as_str()
                })
                .collect();
            if here.is_empty() {
                continue;
            }
            let r = range(core, period);
            if let Some(q) = here.iter().find(|q| q.user_id == Some(me)) {
                let actual = stats::metric(core, &[me], r, metric.stat())
                    .await?
                    .get(&me)
                    .copied()
                    .unwrap_or(0);
                out.mine.push(HomeLine {
                    period: *period,
                    metric,
                    target: q.target,
                    actual,
                    percent: percent(actual, q.target),
                });
            }
            if with_team {
                let target: i64 = here.iter().map(|q| q.target).sum();
                let actual: i64 = stats::metric(core, &team, r, metric.stat())
                    .await?
                    .values()
                    .sum();
                out.team.push(HomeLine {
                    period: *period,
                    metric,
                    target,
                    actual,
                    percent: percent(actual, target),
                });
            }
        }
    }
    Ok(Some(out))
}
