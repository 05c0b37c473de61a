//! `POST /auth/login`, `POST /auth/logout`.

use super::{bearer, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::net::ClientIp;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use crm_service::auth;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// A label for the token (default "API").
    pub token_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Valid 30 days.
    pub token: String,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub user: super::users::UserDto,
}

/// Exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let user = auth::authenticate(&state.core, &req.username, &req.password, &ip).await?;
    let name: String = req
        .token_name
        .as_deref()
        .unwrap_or("API")
        .chars()
        .take(100)
        .collect();
    let (token, row) = auth::issue_token(
        &state.core,
        crm_domain::UserId(user.id),
        &name,
        crm_store::tokens::KIND_LOGIN,
        Some(auth::LOGIN_TOKEN_TTL),
    )
    .await?;
    Ok(Json(LoginResponse {
        token,
        expires_at: row.expires_at,
        user: super::users::UserDto::from(user),
    }))
}

/// Revokes the token the request was made with.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let secret = bearer(&headers).ok_or_else(ApiError::unauthorized)?;
    if auth::revoke_token_secret(&state.core, secret).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::unauthorized())
    }
}
