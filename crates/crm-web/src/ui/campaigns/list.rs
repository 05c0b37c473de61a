//! The campaign list: filters (status, kind, owner, date range, name), the figures of each
//! campaign on the page (one grouped query per figure), and a chart of cost against
//! revenue for the campaigns shown.

use super::*;

pub(super) struct Row {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) status: String,
    pub(super) status_class: &'static str,
    pub(super) dates: String,
    pub(super) owner: String,
    pub(super) budget: String,
    pub(super) cost: String,
    pub(super) leads: i64,
    pub(super) converted: i64,
    pub(super) revenue: String,
    pub(super) roi: String,
    pub(super) roi_class: &'static str,
    pub(super) form_enabled: bool,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
pub(super) struct ListPage {
    pub(super) l: Layout,
    pub(super) rows: Vec<Row>,
    pub(super) statuses: Vec<Opt>,
    pub(super) kinds: Vec<Opt>,
    pub(super) owners: Vec<Opt>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) q: String,
    pub(super) next: Option<String>,
    pub(super) can_create: bool,
    /// ECharts option of cost vs revenue per campaign; None without campaigns.
    pub(super) chart: Option<String>,
    pub(super) filter_error: Option<String>,
}

const FILTER_KEYS: [&str; 6] = ["q", "status", "kind", "owner_id", "from", "to"];

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    list_page(&state, &s, &pairs)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

/// "2026-03-01 – 2026-03-05", one date, or "—".
pub(super) fn dates(tr: Tr, c: &Campaign) -> String {
    match (c.starts_on, c.ends_on) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} – {b}"),
        (Some(a), None) => format!("{a} –"),
        (None, Some(b)) => format!("– {b}"),
        (None, None) => tr.t("common.none"),
    }
}

/// The Bootstrap text class of an ROI: red below zero.
pub(super) fn roi_class(roi: Option<i64>) -> &'static str {
    match roi {
        Some(r) if r < 0 => "text-danger",
        Some(_) => "text-success",
        None => "text-muted",
    }
}

async fn list_page(
    state: &AppState,
    s: &UiSession,
    pairs: &[(String, String)],
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    p.require(Module::Market, Action::View)?;
    let pick = |k: &str, allowed: &[&str]| {
        param(pairs, k)
            .filter(|v| allowed.contains(v))
            .map(str::to_string)
    };
    let mut filter_error = None;
    let mut date = |k: &str| match expenses::date_bound(param(pairs, k), k) {
        Ok(d) => d,
        Err(_) => {
            filter_error = Some(tr.t("campaigns.bad_date"));
            None
        }
    };
    let filter = Filter {
        status: pick("status", &campaigns::STATUSES),
        kind: pick("kind", &campaigns::KINDS),
        owner_id: param(pairs, "owner_id").and_then(|v| v.parse().ok()),
        from: date("from"),
        to: date("to"),
        q: param(pairs, "q").map(|v| v.chars().take(100).collect()),
    };
    let after = param(pairs, "after").and_then(|v| v.parse().ok());
    let mut rows = campaigns::list(&state.core, p, &filter, after, PAGE_SIZE + 1).await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = if more {
        rows.last().map(|last| {
            let mut keep = query_of(pairs, &FILTER_KEYS);
            if !keep.is_empty() {
                keep.push('&');
            }
            format!("/campaigns?{keep}after={}", last.id)
        })
    } else {
        None
    };
    let rows = results::with_results(&state.core, p, rows).await?;
    let owners = user_names(
        state,
        &rows.iter().map(|r| r.campaign.owner_id).collect::<Vec<_>>(),
    )
    .await?;
    let chart = chart(state, tr, &rows);
    let none = tr.t("common.none");
    let view = rows
        .into_iter()
        .map(|r| {
            let (c, x) = (r.campaign, r.results);
            Row {
                id: c.id,
                kind: kind_label(tr, &c.kind),
                status: status_label(tr, &c.status),
                status_class: status_class(&c.status),
                dates: dates(tr, &c),
                owner: owners.get(&c.owner_id).cloned().unwrap_or_default(),
                budget: money(state, c.budget),
                cost: money(state, c.actual_cost),
                leads: x.leads,
                converted: x.converted,
                revenue: x.revenue.map_or(none.clone(), |m| money(state, m.0)),
                roi: x.roi.map_or(none.clone(), |b| format!("{}%", percent(b))),
                roi_class: roi_class(x.roi),
                form_enabled: c.form_enabled,
                name: c.name,
            }
        })
        .collect();
    let all_users = active_users(state, s).await?;
    let owner_id = filter.owner_id;
    let mut owner_opts = vec![Opt::new("", tr.t("common.all"), owner_id.is_none())];
    owner_opts.extend(
        all_users
            .iter()
            .map(|u| Opt::new(u.id.to_string(), &u.display_name, owner_id == Some(u.id))),
    );
    let page = ListPage {
        l: s.layout("campaigns"),
        rows: view,
        statuses: choice_opts(
            tr,
            "campaigns.status",
            &campaigns::STATUSES,
            filter.status.as_deref().unwrap_or(""),
            Some(tr.t("common.all")),
        ),
        kinds: choice_opts(
            tr,
            "campaigns.kind",
            &campaigns::KINDS,
            filter.kind.as_deref().unwrap_or(""),
            Some(tr.t("common.all")),
        ),
        owners: owner_opts,
        from: filter.from.map(|d| d.to_string()).unwrap_or_default(),
        to: filter.to.map(|d| d.to_string()).unwrap_or_default(),
        q: filter.q.clone().unwrap_or_default(),
        next,
        can_create: p.can(Module::Market, Action::Create),
        chart,
        filter_error,
    };
    Ok(render(&page))
}

/// Cost against revenue (when the viewer sees revenue) of the campaigns on the page.
fn chart(state: &AppState, tr: Tr, rows: &[ListRow]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let c = &state.core.settings.currency;
    let major = |m: Money| c.to_major_f64(m);
    let shown: Vec<&ListRow> = rows.iter().rev().collect();
    let mut series = vec![json!({
        "name": tr.t("campaigns.actual_cost"), "type": "bar",
        "data": shown.iter().map(|r| major(r.results.actual_cost)).collect::<Vec<_>>(),
        "itemStyle": {"color": "#fd7e14"}
    })];
    if rows.iter().any(|r| r.results.revenue.is_some()) {
        series.push(json!({
            "name": tr.t("campaigns.revenue"), "type": "bar",
            "data": shown.iter().map(|r| major(r.results.revenue.unwrap_or(Money::ZERO))).collect::<Vec<_>>(),
            "itemStyle": {"color": "#198754"}
        }));
    }
    Some(
        json!({
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 60, "right": 20, "top": 30, "bottom": 60},
            "xAxis": {"type": "category", "axisLabel": {"rotate": 30, "interval": 0},
                      "data": shown.iter().map(|r| r.campaign.name.clone()).collect::<Vec<_>>()},
            "yAxis": {"type": "value", "name": c.symbol},
            "series": series
        })
        .to_string(),
    )
}
