//! `/quotas`: pickers, the ranking with progress bars, department roll-ups, the chart and
//! the bulk-entry grid (one Save for every row; nothing is written when a row is wrong).

use super::{metric_label, range_label, row_message, Bar, Selection};
use crate::ui::users::Opt;
use crate::ui::{error_page, render, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use crm_domain::{FieldErrors, Money};
use crm_service::quotas::{self, GridRow, Metric, Progress, Subject, TargetSource, KINDS};
use crm_service::ServiceError;
use serde_json::json;
use std::collections::HashMap;

/// People shown in the chart (the best ranked).
const CHART_PEOPLE: usize = 20;

pub struct PersonRow {
    pub rank: usize,
    pub name: String,
    pub active: bool,
    pub target: String,
    pub actual: String,
    pub bar: Bar,
}

pub struct DeptRow {
    pub name: String,
    /// Left padding in rem for the tree depth.
    pub indent: String,
    pub members: usize,
    pub source: String,
    pub own: bool,
    pub target: String,
    pub actual: String,
    pub bar: Bar,
}

pub struct TotalRow {
    pub label: String,
    pub people: usize,
    pub target: String,
    pub actual: String,
    pub bar: Bar,
}

pub struct EntryRow {
    /// The form field: "t:user:12", "t:department:3".
    pub field: String,
    pub name: String,
    pub department: bool,
    /// The first department row (a sub-heading goes before it).
    pub first_department: bool,
    pub indent: String,
    pub value: String,
    pub current: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "quotas.html")]
struct QuotasPage {
    l: Layout,
    kinds: Vec<Opt>,
    metrics: Vec<Opt>,
    kind: String,
    metric: String,
    date: String,
    period_label: String,
    range_label: String,
    prev_href: String,
    next_href: String,
    as_of: String,
    people: Vec<PersonRow>,
    departments: Vec<DeptRow>,
    total: Option<TotalRow>,
    chart: String,
    /// `None` when the user may not set targets.
    entry: Option<Vec<EntryRow>>,
    entry_failed: bool,
    /// Errors of posted rows that the grid does not show.
    entry_errors: Vec<String>,
}

/// What the user typed in the grid, with the errors of a failed save.
struct Entered {
    values: HashMap<String, String>,
    errors: FieldErrors,
}

fn indent(depth: usize) -> String {
    format!("{:.2}rem", 0.5 + depth as f64 * 1.25)
}

/// A target as the grid shows it: "50000.00" / "12".
fn plain(state: &AppState, m: Metric, v: i64) -> String {
    m.text(&state.core, v)
}

