//! Sales expenses pages (销售费用): the filtered list with totals per rep and per customer,
//! and the expense form (new, edit, delete).

use super::customers::{label, param, user_names};
use super::quotes::{
    customer_choices, customer_names, opportunity_opts, scoped_owner_opts, visible_customer,
};
use super::users::Opt;
use super::{opt_id, render, urlencode, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, FieldErrors, Module, Money};
use crm_service::expenses::{self, Expense, ExpenseInput, Filter, Group};
use crm_service::ServiceError;
use serde::Deserialize;

mod form;
mod list;
pub use form::*;
pub use list::*;

const PAGE_SIZE: u64 = 50;
/// Rows of each totals table.
const TOTALS_SHOWN: usize = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/expenses", get(list).post(create))
        .route("/expenses/new", get(new_form))
        .route("/expenses/{id}", get(show).post(update))
        .route("/expenses/{id}/edit", get(edit))
        .route("/expenses/{id}/delete", post(delete))
}

/// The label of an expense category.
pub fn category_label(tr: Tr, category: &str) -> String {
    label(tr, "expenses.category", category)
}

/// `<option>`s of the categories (with a leading blank labelled `blank`).
fn category_opts(tr: Tr, selected: &str, blank: String) -> Vec<Opt> {
    let mut opts = vec![Opt::new("", blank, selected.is_empty())];
    opts.extend(
        expenses::CATEGORIES
            .iter()
            .map(|c| Opt::new(*c, category_label(tr, c), *c == selected)),
    );
    opts
}

/// A translated field error (`expenses.error.<code>`, then the quotes' and common ones).
fn field_message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("expenses.error.{code}");
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

fn money(state: &AppState, m: Money) -> String {
    state.core.settings.currency.format(m)
}

/// Forms that carry nothing but the CSRF token and a version.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}
