//! Competitor pages (竞争对手): the list with each competitor's record in the viewer's
//! scope, the competitor page (details, record, chart, linked opportunities), the form, and
//! the competitors panel of the opportunity page (loaded and changed with htmx).

use super::users::Opt;
use super::{error_page, message_page, render, urlencode, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, FieldErrors, Module, Money};
use crm_service::competitors::{self, CompetitorInput, Record};
use crm_service::ServiceError;
use serde::Deserialize;

mod form;
mod list;
mod panel;
mod show;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/competitors", get(list::list).post(form::create))
        .route("/competitors/new", get(form::new_form))
        .route("/competitors/{id}", get(show::show).post(form::update))
        .route("/competitors/{id}/edit", get(form::edit))
        .route("/competitors/{id}/delete", post(form::delete))
        .route(
            "/opportunities/{id}/competitors",
            get(panel::panel).post(panel::add),
        )
        .route(
            "/opportunities/{id}/competitors/{competitor_id}/delete",
            post(panel::remove),
        )
}

/// The longest text each field takes (for the "at most N characters" message).
fn max_len(field: &str) -> usize {
    match field {
        "name" => competitors::NAME_MAX,
        "notes_link" => 2000,
        _ => competitors::TEXT_MAX,
    }
}

/// A field-error message: `competitors.error.<code>` first (with `%{max}` filled in), then
/// the shared `error.<code>`, then the service's English text.
fn error_text(tr: Tr, field: &str, code: &str, fallback: &str) -> String {
    let key = format!("competitors.error.{code}");
    let text = tr.t(&key);
    if text == key {
        tr.field_error(code, fallback)
    } else {
        text.replace("%{max}", &max_len(field).to_string())
    }
}

fn form_errors(tr: Tr, errs: &FieldErrors, link: bool) -> FormErrors {
    FormErrors(
        errs.0
            .iter()
            .map(|(k, v)| {
                let field = if link && k == "notes" {
                    "notes_link"
                } else {
                    k
                };
                (k.clone(), error_text(tr, field, v.code, &v.message))
            })
            .collect(),
    )
}

/// A service error on a page without a form for it; conflicts in this module's words.
fn fail(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::Conflict { code, message } => message_page(
            tr,
            StatusCode::CONFLICT,
            &error_text(tr, "", code, &message),
        ),
        e => error_page(tr, e),
    }
}

fn money(state: &AppState, m: Money) -> String {
    state.core.settings.currency.format(m)
}

/// The win rate as shown ("66.7%", or "—" while nothing is decided).
fn win_rate(tr: Tr, r: &Record) -> String {
    r.win_rate_text()
        .map_or_else(|| tr.t("common.none"), |t| format!("{t}%"))
}

/// The badge class of a win rate: green from 50 %, amber below, grey when undecided.
fn win_rate_class(r: &Record) -> &'static str {
    match r.win_rate_permille() {
        Some(p) if p >= 500 => "text-bg-success",
        Some(_) => "text-bg-warning",
        None => "text-bg-light border",
    }
}

/// Forms that carry nothing but the CSRF token and a version.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}
