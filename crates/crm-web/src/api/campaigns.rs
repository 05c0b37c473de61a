//! `/api/v1` endpoints: campaigns (市场活动) with their results, the switch of their public
//! web form, and the form's own unauthenticated endpoints ([`public`]).

use super::customers::VersionQuery;
use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_service::campaigns::{self, results, Filter, FormChange, ListRow};
use crm_service::ServiceError;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::OpenApi;

mod dto;
pub mod public;

pub use dto::{CampaignBody, CampaignDto, FormBody, ResultsDto, VersionBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/{id}", get(show).patch(update).delete(remove))
        .route("/campaigns/{id}/form", post(switch_form))
        .route("/campaigns/{id}/form/regenerate", post(regenerate_form))
        .merge(public::router())
}

/// This module's part of the OpenAPI document (merged in `openapi.rs`).
#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        show,
        create,
        update,
        remove,
        switch_form,
        regenerate_form,
        public::form,
        public::submit
    ),
    components(schemas(
        CampaignDto,
        ResultsDto,
        CampaignBody,
        FormBody,
        VersionBody,
        public::PublicFormDto,
        public::SubmissionBody,
        public::ReceivedDto
    ))
)]
pub struct Doc;

fn invalid_query(msg: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", msg)
}

async fn owner_names(
    state: &AppState,
    rows: &[ListRow],
) -> Result<BTreeMap<i64, String>, ApiError> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.campaign.owner_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::users::names(&state.core.db, &ids)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .collect())
}

async fn dto(state: &AppState, row: ListRow) -> Result<CampaignDto, ApiError> {
    let names = owner_names(state, std::slice::from_ref(&row)).await?;
    let name = names.get(&row.campaign.owner_id).cloned();
    Ok(CampaignDto::of(row, &state.core.settings.currency, name))
}

/// The campaign as the caller sees it now, with its results.
async fn fresh(
    state: &AppState,
    p: &crm_domain::Principal,
    id: i64,
) -> Result<CampaignDto, ApiError> {
    let row = results::get_with_results(&state.core, p, id).await?;
    dto(state, row).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CampaignQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// planned, active, completed, cancelled
    pub status: Option<String>,
    /// exhibition, seminar, online_ad, email, telemarketing, other
    pub kind: Option<String>,
    pub owner_id: Option<i64>,
    /// YYYY-MM-DD: dated campaigns still running on or after this day (open-ended ones too).
    pub from: Option<String>,
    /// YYYY-MM-DD: campaigns starting on or before this day.
    pub to: Option<String>,
    /// Part of the name.
    pub q: Option<String>,
}

fn filter_of(q: &CampaignQuery) -> Result<Filter, ApiError> {
    let pick = |v: &Option<String>, allowed: &[&str], what: &str| -> Result<_, ApiError> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) if allowed.contains(&s) => Ok(Some(s.to_string())),
            Some(_) => Err(invalid_query(&format!("{what} is not one of the choices"))),
        }
    };
    Ok(Filter {
        status: pick(&q.status, &campaigns::STATUSES, "status")?,
        kind: pick(&q.kind, &campaigns::KINDS, "kind")?,
        owner_id: q.owner_id,
        from: crm_service::expenses::date_bound(q.from.as_deref(), "from")?,
        to: crm_service::expenses::date_bound(q.to.as_deref(), "to")?,
        q: q.q
            .as_deref()
            .map(|s| s.trim().chars().take(100).collect::<String>())
            .filter(|s| !s.is_empty()),
    })
}

/// Every campaign (company-wide, `market:view`), newest first, with the results of each.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", security(("bearer" = [])),
    params(CampaignQuery),
    responses((status = 200, body = Page<CampaignDto>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<CampaignQuery>,
) -> Result<Json<Page<CampaignDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = filter_of(&q)?;
    let mut rows = campaigns::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let rows = results::with_results(&state.core, &p, rows).await?;
    let names = owner_names(&state, &rows).await?;
    let c = &state.core.settings.currency;
    let items = rows
        .into_iter()
        .map(|r| {
            let n = names.get(&r.campaign.owner_id).cloned();
            CampaignDto::of(r, c, n)
        })
        .collect();
    Ok(Json(Page { items, next }))
}

/// One campaign with its results.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CampaignDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<CampaignDto>, ApiError> {
    Ok(Json(fresh(&state, &p, id).await?))
}

#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", security(("bearer" = [])),
    request_body = CampaignBody,
    responses((status = 201, body = CampaignDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<CampaignBody>,
) -> Result<(StatusCode, Json<CampaignDto>), ApiError> {
    let c = campaigns::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(fresh(&state, &p, c.id).await?)))
}

/// Changes a campaign (`market:edit` and the owner in your scope, else 403).
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CampaignBody,
    responses((status = 200, body = CampaignDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<CampaignBody>,
) -> Result<Json<CampaignDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(ServiceError::field("version", "required", "Send the version you read").into());
    };
    campaigns::update(&state.core, &p, id, version, body.input()).await?;
    Ok(Json(fresh(&state, &p, id).await?))
}

/// Moves the campaign to the recycle bin (its leads keep it).
#[utoipa::path(delete, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    security(("bearer" = [])), params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<StatusCode, ApiError> {
    campaigns::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables or disables the public web form. Enabling the first time makes an unguessable
/// key (256 random bits); disabling keeps it, so enabling again restores the same link.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/form", tag = "campaigns",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = FormBody,
    responses((status = 200, body = CampaignDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn switch_form(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<FormBody>,
) -> Result<Json<CampaignDto>, ApiError> {
    let change = if body.enabled {
        FormChange::Enable
    } else {
        FormChange::Disable
    };
    campaigns::change_form(&state.core, &p, id, body.version, change).await?;
    Ok(Json(fresh(&state, &p, id).await?))
}

/// Gives the public web form a new key: the old link answers 404 from now on.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/form/regenerate", tag = "campaigns",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = CampaignDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn regenerate_form(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<VersionBody>,
) -> Result<Json<CampaignDto>, ApiError> {
    campaigns::change_form(&state.core, &p, id, body.version, FormChange::Regenerate).await?;
    Ok(Json(fresh(&state, &p, id).await?))
}
