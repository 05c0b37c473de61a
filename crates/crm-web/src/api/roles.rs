//! `/roles`: module permissions and data scope per role.

use super::{ApiAuth, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use crm_service::roles::{self, RoleView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/roles", get(list))
        .route("/roles/{role}", get(show).put(update))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    pub id: String,
    /// own, subordinates, department, all
    pub scope: String,
    /// Module → actions (view, create, edit, delete, export, approve).
    pub modules: BTreeMap<String, Vec<String>>,
    pub version: i32,
}

impl From<RoleView> for RoleDto {
    fn from(r: RoleView) -> Self {
        Self {
            id: r.role.as_str().to_string(),
            scope: r.policy.scope.as_str().to_string(),
            modules: r
                .policy
                .modules
                .iter()
                .map(|(m, a)| {
                    (
                        m.as_str().to_string(),
                        a.actions().iter().map(|x| x.as_str().to_string()).collect(),
                    )
                })
                .collect(),
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<RoleDto>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    pub version: i32,
    pub scope: String,
    pub modules: BTreeMap<String, Vec<String>>,
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", security(("bearer" = [])),
    responses((status = 200, body = RoleList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> Result<Json<RoleList>, ApiError> {
    let items = roles::list(&state.core, &p).await?;
    Ok(Json(RoleList {
        items: items.into_iter().map(Into::into).collect(),
        next: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/roles/{role}", tag = "roles", security(("bearer" = [])),
    params(("role" = String, Path)),
    responses((status = 200, body = RoleDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(role): Path<String>,
) -> Result<Json<RoleDto>, ApiError> {
    Ok(Json(roles::get(&state.core, &p, &role).await?.into()))
}

/// Replaces a role's policy; applies to the next request of every user with the role.
#[utoipa::path(put, path = "/api/v1/roles/{role}", tag = "roles", security(("bearer" = [])),
    params(("role" = String, Path)), request_body = UpdateRole,
    responses((status = 200, body = RoleDto), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(role): Path<String>,
    ApiJson(req): ApiJson<UpdateRole>,
) -> Result<Json<RoleDto>, ApiError> {
    let r = roles::update(
        &state.core,
        &p,
        &role,
        req.version,
        &req.scope,
        &req.modules,
    )
    .await?;
    Ok(Json(r.into()))
}
