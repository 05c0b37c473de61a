//! Mapping service errors to HTTP, in one place. API errors are
//! `{"error": "<stable_code>", "message": "…", "fields": {…}}`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use crm_service::ServiceError;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<String, FieldMessage>,
    pub retry_after: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldMessage {
    /// Stable code, e.g. `required`, `too_long`, `invalid_choice`.
    pub code: String,
    pub message: String,
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code (`not_found`, `forbidden`, `validation_failed`,
    /// `stale_version`, `unauthorized`, `rate_limited`, …).
    pub error: String,
    pub message: String,
    /// Field name → error, for validation failures.
    pub fields: BTreeMap<String, FieldMessage>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found")
    }
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "Sign in first")
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthorized => ApiError::unauthorized(),
            ServiceError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "You do not have permission to do this",
            ),
            ServiceError::Refused { code, message } => {
                ApiError::new(StatusCode::FORBIDDEN, code, message)
            }
            ServiceError::NotFound => ApiError::not_found(),
            ServiceError::Validation(errs) => {
                let mut out = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "Some fields are invalid",
                );
                for (k, v) in errs.0 {
                    out.fields.insert(
                        k,
                        FieldMessage {
                            code: v.code.to_string(),
                            message: v.message,
                        },
                    );
                }
                out
            }
            ServiceError::StaleVersion => ApiError::new(
                StatusCode::CONFLICT,
                "stale_version",
                "The record was changed by someone else; reload and try again",
            ),
            ServiceError::Conflict { code, message } => {
                let status = if code == "invalid_credentials" {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::CONFLICT
                };
                ApiError::new(status, code, message)
            }
            ServiceError::RateLimited { retry_after_secs } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("Too many attempts; try again in {retry_after_secs} seconds"),
                );
                e.retry_after = Some(retry_after_secs);
                e
            }
            ServiceError::Internal(err) => {
                tracing::error!(error = %err, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side",
                )
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                // Wrong types, missing or unknown fields: a validation error with the reason.
                let mut out = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    e.body_text(),
                );
                if let Some(field) = field_of(&e.body_text()) {
                    out.fields.insert(
                        field,
                        FieldMessage {
                            code: "invalid".into(),
                            message: e.body_text(),
                        },
                    );
                }
                out
            }
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::bad_request("malformed_json", e.body_text())
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send JSON with Content-Type: application/json",
            ),
            other => ApiError::bad_request("bad_request", other.body_text()),
        }
    }
}

/// serde's messages name the path first (`name: invalid type…`) or quote an unknown field.
fn field_of(msg: &str) -> Option<String> {
    let body = msg.split_once(": ").map_or(msg, |x| x.1);
    if let Some(rest) = body.split("unknown field `").nth(1) {
        return rest.split('`').next().map(str::to_string);
    }
    if let Some(rest) = body.split("missing field `").nth(1) {
        return rest.split('`').next().map(str::to_string);
    }
    let path = body.split(": ").next()?;
    if path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        Some(path.to_string())
    } else {
        None
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found()
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            r.body_text(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_string(),
            message: self.message,
            fields: self.fields,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}
