//! The opportunity page: details, won / lost with a reason, reopen, move stage, delete.

use super::{date, fail, form_errors, source_label, stage_label, Names, Row};
use crate::ui::customers::fmt_time;
use crate::ui::users::Opt;
use crate::ui::{render, FormErrors, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use crm_domain::{Action, Module};
use crm_service::opportunities::{self, Opportunity};
use crm_service::ServiceError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "opportunity.html")]
struct ShowPage {
    l: Layout,
    o: Opportunity,
    r: Row,
    source: String,
    closed_on: String,
    created: String,
    is_open: bool,
    can_edit: bool,
    can_delete: bool,
    /// Other active stages (for the "move to" form).
    stages: Vec<Opt>,
    /// What a rejected close typed.
    reason: String,
    close_errors: FormErrors,
}

async fn show_page(
    state: &AppState,
    s: &UiSession,
    id: i64,
    reason: String,
    close_errors: FormErrors,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let o = opportunities::get(&state.core, &s.principal, id).await?;
    let names = Names::of(state, s, std::slice::from_ref(&o)).await?;
    let active = crm_service::pipeline::list(&state.core, &s.principal, false).await?;
    // The stage after the current one is offered first.
    let next = active
        .iter()
        .skip_while(|st| st.id != o.stage_id)
        .nth(1)
        .map(|st| st.id);
    let stages = active
        .iter()
        .filter(|st| st.id != o.stage_id)
        .map(|st| Opt::new(st.id.to_string(), stage_label(tr, st), Some(st.id) == next))
        .collect();
    let status = if close_errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ShowPage {
        l: s.layout("opportunities"),
        r: Row::of(state, tr, &names, &o),
        source: source_label(tr, &o.source),
        closed_on: date(o.closed_on, tr),
        created: fmt_time(state.core.settings.tz, o.created_at),
        is_open: o.status == "open",
        can_edit: s.principal.can(Module::Sales, Action::Edit),
        can_delete: s.principal.can(Module::Sales, Action::Delete),
        stages,
        reason,
        close_errors,
        o,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    show_page(&state, &s, id, String::new(), FormErrors::default())
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
}

/// Won or lost (the button pressed), with a reason (required for lost).
pub async fn close(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<CloseForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let reason = Some(f.reason.as_str());
    match opportunities::close(&state.core, &s.principal, id, f.version, &f.outcome, reason).await {
        Ok(_) => Redirect::to(&format!("/opportunities/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            show_page(&state, &s, id, f.reason, form_errors(s.tr, &errs))
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
}

pub async fn reopen(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match opportunities::reopen(&state.core, &s.principal, id, f.version).await {
        Ok(_) => Redirect::to(&format!("/opportunities/{id}?flash=saved")).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match opportunities::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/opportunities?flash=deleted").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
