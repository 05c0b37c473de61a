//! The competitor page: details, the record (open / won / lost, win rate) with a chart of
//! won and lost amounts per quarter, and the linked opportunities in the viewer's scope.

use super::*;
use crate::ui::opportunities::{customer_names, stage_labels, status_class, status_label};
use serde_json::json;

/// One label/value pair of the details card.
pub(super) struct Detail {
    pub(super) label: String,
    pub(super) value: String,
    pub(super) id: &'static str,
}

pub(super) struct TallyCell {
    pub(super) key: &'static str,
    pub(super) label: String,
    pub(super) count: i64,
    pub(super) amount: String,
    pub(super) class: &'static str,
}

pub(super) struct OppRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) customer_id: i64,
    pub(super) customer: String,
    pub(super) stage: String,
    pub(super) amount: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) their_price: String,
    pub(super) notes: String,
}

#[derive(Template)]
#[template(path = "competitor.html")]
pub(super) struct ShowPage {
    pub(super) l: Layout,
    pub(super) id: i64,
    pub(super) version: i32,
    pub(super) name: String,
    pub(super) website: String,
    pub(super) details: Vec<Detail>,
    /// None without `sales:view`.
    pub(super) record: Option<Vec<TallyCell>>,
    pub(super) win_rate: String,
    pub(super) win_rate_class: &'static str,
    /// ECharts option (JSON) of won / lost per quarter; empty when nothing is decided.
    pub(super) chart: String,
    pub(super) opportunities: Vec<OppRow>,
    pub(super) can_edit: bool,
    pub(super) can_delete: bool,
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    show_page(&state, &s, id)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

fn details(s: &UiSession, state: &AppState, c: &competitors::Competitor) -> Vec<Detail> {
    let tr = s.tr;
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| tr.t("common.none"));
    let tz = state.core.settings.tz;
    vec![
        Detail {
            label: tr.t("competitors.strengths"),
            value: text(&c.strengths),
            id: "competitor-strengths",
        },
        Detail {
            label: tr.t("competitors.weaknesses"),
            value: text(&c.weaknesses),
            id: "competitor-weaknesses",
        },
        Detail {
            label: tr.t("competitors.products"),
            value: text(&c.products),
            id: "competitor-products",
        },
        Detail {
            label: tr.t("competitors.market_share"),
            value: text(&c.market_share),
            id: "competitor-market-share",
        },
        Detail {
            label: tr.t("competitors.notes"),
            value: text(&c.notes),
            id: "competitor-notes",
        },
        Detail {
            label: tr.t("common.updated"),
            value: crate::ui::customers::fmt_time(tz, c.updated_at),
            id: "competitor-updated",
        },
    ]
}

fn cells(state: &AppState, tr: Tr, r: &Record) -> Vec<TallyCell> {
    let cell = |key: &'static str, t: competitors::Tally, class: &'static str| TallyCell {
        key,
        label: tr.t(&format!("competitors.{key}")),
        count: t.count,
        amount: money(state, t.amount),
        class,
    };
    vec![
        cell("open", r.open, "text-primary"),
        cell("won", r.won, "text-success"),
        cell("lost", r.lost, "text-secondary"),
    ]
}

async fn chart(state: &AppState, s: &UiSession, id: i64) -> Result<String, ServiceError> {
    let quarters = competitors::by_quarter(&state.core, &s.principal, id).await?;
    if quarters.is_empty() {
        return Ok(String::new());
    }
    let tr = s.tr;
    let c = &state.core.settings.currency;
    let major = |m: Money| c.to_major_f64(m);
    let option = json!({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 70, "right": 20, "top": 30, "bottom": 30},
        "xAxis": {"type": "category",
                  "data": quarters.iter().map(|q| q.label.clone()).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "name": c.symbol},
        "series": [
            {"name": tr.t("competitors.won_amount"), "type": "bar",
             "data": quarters.iter().map(|q| major(q.won.amount)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#198754"}},
            {"name": tr.t("competitors.lost_amount"), "type": "bar",
             "data": quarters.iter().map(|q| major(q.lost.amount)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#6c757d"}}
        ]
    });
    Ok(option.to_string())
}

async fn opportunity_rows(
    state: &AppState,
    s: &UiSession,
    id: i64,
) -> Result<Vec<OppRow>, ServiceError> {
    let tr = s.tr;
    let rows = competitors::opportunities(&state.core, &s.principal, id).await?;
    let stages = crm_service::pipeline::list(&state.core, &s.principal, true).await?;
    let stages = stage_labels(tr, &stages);
    let cids: Vec<i64> = rows.iter().map(|r| r.opportunity.customer_id).collect();
    let customers = customer_names(state, &cids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let o = r.opportunity;
            OppRow {
                id: o.id,
                customer: customers.get(&o.customer_id).cloned().unwrap_or_default(),
                customer_id: o.customer_id,
                stage: stages.get(&o.stage_id).cloned().unwrap_or_default(),
                amount: money(state, Money(o.amount)),
                status_label: status_label(tr, &o.status),
                status_class: status_class(&o.status),
                their_price: r
                    .their_price
                    .map_or_else(|| tr.t("common.none"), |m| money(state, Money(m))),
                notes: r.notes.unwrap_or_default(),
                name: o.name,
            }
        })
        .collect())
}

async fn show_page(state: &AppState, s: &UiSession, id: i64) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    let v = competitors::get(&state.core, p, id).await?;
    let (chart, opportunities) = if v.record.is_some() {
        (
            chart(state, s, id).await?,
            opportunity_rows(state, s, id).await?,
        )
    } else {
        (String::new(), Vec::new())
    };
    let r = v.record.unwrap_or_default();
    let c = &v.competitor;
    let page = ShowPage {
        l: s.layout("competitors"),
        id,
        version: c.version,
        name: c.name.clone(),
        website: c.website.clone().unwrap_or_default(),
        details: details(s, state, c),
        record: v.record.map(|r| cells(state, tr, &r)),
        win_rate: win_rate(tr, &r),
        win_rate_class: win_rate_class(&r),
        chart,
        opportunities,
        can_edit: p.can(Module::Market, Action::Edit),
        can_delete: p.can(Module::Market, Action::Delete),
    };
    Ok(render(&page))
}