fn chart(state: &AppState, s: &UiSession, x: &Progress) -> String {
    let tr = s.tr;
    let c = &state.core.settings.currency;
    let m = x.metric;
    let value = |v: i64| {
        if m.is_money() {
            json!(c.to_major_f64(Money(v)))
        } else {
            json!(v)
        }
    };
    let mut top: Vec<_> = x.people.iter().take(CHART_PEOPLE).collect();
    top.reverse();
    json!({
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 90, "right": 20, "top": 30, "bottom": 20},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": top.iter().map(|r| r.name.clone()).collect::<Vec<_>>()},
        "series": [
            {"name": tr.t("quotas.target"), "type": "bar",
             "data": top.iter().map(|r| value(r.target)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#adb5bd"}},
            {"name": tr.t("quotas.actual"), "type": "bar",
             "data": top.iter().map(|r| value(r.actual)).collect::<Vec<_>>(),
             "itemStyle": {"color": "#0d6efd"}}
        ]
    })
    .to_string()
}

fn entry_rows(
    state: &AppState,
    m: Metric,
    rows: Vec<GridRow>,
    entered: Option<&Entered>,
) -> Vec<EntryRow> {
    let mut seen_department = false;
    rows.into_iter()
        .map(|r| {
            let key = r.subject.key();
            let current = r.current.map(|v| plain(state, m, v)).unwrap_or_default();
            let department = matches!(r.subject, Subject::Department(_));
            let first_department = department && !seen_department;
            seen_department |= department;
            let value = entered
                .and_then(|e| e.values.get(&key).cloned())
                .unwrap_or_else(|| current.clone());
            EntryRow {
                field: format!("t:{key}"),
                name: r.name,
                department,
                first_department,
                indent: indent(r.depth),
                value,
                current,
                error: String::new(),
            }
        })
        .collect()
}

async fn build(
    state: &AppState,
    s: &UiSession,
    sel: Selection,
    entered: Option<Entered>,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let core = &state.core;
    let m = sel.metric;
    let x = quotas::progress(core, &s.principal, sel.kind, sel.date, m).await?;
    let grid = quotas::grid(core, &s.principal, sel.kind, Some(x.period.start), m).await?;
    let show = |v: i64| m.display(core, v);
    let people = x
        .people
        .iter()
        .map(|r| PersonRow {
            rank: r.rank,
            name: r.name.clone(),
            active: r.active,
            target: show(r.target),
            actual: show(r.actual),
            bar: Bar::of(r.percent),
        })
        .collect();
    let departments = x
        .departments
        .iter()
        .map(|d| DeptRow {
            name: d.name.clone(),
            indent: indent(d.depth),
            members: d.members,
            source: tr.t(&format!("quotas.source.{}", d.target_source.as_str())),
            own: d.target_source == TargetSource::Own,
            target: if d.target_source == TargetSource::None {
                "—".into()
            } else {
                show(d.target)
            },
            actual: show(d.actual),
            bar: Bar::of(d.percent),
        })
        .collect();
    let total = x.total.as_ref().map(|t| TotalRow {
        label: tr.t(if t.company {
            "quotas.total.company"
        } else {
            "quotas.total.team"
        }),
        people: t.people,
        target: show(t.target),
        actual: show(t.actual),
        bar: Bar::of(t.percent),
    });
    let entry_failed = entered.is_some();
    let entry = grid.map(|(_, rows)| {
        let mut out = entry_rows(state, m, rows, entered.as_ref());
        if let Some(e) = &entered {
            for r in &mut out {
                if let Some(err) = e.errors.get(&r.field[2..]) {
                    r.error = row_message(tr, err.code, &err.message);
                }
            }
        }
        out
    });
    // Errors of posted rows the grid does not show (someone outside the team, oneself).
    let mut entry_errors = Vec::new();
    if let Some(e) = &entered {
        let shown: Vec<&str> = entry.iter().flatten().map(|r| &r.field[2..]).collect();
        for (key, err) in &e.errors.0 {
            if !shown.contains(&key.as_str()) {
                let name = match Subject::parse_key(key) {
                    Some(Subject::User(id)) => crm_store::users::names(&core.db, &[id])
                        .await?
                        .into_iter()
                        .next()
                        .map(|x| x.1),
                    _ => None,
                };
                entry_errors.push(format!(
                    "{}: {}",
                    name.unwrap_or_else(|| key.clone()),
                    row_message(tr, err.code, &err.message)
                ));
            }
        }
    }
    let week_start = core.settings.week_start;
    let period = x.period;
    let page = QuotasPage {
        kinds: KINDS
            .iter()
            .map(|k| {
                Opt::new(
                    k.as_str(),
                    tr.t(&format!("quotas.period.{}", k.as_str())),
                    *k == sel.kind,
                )
            })
            .collect(),
        metrics: Metric::ALL
            .iter()
            .map(|mm| Opt::new(mm.as_str(), metric_label(tr, *mm), *mm == m))
            .collect(),
        kind: sel.kind.as_str().into(),
        metric: m.as_str().into(),
        date: period.start.format("%Y-%m-%d").to_string(),
        period_label: period.label(),
        range_label: range_label(&period),
        prev_href: sel.href(period.shift(-1, week_start).start),
        next_href: sel.href(period.shift(1, week_start).start),
        as_of: x
            .as_of
            .with_timezone(&core.settings.tz)
            .format("%H:%M:%S")
            .to_string(),
        chart: chart(state, s, &x),
        people,
        departments,
        total,
        entry,
        entry_failed,
        entry_errors,
        l: s.layout("quotas"),
    };
    let status = if entry_failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let sel = Selection::of(&pairs);
    build(&state, &s, sel, None)
        .await
        .unwrap_or_else(|e| error_page(s.tr, e))
}

/// `POST /quotas`: saves the grid (fields `t:<subject>`), then back to the same period.
pub async fn save(
    State(state): State<AppState>,
    s: UiSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    if let Err(r) = s.check_csrf(csrf) {
        return r;
    }
    let sel = Selection::of(&pairs);
    let rows: Vec<(Subject, String)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            let subject = Subject::parse_key(k.strip_prefix("t:")?)?;
            Some((subject, v.clone()))
        })
        .collect();
    match quotas::set_many(
        &state.core,
        &s.principal,
        sel.kind,
        sel.date,
        sel.metric,
        &rows,
    )
    .await
    {
        Ok(_) => {
            let date = quotas::period_of(&state.core, sel.kind, sel.date).start;
            Redirect::to(&format!("{}&flash=saved", sel.href(date))).into_response()
        }
        Err(ServiceError::Validation(errors)) => {
            let values = rows.into_iter().map(|(k, v)| (k.key(), v)).collect();
            build(&state, &s, sel, Some(Entered { values, errors }))
                .await
                .unwrap_or_else(|e| error_page(s.tr, e))
        }
        Err(e) => error_page(s.tr, e),
    }
}
