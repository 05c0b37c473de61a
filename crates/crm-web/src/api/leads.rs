//! `/api/v1` endpoints: leads (销售线索) — records, the pool (claim / release), assignment
//! (one, bulk, round-robin) and follow-ups.

mod dto;
mod follow_ups;
mod pool;

use super::customers::{parse_when_pub, VersionQuery};
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use crm_domain::Principal;
use crm_service::leads::{self, Filter, OwnerFilter, Sort};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use dto::{dto, names_for};
pub use dto::{LeadBody, LeadDto};
pub use follow_ups::FollowUpDto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).post(create))
        .route("/leads/count", get(count))
        .route("/leads/assign", post(pool::assign_many))
        .route("/leads/claim", post(pool::claim_many))
        .route("/leads/{id}", get(show).patch(update).delete(remove))
        .route("/leads/{id}/claim", post(pool::claim))
        .route("/leads/{id}/release", post(pool::release))
        .route("/leads/{id}/assign", post(pool::assign))
        .route(
            "/leads/{id}/activities",
            get(follow_ups::list).post(follow_ups::add),
        )
        .route(
            "/leads/{id}/activities/{activity_id}",
            delete(follow_ups::remove),
        )
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        count,
        show,
        create,
        update,
        remove,
        pool::claim,
        pool::release,
        pool::assign,
        pool::assign_many,
        pool::claim_many,
        follow_ups::list,
        follow_ups::add,
        follow_ups::remove
    ),
    components(schemas(
        LeadDto,
        LeadBody,
        CountDto,
        pool::AssignBody,
        pool::AssignManyBody,
        pool::AssignManyResult,
        pool::AssignmentDto,
        pool::ClaimManyBody,
        pool::ClaimManyResult,
        FollowUpDto,
        follow_ups::FollowUpBody
    ))
)]
pub struct Doc;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LeadQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// new, contacting, qualified, unqualified, converted
    pub status: Option<String>,
    /// `me`, `pool` (no owner) or a user id
    pub owner: Option<String>,
    pub campaign_id: Option<i64>,
    pub source: Option<String>,
    /// Name or company contains it, or the phone / email matches (any format).
    pub q: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (inclusive)
    pub created_from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (exclusive)
    pub created_to: Option<String>,
    /// newest (default) or follow_up (earliest next follow-up first)
    pub sort: Option<String>,
}

fn bad_query(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", message)
}

impl LeadQuery {
    fn filter(&self, p: &Principal) -> Result<Filter, ApiError> {
        let s = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
        };
        let status = s(&self.status);
        if status
            .as_deref()
            .is_some_and(|v| !leads::STATUSES.contains(&v))
        {
            return Err(bad_query("status is not a lead status"));
        }
        let source = s(&self.source);
        if source
            .as_deref()
            .is_some_and(|v| !leads::SOURCES.contains(&v))
        {
            return Err(bad_query("source is not a lead source"));
        }
        let owner = match s(&self.owner).as_deref() {
            None => None,
            Some("pool") => Some(OwnerFilter::Pool),
            Some("me") => Some(OwnerFilter::User(p.user_id.0)),
            Some(v) => {
                Some(OwnerFilter::User(v.parse().map_err(|_| {
                    bad_query("owner must be me, pool or a user id")
                })?))
            }
        };
        Ok(Filter {
            status,
            owner,
            campaign_id: self.campaign_id,
            source,
            q: s(&self.q).map(|q| q.chars().take(100).collect()),
            created_from: parse_when_pub(&self.created_from, "created_from")?,
            created_to: parse_when_pub(&self.created_to, "created_to")?,
        })
    }
    fn sort(&self) -> Result<Sort, ApiError> {
        match self.sort.as_deref().map(str::trim) {
            None | Some("") => Ok(Sort::default()),
            Some(v) => Sort::parse(v).ok_or_else(|| bad_query("sort must be newest or follow_up")),
        }
    }
}

/// Leads you may see: those owned within your scope plus the shared pool.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", security(("bearer" = [])),
    params(LeadQuery),
    responses((status = 200, body = Page<LeadDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> Result<Json<Page<LeadDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = q.filter(&p)?;
    let rows = leads::list(&state.core, &p, &filter, q.sort()?, pq.cursor()?, limit + 1).await?;
    let names = names_for(&state, &rows).await?;
    let today = state.core.today();
    Ok(Json(super::page(
        rows,
        limit,
        |l| l.id,
        |l| LeadDto::of(l, &names, today),
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub count: u64,
}

/// How many leads you see that match the filters of the list (`limit`, `cursor` and
/// `sort` are ignored).
#[utoipa::path(get, path = "/api/v1/leads/count", tag = "leads", security(("bearer" = [])),
    params(LeadQuery),
    responses((status = 200, body = CountDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn count(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> Result<Json<CountDto>, ApiError> {
    let count = leads::count(&state.core, &p, &q.filter(&p)?).await?;
    Ok(Json(CountDto { count }))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = LeadDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<LeadDto>, ApiError> {
    let l = leads::get(&state.core, &p, id).await?;
    Ok(Json(dto(&state, l).await?))
}

#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", security(("bearer" = [])),
    request_body = LeadBody,
    responses((status = 201, body = LeadDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<LeadBody>,
) -> Result<(StatusCode, Json<LeadDto>), ApiError> {
    let input = body.input()?;
    let l = leads::create(&state.core, Some(&p), input, leads::Origin::Manual).await?;
    Ok((StatusCode::CREATED, Json(dto(&state, l).await?)))
}

/// Changes a lead. A converted lead is read-only: 409 `converted`.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = LeadBody,
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<LeadBody>,
) -> Result<Json<LeadDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    if body.owner_id.is_some() || body.pool.is_some() {
        return Err(
            ServiceError::field("owner_id", "immutable", "Use claim, release or assign").into(),
        );
    }
    let l = leads::update(&state.core, &p, id, version, body.input()?).await?;
    Ok(Json(dto(&state, l).await?))
}

/// Moves the lead to the recycle bin (not a converted one: 409 `converted`).
#[utoipa::path(delete, path = "/api/v1/leads/{id}", tag = "leads", security(("bearer" = [])),
    params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    leads::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
