//! Customers (客户): the filtered list, the customer page (details, contacts, contact
//! history, sharing, transfer, history) and the customer and contact forms.

use super::custom_fields::{self as cfui, CfFilter, CfForm, CfInput};
use super::users::Opt;
use super::{error_page, opt_id, render, FormErrors, Layout, UiSession};
use crate::api::customers::parse_when_pub;
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use axum_extra::extract::CookieJar;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use crm_domain::customer::{ActivityKind, Nature, Size, Source, Status};
use crm_domain::{Action, DataScope, Module};
use crm_service::activities::{self, Activity, ActivityInput};
use crm_service::contacts::{self, Contact, ContactInput};
use crm_service::custom_fields::CustomField;
use crm_service::customers::{self, Customer, CustomerInput, Filter, Sort};
use crm_service::users::User;
use crm_service::ServiceError;
use crm_store::scope::Access;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

mod actions;
mod contact_pages;
mod form;
mod list;
mod sales;
mod show;
pub use crate::ui::saved_view::{param, query_of};
pub use actions::*;
pub use contact_pages::*;
pub use form::*;
pub use list::*;
pub use sales::sales_panel;
pub use show::*;

/// Remembers the last filter of the customer list.
pub const VIEW_COOKIE: &str = "crm_view_customers";
const PAGE_SIZE: u64 = 50;
/// The query keys that make up a saved view of the list.
const FILTER_KEYS: [&str; 9] = [
    "q",
    "status",
    "nature",
    "region",
    "industry",
    "owner_id",
    "created_from",
    "created_to",
    "sort",
];
/// How many entries of contact history the customer page shows.
const TIMELINE_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(show).post(update))
        .route("/customers/{id}/edit", get(edit))
        .route("/customers/{id}/sales", get(sales_panel))
        .route("/customers/{id}/delete", post(delete))
        .route("/customers/{id}/contacts", post(add_contact))
        .route("/customers/{id}/activities", post(log_activity))
        .route("/customers/{id}/shares", post(share))
        .route("/customers/{id}/shares/{user_id}/delete", post(unshare))
        .route("/customers/{id}/transfer", post(transfer))
        .route("/customers/bulk-transfer", post(bulk_transfer))
        .route("/contacts/{id}/edit", get(contact_edit))
        .route("/contacts/{id}", post(contact_update))
        .route("/contacts/{id}/delete", post(contact_delete))
}

// ---------------------------------------------------------------------------------------
// Helpers shared with the contact-history list

/// A label from the catalogue (`prefix.value`), or the raw value when it has none.
pub fn label(tr: Tr, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}.{value}");
    let text = tr.t(&key);
    if text == key {
        value.to_string()
    } else {
        text
    }
}

/// The label of an optional closed-list value ("—" when empty).
fn opt_label(tr: Tr, prefix: &str, value: &Option<String>) -> String {
    match value.as_deref() {
        Some(v) if !v.is_empty() => label(tr, prefix, v),
        _ => tr.t("common.none"),
    }
}

fn text_or_none(tr: Tr, value: &Option<String>) -> String {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => tr.t("common.none"),
    }
}

/// The Bootstrap badge class of a customer status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "potential" => "text-bg-info",
        "following" => "text-bg-primary",
        "deal" => "text-bg-success",
        "dormant" => "text-bg-warning",
        "lost" => "text-bg-secondary",
        _ => "text-bg-light",
    }
}

/// The Bootstrap icon of a kind of contact.
pub fn kind_icon(kind: &str) -> &'static str {
    match kind {
        "call" => "bi-telephone",
        "visit" => "bi-geo-alt",
        "email" => "bi-envelope",
        "meeting" => "bi-people",
        _ => "bi-journal-text",
    }
}

/// China Standard Time (UTC+8, no daylight saving): the zone these pages show and read
/// times in, like the spreadsheet export.
/// A time as shown on the pages, in the installation's time zone (`Settings.tz`).
pub fn fmt_time(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A `datetime-local` value (in the installation's time zone) as RFC 3339 for the
/// service; anything else is passed on unchanged for the service to accept or reject.
fn local_input(tz: Tz, v: &str) -> String {
    let t = v.trim();
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"));
    match naive.map(|n| n.and_local_timezone(tz).earliest()) {
        Ok(Some(d)) => d.to_rfc3339(),
        _ => t.to_string(),
    }
}

/// A date filter from a query value: a bare date is local midnight in the installation's
/// time zone, and `end` makes it inclusive (the next midnight); RFC 3339 times are taken as
/// they are. Unreadable values are ignored.
pub fn date_param(tz: Tz, v: Option<&str>, end: bool) -> Option<DateTime<Utc>> {
    let v = v?.trim();
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let d = if end { d.succ_opt()? } else { d };
        let local = d.and_hms_opt(0, 0, 0)?.and_local_timezone(tz).earliest()?;
        return Some(local.with_timezone(&Utc));
    }
    parse_when_pub(&Some(v.to_string()), "date").ok().flatten()
}

/// Display names of users by id.
pub async fn user_names(
    state: &AppState,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::users::names(&state.core.db, &ids)
        .await?
        .into_iter()
        .collect())
}

/// Every active user, for owner, rep, share and transfer selects.
pub async fn active_users(state: &AppState, s: &UiSession) -> Result<Vec<User>, ServiceError> {
    let filter = crm_store::users::Filter {
        active: Some(true),
        ..Default::default()
    };
    let mut out: Vec<User> = Vec::new();
    loop {
        let after = out.last().map(|u| u.id);
        let batch =
            crm_service::users::list(&state.core, &s.principal, &filter, after, 500).await?;
        let done = batch.len() < 500;
        out.extend(batch);
        if done {
            return Ok(out);
        }
    }
}

/// `<option>`s of users, "Name (username)".
pub fn user_opts(users: &[User], selected: Option<i64>) -> Vec<Opt> {
    users
        .iter()
        .map(|u| {
            Opt::new(
                u.id.to_string(),
                format!("{} ({})", u.display_name, u.username),
                selected == Some(u.id),
            )
        })
        .collect()
}

/// `<option>`s of a closed list, labelled from the catalogue.
fn choice_opts(tr: Tr, prefix: &str, values: &[&'static str], selected: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|v| Opt::new(*v, label(tr, prefix, v), *v == selected))
        .collect()
}

fn natures() -> Vec<&'static str> {
    Nature::ALL.iter().map(|v| v.as_str()).collect()
}
fn sizes() -> Vec<&'static str> {
    Size::ALL.iter().map(|v| v.as_str()).collect()
}
fn statuses() -> Vec<&'static str> {
    Status::ALL.iter().map(|v| v.as_str()).collect()
}
fn sources() -> Vec<&'static str> {
    Source::ALL.iter().map(|v| v.as_str()).collect()
}
pub fn kinds() -> Vec<&'static str> {
    ActivityKind::ALL.iter().map(|v| v.as_str()).collect()
}

fn unprocessable_if(errors_any: bool) -> StatusCode {
    if errors_any {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// Forms that carry nothing but the CSRF token and maybe a version.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}
