//! "Likely to close soon" (即将成交): open opportunities in scope expected to close in the
//! next N days with a high probability, with weighted amounts and totals.

use super::{fail, money, Names, Row};
use crate::ui::customers::{active_users, param, user_opts};
use crate::ui::users::Opt;
use crate::ui::{render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use crm_service::opportunities::{self, ClosingQuery};
use crm_service::ServiceError;

#[derive(Template)]
#[template(path = "opportunities_closing.html")]
struct ClosingPage {
    l: Layout,
    tab: &'static str,
    days: i64,
    min_probability: i32,
    from: String,
    to: String,
    owners: Vec<Opt>,
    rows: Vec<Row>,
    count: i64,
    amount: String,
    weighted: String,
    /// More matched than listed.
    truncated: bool,
}

pub async fn closing_soon(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match build(&state, &s, &pairs).await {
        Ok(page) => render(&page),
        Err(e) => fail(s.tr, e),
    }
}

async fn build(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<ClosingPage, ServiceError> {
    let d = ClosingQuery::default();
    // Out-of-range values are brought into range rather than refused.
    let days = param(pairs, "days")
        .and_then(|v| v.parse::<i64>().ok())
        .map_or(d.days, |v| v.clamp(0, 366));
    let min_probability = param(pairs, "min_probability")
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(d.min_probability, |v| v.clamp(0, 100));
    let owner_id = param(pairs, "owner_id").and_then(|v| v.parse::<i64>().ok());
    let q = ClosingQuery {
        days,
        min_probability,
        owner_id,
        limit: 500,
    };
    let r = opportunities::closing_soon(&state.core, &s.principal, &q).await?;
    let rows: Vec<_> = r.items.iter().map(|w| w.opportunity.clone()).collect();
    let names = Names::of(state, s, &rows).await?;
    let users = active_users(state, s).await?;
    let mut owners = vec![Opt::new("", s.tr.t("common.all"), owner_id.is_none())];
    owners.extend(user_opts(&users, owner_id));
    Ok(ClosingPage {
        l: s.layout("opportunities"),
        tab: "closing",
        days,
        min_probability,
        from: r.from.to_string(),
        to: r.to.to_string(),
        owners,
        truncated: r.totals.count > rows.len() as i64,
        rows: rows
            .iter()
            .map(|o| Row::of(state, s.tr, &names, o))
            .collect(),
        count: r.totals.count,
        amount: money(state, r.totals.amount),
        weighted: money(state, r.totals.weighted),
    })
}
