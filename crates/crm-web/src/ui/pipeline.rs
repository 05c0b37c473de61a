//! The sales pipeline administration (销售阶段设置): stages in order; add, rename, change the
//! default probability, move up / down, deactivate / reactivate.

use super::opportunities::{form_errors, stage_label};
use super::{error_page, render, FormErrors, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_domain::{Action, Module};
use crm_service::pipeline::{self, StageInput};
use crm_service::ServiceError;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/pipeline", get(page).post(create))
        .route("/admin/pipeline/{id}", post(update))
        .route("/admin/pipeline/{id}/move", post(move_stage))
        .route("/admin/pipeline/{id}/active", post(set_active))
}

pub struct StageRow {
    pub id: i64,
    pub position: usize,
    /// The label shown everywhere (name, else the translated built-in label).
    pub label: String,
    /// The translated built-in label, for built-in stages.
    pub builtin: Option<String>,
    pub name: String,
    pub probability: String,
    pub active: bool,
    pub version: i32,
    pub first: bool,
    pub last: bool,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    l: Layout,
    rows: Vec<StageRow>,
    new_name: String,
    new_probability: String,
    new_errors: FormErrors,
    /// A refused change (stage in use…), translated.
    alert: Option<String>,
}

/// What a rejected submission typed, and where its errors go.
#[derive(Default)]
struct Draft {
    row: Option<(i64, String, String, FormErrors)>,
    new_name: String,
    new_probability: String,
    new_errors: FormErrors,
    alert: Option<String>,
}

async fn render_page(state: &AppState, s: &UiSession, d: Draft) -> Response {
    if let Err(e) = s.principal.require(Module::System, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let stages = match pipeline::list(&state.core, &s.principal, true).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let tr = s.tr;
    let n = stages.len();
    let mut row_draft = d.row;
    let rows = stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut r = StageRow {
                id: st.id,
                position: i + 1,
                label: stage_label(tr, st),
                builtin: st
                    .code
                    .as_deref()
                    .map(|c| super::customers::label(tr, "pipeline.stage", c)),
                name: st.name.clone().unwrap_or_default(),
                probability: st.probability.to_string(),
                active: st.active,
                version: st.version,
                first: i == 0,
                last: i + 1 == n,
                errors: FormErrors::default(),
            };
            if row_draft.as_ref().is_some_and(|(id, ..)| *id == st.id) {
                if let Some((_, name, prob, errors)) = row_draft.take() {
                    r.name = name;
                    r.probability = prob;
                    r.errors = errors;
                }
            }
            r
        })
        .collect();
    let page = PipelinePage {
        l: s.layout("pipeline"),
        rows,
        new_name: d.new_name,
        new_probability: if d.new_probability.is_empty() {
            "10".into()
        } else {
            d.new_probability
        },
        new_errors: d.new_errors,
        alert: d.alert,
    };
    render(&page)
}

pub async fn page(State(state): State<AppState>, s: UiSession) -> Response {
    render_page(&state, &s, Draft::default()).await
}

fn saved() -> Response {
    Redirect::to("/admin/pipeline?flash=saved").into_response()
}

/// A refused change: conflicts become the page's alert, field errors go next to the
/// fields, anything else is an error page.
async fn refused(state: &AppState, s: &UiSession, e: ServiceError, mut d: Draft) -> Response {
    match e {
        ServiceError::Conflict { code, message } => {
            let key = format!("pipeline.error.{code}");
            let text = s.tr.t(&key);
            d.alert = Some(if text == key { message } else { text });
            with_status(render_page(state, s, d).await, StatusCode::CONFLICT)
        }
        ServiceError::StaleVersion => {
            d.alert = Some(s.tr.t("common.version_conflict"));
            with_status(render_page(state, s, d).await, StatusCode::CONFLICT)
        }
        e => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct StageForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    probability: String,
    version: Option<i32>,
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<StageForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = StageInput {
        name: Some(f.name.clone()),
        probability: Some(f.probability.clone()),
        ..Default::default()
    };
    match pipeline::create(&state.core, &s.principal, input).await {
        Ok(_) => saved(),
        Err(ServiceError::Validation(errs)) => {
            let d = Draft {
                new_name: f.name,
                new_probability: f.probability,
                new_errors: form_errors(s.tr, &errs),
                ..Default::default()
            };
            render_with_status(&state, &s, d).await
        }
        Err(e) => refused(&state, &s, e, Draft::default()).await,
    }
}

/// The page after a rejected form: 422.
async fn render_with_status(state: &AppState, s: &UiSession, d: Draft) -> Response {
    with_status(
        render_page(state, s, d).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// Sets the status of a rendered page (an error page keeps its own).
fn with_status(mut r: Response, status: StatusCode) -> Response {
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// Renames a stage and sets its default probability (an empty name on a built-in stage
/// goes back to the translated label).
pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<StageForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = StageInput {
        name: Some(f.name.clone()),
        probability: Some(f.probability.clone()),
        ..Default::default()
    };
    let version = f.version.unwrap_or(0);
    match pipeline::update(&state.core, &s.principal, id, version, input).await {
        Ok(_) => saved(),
        Err(ServiceError::Validation(errs)) => {
            let d = Draft {
                row: Some((id, f.name, f.probability, form_errors(s.tr, &errs))),
                ..Default::default()
            };
            render_with_status(&state, &s, d).await
        }
        Err(e) => refused(&state, &s, e, Draft::default()).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    direction: String,
    version: Option<i32>,
}

pub async fn move_stage(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let up = f.direction == "up";
    let version = f.version.unwrap_or(0);
    match pipeline::move_stage(&state.core, &s.principal, id, version, up).await {
        Ok(_) => saved(),
        Err(e) => refused(&state, &s, e, Draft::default()).await,
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    active: String,
    version: Option<i32>,
}

/// Deactivates or reactivates a stage (a stage open opportunities use stays active).
pub async fn set_active(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = StageInput {
        active: Some(f.active == "true"),
        ..Default::default()
    };
    let version = f.version.unwrap_or(0);
    match pipeline::update(&state.core, &s.principal, id, version, input).await {
        Ok(_) => saved(),
        Err(e) => refused(&state, &s, e, Draft::default()).await,
    }
}
