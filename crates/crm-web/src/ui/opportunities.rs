//! Opportunities (销售机会): the filtered list, the pipeline board (kanban by stage), "likely
//! to close soon", the opportunity page (won / lost / reopen / delete) and the form.

use super::customers::{label, user_names};
use super::users::Opt;
use super::{error_page, message_page, FormErrors, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use crm_domain::customer::Source;
use crm_domain::{FieldErrors, Money};
use crm_service::pipeline::Stage;
use crm_service::ServiceError;
use std::collections::BTreeMap;

mod board;
mod closing;
mod form;
mod list;
mod show;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opportunities", get(list::list).post(form::create))
        .route("/opportunities/new", get(form::new_form))
        .route(
            "/opportunities/customer-options",
            get(form::customer_options),
        )
        .route("/opportunities/board", get(board::board))
        .route("/opportunities/closing-soon", get(closing::closing_soon))
        .route("/opportunities/{id}", get(show::show).post(form::update))
        .route("/opportunities/{id}/edit", get(form::edit))
        .route("/opportunities/{id}/close", post(show::close))
        .route("/opportunities/{id}/reopen", post(show::reopen))
        .route("/opportunities/{id}/delete", post(show::delete))
        .route("/opportunities/{id}/stage", post(board::move_stage))
}

/// The label of a stage: its name, else the translation of its built-in code.
pub fn stage_label(tr: Tr, s: &Stage) -> String {
    match (&s.name, &s.code) {
        (Some(n), _) => n.clone(),
        (None, Some(code)) => label(tr, "pipeline.stage", code),
        (None, None) => format!("#{}", s.id),
    }
}

/// Labels of stages by id (inactive ones too: old opportunities may sit in them).
pub fn stage_labels(tr: Tr, stages: &[Stage]) -> BTreeMap<i64, String> {
    stages.iter().map(|s| (s.id, stage_label(tr, s))).collect()
}

/// The Bootstrap badge class of an opportunity status.
pub fn status_class(status: &str) -> &'static str {
    match status {
        "won" => "text-bg-success",
        "lost" => "text-bg-secondary",
        _ => "text-bg-primary",
    }
}

pub fn status_label(tr: Tr, status: &str) -> String {
    label(tr, "opportunities.state", status)
}

/// An amount in minor units, formatted in the installation currency ("¥1,234.50").
pub fn money(state: &AppState, minor: i64) -> String {
    state.core.settings.currency.format(Money(minor))
}

pub fn date(d: Option<NaiveDate>, tr: Tr) -> String {
    d.map_or_else(|| tr.t("common.none"), |d| d.format("%Y-%m-%d").to_string())
}

/// The label of an opportunity source ("—" when none).
pub fn source_label(tr: Tr, v: &Option<String>) -> String {
    match v.as_deref() {
        Some(s) if !s.is_empty() => label(tr, "source", s),
        _ => tr.t("common.none"),
    }
}

pub fn source_opts(tr: Tr, selected: &str) -> Vec<Opt> {
    Source::ALL
        .iter()
        .map(|s| {
            Opt::new(
                s.as_str(),
                label(tr, "source", s.as_str()),
                s.as_str() == selected,
            )
        })
        .collect()
}

/// A field-error message: this module's own codes first, then the shared catalogue.
fn error_text(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("opportunities.error.{code}");
    let text = tr.t(&key);
    if text == key {
        tr.field_error(code, fallback)
    } else {
        text
    }
}

pub fn form_errors(tr: Tr, errs: &FieldErrors) -> FormErrors {
    FormErrors(
        errs.0
            .iter()
            .map(|(k, v)| (k.clone(), error_text(tr, v.code, &v.message)))
            .collect(),
    )
}

/// A service error on a page without a form for it; state conflicts in this module's words.
pub fn fail(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::Conflict { code, message } => {
            message_page(tr, StatusCode::CONFLICT, &error_text(tr, code, &message))
        }
        e => error_page(tr, e),
    }
}

/// Names of customers by id.
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

/// The stages (all, for labels) and the names of the customers and owners of `rows`.
pub struct Names {
    pub stages: BTreeMap<i64, String>,
    pub customers: BTreeMap<i64, String>,
    pub users: BTreeMap<i64, String>,
}

impl Names {
    pub async fn of(
        state: &AppState,
        s: &UiSession,
        rows: &[crm_service::opportunities::Opportunity],
    ) -> Result<Self, ServiceError> {
        let stages = crm_service::pipeline::list(&state.core, &s.principal, true).await?;
        let cids: Vec<i64> = rows.iter().map(|o| o.customer_id).collect();
        let uids: Vec<i64> = rows.iter().map(|o| o.owner_id).collect();
        Ok(Self {
            stages: stage_labels(s.tr, &stages),
            customers: customer_names(state, &cids).await?,
            users: user_names(state, &uids).await?,
        })
    }
    pub fn stage(&self, id: i64) -> String {
        self.stages
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }
    pub fn customer(&self, id: i64) -> String {
        self.customers
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }
    pub fn user(&self, id: i64) -> String {
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }
}

/// One opportunity as the list, board and "closing soon" tables show it.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub customer_id: i64,
    pub customer: String,
    pub stage_id: i64,
    pub stage: String,
    pub status: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub amount: String,
    pub probability: i32,
    pub weighted: String,
    pub expected_close: String,
    pub owner: String,
    pub updated: String,
    pub version: i32,
}

impl Row {
    pub fn of(
        state: &AppState,
        tr: Tr,
        names: &Names,
        o: &crm_service::opportunities::Opportunity,
    ) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            customer_id: o.customer_id,
            customer: names.customer(o.customer_id),
            stage_id: o.stage_id,
            stage: names.stage(o.stage_id),
            status: o.status.clone(),
            status_label: status_label(tr, &o.status),
            status_class: status_class(&o.status),
            amount: money(state, o.amount),
            probability: o.probability,
            weighted: money(
                state,
                crm_service::opportunities::weighted(o.amount, o.probability),
            ),
            expected_close: date(o.expected_close, tr),
            owner: names.user(o.owner_id),
            updated: super::customers::fmt_time(state.core.settings.tz, o.updated_at),
            version: o.version,
        }
    }
}

/// Customer-page helper for the lead: the rows of one customer's opportunities this user
/// may see, ready for a table (see [`crm_service::opportunities::for_customer`]).
pub async fn customer_rows(
    state: &AppState,
    s: &UiSession,
    customer_id: i64,
) -> Result<Vec<Row>, ServiceError> {
    let rows =
        crm_service::opportunities::for_customer(&state.core, &s.principal, customer_id).await?;
    let names = Names::of(state, s, &rows).await?;
    Ok(rows
        .iter()
        .map(|o| Row::of(state, s.tr, &names, o))
        .collect())
}
