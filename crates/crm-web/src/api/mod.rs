//! The JSON API under `/api/v1`. Clients authenticate with `Authorization: Bearer <token>`.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod competitors;
pub mod contacts;
pub mod conversion;
pub mod custom_fields;
pub mod customers;
pub mod departments;
pub mod expenses;
pub mod export;
pub mod lead_import;
pub mod leads;
pub mod openapi;
pub mod opportunities;
pub mod orders;
pub mod payments;
pub mod products;
pub mod quotas;
pub mod quotes;
pub mod recycle;
pub mod roles;
pub mod stats;
pub mod tokens;
pub mod users;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::Router;
use crm_domain::Principal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(departments::router())
        .merge(users::router())
        .merge(roles::router())
        .merge(tokens::router())
        .merge(audit::router())
        .merge(recycle::router())
        .merge(customers::router())
        .merge(contacts::router())
        .merge(custom_fields::router())
        .merge(activities::router())
        .merge(export::router())
        .merge(products::router())
        .merge(opportunities::router())
        .merge(quotes::router())
        .merge(orders::router())
        .merge(payments::router())
        .merge(expenses::router())
        .merge(stats::router())
        .merge(campaigns::router())
        .merge(leads::router())
        .merge(lead_import::router())
        .merge(competitors::router())
        .merge(quotas::router())
        .merge(conversion::router())
        .fallback(|| async { ApiError::not_found() })
}

/// The principal behind a bearer token. Rejects with 401.
pub struct ApiAuth(pub Principal);

/// The raw bearer secret of the request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = bearer(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        if secret.len() > 200 {
            return Err(ApiError::unauthorized());
        }
        match crm_service::auth::resume_token(&state.core, secret).await? {
            Some(p) => Ok(ApiAuth(p)),
            None => Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "invalid_token",
                "The token is invalid, expired or revoked",
            )),
        }
    }
}

/// JSON body whose rejections use the API error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(v))
    }
}

/// Query string whose rejections use the API error format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let axum::extract::Query(v) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(v))
    }
}

/// Path id that answers 404 (not 400) when it is not a number.
pub struct PathId(pub i64);

impl FromRequestParts<AppState> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let axum::extract::Path(v) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await?;
        v.parse::<i64>()
            .ok()
            .filter(|v| *v > 0)
            .map(PathId)
            .ok_or_else(ApiError::not_found)
    }
}

/// A page of results: `next` is the cursor for the following page, `null` at the end.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<u64, ApiError> {
        match self.limit {
            None => Ok(50),
            Some(l) if (1..=200).contains(&l) => Ok(l),
            Some(_) => Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                "limit must be between 1 and 200",
            )),
        }
    }
    pub fn cursor(&self) -> Result<Option<i64>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => c.parse::<i64>().map(Some).map_err(|_| {
                ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    "cursor is not valid",
                )
            }),
        }
    }
}

/// Builds a page from `limit + 1` fetched rows.
pub fn page<M, T>(
    mut rows: Vec<M>,
    limit: u64,
    key: impl Fn(&M) -> i64,
    map: impl Fn(M) -> T,
) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| key(r).to_string())
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(map).collect(),
        next,
    }
}

/// For PATCH: distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Deserializes a decimal given as a JSON number (`12.5`) or string (`"12.50"`) into its
/// text, so the service parses money and quantities exactly (never through a float).
pub fn decimal_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom(
            "expected a number or a decimal string",
        )),
    }
}

/// [`decimal_text`] for optional fields (`null` or absent: `None`).
pub fn opt_decimal_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(serde::de::Error::custom(
            "expected a number or a decimal string",
        )),
    }
}
