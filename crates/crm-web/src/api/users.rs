//! `/users`: accounts, their role, department and manager.

use super::{page, ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_service::users::{self, NewUserInput, User, UserPatch};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/me", get(me))
        .route("/users/me/password", post(change_password))
        .route("/users/{id}", get(show).patch(update))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// admin, executive, sales_manager, sales_rep, marketing, service_manager, service_staff
    pub role: String,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub email: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            department_id: u.department_id,
            manager_id: u.manager_id,
            email: u.email,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    #[serde(flatten)]
    pub user: UserDto,
    /// The data scope of the role: own, subordinates, department, all.
    pub scope: String,
    /// Module → allowed actions.
    #[schema(value_type = Object)]
    pub permissions: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub version: i32,
    pub display_name: Option<String>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub manager_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// false deactivates the user: their sessions and tokens end, their records stay.
    pub active: Option<bool>,
    /// Sets a new password (administrators).
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Matches username or display name.
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub active: Option<bool>,
    pub role: Option<String>,
}

/// Users by id, paginated.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(UserQuery),
    responses((status = 200, body = Page<UserDto>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> Result<Json<Page<UserDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = crm_store::users::Filter {
        q: q.q
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.chars().take(100).collect()),
        department_id: q.department_id,
        active: q.active,
        role: q.role,
    };
    let rows = users::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    Ok(Json(page(rows, limit, |u| u.id, UserDto::from)))
}

/// The signed-in user, with role, scope and permissions.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
) -> Result<Json<MeDto>, ApiError> {
    let u = users::get(&state.core, &p, p.user_id.0).await?;
    Ok(Json(MeDto {
        user: u.into(),
        scope: p.scope().as_str().to_string(),
        permissions: serde_json::to_value(&p.policy.modules).unwrap_or_default(),
    }))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<UserDto>, ApiError> {
    Ok(Json(users::get(&state.core, &p, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(req): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let u = users::create(
        &state.core,
        &p,
        NewUserInput {
            username: req.username,
            password: req.password,
            display_name: req.display_name,
            role: req.role,
            department_id: req.department_id,
            manager_id: req.manager_id,
            email: req.email,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateUser,
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(req): ApiJson<UpdateUser>,
) -> Result<Json<UserDto>, ApiError> {
    let patch = UserPatch {
        display_name: req.display_name,
        role: req.role,
        department_id: req.department_id,
        manager_id: req.manager_id,
        active: req.active,
        email: req.email,
        password: req.password,
    };
    Ok(Json(
        users::update(&state.core, &p, id, req.version, patch)
            .await?
            .into(),
    ))
}

/// Changes the signed-in user's password; every token of the user is revoked.
#[utoipa::path(post, path = "/api/v1/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = ChangePassword,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(req): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    crm_service::auth::change_password(
        &state.core,
        &p,
        &req.current_password,
        &req.new_password,
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
