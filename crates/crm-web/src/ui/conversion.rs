//! The lead conversion page (线索转化), `/leads/{id}/convert`: the lead on the left, the
//! duplicates found (查重), the choice create / link / merge, an optional opportunity, and
//! the Convert button. Success goes to the customer page.

use super::{error_page, render, FormErrors, UiSession};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use crm_domain::{Action, Module};
use crm_service::conversion::{self, ConvertInput, Match, OpportunityInput, Outcome};
use crm_service::ServiceError;
use serde::Deserialize;

mod page;
use page::{ConvertPage, OppFields};

pub fn router() -> Router<AppState> {
    Router::new().route("/leads/{id}/convert", get(show).post(submit))
}

/// What the form sent.
#[derive(Debug, Default, Deserialize)]
pub struct ConvertForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    /// `create`, `link:<customer id>` or `merge:<customer id>`.
    #[serde(default)]
    choice: String,
    /// "1" when the page showed duplicates: creating then means "create anyway".
    #[serde(default)]
    force: String,
    #[serde(default)]
    with_opportunity: String,
    #[serde(default)]
    opp_name: String,
    #[serde(default)]
    opp_amount: String,
    #[serde(default)]
    opp_stage_id: String,
    #[serde(default)]
    opp_expected_close: String,
}

impl ConvertForm {
    fn input(&self) -> ConvertInput {
        let (mode, customer_id) = match self.choice.split_once(':') {
            Some((m, id)) => (m.to_string(), Some(id.trim().parse().unwrap_or(0))),
            None => (self.choice.clone(), None),
        };
        ConvertInput {
            mode,
            customer_id,
            opportunity: (self.with_opportunity == "1").then(|| OpportunityInput {
                name: Some(self.opp_name.clone()),
                amount: Some(self.opp_amount.clone()),
                stage_id: self.opp_stage_id.trim().parse().ok(),
                expected_close: Some(self.opp_expected_close.clone()),
            }),
            force: self.force == "1",
        }
    }

    fn opp(&self) -> OppFields {
        OppFields {
            enabled: self.with_opportunity == "1",
            name: self.opp_name.clone(),
            amount: self.opp_amount.clone(),
            stage_id: self.opp_stage_id.trim().parse().ok(),
            expected_close: self.opp_expected_close.clone(),
        }
    }
}

/// State of a page render beyond the lead itself.
pub(super) struct View {
    /// None: look the duplicates up now.
    pub(super) matches: Option<Vec<Match>>,
    pub(super) choice: String,
    pub(super) opp: Option<OppFields>,
    pub(super) errors: FormErrors,
    /// A message above the form (e.g. new duplicates appeared meanwhile).
    pub(super) notice: Option<String>,
    pub(super) status: StatusCode,
}

impl View {
    fn fresh() -> Self {
        Self {
            matches: None,
            choice: String::new(),
            opp: None,
            errors: FormErrors::default(),
            notice: None,
            status: StatusCode::OK,
        }
    }
}

async fn page(state: &AppState, s: &UiSession, id: i64, view: View) -> Response {
    match ConvertPage::build(state, s, id, view).await {
        Ok((status, p)) => (status, render(&p)).into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    page(&state, &s, id, View::fresh()).await
}

/// The translated text of a field error on this page.
fn message(s: &UiSession, code: &str, fallback: &str) -> String {
    let key = format!("conversion.error.{code}");
    let text = s.tr.t(&key);
    if text == key {
        s.tr.field_error(code, fallback)
    } else {
        text
    }
}

pub async fn submit(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(form): Form<ConvertForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let mut view = View {
        choice: form.choice.clone(),
        opp: Some(form.opp()),
        ..View::fresh()
    };
    match conversion::convert(&state.core, &s.principal, id, form.input()).await {
        Ok(Outcome::Converted(c)) => {
            Redirect::to(&format!("/customers/{}?flash=created", c.customer_id)).into_response()
        }
        Ok(Outcome::Duplicates(list)) => {
            view.matches = Some(list);
            view.notice = Some(s.tr.t("conversion.duplicates_appeared"));
            view.status = StatusCode::CONFLICT;
            page(&state, &s, id, view).await
        }
        Err(ServiceError::Validation(errs)) => {
            view.errors = FormErrors(
                errs.0
                    .iter()
                    .map(|(k, v)| (k.clone(), message(&s, v.code, &v.message)))
                    .collect(),
            );
            view.status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&state, &s, id, view).await
        }
        Err(ServiceError::Conflict {
            code: "already_converted",
            ..
        }) => {
            view.status = StatusCode::CONFLICT;
            page(&state, &s, id, view).await
        }
        Err(e) => error_page(s.tr, e),
    }
}
