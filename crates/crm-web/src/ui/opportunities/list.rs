//! The opportunity list: filters, sort, keyset pages, the remembered view.

use super::{fail, Names, Row};
use crate::ui::customers::{active_users, param, query_of, user_opts};
use crate::ui::saved_view::{SavedView, Step};
use crate::ui::users::Opt;
use crate::ui::{render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use crm_domain::{Action, Module};
use crm_service::opportunities::{self, Filter, Sort};

const PAGE_SIZE: u64 = 50;
const FILTER_KEYS: [&str; 8] = [
    "q",
    "status",
    "stage_id",
    "owner_id",
    "customer_id",
    "close_from",
    "close_to",
    "sort",
];

/// The filters a plain visit to the list comes back to. A list narrowed to one customer
/// (linked from the customer page) neither uses nor changes the remembered view.
const VIEW_KEYS: [&str; 7] = [
    "q",
    "status",
    "stage_id",
    "owner_id",
    "close_from",
    "close_to",
    "sort",
];
const VIEW: SavedView = SavedView {
    cookie: "crm_view_opportunities",
    path: "/opportunities",
};

#[derive(Template)]
#[template(path = "opportunities.html")]
struct ListPage {
    l: Layout,
    tab: &'static str,
    rows: Vec<Row>,
    q: String,
    close_from: String,
    close_to: String,
    /// The customer the list is narrowed to, with its name.
    customer: Option<(i64, String)>,
    statuses: Vec<Opt>,
    stages: Vec<Opt>,
    owners: Vec<Opt>,
    sorts: Vec<Opt>,
    next_href: Option<String>,
    first_href: Option<String>,
    can_create: bool,
}

fn date_param(pairs: &[(String, String)], key: &str) -> Option<chrono::NaiveDate> {
    param(pairs, key).and_then(|v| opportunities::parse_date(v).ok().flatten())
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    jar: CookieJar,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Sales, Action::View) {
        return fail(s.tr, e.into());
    }
    let jar = if param(&pairs, "customer_id").is_some() {
        jar
    } else {
        let has_filter = pairs.iter().any(|(k, _)| VIEW_KEYS.contains(&k.as_str()));
        match VIEW.step(
            &state,
            jar,
            &pairs,
            &VIEW_KEYS,
            has_filter,
            s.flash.as_deref(),
        ) {
            Step::Go(r) => return r,
            Step::Show(jar) => jar,
        }
    };
    match build(&state, &s, &pairs).await {
        Ok(page) => (jar, render(&page)).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

async fn build(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<ListPage, crm_service::ServiceError> {
    s.principal.require(Module::Sales, Action::View)?;
    let tr = s.tr;
    let id = |k: &str| param(pairs, k).and_then(|v| v.parse::<i64>().ok());
    let status = param(pairs, "status")
        .filter(|v| matches!(*v, "open" | "won" | "lost"))
        .map(str::to_string);
    let sort = param(pairs, "sort")
        .and_then(Sort::parse)
        .unwrap_or_default();
    let filter = Filter {
        q: param(pairs, "q").map(|v| v.chars().take(100).collect()),
        owner_id: id("owner_id"),
        customer_id: id("customer_id"),
        stage_id: id("stage_id"),
        status: status.clone(),
        close_from: date_param(pairs, "close_from"),
        close_to: date_param(pairs, "close_to"),
    };
    let cursor = id("cursor");
    let mut rows = opportunities::list(
        &state.core,
        &s.principal,
        &filter,
        sort,
        cursor,
        PAGE_SIZE + 1,
    )
    .await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let names = Names::of(state, s, &rows).await?;
    let stages = crm_service::pipeline::list(&state.core, &s.principal, true).await?;
    let users = active_users(state, s).await?;
    let customer = match filter.customer_id {
        Some(c) => super::customer_names(state, &[c]).await?.into_iter().next(),
        None => None,
    };

    let view = query_of(pairs, &FILTER_KEYS);
    let base = if view.is_empty() {
        "q=".to_string()
    } else {
        view
    };
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("/opportunities?{base}&cursor={}", last.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| format!("/opportunities?{base}"));

    let all = tr.t("common.all");
    let mut statuses = vec![Opt::new("", all.clone(), status.is_none())];
    for v in ["open", "won", "lost"] {
        statuses.push(Opt::new(
            v,
            super::status_label(tr, v),
            status.as_deref() == Some(v),
        ));
    }
    let mut stage_opts = vec![Opt::new("", all.clone(), filter.stage_id.is_none())];
    stage_opts.extend(stages.iter().map(|st| {
        let mut label = super::stage_label(tr, st);
        if !st.active {
            label = format!("{label} ({})", tr.t("common.inactive"));
        }
        Opt::new(st.id.to_string(), label, filter.stage_id == Some(st.id))
    }));
    let mut owners = vec![Opt::new("", all, filter.owner_id.is_none())];
    owners.extend(user_opts(&users, filter.owner_id));
    let sorts = [
        (Sort::Newest, "opportunities.sort_newest"),
        (Sort::Updated, "opportunities.sort_updated"),
        (Sort::ExpectedClose, "opportunities.sort_expected_close"),
        (Sort::Amount, "opportunities.sort_amount"),
    ]
    .iter()
    .map(|(v, k)| Opt::new(v.as_str(), tr.t(k), *v == sort))
    .collect();
    Ok(ListPage {
        l: s.layout("opportunities"),
        tab: "list",
        rows: rows.iter().map(|o| Row::of(state, tr, &names, o)).collect(),
        q: filter.q.clone().unwrap_or_default(),
        close_from: filter.close_from.map(|d| d.to_string()).unwrap_or_default(),
        close_to: filter.close_to.map(|d| d.to_string()).unwrap_or_default(),
        customer,
        statuses,
        stages: stage_opts,
        owners,
        sorts,
        next_href,
        first_href,
        can_create: s.principal.can(Module::Sales, Action::Create),
    })
}
