//! Campaign pages (市场活动): the filtered list with figures and a cost/revenue chart, the
//! campaign page (results, funnel, leads, public web form switch), the form; and the
//! public web form itself (`/f/{key}`, no sign-in).

use super::customers::{active_users, fmt_time, label, param, query_of, user_names};
use super::users::Opt;
use super::{opt_id, render, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, FieldErrors, Module, Money};
use crm_service::campaigns::results::{self, percent};
use crm_service::campaigns::{
    self, Campaign, CampaignInput, CampaignResults, Filter, FormChange, ListRow,
};
use crm_service::{expenses, ServiceError};
use serde::Deserialize;
use serde_json::json;

mod form;
mod limiter;
mod list;
mod public;
mod show;
pub use form::*;
pub use limiter::FormLimiter;
pub use list::*;
pub use public::*;
pub use show::*;

const PAGE_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/new", get(new_form))
        .route("/campaigns/{id}", get(show).post(update))
        .route("/campaigns/{id}/edit", get(edit))
        .route("/campaigns/{id}/delete", post(delete))
        .route("/campaigns/{id}/form", post(switch_form))
        .merge(public::router())
}

pub fn kind_label(tr: Tr, kind: &str) -> String {
    label(tr, "campaigns.kind", kind)
}

pub fn status_label(tr: Tr, status: &str) -> String {
    label(tr, "campaigns.status", status)
}

/// The Bootstrap badge class of a campaign status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "planned" => "text-bg-info",
        "active" => "text-bg-primary",
        "completed" => "text-bg-success",
        "cancelled" => "text-bg-secondary",
        _ => "text-bg-light",
    }
}

/// `<option>`s of a closed list labelled `prefix.value`, with an optional leading blank.
fn choice_opts(
    tr: Tr,
    prefix: &str,
    values: &[&str],
    selected: &str,
    blank: Option<String>,
) -> Vec<Opt> {
    let mut opts: Vec<Opt> = blank
        .map(|b| Opt::new("", b, selected.is_empty()))
        .into_iter()
        .collect();
    opts.extend(
        values
            .iter()
            .map(|v| Opt::new(*v, label(tr, prefix, v), *v == selected)),
    );
    opts
}

/// A translated field error: `campaigns.error.<code>`, then the shared ones.
fn field_message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("campaigns.error.{code}");
    let text = tr.t(&key);
    if text == key {
        super::quotes::field_message(tr, code, fallback)
    } else {
        text
    }
}

fn form_errors(tr: Tr, errs: &FieldErrors) -> FormErrors {
    FormErrors(
        errs.0
            .iter()
            .map(|(k, v)| (k.clone(), field_message(tr, v.code, &v.message)))
            .collect(),
    )
}

fn fail(tr: Tr, e: ServiceError) -> Response {
    super::quotes::fail(tr, e)
}

fn money(state: &AppState, minor: i64) -> String {
    state.core.settings.currency.format(Money(minor))
}

/// Buttons that carry the CSRF token, the version and maybe an action.
#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
    #[serde(default)]
    action: String,
}
