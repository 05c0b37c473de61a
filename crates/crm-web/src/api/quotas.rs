//! `/api/v1` endpoints: sales quotas (销售定额) and their live progress.

use super::stats::PeriodDto;
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use crm_domain::{Period, PeriodKind};
use crm_service::quotas::{self, Metric, Quota, QuotaInput, Subject};
use crm_service::{Core, ServiceError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{OpenApi, ToSchema};

mod progress;
pub use progress::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quotas", get(list).put(upsert))
        .route("/quotas/progress", get(progress::progress))
        .route("/quotas/{id}", get(show).delete(remove))
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(list, show, upsert, remove, progress::progress),
    components(schemas(
        QuotaDto,
        QuotaBody,
        ProgressDto,
        PersonProgressDto,
        DepartmentProgressDto,
        TotalProgressDto
    ))
)]
pub struct Doc;

/// A target of one person or department for one metric and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaDto {
    pub id: i64,
    /// "user" or "department".
    pub subject: String,
    pub user_id: Option<i64>,
    pub department_id: Option<i64>,
    /// The person's or department's name.
    pub subject_name: Option<String>,
    /// sales_amount, payments or new_customers.
    pub metric: String,
    pub period: PeriodDto,
    /// Money in major units ("50000.00") or a count ("12" new customers).
    pub target: String,
    /// Who set it last.
    pub set_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl QuotaDto {
    pub fn of(core: &Core, q: Quota, names: &HashMap<Subject, String>) -> Self {
        let subject = Subject::of(&q);
        let kind = PeriodKind::parse(&q.period_kind).unwrap_or(PeriodKind::Month);
        let period = Period::containing(kind, q.period_start, core.settings.week_start);
        let target = match Metric::parse(&q.metric) {
            Some(m) => m.text(core, q.target),
            None => q.target.to_string(),
        };
        Self {
            id: q.id,
            subject: match subject {
                Some(Subject::Department(_)) => "department".into(),
                _ => "user".into(),
            },
            user_id: q.user_id,
            department_id: q.department_id,
            subject_name: subject.and_then(|s| names.get(&s).cloned()),
            metric: q.metric,
            period: PeriodDto::from(&period),
            target,
            set_by: q.set_by,
            created_at: q.created_at,
            updated_at: q.updated_at,
            version: q.version,
        }
    }
}

async fn dto(state: &AppState, q: Quota) -> Result<QuotaDto, ApiError> {
    let names = quotas::subject_names(&state.core, std::slice::from_ref(&q)).await?;
    Ok(QuotaDto::of(&state.core, q, &names))
}

/// `period` of a query: month (default), quarter or year.
pub(crate) fn kind_param(v: Option<&str>) -> Result<PeriodKind, ServiceError> {
    match v.map(str::trim) {
        None | Some("") => Ok(PeriodKind::Month),
        Some(s) => quotas::parse_kind(s).ok_or_else(|| {
            ServiceError::field("period", "invalid_choice", "must be month, quarter or year")
        }),
    }
}

/// `date` of a query: YYYY-MM-DD (default today).
pub(crate) fn date_param(v: Option<&str>) -> Result<Option<NaiveDate>, ServiceError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ServiceError::field("date", "invalid_date", "must be YYYY-MM-DD")),
    }
}

/// `metric` of a query (absent: `default`).
pub(crate) fn metric_param(
    v: Option<&str>,
    default: Option<Metric>,
) -> Result<Option<Metric>, ServiceError> {
    match v.map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => Metric::parse(s).map(Some).ok_or_else(|| {
            ServiceError::field(
                "metric",
                "invalid_choice",
                "must be sales_amount, payments or new_customers",
            )
        }),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuotaQuery {
    /// month (default), quarter or year.
    pub period: Option<String>,
    /// Any date inside the period (default today).
    pub date: Option<String>,
    /// sales_amount, payments or new_customers (default: all three).
    pub metric: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The targets of one period whose subjects you may see: people in your data scope;
/// departments when your scope is `all`, or your own department and those below it.
#[utoipa::path(get, path = "/api/v1/quotas", tag = "quotas", security(("bearer" = [])),
    params(QuotaQuery),
    responses((status = 200, body = Page<QuotaDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<QuotaQuery>,
) -> Result<Json<Page<QuotaDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let kind = kind_param(q.period.as_deref())?;
    let date = date_param(q.date.as_deref())?;
    let metric = metric_param(q.metric.as_deref(), None)?;
    let (_, rows) =
        quotas::list(&state.core, &p, kind, date, metric, pq.cursor()?, limit + 1).await?;
    let names = quotas::subject_names(&state.core, &rows).await?;
    let core = &state.core;
    Ok(Json(super::page(
        rows,
        limit,
        |r| r.id,
        |r| QuotaDto::of(core, r, &names),
    )))
}

#[utoipa::path(get, path = "/api/v1/quotas/{id}", tag = "quotas", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = QuotaDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<QuotaDto>, ApiError> {
    let q = quotas::get(&state.core, &p, id).await?;
    Ok(Json(dto(&state, q).await?))
}

/// A target to set. Exactly one of `user_id` / `department_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaBody {
    pub user_id: Option<i64>,
    pub department_id: Option<i64>,
    /// sales_amount, payments or new_customers.
    pub metric: Option<String>,
    /// month, quarter or year.
    pub period: Option<String>,
    /// Any date inside the period, YYYY-MM-DD (default today).
    pub date: Option<String>,
    /// ≥ 0: money in major units (number or decimal string), or a whole number of new
    /// customers.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub target: Option<String>,
    /// Optional: the version you read; a changed quota is then a 409.
    pub version: Option<i32>,
}

/// Sets the target of one person or department for a metric and period: 201 when it is
/// new, 200 when an existing target was replaced (or already had this value). Needs
/// `sales:approve`; people in your scope other than yourself (scope `all` may set their
/// own: otherwise 403 `own_quota`), departments when your scope is `all` or the department
/// is yours or below it (else 422 `out_of_scope`).
#[utoipa::path(put, path = "/api/v1/quotas", tag = "quotas", security(("bearer" = [])),
    request_body = QuotaBody,
    responses((status = 200, body = QuotaDto), (status = 201, body = QuotaDto),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn upsert(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(b): ApiJson<QuotaBody>,
) -> Result<(StatusCode, Json<QuotaDto>), ApiError> {
    let input = QuotaInput {
        user_id: b.user_id,
        department_id: b.department_id,
        metric: b.metric,
        period: b.period,
        date: b.date,
        target: b.target,
        version: b.version,
    };
    let saved = quotas::set(&state.core, &p, input).await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(dto(&state, saved.quota).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    /// Optional: the version you read (409 when it changed).
    pub version: Option<i32>,
}

/// Removes a target (the audit trail keeps it). Same rules as setting it.
#[utoipa::path(delete, path = "/api/v1/quotas/{id}", tag = "quotas", security(("bearer" = [])),
    params(("id" = i64, Path), DeleteQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    quotas::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
