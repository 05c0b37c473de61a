//! `/api/v1/opportunities/{id}/competitors`: the competitors met on an opportunity, with
//! their price and notes. Reading needs `sales:view`, changing `sales:edit`; an opportunity
//! outside your scope is a 404.

use crate::api::{ApiAuth, ApiJson};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use crm_domain::{Currency, Money};
use crm_service::competitors::{self, LinkInput, LinkView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opportunities/{id}/competitors", get(list).post(create))
        .route(
            "/opportunities/{id}/competitors/{competitor_id}",
            patch(update).delete(remove),
        )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    pub opportunity_id: i64,
    pub competitor_id: i64,
    pub competitor_name: String,
    /// Their offered price ("98000.00").
    pub their_price: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl LinkDto {
    fn of(v: LinkView, c: &Currency) -> Self {
        Self {
            opportunity_id: v.link.opportunity_id,
            competitor_id: v.link.competitor_id,
            competitor_name: v.competitor_name,
            their_price: v.link.their_price.map(|m| c.to_decimal(Money(m))),
            notes: v.link.notes,
            created_by: v.link.created_by,
            created_at: v.link.created_at,
        }
    }
}

/// A link. `competitor_id` is required on POST (a live competitor) and not accepted on
/// PATCH; on PATCH omitted fields stay and `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub competitor_id: Option<i64>,
    /// ≥ 0, a number or a decimal string.
    #[serde(default, deserialize_with = "double_decimal")]
    #[schema(value_type = Option<String>)]
    pub their_price: Option<Option<String>>,
    /// ≤ 2000 characters.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// Absent: `None`; `null`: `Some(None)`; a number or string: `Some(Some(text))`.
fn double_decimal<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    crate::api::opt_decimal_text(d).map(Some)
}

impl LinkBody {
    fn input(self) -> LinkInput {
        LinkInput {
            competitor_id: self.competitor_id,
            their_price: self.their_price.map(Option::unwrap_or_default),
            notes: self.notes.map(Option::unwrap_or_default),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub items: Vec<LinkDto>,
}

/// Two path ids; anything that is not a positive number is a 404.
fn ids(id: &str, competitor_id: &str) -> Result<(i64, i64), ApiError> {
    match (id.parse::<i64>(), competitor_id.parse::<i64>()) {
        (Ok(a), Ok(b)) if a > 0 && b > 0 => Ok((a, b)),
        _ => Err(ApiError::not_found()),
    }
}

fn one_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(ApiError::not_found)
}

/// The live competitors linked to the opportunity, in the order they were added.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/competitors", tag = "competitors",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LinkList), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
) -> Result<Json<LinkList>, ApiError> {
    let rows = competitors::links(&state.core, &p, one_id(&id)?).await?;
    let c = &state.core.settings.currency;
    Ok(Json(LinkList {
        items: rows.into_iter().map(|v| LinkDto::of(v, c)).collect(),
    }))
}

/// Links a competitor: 409 `already_linked` when it already is; a deleted competitor is a
/// field error (`competitor_id`: `deleted`).
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/competitors", tag = "competitors",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = LinkBody,
    responses((status = 201, body = LinkDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<(StatusCode, Json<LinkDto>), ApiError> {
    let v = competitors::link(&state.core, &p, one_id(&id)?, body.input()).await?;
    Ok((
        StatusCode::CREATED,
        Json(LinkDto::of(v, &state.core.settings.currency)),
    ))
}

#[utoipa::path(patch, path = "/api/v1/opportunities/{id}/competitors/{competitor_id}",
    tag = "competitors", security(("bearer" = [])),
    params(("id" = i64, Path), ("competitor_id" = i64, Path)), request_body = LinkBody,
    responses((status = 200, body = LinkDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((id, competitor_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<Json<LinkDto>, ApiError> {
    let (id, competitor_id) = ids(&id, &competitor_id)?;
    if body.competitor_id.is_some() {
        return Err(crm_service::ServiceError::field(
            "competitor_id",
            "immutable",
            "Remove the link and add another competitor",
        )
        .into());
    }
    let v = competitors::update_link(&state.core, &p, id, competitor_id, body.input()).await?;
    Ok(Json(LinkDto::of(v, &state.core.settings.currency)))
}

#[utoipa::path(delete, path = "/api/v1/opportunities/{id}/competitors/{competitor_id}",
    tag = "competitors", security(("bearer" = [])),
    params(("id" = i64, Path), ("competitor_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((id, competitor_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, competitor_id) = ids(&id, &competitor_id)?;
    competitors::unlink(&state.core, &p, id, competitor_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
