//! Leads pages (销售线索): the list with its tabs (mine / pool / all in scope), remembered
//! filters and bulk assign / distribute / claim; the lead page with its follow-up
//! timeline and claim / release / assign / edit / delete / convert; the lead form.

use super::customers::{fmt_time, label, param, query_of, user_names};
use super::users::Opt;
use super::{error_page, message_page, render, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, DataScope, FieldErrors, Module};
use crm_service::leads::{self, Lead};
use crm_service::ServiceError;
use crm_store::scope::RecordScope;
use serde::Deserialize;
use std::collections::BTreeMap;

mod actions;
mod form;
mod list;
mod show;
use actions::*;
use form::*;
use list::*;
use show::*;

/// Remembers the last filter of the lead list.
pub const VIEW_COOKIE: &str = "crm_view_leads";
const PAGE_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).post(create))
        .route("/leads/new", get(new_form))
        .route("/leads/bulk-assign", post(bulk_assign))
        .route("/leads/bulk-claim", post(bulk_claim))
        .route("/leads/{id}", get(show).post(update))
        .route("/leads/{id}/edit", get(edit))
        .route("/leads/{id}/delete", post(delete))
        .route("/leads/{id}/claim", post(claim))
        .route("/leads/{id}/release", post(release))
        .route("/leads/{id}/assign", post(assign))
        .route("/leads/{id}/activities", post(add_follow_up))
        .route(
            "/leads/{id}/activities/{activity_id}/delete",
            post(delete_follow_up),
        )
}

/// The Bootstrap badge class of a lead status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "new" => "text-bg-info",
        "contacting" => "text-bg-primary",
        "qualified" => "text-bg-success",
        "unqualified" => "text-bg-secondary",
        "converted" => "text-bg-dark",
        _ => "text-bg-light",
    }
}

pub fn status_label(tr: Tr, status: &str) -> String {
    label(tr, "leads.status", status)
}

pub fn source_label(tr: Tr, source: &Option<String>) -> String {
    match source.as_deref() {
        Some(s) => label(tr, "leads.source", s),
        None => tr.t("common.none"),
    }
}

/// A field error message: `leads.error.<code>` first, then the shared `error.<code>`.
fn field_message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("leads.error.{code}");
    let text = tr.t(&key);
    if text == key {
        tr.field_error(code, fallback)
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

/// A service error as a page, with this module's conflict and refusal messages.
fn fail(tr: Tr, e: ServiceError) -> Response {
    let own = |prefix: &str, code: &str, fallback: String| {
        let key = format!("leads.{prefix}.{code}");
        let text = tr.t(&key);
        if text == key {
            fallback
        } else {
            text
        }
    };
    match e {
        ServiceError::Conflict { code, message } => {
            message_page(tr, StatusCode::CONFLICT, &own("conflict", code, message))
        }
        ServiceError::Refused { code, message } => {
            message_page(tr, StatusCode::FORBIDDEN, &own("refused", code, message))
        }
        ServiceError::Validation(errs) => {
            let text = errs
                .0
                .values()
                .map(|v| field_message(tr, v.code, &v.message))
                .collect::<Vec<_>>()
                .join("; ");
            message_page(tr, StatusCode::UNPROCESSABLE_ENTITY, &text)
        }
        other => error_page(tr, other),
    }
}

/// Active users whose leads the principal may hold (their scope), "Name (username)".
async fn scoped_users(state: &AppState, s: &UiSession) -> Result<Vec<(i64, String)>, ServiceError> {
    let scope = RecordScope::load(&state.core.db, &s.principal).await?;
    let users = super::customers::active_users(state, s).await?;
    Ok(users
        .into_iter()
        .filter(|u| scope.owns_scope(u.id))
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.username)))
        .collect())
}

/// `<option>`s of the live campaigns (with a leading blank labelled `blank`).
async fn campaign_opts(
    state: &AppState,
    s: &UiSession,
    selected: Option<i64>,
    blank: String,
) -> Result<Vec<Opt>, ServiceError> {
    let mut opts = vec![Opt::new("", blank, selected.is_none())];
    let mut choices = leads::campaign_choices(&state.core, &s.principal).await?;
    // A lead keeps showing a campaign deleted since.
    if let Some(c) = selected.filter(|c| !choices.iter().any(|(id, _)| id == c)) {
        choices.extend(leads::campaign_names(&state.core, &[c]).await?);
    }
    opts.extend(
        choices
            .into_iter()
            .map(|(id, name)| Opt::new(id.to_string(), name, selected == Some(id))),
    );
    Ok(opts)
}

/// `<option>`s of a closed list labelled from `prefix.<value>`.
fn choice_opts(tr: Tr, prefix: &str, values: &[&str], selected: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|v| Opt::new(*v, label(tr, prefix, v), *v == selected))
        .collect()
}

/// Forms that carry nothing but the CSRF token and maybe a version.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}

/// Whether the principal's scope reaches beyond their own records.
fn manages_others(s: &UiSession) -> bool {
    s.principal.scope() != DataScope::Own
}

fn date_text(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A `datetime-local` value (in the installation's time zone) as RFC 3339 for the service;
/// anything else is passed on for the service to accept or reject.
fn local_input(tz: chrono_tz::Tz, v: &str) -> String {
    let t = v.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"));
    match naive.map(|n| n.and_local_timezone(tz).earliest()) {
        Ok(Some(d)) => d.to_rfc3339(),
        _ => t.to_string(),
    }
}
