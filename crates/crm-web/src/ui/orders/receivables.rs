//! The receivables list (/receivables, 应收款): approved orders in scope with money
//! outstanding, overdue ones highlighted, with the outstanding and overdue totals.

use super::*;
use crate::ui::quotes::scoped_owner_opts;
use crm_service::payments::{self, ReceivableFilter};

pub struct ReceivableRow {
    pub order_id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer: String,
    pub owner: String,
    pub due_date: String,
    pub total: String,
    pub received: String,
    pub outstanding: String,
    pub overdue: bool,
    pub days_overdue: i64,
}

#[derive(Template)]
#[template(path = "receivables.html")]
pub struct ReceivablesPage {
    pub l: Layout,
    pub rows: Vec<ReceivableRow>,
    pub owners: Option<Vec<Opt>>,
    pub overdue_only: bool,
    pub orders: i64,
    pub outstanding: String,
    pub overdue_orders: i64,
    pub overdue_outstanding: String,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

pub async fn receivables(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    page(&state, &s, &pairs)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

async fn page(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<Response, ServiceError> {
    let p = &s.principal;
    let id = |k: &str| param(pairs, k).and_then(|v| v.parse::<i64>().ok());
    let filter = ReceivableFilter {
        owner_id: id("owner_id"),
        customer_id: id("customer_id"),
        overdue: param(pairs, "overdue") == Some("1"),
    };
    let cursor = id("cursor");
    let mut rows = payments::receivables(&state.core, p, &filter, cursor, PAGE_SIZE + 1).await?;
    let totals = payments::receivable_totals(&state.core, p, &filter).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let owner_ids: Vec<i64> = rows.iter().map(|r| r.order.owner_id).collect();
    let names = user_names(state, &owner_ids).await?;
    let none = s.tr.t("common.none");
    let mut query = Vec::new();
    if let Some(o) = filter.owner_id {
        query.push(format!("owner_id={o}"));
    }
    if let Some(c) = filter.customer_id {
        query.push(format!("customer_id={c}"));
    }
    if filter.overdue {
        query.push("overdue=1".to_string());
    }
    let query = query.join("&");
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("/receivables?{query}&cursor={}", last.order.id)),
        _ => None,
    };
    let rows = rows
        .into_iter()
        .map(|r| ReceivableRow {
            order_id: r.order.id,
            customer_id: r.order.customer_id,
            customer: r.customer_name,
            owner: names
                .get(&r.order.owner_id)
                .cloned()
                .unwrap_or_else(|| none.clone()),
            due_date: r
                .order
                .due_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| none.clone()),
            total: money(state, r.order.total),
            received: money(state, r.order.received),
            outstanding: state.core.settings.currency.format(r.outstanding),
            overdue: r.overdue,
            days_overdue: r.days_overdue,
            number: r.order.number,
        })
        .collect();
    let page = ReceivablesPage {
        l: s.layout("receivables"),
        rows,
        owners: scoped_owner_opts(state, s, filter.owner_id).await?,
        overdue_only: filter.overdue,
        orders: totals.orders,
        outstanding: money(state, totals.outstanding),
        overdue_orders: totals.overdue_orders,
        overdue_outstanding: money(state, totals.overdue_outstanding),
        next_href,
        first_href: cursor.map(|_| format!("/receivables?{query}")),
    };
    Ok(render(&page))
}
