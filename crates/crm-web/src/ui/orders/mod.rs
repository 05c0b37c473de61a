//! Sales orders pages (销售订单): the list (with "awaiting my approval"), the order form
//! with the shared line editor, the order page (approval panel, purchase records, payment
//! plan, payments), the print page, turning a quote into an order, and the receivables
//! list (/receivables).

use super::customers::{label, param, user_names};
use super::users::Opt;
use super::{error_page, render, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, FieldErrors, Module, Money};
use crm_service::orders::{self, Order, OrderInput, Status};
use crm_service::ServiceError;
use serde::Deserialize;

mod actions;
mod form;
mod history;
mod list;
mod money_forms;
mod print;
mod receivables;
mod show;
pub use actions::*;
pub use form::*;
pub use history::*;
pub use list::*;
pub use money_forms::*;
pub use print::*;
pub use receivables::*;
pub use show::*;

const PAGE_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list).post(create))
        .route("/orders/new", get(new_form))
        .route("/orders/{id}", get(show).post(update))
        .route("/orders/{id}/edit", get(edit))
        .route("/orders/{id}/print", get(print))
        .route("/orders/{id}/history", get(history_panel))
        .route("/orders/{id}/submit", post(submit))
        .route("/orders/{id}/approve", post(approve))
        .route("/orders/{id}/reject", post(reject))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/delete", post(delete))
        .route("/orders/{id}/payments", post(add_payment))
        .route("/orders/{id}/plan", post(save_plan))
        .route("/payments/{id}/delete", post(delete_payment))
        .route("/quotes/{id}/convert", post(convert_quote))
        .route("/receivables", get(receivables))
}

/// The Bootstrap badge class of an order status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "draft" => "text-bg-secondary",
        "submitted" => "text-bg-warning",
        "approved" => "text-bg-success",
        "rejected" => "text-bg-danger",
        "cancelled" => "text-bg-dark",
        _ => "text-bg-light",
    }
}

pub fn status_label(tr: Tr, status: &str) -> String {
    label(tr, "orders.status", status)
}

/// The message of a field-error code: `orders.error.<code>`, else the line editor's, else
/// the common catalogue, else the service's English text.
pub fn message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("orders.error.{code}");
    let text = tr.t(&key);
    if text == key {
        super::lines::message(tr, code, fallback)
    } else {
        text
    }
}

/// Field errors translated, the `lines…` ones left to the line editor.
pub fn form_errors(tr: Tr, errs: &FieldErrors) -> FormErrors {
    FormErrors(
        errs.0
            .iter()
            .filter(|(k, _)| !k.starts_with("lines"))
            .map(|(k, v)| (k.clone(), message(tr, v.code, &v.message)))
            .collect(),
    )
}

/// The text of a state conflict (`orders.conflict.<code>`, else the service's text).
pub fn conflict_text(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("orders.conflict.{code}");
    let text = tr.t(&key);
    if text == key {
        fallback.to_string()
    } else {
        text
    }
}

/// The status a service error answers with on these pages.
pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Conflict { .. } | ServiceError::StaleVersion => StatusCode::CONFLICT,
        ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Forbidden | ServiceError::Refused { .. } => StatusCode::FORBIDDEN,
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A service error as a page (conflicts and validation errors translated).
pub fn fail(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::Validation(errs) => {
            let text = errs
                .0
                .values()
                .map(|v| message(tr, v.code, &v.message))
                .collect::<Vec<_>>()
                .join("; ");
            super::message_page(tr, StatusCode::UNPROCESSABLE_ENTITY, &text)
        }
        ServiceError::Conflict { code, message } => {
            let status = status_of(&ServiceError::Conflict {
                code,
                message: String::new(),
            });
            super::message_page(tr, status, &conflict_text(tr, code, &message))
        }
        other => error_page(tr, other),
    }
}

/// "¥1,234.50".
pub fn money(state: &AppState, minor: i64) -> String {
    state.core.settings.currency.format(Money(minor))
}

/// Forms that carry the CSRF token and maybe a version, comment or reason.
#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
    pub version: Option<i32>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub reason: String,
}
