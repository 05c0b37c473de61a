//! The order list: filters (status, owner, customer, order dates), the "awaiting my
//! approval" tab, keyset pages, the remembered view.

use super::*;
use crate::ui::quotes::{customer_names, scoped_owner_opts};
use crate::ui::saved_view::{query_of, SavedView, Step};
use axum_extra::extract::CookieJar;
use chrono::NaiveDate;

/// The filters of the list; all but `awaiting` (a tab of its own) are remembered.
const FILTER_KEYS: [&str; 6] = [
    "status",
    "owner_id",
    "customer_id",
    "from",
    "to",
    "awaiting",
];
const VIEW_KEYS: [&str; 5] = ["status", "owner_id", "customer_id", "from", "to"];
const VIEW: SavedView = SavedView {
    cookie: "crm_view_orders",
    path: "/orders",
};

pub struct OrderRow {
    pub o: Order,
    pub customer: String,
    pub owner: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub total: String,
    pub received: String,
    pub outstanding: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) rows: Vec<OrderRow>,
    pub(super) statuses: Vec<Opt>,
    pub(super) owners: Option<Vec<Opt>>,
    /// The customer filter, when one is set: (id, name).
    pub(super) customer: Option<(i64, String)>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) awaiting: bool,
    /// Whether the "awaiting my approval" tab is offered.
    pub(super) can_approve: bool,
    pub(super) can_create: bool,
    pub(super) next_href: Option<String>,
    pub(super) first_href: Option<String>,
}

fn date(v: Option<&str>) -> Option<NaiveDate> {
    v.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
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
    let jar = if param(&pairs, "awaiting").is_some() {
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
    match list_page(&state, &s, &pairs).await {
        Ok(page) => (jar, page).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

async fn list_page(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    p.require(Module::Sales, Action::View)?;
    let id = |k: &str| param(pairs, k).and_then(|v| v.parse::<i64>().ok());
    let awaiting = param(pairs, "awaiting") == Some("1");
    let status = param(pairs, "status").and_then(Status::parse);
    let from = date(param(pairs, "from"));
    let to = date(param(pairs, "to"));
    let filter = orders::Filter {
        status,
        owner_id: id("owner_id"),
        customer_id: id("customer_id"),
        from,
        to,
        awaiting: awaiting.then_some(p.user_id.0),
    };
    let cursor = id("cursor");
    let mut rows = orders::list(&state.core, p, &filter, cursor, PAGE_SIZE + 1).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let mut cids: Vec<i64> = rows.iter().map(|o| o.customer_id).collect();
    cids.extend(filter.customer_id);
    let customers = customer_names(state, &cids).await?;
    let owners_ids: Vec<i64> = rows.iter().map(|o| o.owner_id).collect();
    let names = user_names(state, &owners_ids).await?;
    let none = tr.t("common.none");
    let rows: Vec<OrderRow> = rows
        .into_iter()
        .map(|o| OrderRow {
            customer: customers.get(&o.customer_id).cloned().unwrap_or_default(),
            owner: names
                .get(&o.owner_id)
                .cloned()
                .unwrap_or_else(|| none.clone()),
            status_label: status_label(tr, &o.status),
            status_class: status_class(&o.status),
            total: money(state, o.total),
            // Only approved orders are owed anything.
            received: if o.status == Status::Approved.as_str() {
                money(state, o.received)
            } else {
                none.clone()
            },
            outstanding: if o.status == Status::Approved.as_str() {
                money(state, o.total - o.received)
            } else {
                none.clone()
            },
            o,
        })
        .collect();
    let mut statuses = vec![Opt::new("", tr.t("common.all"), status.is_none())];
    statuses.extend(Status::ALL.iter().map(|st| {
        Opt::new(
            st.as_str(),
            status_label(tr, st.as_str()),
            status == Some(*st),
        )
    }));
    let query = query_of(pairs, &FILTER_KEYS);
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("/orders?{query}&cursor={}", last.o.id)),
        _ => None,
    };
    let page = ListPage {
        l: s.layout("orders"),
        rows,
        statuses,
        owners: scoped_owner_opts(state, s, filter.owner_id).await?,
        customer: filter.customer_id.map(|c| {
            (
                c,
                customers
                    .get(&c)
                    .cloned()
                    .unwrap_or_else(|| format!("#{c}")),
            )
        }),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        awaiting,
        can_approve: p.can(Module::Sales, Action::Approve),
        can_create: p.can(Module::Sales, Action::Create),
        next_href,
        first_href: cursor.map(|_| format!("/orders?{query}")),
    };
    Ok(render(&page))
}
