//! The public web form as JSON, without authentication: `GET` gives the signed render
//! stamp, `POST` sends a lead into the campaign's pool. Rate-limited per client address and
//! form ([`crate::ui::campaigns::FormLimiter`]), bodies up to [`BODY_LIMIT`]; no session or
//! cookie is read or set.

use crate::error::{ApiError, ErrorBody};
use crate::net::ClientIp;
use crate::AppState;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crm_service::campaigns::web_form::{self, WebFormInput};
use crm_service::ServiceError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::ToSchema;

/// Largest accepted body of a public submission (JSON or form).
pub const BODY_LIMIT: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/public/forms/{key}", get(form))
        .route("/public/forms/{key}/leads", post(submit))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
}

/// A JSON body whose rejections use the API error format; a body over [`BODY_LIMIT`] is
/// a 413 however it arrives (with or without a Content-Length).
pub struct PublicJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PublicJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(PublicJson(v)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The body is larger than 16 KB",
            )),
            Err(r) => Err(r.into()),
        }
    }
}

/// What a page needs to show the form.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicFormDto {
    /// The campaign's name.
    pub campaign: String,
    /// Send it back as `token` with the submission, no sooner than `min_fill_seconds`
    /// later and within a day.
    pub token: String,
    pub min_fill_seconds: i64,
}

/// A visitor's details. `name` and a `phone` or an `email` are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionBody {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Up to 2000 characters; kept in the lead's notes.
    #[serde(default)]
    pub message: String,
    /// The `token` of `GET /api/v1/public/forms/{key}`.
    #[serde(default)]
    pub token: String,
    /// Leave empty (a trap for robots: a filled one is answered like a success and dropped).
    #[serde(default)]
    pub website: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivedDto {
    /// Always "received".
    pub status: &'static str,
}

/// The form of a campaign (no authentication). An unknown key or a disabled form is 404.
#[utoipa::path(get, path = "/api/v1/public/forms/{key}", tag = "public", security(()),
    params(("key" = String, Path, description = "The form key of the campaign's public link")),
    responses((status = 200, body = PublicFormDto), (status = 404, body = ErrorBody)))]
pub async fn form(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<PublicFormDto>, ApiError> {
    let f = web_form::open(&state.core, &key).await?;
    let token = web_form::render_token(&state.core, &f).await?;
    Ok(Json(PublicFormDto {
        campaign: f.campaign_name,
        token,
        min_fill_seconds: web_form::MIN_FILL.num_seconds(),
    }))
}

/// Sends a lead into the campaign's pool (no authentication). 404 for an unknown key or a
/// disabled form; 422 for bad fields or a missing, forged, too quick (`too_fast`) or
/// expired `token`; 429 with `Retry-After` past 5 submissions per 10 minutes from one
/// address or 200 per hour to one form; 413 past 16 KB. Nothing is written on any error.
#[utoipa::path(post, path = "/api/v1/public/forms/{key}/leads", tag = "public", security(()),
    params(("key" = String, Path)), request_body = SubmissionBody,
    responses((status = 201, body = ReceivedDto), (status = 404, body = ErrorBody),
              (status = 413), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(key): Path<String>,
    PublicJson(body): PublicJson<SubmissionBody>,
) -> Result<(StatusCode, Json<ReceivedDto>), ApiError> {
    let f = web_form::open(&state.core, &key).await?;
    if let Err(secs) = state
        .form_limiter
        .check(f.campaign_id, &ip, state.core.now())
    {
        return Err(ServiceError::RateLimited {
            retry_after_secs: secs,
        }
        .into());
    }
    let input = WebFormInput {
        name: body.name,
        company: body.company,
        phone: body.phone,
        email: body.email,
        message: body.message,
        token: body.token,
        honeypot: body.website,
    };
    web_form::submit(&state.core, &key, input, &ip).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceivedDto { status: "received" }),
    ))
}
