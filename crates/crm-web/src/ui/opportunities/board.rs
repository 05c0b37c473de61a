//! The pipeline board (kanban): one column per active stage with the open opportunities in
//! scope; each card moves to another stage with a small form.

use super::{fail, form_errors, money, Names, Row};
use crate::ui::users::Opt;
use crate::ui::{message_page, render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use crm_domain::{Action, Module};
use crm_service::opportunities::{self, BOARD_CARDS};
use crm_service::ServiceError;
use serde::Deserialize;

pub struct BoardColumn {
    pub stage_id: i64,
    pub label: String,
    pub probability: i32,
    pub count: i64,
    pub amount: String,
    pub weighted: String,
    /// More open opportunities than the cards shown.
    pub more: bool,
    pub cards: Vec<Row>,
}

#[derive(Template)]
#[template(path = "opportunities_board.html")]
struct BoardPage {
    l: Layout,
    tab: &'static str,
    columns: Vec<BoardColumn>,
    /// The stages a card can move to.
    stages: Vec<Opt>,
    can_edit: bool,
    can_create: bool,
    cap: u64,
    total_count: i64,
    total_amount: String,
    total_weighted: String,
}

impl BoardPage {
    /// The stage options of one card, without its own stage.
    fn targets(&self, current: &i64) -> Vec<&Opt> {
        let own = current.to_string();
        self.stages.iter().filter(|o| o.value != own).collect()
    }
    /// The stage after `current` (what a card's select offers first), if any.
    fn next_of(&self, current: &i64) -> String {
        let own = current.to_string();
        self.stages
            .iter()
            .skip_while(|o| o.value != own)
            .nth(1)
            .map(|o| o.value.clone())
            .unwrap_or_default()
    }
}

pub async fn board(State(state): State<AppState>, s: UiSession) -> Response {
    match build(&state, &s).await {
        Ok(page) => render(&page),
        Err(e) => fail(s.tr, e),
    }
}

async fn build(state: &AppState, s: &UiSession) -> Result<BoardPage, ServiceError> {
    let tr = s.tr;
    let cols = opportunities::board(&state.core, &s.principal).await?;
    let all: Vec<_> = cols.iter().flat_map(|c| c.cards.iter().cloned()).collect();
    let names = Names::of(state, s, &all).await?;
    let stages = cols
        .iter()
        .map(|c| {
            Opt::new(
                c.stage.id.to_string(),
                super::stage_label(tr, &c.stage),
                false,
            )
        })
        .collect();
    let (mut n, mut amount, mut weighted) = (0i64, 0i64, 0i64);
    let columns = cols
        .into_iter()
        .map(|c| {
            n += c.totals.count;
            amount = amount.saturating_add(c.totals.amount);
            weighted = weighted.saturating_add(c.totals.weighted);
            BoardColumn {
                stage_id: c.stage.id,
                label: super::stage_label(tr, &c.stage),
                probability: c.stage.probability,
                count: c.totals.count,
                amount: money(state, c.totals.amount),
                weighted: money(state, c.totals.weighted),
                more: c.totals.count > c.cards.len() as i64,
                cards: c
                    .cards
                    .iter()
                    .map(|o| Row::of(state, tr, &names, o))
                    .collect(),
            }
        })
        .collect();
    Ok(BoardPage {
        l: s.layout("opportunities"),
        tab: "board",
        columns,
        stages,
        can_edit: s.principal.can(Module::Sales, Action::Edit),
        can_create: s.principal.can(Module::Sales, Action::Create),
        cap: BOARD_CARDS,
        total_count: n,
        total_amount: money(state, amount),
        total_weighted: money(state, weighted),
    })
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
    stage_id: Option<String>,
    /// Where to go back to: "board" (default) or "show".
    #[serde(default)]
    back: String,
}

/// Moves an open opportunity to another stage (its probability becomes the stage's
/// default), then back to the board or the opportunity page.
pub async fn move_stage(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let stage = crate::ui::opt_id(&f.stage_id).unwrap_or(0);
    let version = f.version.unwrap_or(0);
    match opportunities::move_to_stage(&state.core, &s.principal, id, version, stage).await {
        Ok(_) => {
            let to = if f.back == "show" {
                format!("/opportunities/{id}?flash=saved")
            } else {
                format!("/opportunities/board?flash=saved#stage-{stage}")
            };
            Redirect::to(&to).into_response()
        }
        Err(ServiceError::Validation(errs)) => {
            let text = form_errors(s.tr, &errs)
                .0
                .into_values()
                .collect::<Vec<_>>()
                .join(" ");
            message_page(s.tr, StatusCode::UNPROCESSABLE_ENTITY, &text)
        }
        Err(e) => fail(s.tr, e),
    }
}
