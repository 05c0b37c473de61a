//! `/departments`: the department tree.

use super::{ApiAuth, ApiJson, ApiQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_service::departments::{self, Department, DepartmentInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/departments", get(list).post(create))
        .route("/departments/{id}", get(show).patch(update).delete(remove))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentDto {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Department> for DepartmentDto {
    fn from(d: Department) -> Self {
        Self {
            id: d.id,
            name: d.name,
            parent_id: d.parent_id,
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentList {
    pub items: Vec<DepartmentDto>,
    /// Always null: the whole tree comes in one page.
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    pub name: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDepartment {
    /// The version you read; a stale one answers 409.
    pub version: i32,
    pub name: Option<String>,
    /// `null` moves the department to the top level.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// The version you read.
    pub version: i32,
}

/// The whole department tree (flat, with `parent_id`).
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments", security(("bearer" = [])),
    responses((status = 200, body = DepartmentList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> Result<Json<DepartmentList>, ApiError> {
    let items = departments::list(&state.core, &p).await?;
    Ok(Json(DepartmentList {
        items: items.into_iter().map(Into::into).collect(),
        next: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<DepartmentDto>, ApiError> {
    Ok(Json(departments::get(&state.core, &p, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", security(("bearer" = [])),
    request_body = CreateDepartment,
    responses((status = 201, body = DepartmentDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(req): ApiJson<CreateDepartment>,
) -> Result<(StatusCode, Json<DepartmentDto>), ApiError> {
    let d = departments::create(
        &state.core,
        &p,
        DepartmentInput {
            name: req.name,
            parent_id: req.parent_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "departments", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateDepartment,
    responses((status = 200, body = DepartmentDto), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(req): ApiJson<UpdateDepartment>,
) -> Result<Json<DepartmentDto>, ApiError> {
    let current = departments::get(&state.core, &p, id).await?;
    let input = DepartmentInput {
        name: req.name.unwrap_or(current.name),
        parent_id: req.parent_id.unwrap_or(current.parent_id),
    };
    let d = departments::update(&state.core, &p, id, req.version, input).await?;
    Ok(Json(d.into()))
}

/// Moves the department to the recycle bin.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "departments", security(("bearer" = [])),
    params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    departments::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
