//! `/pipeline-stages`: the configurable sales pipeline (销售阶段).

use super::super::{ApiAuth, ApiJson, ApiQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use crm_service::pipeline::{self, Stage, StageInput};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pipeline-stages", get(list).post(create))
        .route("/pipeline-stages/{id}", patch(update))
        .route("/pipeline-stages/{id}/move", post(move_stage))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageDto {
    pub id: i64,
    /// The built-in stage (qualification, needs_analysis, proposal, negotiation,
    /// commitment), or null for a stage an administrator added.
    pub code: Option<String>,
    /// The name as stored: null for a built-in stage that was never renamed (clients show
    /// their own translation of `code`).
    pub name: Option<String>,
    /// Default probability of opportunities in this stage, whole percent.
    pub probability: i32,
    pub sort_order: i32,
    pub active: bool,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Stage> for StageDto {
    fn from(s: Stage) -> Self {
        Self {
            id: s.id,
            code: s.code,
            name: s.name,
            probability: s.probability,
            sort_order: s.sort_order,
            active: s.active,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageList {
    pub items: Vec<StageDto>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StageQuery {
    /// Also list deactivated stages (default false).
    pub include_inactive: Option<bool>,
}

/// The pipeline stages in order (for everyone in sales).
#[utoipa::path(get, path = "/api/v1/pipeline-stages", tag = "pipeline",
    security(("bearer" = [])), params(StageQuery),
    responses((status = 200, body = StageList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<StageQuery>,
) -> Result<Json<StageList>, ApiError> {
    let rows = pipeline::list(&state.core, &p, q.include_inactive.unwrap_or(false)).await?;
    Ok(Json(StageList {
        items: rows.into_iter().map(Into::into).collect(),
        next: None,
    }))
}

/// A stage's fields. On create `name` and `probability` are required; on PATCH (with
/// `version`) omitted fields stay, and a null or empty `name` on a built-in stage goes back
/// to its translated label.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageBody {
    pub version: Option<i32>,
    #[serde(default, deserialize_with = "super::super::double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Whole percent 0–100 (number or string).
    #[serde(default, deserialize_with = "super::super::opt_decimal_text")]
    #[schema(value_type = Option<String>)]
    pub probability: Option<String>,
    pub sort_order: Option<i32>,
    /// false deactivates (refused with 409 `stage_in_use` while open opportunities are in
    /// the stage).
    pub active: Option<bool>,
}

impl StageBody {
    fn input(self) -> StageInput {
        StageInput {
            name: self.name.map(Option::unwrap_or_default),
            probability: self.probability,
            sort_order: self.sort_order,
            active: self.active,
        }
    }
}

/// Adds a stage at the end of the pipeline (administrators).
#[utoipa::path(post, path = "/api/v1/pipeline-stages", tag = "pipeline",
    security(("bearer" = [])), request_body = StageBody,
    responses((status = 201, body = StageDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<StageBody>,
) -> Result<(StatusCode, Json<StageDto>), ApiError> {
    let s = pipeline::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// Renames, re-prices, reorders, deactivates or reactivates a stage (administrators).
#[utoipa::path(patch, path = "/api/v1/pipeline-stages/{id}", tag = "pipeline",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = StageBody,
    responses((status = 200, body = StageDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<StageBody>,
) -> Result<Json<StageDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    let s = pipeline::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(s.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// up (earlier) or down (later)
    pub direction: String,
    pub version: i32,
}

/// Moves a stage one place up or down; the stages are renumbered 10, 20, 30… in order.
#[utoipa::path(post, path = "/api/v1/pipeline-stages/{id}/move", tag = "pipeline",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = StageDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn move_stage(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<StageDto>, ApiError> {
    // Refuse non-administrators before looking at the body.
    p.require(crm_domain::Module::System, crm_domain::Action::Edit)
        .map_err(ServiceError::from)?;
    let up = match body.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => {
            return Err(ServiceError::field("direction", "invalid_choice", "Use up or down").into())
        }
    };
    let s = pipeline::move_stage(&state.core, &p, id, body.version, up).await?;
    Ok(Json(s.into()))
}
