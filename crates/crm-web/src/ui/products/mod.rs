//! Product catalogue pages (产品管理): the list, the product page and form, category
//! management, and the JSON options for line editors.

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
use crm_service::products::categories::{self, Node};
use crm_service::products::{self, Filter, ProductInput, ProductView, Sort};
use crm_service::ServiceError;
use serde::Deserialize;

mod categories_page;
mod form;
mod list;
mod options;
mod show;
pub use categories_page::*;
pub use form::*;
pub use list::*;
pub use options::*;
pub use show::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(list).post(create))
        .route("/products/new", get(new_form))
        .route("/products/options", get(options))
        .route(
            "/products/categories",
            get(categories_index).post(category_create),
        )
        .route("/products/categories/{id}", post(category_update))
        .route("/products/categories/{id}/delete", post(category_delete))
        .route("/products/{id}", get(show).post(update))
        .route("/products/{id}/edit", get(edit))
        .route("/products/{id}/delete", post(delete))
}

/// Field errors translated for a product or category form: `products.error.<code>` first,
/// then the shared `error.<code>`, then the service's English text.
fn form_errors(tr: Tr, errs: &FieldErrors) -> FormErrors {
    FormErrors(
        errs.0
            .iter()
            .map(|(k, v)| {
                let code = if k == "name" && v.code == "taken" {
                    "category_name_taken"
                } else {
                    v.code
                };
                let key = format!("products.error.{code}");
                let text = tr.t(&key);
                let text = if text == key {
                    tr.field_error(v.code, &v.message)
                } else {
                    text
                };
                (k.clone(), text)
            })
            .collect(),
    )
}

/// The label of a product status.
fn status_label(tr: Tr, status: &str) -> String {
    let key = format!("products.status.{status}");
    let text = tr.t(&key);
    if text == key {
        status.to_string()
    } else {
        text
    }
}

/// The Bootstrap badge class of a product status.
fn status_class(status: &str) -> &'static str {
    match status {
        products::ON_SALE => "text-bg-success",
        _ => "text-bg-secondary",
    }
}

fn status_opts(tr: Tr, selected: &str) -> Vec<Opt> {
    [products::ON_SALE, products::DISCONTINUED]
        .iter()
        .map(|s| Opt::new(*s, status_label(tr, s), *s == selected))
        .collect()
}

/// "¥1,234.50" in the installation currency.
fn money(state: &AppState, minor: i64) -> String {
    state.core.settings.currency.format(Money(minor))
}

/// A time in the installation's time zone.
fn when(state: &AppState, t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&state.core.settings.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `<option>`s of the category tree, indented by depth.
fn category_opts(tree: &[Node], selected: Option<i64>) -> Vec<Opt> {
    tree.iter()
        .map(|n| {
            let indent = "\u{00a0}\u{00a0}".repeat(n.depth * 2);
            Opt::new(
                n.category.id.to_string(),
                format!("{indent}{}", n.category.name),
                selected == Some(n.category.id),
            )
        })
        .collect()
}

/// Forms that carry nothing but the CSRF token and maybe a version.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}
