//! Quotes pages (报价方案): the filtered list, the quote page with its status actions and the
//! "create order" button, the form with the shared line editor, and the print page.

use super::customers::{active_users, label, param, user_names};
use super::users::Opt;
use super::{error_page, render, urlencode, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, DataScope, FieldErrors, Module, Money};
use crm_service::quotes::{self, Filter, Quote, QuoteDetail, QuoteInput};
use crm_service::ServiceError;
use crm_store::scope::RecordScope;
use serde::Deserialize;
use std::collections::BTreeMap;

mod form;
mod list;
mod print;
mod show;
pub use form::*;
pub use list::*;
pub use print::*;
pub use show::*;

const PAGE_SIZE: u64 = 50;
/// How many customers the customer picker offers at once.
const PICK: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quotes", get(list).post(create))
        .route("/quotes/new", get(new_form))
        .route("/quotes/{id}", get(show).post(update))
        .route("/quotes/{id}/edit", get(edit))
        .route("/quotes/{id}/status", post(set_status))
        .route("/quotes/{id}/delete", post(delete))
        .route("/quotes/{id}/print", get(print))
}

/// The Bootstrap badge class of a quote status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "draft" => "text-bg-secondary",
        "sent" => "text-bg-primary",
        "accepted" => "text-bg-success",
        "rejected" => "text-bg-danger",
        _ => "text-bg-light",
    }
}

/// The label of a quote status.
pub fn status_label(tr: Tr, status: &str) -> String {
    label(tr, "quotes.status", status)
}

/// A translated message for a field error of these forms (`quotes.error.<code>` first).
pub fn field_message(tr: Tr, code: &str, fallback: &str) -> String {
    super::lines::message(tr, code, fallback)
}

/// Field errors translated, with the `lines…` ones left to the line editor.
pub fn form_errors(tr: Tr, errs: &FieldErrors) -> FormErrors {
    FormErrors(
        errs.0
            .iter()
            .filter(|(k, _)| !k.starts_with("lines"))
            .map(|(k, v)| (k.clone(), field_message(tr, v.code, &v.message)))
            .collect(),
    )
}

/// A service error as a page; a validation error of a form without one (e.g. a status
/// button) as a message.
pub fn fail(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::Validation(errs) => {
            let text = errs
                .0
                .values()
                .map(|v| field_message(tr, v.code, &v.message))
                .collect::<Vec<_>>()
                .join("; ");
            super::message_page(tr, StatusCode::UNPROCESSABLE_ENTITY, &text)
        }
        ServiceError::Conflict { code, message } => {
            let key = format!("quotes.conflict.{code}");
            let text = tr.t(&key);
            let text = if text == key { message } else { text };
            super::message_page(tr, StatusCode::CONFLICT, &text)
        }
        other => error_page(tr, other),
    }
}

/// Users whose records the principal sees, for owner filters (None when that is only
/// themself).
pub async fn scoped_owner_opts(
    state: &AppState,
    s: &UiSession,
    selected: Option<i64>,
) -> Result<Option<Vec<Opt>>, ServiceError> {
    if s.principal.scope() == DataScope::Own {
        return Ok(None);
    }
    let scope = RecordScope::load(&state.core.db, &s.principal).await?;
    let users = active_users(state, s).await?;
    let mut opts = vec![Opt::new("", s.tr.t("common.all"), selected.is_none())];
    opts.extend(
        users
            .iter()
            .filter(|u| scope.owns_scope(u.id))
            .map(|u| Opt::new(u.id.to_string(), &u.display_name, selected == Some(u.id))),
    );
    Ok(Some(opts))
}

/// Customer names by id.
pub async fn customer_names(
    state: &AppState,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::customers::names(&state.core.db, &ids)
        .await?
        .into_iter()
        .collect())
}

/// Visible customers matching `q` (the newest when empty), for the customer step of the
/// quote and expense forms.
pub async fn customer_choices(
    state: &AppState,
    s: &UiSession,
    q: &str,
) -> Result<Vec<Opt>, ServiceError> {
    let filter = crm_service::customers::Filter {
        q: Some(q.trim().chars().take(100).collect::<String>()).filter(|q| !q.is_empty()),
        ..Default::default()
    };
    let sort = crm_service::customers::Sort::default();
    match crm_service::customers::list(&state.core, &s.principal, &filter, sort, None, PICK).await {
        Ok(rows) => Ok(rows
            .into_iter()
            .map(|c| Opt::new(c.id.to_string(), c.name, false))
            .collect()),
        Err(ServiceError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The customer (id, name) when the user may see it.
pub async fn visible_customer(
    state: &AppState,
    s: &UiSession,
    id: Option<i64>,
) -> Option<crm_service::customers::Customer> {
    let id = id?;
    let scope = RecordScope::load(&state.core.db, &s.principal).await.ok()?;
    crm_service::customers::visible(&state.core.db, &scope, id)
        .await
        .ok()
        .map(|(c, _)| c)
}

/// `<option>`s of the opportunities of a customer (with a blank first).
pub async fn opportunity_opts(
    state: &AppState,
    s: &UiSession,
    customer_id: i64,
    selected: Option<i64>,
) -> Result<Vec<Opt>, ServiceError> {
    let rows = quotes::opportunity_choices(&state.core, &s.principal, Some(customer_id)).await?;
    let mut opts = vec![Opt::new("", s.tr.t("common.none"), selected.is_none())];
    opts.extend(
        rows.into_iter()
            .map(|o| Opt::new(o.id.to_string(), o.name, selected == Some(o.id))),
    );
    Ok(opts)
}

/// Forms that carry nothing but the CSRF token and a version (and maybe a status).
#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    pub version: Option<i32>,
    #[serde(default)]
    pub status: String,
}

/// A money amount as shown on these pages ("¥1,234.50").
pub fn money(state: &AppState, minor: i64) -> String {
    state.core.settings.currency.format(Money(minor))
}
