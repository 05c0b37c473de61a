//! Importing leads (线索导入): upload an .xlsx or .csv file, map its columns and choose the
//! options with a preview of the first rows, then follow the job and read its report.

mod job;
mod map;

use super::{error_page, message_page, render, FormErrors, Layout, UiSession};
use crate::api::lead_import::upload::{self, UploadError};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use crm_domain::{Action, FieldErrors, Module};
use crm_service::lead_import::{self, MAX_BYTES, MAX_ROWS};
use crm_service::ServiceError;

/// The upload route, with its own body limit: merged outside the app's 2 MiB limit.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/leads/import/upload", post(upload_file))
        .layer(DefaultBodyLimit::max(upload::BODY_LIMIT))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads/import", get(upload_page))
        .route("/leads/import/{id}", get(show).post(map::submit))
        .route("/leads/import/{id}/status", get(job::status))
}

/// A message for a field-error code: `lead_import.error.<code>` first, then the shared
/// `error.<code>`, then the service's text.
pub(crate) fn message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("lead_import.error.{code}");
    let text = tr.t(&key);
    if text == key {
        tr.field_error(code, fallback)
    } else {
        text
    }
}

fn form_errors(tr: Tr, e: &FieldErrors) -> FormErrors {
    FormErrors(
        e.0.iter()
            .map(|(k, v)| (k.clone(), message(tr, v.code, &v.message)))
            .collect(),
    )
}

/// A service error as a page, with this module's messages.
fn fail(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::Conflict { code, message: m } => {
            message_page(tr, StatusCode::CONFLICT, &message(tr, code, &m))
        }
        other => error_page(tr, other),
    }
}

#[derive(Template)]
#[template(path = "lead_import.html")]
struct UploadPage {
    l: Layout,
    max_mb: usize,
    max_rows: String,
    /// Why the last upload was refused.
    error: Option<String>,
}

fn upload_form(s: &UiSession, status: StatusCode, error: Option<String>) -> Response {
    let page = UploadPage {
        l: s.layout("leads"),
        max_mb: MAX_BYTES / (1024 * 1024),
        max_rows: thousands(MAX_ROWS as u64),
        error,
    };
    (status, render(&page)).into_response()
}

/// 100000 → "100,000".
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub async fn upload_page(s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Create) {
        return fail(s.tr, e.into());
    }
    upload_form(&s, StatusCode::OK, None)
}

pub async fn upload_file(
    State(state): State<AppState>,
    s: UiSession,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let tr = s.tr;
    if let Err(e) = s.principal.require(Module::Market, Action::Create) {
        return fail(tr, e.into());
    }
    let Ok(form) = form else {
        return upload_form(
            &s,
            StatusCode::BAD_REQUEST,
            Some(tr.t("lead_import.error.no_file")),
        );
    };
    let up = match upload::read(form).await {
        Ok(u) => u,
        Err(UploadError::TooLarge) => {
            let text = message(tr, "too_large", "Too large");
            return upload_form(&s, StatusCode::PAYLOAD_TOO_LARGE, Some(text));
        }
        Err(UploadError::Malformed(_)) => {
            let text = tr.t("lead_import.error.no_file");
            return upload_form(&s, StatusCode::BAD_REQUEST, Some(text));
        }
    };
    if let Err(r) = s.check_csrf(up.field("_csrf")) {
        return r;
    }
    if !up.has_file || up.bytes.is_empty() {
        let text = tr.t("lead_import.error.no_file");
        return upload_form(&s, StatusCode::UNPROCESSABLE_ENTITY, Some(text));
    }
    match lead_import::upload(&state.core, &s.principal, &up.file_name, up.bytes).await {
        Ok(i) => Redirect::to(&format!("/leads/import/{}", i.id)).into_response(),
        Err(ServiceError::Validation(e)) => {
            let text =
                e.0.values()
                    .map(|v| message(tr, v.code, &v.message))
                    .collect::<Vec<_>>()
                    .join("; ");
            upload_form(&s, StatusCode::UNPROCESSABLE_ENTITY, Some(text))
        }
        Err(e) => fail(tr, e),
    }
}

/// The mapping step while the upload waits; the progress and report once started.
pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    let i = match lead_import::get(&state.core, &s.principal, id).await {
        Ok(i) => i,
        Err(e) => return fail(s.tr, e),
    };
    if i.status == "queued" {
        map::page(&state, &s, i, &[], false).await
    } else {
        job::page(&s, i)
    }
}
