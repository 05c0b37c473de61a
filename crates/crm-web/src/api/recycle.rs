//! `/recycle-bin`: deleted records, restorable by administrators.

use super::{page, ApiAuth, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/recycle-bin", get(list))
        .route("/recycle-bin/{id}/restore", post(restore))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BinEntryDto {
    pub id: i64,
    pub entity_type: String,
    pub entity_id: i64,
    pub label: String,
    pub deleted_by: Option<i64>,
    pub deleted_at: chrono::DateTime<chrono::Utc>,
}

impl From<crm_service::recycle::BinEntry> for BinEntryDto {
    fn from(b: crm_service::recycle::BinEntry) -> Self {
        Self {
            id: b.id,
            entity_type: b.entity_type,
            entity_id: b.entity_id,
            label: b.label,
            deleted_by: b.deleted_by,
            deleted_at: b.deleted_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/recycle-bin", tag = "recycle-bin", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<BinEntryDto>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<BinEntryDto>>, ApiError> {
    let limit = q.limit()?;
    let rows = crm_service::recycle::list(&state.core, &p, q.cursor()?, limit + 1).await?;
    Ok(Json(page(rows, limit, |b| b.id, BinEntryDto::from)))
}

/// Restores the record; a second restore answers 404.
#[utoipa::path(post, path = "/api/v1/recycle-bin/{id}/restore", tag = "recycle-bin",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = BinEntryDto), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<BinEntryDto>, ApiError> {
    Ok(Json(
        crm_service::recycle::restore(&state.core, &p, id)
            .await?
            .into(),
    ))
}
