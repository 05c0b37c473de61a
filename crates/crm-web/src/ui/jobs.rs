//! Exports as background jobs: start one, watch its progress bar, download the file.

use super::{error_page, render, Layout, UiSession};
use crate::api::export::labels;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_service::export::{CONTACT_COLUMNS, CUSTOMER_COLUMNS};
use crm_service::jobs::{self, Job};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exports/customers", post(export_customers))
        .route("/exports/contacts", post(export_contacts))
        .route("/jobs/{id}", get(page))
        .route("/jobs/{id}/progress", get(progress))
        .route("/jobs/{id}/download", get(download))
}

#[derive(Deserialize)]
pub struct ExportForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// The list's query string, so the export holds what the list shows.
    #[serde(default)]
    query: String,
}

fn pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded_pairs(query)
}

/// Parses `a=1&b=x` (percent-decoding) into pairs.
fn serde_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{q}").parse().unwrap_or_default(),
    )
    .map(|x| x.0)
    .unwrap_or_default()
}

pub async fn export_customers(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<ExportForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let (filter, _) = match super::customers::list_filter(&state, &pairs(&f.query)).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let labels = labels(s.tr, "customer", CUSTOMER_COLUMNS);
    match jobs::export_customers(&state.core, &s.principal, filter, labels).await {
        Ok(job) => Redirect::to(&format!("/jobs/{}", job.id)).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn export_contacts(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<ExportForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let p = pairs(&f.query);
    let filter = crm_service::contacts::Filter {
        customer_id: p
            .iter()
            .find(|(k, _)| k == "customer_id")
            .and_then(|(_, v)| v.parse().ok()),
        q: None,
    };
    let labels = labels(s.tr, "contact", CONTACT_COLUMNS);
    match jobs::export_contacts(&state.core, &s.principal, filter, labels).await {
        Ok(job) => Redirect::to(&format!("/jobs/{}", job.id)).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

/// What the progress fragment shows.
pub struct JobView {
    pub job: Job,
    pub percent: i64,
    pub finished: bool,
}

impl JobView {
    fn of(job: Job) -> Self {
        let percent = match (job.status.as_str(), job.total) {
            ("done", _) => 100,
            (_, Some(t)) if t > 0 => (job.done * 100 / t).clamp(0, 100),
            _ => 0,
        };
        let finished = job.status == "done" || job.status == "failed";
        Self {
            job,
            percent,
            finished,
        }
    }
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    l: Layout,
    tr: crate::i18n::Tr,
    kind: String,
    v: JobView,
}

#[derive(Template)]
#[template(path = "job_progress.html")]
struct JobProgress {
    tr: crate::i18n::Tr,
    v: JobView,
}

pub async fn page(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    match jobs::get(&state.core, &s.principal, id).await {
        Ok(job) => render(&JobPage {
            kind: s.tr.t(&format!("jobs.kind.{}", job.kind)),
            v: JobView::of(job),
            tr: s.tr,
            l: s.layout("customers"),
        }),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn progress(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
) -> Response {
    match jobs::get(&state.core, &s.principal, id).await {
        Ok(job) => render(&JobProgress {
            tr: s.tr,
            v: JobView::of(job),
        }),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn download(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
) -> Response {
    match jobs::result(&state.core, &s.principal, id).await {
        Ok((bytes, name, ctype)) => (
            [
                (header::CONTENT_TYPE, ctype),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
