//! `/api/v1` endpoints: opportunities (销售机会), "likely to close soon", and the pipeline
//! stages (in [`stages`]).

use super::{ApiAuth, ApiJson, ApiQuery, Page, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use crm_domain::{Currency, Money};
use crm_service::opportunities::{self, Filter, Opportunity, OpportunityInput, Sort};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub mod closing;
pub mod stages;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opportunities", get(list).post(create))
        .route("/opportunities/closing-soon", get(closing::closing_soon))
        .route(
            "/opportunities/{id}",
            get(show).patch(update).delete(remove),
        )
        .route("/opportunities/{id}/close", post(close))
        .route("/opportunities/{id}/reopen", post(reopen))
        .merge(stages::router())
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(paths(
    list,
    show,
    create,
    update,
    remove,
    close,
    reopen,
    closing::closing_soon,
    stages::list,
    stages::create,
    stages::update,
    stages::move_stage,
))]
pub struct Doc;

pub(crate) fn currency(state: &AppState) -> &Currency {
    &state.core.settings.currency
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityDto {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    /// Decimal string in major units ("120000.00").
    pub amount: String,
    pub stage_id: i64,
    /// Whole percent, 0–100.
    pub probability: i32,
    /// amount × probability / 100, rounded half up ("84000.00").
    pub weighted_amount: String,
    pub expected_close: Option<NaiveDate>,
    /// referral, website, exhibition, cold_call, campaign, advertising, partner, other
    pub source: Option<String>,
    pub owner_id: i64,
    /// open, won or lost
    pub status: String,
    /// The local date it was won or lost.
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl OpportunityDto {
    pub fn of(c: &Currency, o: Opportunity) -> Self {
        let w = opportunities::weighted(o.amount, o.probability);
        Self {
            id: o.id,
            customer_id: o.customer_id,
            name: o.name,
            amount: c.to_decimal(Money(o.amount)),
            stage_id: o.stage_id,
            probability: o.probability,
            weighted_amount: c.to_decimal(Money(w)),
            expected_close: o.expected_close,
            source: o.source,
            owner_id: o.owner_id,
            status: o.status,
            closed_on: o.closed_on,
            close_reason: o.close_reason,
            notes: o.notes,
            created_by: o.created_by,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

/// Fields of an opportunity. On create `customer_id`, `name` and `stage_id` are required;
/// on update (PATCH, with `version`) omitted fields stay as they are and `null` or `""`
/// clears an optional one. Without `probability` it is the stage's default, also when the
/// stage changes; `""` resets it to the stage's default.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityBody {
    pub version: Option<i32>,
    /// A customer you can see.
    pub customer_id: Option<i64>,
    pub name: Option<String>,
    /// Number or decimal string, major units, ≥ 0.
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<String>,
    /// An active pipeline stage.
    pub stage_id: Option<i64>,
    /// Whole percent 0–100 (number or string).
    #[serde(default, deserialize_with = "super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub probability: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub expected_close: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    /// Someone in your scope (default on create: you).
    pub owner_id: Option<i64>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

fn cleared(v: Option<Option<String>>) -> Option<String> {
    v.map(|o| o.unwrap_or_default())
}

impl OpportunityBody {
    fn input(self) -> OpportunityInput {
        OpportunityInput {
            customer_id: self.customer_id,
            name: self.name,
            amount: self.amount,
            stage_id: self.stage_id,
            probability: self.probability,
            expected_close: cleared(self.expected_close),
            source: cleared(self.source),
            owner_id: self.owner_id,
            notes: cleared(self.notes),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OpportunityQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
    /// Part of the name.
    pub q: Option<String>,
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub stage_id: Option<i64>,
    /// open, won or lost
    pub status: Option<String>,
    /// Expected close on or after (YYYY-MM-DD).
    pub close_from: Option<String>,
    /// Expected close on or before (YYYY-MM-DD).
    pub close_to: Option<String>,
    /// newest (default), updated, expected_close (soonest first, undated last), amount
    /// (largest first)
    pub sort: Option<String>,
}

fn bad_query(msg: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", msg)
}

fn query_date(v: &Option<String>, field: &str) -> Result<Option<NaiveDate>, ApiError> {
    opportunities::parse_date(v.as_deref().unwrap_or(""))
        .map_err(|_| bad_query(&format!("{field} must be a date (YYYY-MM-DD)")))
}

impl OpportunityQuery {
    fn filter(&self) -> Result<Filter, ApiError> {
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s @ ("open" | "won" | "lost")) => Some(s.to_string()),
            Some(_) => return Err(bad_query("status must be open, won or lost")),
        };
        Ok(Filter {
            q: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(|q| q.chars().take(100).collect()),
            owner_id: self.owner_id,
            customer_id: self.customer_id,
            stage_id: self.stage_id,
            status,
            close_from: query_date(&self.close_from, "close_from")?,
            close_to: query_date(&self.close_to, "close_to")?,
        })
    }
}

/// Opportunities you may see (yours, or your subordinates' / department's / everyone's by
/// your role's scope), newest first unless `sort` says otherwise.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities",
    security(("bearer" = [])), params(OpportunityQuery),
    responses((status = 200, body = Page<OpportunityDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<OpportunityQuery>,
) -> Result<Json<Page<OpportunityDto>>, ApiError> {
    let pq = super::PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let sort = match q.sort.as_deref() {
        None | Some("") => Sort::default(),
        Some(s) => Sort::parse(s)
            .ok_or_else(|| bad_query("sort must be newest, updated, expected_close or amount"))?,
    };
    let filter = q.filter()?;
    let rows = opportunities::list(&state.core, &p, &filter, sort, pq.cursor()?, limit + 1).await?;
    let c = currency(&state);
    Ok(Json(super::page(
        rows,
        limit,
        |o| o.id,
        |o| OpportunityDto::of(c, o),
    )))
}

#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OpportunityDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<OpportunityDto>, ApiError> {
    let o = opportunities::get(&state.core, &p, id).await?;
    Ok(Json(OpportunityDto::of(currency(&state), o)))
}

#[utoipa::path(post, path = "/api/v1/opportunities", tag = "opportunities",
    security(("bearer" = [])), request_body = OpportunityBody,
    responses((status = 201, body = OpportunityDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<OpportunityBody>,
) -> Result<(StatusCode, Json<OpportunityDto>), ApiError> {
    if body.version.is_some() {
        return Err(crm_service::ServiceError::field(
            "version",
            "immutable",
            "A new opportunity has no version",
        )
        .into());
    }
    let o = opportunities::create(&state.core, &p, body.input()).await?;
    Ok((
        StatusCode::CREATED,
        Json(OpportunityDto::of(currency(&state), o)),
    ))
}

/// Changes an open opportunity (a won or lost one is 409 `opportunity_closed`: reopen it
/// first).
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunities",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = OpportunityBody,
    responses((status = 200, body = OpportunityDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<OpportunityBody>,
) -> Result<Json<OpportunityDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(crm_service::ServiceError::field(
            "version",
            "required",
            "Send the version you read",
        )
        .into());
    };
    let o = opportunities::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(OpportunityDto::of(currency(&state), o)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    pub version: i32,
}

/// Moves the opportunity to the recycle bin.
#[utoipa::path(delete, path = "/api/v1/opportunities/{id}", tag = "opportunities",
    security(("bearer" = [])), params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    opportunities::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// won or lost
    pub outcome: String,
    /// Why it was won or lost (required for lost).
    pub reason: Option<String>,
    /// The version you read (optional).
    pub version: Option<i32>,
}

/// Closes an open opportunity as won (probability 100) or lost (probability 0, `reason`
/// required) on today's date; a closed one is 409 `opportunity_closed`.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/close", tag = "opportunities",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = CloseBody,
    responses((status = 200, body = OpportunityDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<Json<OpportunityDto>, ApiError> {
    let o = opportunities::close(
        &state.core,
        &p,
        id,
        body.version,
        &body.outcome,
        body.reason.as_deref(),
    )
    .await?;
    Ok(Json(OpportunityDto::of(currency(&state), o)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenBody {
    /// The version you read (optional).
    pub version: Option<i32>,
}

/// Reopens a won or lost opportunity (its probability returns to its stage's default); an
/// open one is 409 `opportunity_open`. The body is optional.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/reopen", tag = "opportunities",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = Option<ReopenBody>,
    responses((status = 200, body = OpportunityDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<OpportunityDto>, ApiError> {
    let body: ReopenBody = if body.iter().all(u8::is_ascii_whitespace) {
        ReopenBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.to_string(),
            )
        })?
    };
    let o = opportunities::reopen(&state.core, &p, id, body.version).await?;
    Ok(Json(OpportunityDto::of(currency(&state), o)))
}
