//! A lead's follow-up history (跟进记录).

use crate::api::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use crm_service::leads::follow_ups::{self, FollowUp, FollowUpInput};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpDto {
    pub id: i64,
    pub lead_id: i64,
    /// call, visit, email, meeting, note
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub content: String,
    /// YYYY-MM-DD
    pub next_follow_up: Option<NaiveDate>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn dto(a: FollowUp, names: &BTreeMap<i64, String>) -> FollowUpDto {
    FollowUpDto {
        author_name: a.author_id.and_then(|u| names.get(&u).cloned()),
        id: a.id,
        lead_id: a.lead_id,
        kind: a.kind,
        occurred_at: a.occurred_at,
        content: a.content,
        next_follow_up: a.next_follow_up,
        author_id: a.author_id,
        created_at: a.created_at,
    }
}

async fn author_names(
    state: &AppState,
    rows: &[FollowUp],
) -> Result<BTreeMap<i64, String>, ApiError> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|a| a.author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::users::names(&state.core.db, &ids)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .collect())
}

/// The follow-ups of a lead you can see, most recent first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/activities", tag = "leads",
    security(("bearer" = [])), params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = Page<FollowUpDto>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Page<FollowUpDto>>, ApiError> {
    let limit = q.limit()?;
    let rows = follow_ups::list(&state.core, &p, id, q.cursor()?, limit + 1).await?;
    let names = author_names(&state, &rows).await?;
    Ok(Json(crate::api::page(
        rows,
        limit,
        |a| a.id,
        |a| dto(a, &names),
    )))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    /// call, visit, email, meeting or note
    pub kind: Option<String>,
    /// RFC 3339; default now.
    pub occurred_at: Option<String>,
    pub content: Option<String>,
    /// YYYY-MM-DD: becomes the lead's next follow-up (none clears it).
    pub next_follow_up: Option<String>,
}

/// Logs a follow-up: the lead's `last_contacted_at` and `next_follow_up` follow it and a
/// `new` lead becomes `contacting`. 409 `converted` on a converted lead.
#[utoipa::path(post, path = "/api/v1/leads/{id}/activities", tag = "leads",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = FollowUpBody,
    responses((status = 201, body = FollowUpDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<FollowUpBody>,
) -> Result<(StatusCode, Json<FollowUpDto>), ApiError> {
    let input = FollowUpInput {
        kind: body.kind,
        occurred_at: body.occurred_at,
        content: body.content,
        next_follow_up: body.next_follow_up,
    };
    let a = follow_ups::add(&state.core, &p, id, input).await?;
    let names = author_names(&state, std::slice::from_ref(&a)).await?;
    Ok((StatusCode::CREATED, Json(dto(a, &names))))
}

/// Deletes your own follow-up (someone else's: 403 `not_author`).
#[utoipa::path(delete, path = "/api/v1/leads/{id}/activities/{activity_id}", tag = "leads",
    security(("bearer" = [])), params(("id" = i64, Path), ("activity_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    Path((id, activity_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (Ok(id), Ok(activity_id)) = (id.parse::<i64>(), activity_id.parse::<i64>()) else {
        return Err(ApiError::not_found());
    };
    follow_ups::delete(&state.core, &p, id, activity_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
