//! Rep statistics (业绩统计): a ranked table of everyone in scope for a period, a bar chart
//! of sales and payments per person, and a trend chart over the last periods.

use super::customers::param;
use super::{error_page, render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use crm_domain::{Money, Period, PeriodKind};
use crm_service::stats::{self, RepRow};
use serde_json::json;

/// Periods in the trend chart.
const TREND_POINTS: u32 = 12;

pub fn router() -> Router<AppState> {
    Router::new().route("/stats", get(page))
}

pub struct Row {
    pub r: RepRow,
    pub sales: String,
    pub payments: String,
    pub href: String,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    l: Layout,
    kinds: Vec<Opt>,
    people: Vec<Opt>,
    period_label: String,
    range_label: String,
    date: String,
    prev_href: String,
    next_href: String,
    rows: Vec<Row>,
    totals: crm_store::stats::RepFigures,
    total_sales: String,
    total_payments: String,
    ranking_chart: String,
    trend_chart: String,
    trend_title: String,
    /// When the figures were computed (local time) and the link that recomputes them.
    as_of: String,
    refresh_href: String,
}

fn href(kind: PeriodKind, date: NaiveDate, user: Option<i64>) -> String {
    let mut h = format!(
        "/stats?period={}&date={}",
        kind.as_str(),
        date.format("%Y-%m-%d")
    );
    if let Some(u) = user {
        h.push_str(&format!("&user_id={u}"));
    }
    h
}

fn range_label(p: &Period) -> String {
    let last = p.end.pred_opt().unwrap_or(p.end);
    if last == p.start {
        p.start.format("%Y-%m-%d").to_string()
    } else {
        format!(
            "{} – {}",
            p.start.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        )
    }
}

pub async fn page(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let tr = s.tr;
    let kind = param(&pairs, "period")
        .and_then(PeriodKind::parse)
        .unwrap_or(PeriodKind::Month);
    let date = param(&pairs, "date").and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    let user = param(&pairs, "user_id").and_then(|v| v.parse::<i64>().ok());
    let fresh = param(&pairs, "fresh").is_some();
    let core = &state.core;
    let data = match stats::reps(core, &s.principal, kind, date, fresh).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    // A person outside the scope is simply not offered; the trend falls back to everyone.
    let user = user.filter(|u| data.rows.iter().any(|r| r.user_id == *u));
    let trend = match stats::trend(
        core,
        &s.principal,
        kind,
        TREND_POINTS,
        Some(data.period.start),
        user,
        fresh,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let c = &core.settings.currency;
    let week_start = core.settings.week_start;
    let period = data.period;
    let major = |m: i64| c.to_major_f64(Money(m));

    let mut top: Vec<&RepRow> = data.rows.iter().collect();
    top.truncate(20);
    top.reverse();
    let ranking_chart = json!({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 90, "right": 20, "top": 30, "bottom": 20},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": top.iter().map(|r| r.name.clone()).collect::<Vec<_>>()},
        "series": [
            {"name": tr.t("stats.sales_amount"), "type": "bar",
             "data": top.iter().map(|r| major(r.figures.sales_amount)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#0d6efd"}},
            {"name": tr.t("stats.payments_received"), "type": "bar",
             "data": top.iter().map(|r| major(r.figures.payments_received)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#198754"}}
        ]
    });
    let labels: Vec<String> = trend.iter().map(|t| t.period.label()).collect();
    let trend_chart = json!({
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 70, "right": 60, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value", "name": c.symbol}, {"type": "value", "minInterval": 1}],
        "series": [
            {"name": tr.t("stats.sales_amount"), "type": "bar",
             "data": trend.iter().map(|t| major(t.figures.sales_amount)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#0d6efd"}},
            {"name": tr.t("stats.payments_received"), "type": "bar",
             "data": trend.iter().map(|t| major(t.figures.payments_received)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#198754"}},
            {"name": tr.t("stats.customers_followed"), "type": "line", "yAxisIndex": 1,
             "data": trend.iter().map(|t| t.figures.customers_followed).collect::<Vec<_>>()},
            {"name": tr.t("stats.new_customers"), "type": "line", "yAxisIndex": 1,
             "data": trend.iter().map(|t| t.figures.new_customers).collect::<Vec<_>>()},
            {"name": tr.t("stats.orders_approved"), "type": "line", "yAxisIndex": 1,
             "data": trend.iter().map(|t| t.figures.orders_approved).collect::<Vec<_>>()}
        ]
    });
    let trend_title = match user.and_then(|u| data.rows.iter().find(|r| r.user_id == u)) {
        Some(r) => r.name.clone(),
        None => tr.t("stats.everyone"),
    };
    let kinds = PeriodKind::ALL
        .iter()
        .map(|k| Opt {
            value: k.as_str().into(),
            label: tr.t(&format!("stats.period.{}", k.as_str())),
            selected: *k == kind,
        })
        .collect();
    let mut people = vec![Opt {
        value: String::new(),
        label: tr.t("stats.everyone"),
        selected: user.is_none(),
    }];
    people.extend(data.rows.iter().map(|r| Opt {
        value: r.user_id.to_string(),
        label: r.name.clone(),
        selected: Some(r.user_id) == user,
    }));
    let rows = data
        .rows
        .iter()
        .map(|r| Row {
            sales: c.format(Money(r.figures.sales_amount)),
            payments: c.format(Money(r.figures.payments_received)),
            href: href(kind, period.start, Some(r.user_id)),
            r: r.clone(),
        })
        .collect();
    let page = StatsPage {
        kinds,
        people,
        period_label: period.label(),
        range_label: range_label(&period),
        date: period.start.format("%Y-%m-%d").to_string(),
        prev_href: href(kind, period.shift(-1, week_start).start, user),
        next_href: href(kind, period.shift(1, week_start).start, user),
        rows,
        totals: data.totals,
        total_sales: c.format(Money(data.totals.sales_amount)),
        total_payments: c.format(Money(data.totals.payments_received)),
        ranking_chart: ranking_chart.to_string(),
        trend_chart: trend_chart.to_string(),
        trend_title,
        as_of: data
            .as_of
            .with_timezone(&core.settings.tz)
            .format("%H:%M:%S")
            .to_string(),
        refresh_href: format!("{}&fresh=1", href(kind, period.start, user)),
        l: s.layout("stats"),
    };
    render(&page)
}
