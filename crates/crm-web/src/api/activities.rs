//! `/activities`: contact history (联络历史).

use super::{ApiAuth, ApiJson, ApiQuery, Page, PageQuery, PathId};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crm_service::activities::{self, Activity, ActivityInput, Filter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list).post(create))
        .route("/activities/{id}", get(show).patch(update).delete(remove))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    pub id: i64,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    /// call, visit, email, meeting, note
    pub kind: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub author_id: i64,
    /// Responsible for the follow-up.
    pub owner_id: i64,
    pub content: String,
    pub next_follow_up: Option<chrono::NaiveDate>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

impl From<Activity> for ActivityDto {
    fn from(a: Activity) -> Self {
        Self {
            id: a.id,
            customer_id: a.customer_id,
            contact_id: a.contact_id,
            kind: a.kind,
            occurred_at: a.occurred_at,
            author_id: a.author_id,
            owner_id: a.owner_id,
            content: a.content,
            next_follow_up: a.next_follow_up,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBody {
    pub version: Option<i32>,
    pub customer_id: Option<i64>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub contact_id: Option<Option<i64>>,
    /// call, visit, email, meeting, note
    pub kind: Option<String>,
    /// RFC 3339 (default: now)
    pub occurred_at: Option<String>,
    pub content: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<String>)]
    pub next_follow_up: Option<Option<String>>,
}

impl ActivityBody {
    fn input(self) -> ActivityInput {
        ActivityInput {
            customer_id: self.customer_id,
            contact_id: self.contact_id,
            kind: self.kind,
            occurred_at: self.occurred_at,
            content: self.content,
            next_follow_up: self.next_follow_up.map(|o| o.unwrap_or_default()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub customer_id: Option<i64>,
    /// The rep who logged it.
    pub author_id: Option<i64>,
    pub kind: Option<String>,
    /// RFC 3339 or YYYY-MM-DD
    pub from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (exclusive)
    pub to: Option<String>,
}

/// Contact history you may see: of visible customers, and everything logged by people in
/// your scope. Most recent first.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    params(ActivityQuery), responses((status = 200, body = Page<ActivityDto>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> Result<Json<Page<ActivityDto>>, ApiError> {
    let pq = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = pq.limit()?;
    let filter = Filter {
        customer_id: q.customer_id,
        author_id: q.author_id,
        kind: q.kind.filter(|k| !k.is_empty()),
        from: super::customers::parse_when_pub(&q.from, "from")?,
        to: super::customers::parse_when_pub(&q.to, "to")?,
    };
    let rows = activities::list(&state.core, &p, &filter, pq.cursor()?, limit + 1).await?;
    Ok(Json(super::page(rows, limit, |a| a.id, ActivityDto::from)))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ActivityDto), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
) -> Result<Json<ActivityDto>, ApiError> {
    Ok(Json(activities::get(&state.core, &p, id).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    request_body = ActivityBody,
    responses((status = 201, body = ActivityDto), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    ApiJson(body): ApiJson<ActivityBody>,
) -> Result<(StatusCode, Json<ActivityDto>), ApiError> {
    let a = activities::create(&state.core, &p, body.input()).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ActivityBody,
    responses((status = 200, body = ActivityDto), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiJson(body): ApiJson<ActivityBody>,
) -> Result<Json<ActivityDto>, ApiError> {
    let Some(version) = body.version else {
        return Err(crm_service::ServiceError::field(
            "version",
            "required",
            "Send the version you read",
        )
        .into());
    };
    Ok(Json(
        activities::update(&state.core, &p, id, version, body.input())
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path), super::customers::VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiAuth(p): ApiAuth,
    PathId(id): PathId,
    ApiQuery(q): ApiQuery<super::customers::VersionQuery>,
) -> Result<StatusCode, ApiError> {
    activities::delete(&state.core, &p, id, q.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
