//! The pool (线索池) and assignment: claim, release, assign one, assign or distribute many.

use super::{dto, names_for, LeadDto};
use crate::api::{ApiAuth, ApiJson, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use crm_service::leads::pool as lead_pool;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 领取: take a lead from the pool. Of several racing claims one wins; the others get
/// 409 `already_claimed`.
#[utoipa::path(post, path = "/api/v1/leads/{id}/claim", tag = "leads", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<LeadDto>, ApiError> {
    let l = lead_pool::claim(&state.core, &p, id).await?;
    Ok(Json(dto(&state, l).await?))
}

/// 退回: put a lead back in the pool (its owner, or a manager whose scope covers the owner).
#[utoipa::path(post, path = "/api/v1/leads/{id}/release", tag = "leads", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<LeadDto>, ApiError> {
    let l = lead_pool::release(&state.core, &p, id, None).await?;
    Ok(Json(dto(&state, l).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// An active user in your scope.
    pub user_id: i64,
    /// The version you read (optional).
    pub version: Option<i32>,
}

/// 分配: give the lead to an active user in your scope (`user_id`: `not_found`,
/// `inactive` or `out_of_scope` otherwise).
#[utoipa::path(post, path = "/api/v1/leads/{id}/assign", tag = "leads", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<LeadDto>, ApiError> {
    let l = lead_pool::assign(&state.core, &p, id, body.user_id, body.version).await?;
    Ok(Json(dto(&state, l).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignManyBody {
    /// 1–1000 lead ids, handed out in this order.
    pub lead_ids: Vec<i64>,
    /// 1–100 active users in your scope; one user is a bulk assignment, several take the
    /// leads in turn (round-robin).
    pub user_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentDto {
    pub lead_id: i64,
    pub user_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignManyResult {
    pub assigned: usize,
    pub items: Vec<AssignmentDto>,
}

/// 批量分配 / 轮流分配: lead i goes to `user_ids[i % n]`. All or nothing.
#[utoipa::path(post, path = "/api/v1/leads/assign", tag = "leads", security(("bearer" = [])),
    request_body = AssignManyBody,
    responses((status = 200, body = AssignManyResult), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn assign_many(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<AssignManyBody>,
) -> Result<Json<AssignManyResult>, ApiError> {
    let plan = lead_pool::assign_many(&state.core, &p, &body.lead_ids, &body.user_ids).await?;
    Ok(Json(AssignManyResult {
        assigned: plan.len(),
        items: plan
            .into_iter()
            .map(|a| AssignmentDto {
                lead_id: a.lead_id,
                user_id: a.user_id,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimManyBody {
    /// 1–1000 pool leads.
    pub lead_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimManyResult {
    pub claimed: usize,
    pub items: Vec<LeadDto>,
}

/// Claims several pool leads: all or nothing.
#[utoipa::path(post, path = "/api/v1/leads/claim", tag = "leads", security(("bearer" = [])),
    request_body = ClaimManyBody,
    responses((status = 200, body = ClaimManyResult), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn claim_many(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<ClaimManyBody>,
) -> Result<Json<ClaimManyResult>, ApiError> {
    let rows = lead_pool::claim_many(&state.core, &p, &body.lead_ids).await?;
    let names = names_for(&state, &rows).await?;
    let today = state.core.today();
    Ok(Json(ClaimManyResult {
        claimed: rows.len(),
        items: rows
            .into_iter()
            .map(|l| LeadDto::of(l, &names, today))
            .collect(),
    }))
}
