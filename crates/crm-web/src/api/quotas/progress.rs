//! `GET /api/v1/quotas/progress`: live progress against targets.

use super::{date_param, kind_param, metric_param};
use crate::api::stats::PeriodDto;
use crate::api::{ApiAuth, ApiQuery};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use crm_service::quotas::{self, Metric, Progress};
use crm_service::Core;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProgressQuery {
    /// month (default), quarter or year.
    pub period: Option<String>,
    /// Any date inside the period (default today).
    pub date: Option<String>,
    /// sales_amount (default), payments or new_customers.
    pub metric: Option<String>,
}

/// A person with a target.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonProgressDto {
    /// 1 = highest percent (then highest actual).
    pub rank: usize,
    pub user_id: i64,
    pub name: String,
    pub active: bool,
    pub department_id: Option<i64>,
    pub quota_id: i64,
    /// Money in major units ("50000.00") or a count ("12").
    pub target: String,
    pub actual: String,
    /// Percent of the target reached, one decimal ("87.5"); null for a zero target.
    pub percent: Option<String>,
}

/// A department: the sum of its people in your scope, sub-departments included.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentProgressDto {
    pub department_id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    /// Depth in the tree shown (0 = top).
    pub depth: usize,
    /// The department's own quota, when set.
    pub quota_id: Option<i64>,
    pub target: String,
    /// "own": the department's own quota; "members": the sum of its people's targets;
    /// "none": no target at all.
    pub target_source: String,
    pub actual: String,
    pub percent: Option<String>,
    /// People of yours counted in it.
    pub members: usize,
}

/// Everyone in your scope: the company (scope `all`) or your team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalProgressDto {
    /// "company" or "team".
    pub scope: String,
    /// The sum of the people's targets.
    pub target: String,
    /// The sum of everyone's actuals, with or without a target.
    pub actual: String,
    pub percent: Option<String>,
    pub people: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    pub period: PeriodDto,
    pub metric: String,
    /// "money" (amounts in `currency`) or "count".
    pub unit: String,
    pub currency: String,
    /// People in your scope with a target, ranked.
    pub people: Vec<PersonProgressDto>,
    /// Department roll-ups in tree order (none for a scope of your own records only).
    pub departments: Vec<DepartmentProgressDto>,
    /// Absent for a scope of your own records only.
    pub total: Option<TotalProgressDto>,
    /// When the actuals were read: always now (progress is live, never cached).
    pub as_of: chrono::DateTime<chrono::Utc>,
}

fn pct(v: Option<i64>) -> Option<String> {
    v.map(quotas::percent_text)
}

impl ProgressDto {
    pub fn of(core: &Core, x: &Progress) -> Self {
        let m: Metric = x.metric;
        Self {
            period: PeriodDto::from(&x.period),
            metric: m.as_str().into(),
            unit: if m.is_money() { "money" } else { "count" }.into(),
            currency: core.settings.currency.code.clone(),
            people: x
                .people
                .iter()
                .map(|r| PersonProgressDto {
                    rank: r.rank,
                    user_id: r.user_id,
                    name: r.name.clone(),
                    active: r.active,
                    department_id: r.department_id,
                    quota_id: r.quota_id,
                    target: m.text(core, r.target),
                    actual: m.text(core, r.actual),
                    percent: pct(r.percent),
                })
                .collect(),
            departments: x
                .departments
                .iter()
                .map(|d| DepartmentProgressDto {
                    department_id: d.department_id,
                    name: d.name.clone(),
                    parent_id: d.parent_id,
                    depth: d.depth,
                    quota_id: d.quota_id,
                    target: m.text(core, d.target),
                    target_source: d.target_source.as_str().into(),
                    actual: m.text(core, d.actual),
                    percent: pct(d.percent),
                    members: d.members,
                })
                .collect(),
            total: x.total.as_ref().map(|t| TotalProgressDto {
                scope: if t.company { "company" } else { "team" }.into(),
                target: m.text(core, t.target),
                actual: m.text(core, t.actual),
                percent: pct(t.percent),
                people: t.people,
            }),
            as_of: x.as_of,
        }
    }
}

/// Live progress of everyone in your scope against their targets for one period and
/// metric: actuals are read on every request from approved orders (by decision time),
/// payments (by paid date) or customers (by creation time), exactly as rep statistics
/// count them, in the installation's time zone.
#[utoipa::path(get, path = "/api/v1/quotas/progress", tag = "quotas", security(("bearer" = [])),
    params(ProgressQuery),
    responses((status = 200, body = ProgressDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn progress(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<Json<ProgressDto>, ApiError> {
    let kind = kind_param(q.period.as_deref())?;
    let date = date_param(q.date.as_deref())?;
    let metric = metric_param(q.metric.as_deref(), Some(Metric::SalesAmount))?
        .unwrap_or(Metric::SalesAmount);
    let x = quotas::progress(&state.core, &p, kind, date, metric).await?;
    Ok(Json(ProgressDto::of(&state.core, &x)))
}
