//! The campaign page: details, results (figures, funnel chart), its newest leads, and the
//! public web form (switch, link, embeddable snippet).

use super::*;
use axum::http::HeaderMap;

/// Leads listed on the page; the rest are on the leads list.
const LEADS_SHOWN: u64 = 50;

pub(super) struct Figure {
    pub(super) id: &'static str,
    pub(super) label: String,
    pub(super) value: String,
    pub(super) hint: String,
}

pub(super) struct LeadRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) company: String,
    pub(super) status: String,
    pub(super) owner: String,
    pub(super) created: String,
}

#[derive(Template)]
#[template(path = "campaign.html")]
pub(super) struct ShowPage {
    pub(super) l: Layout,
    pub(super) c: Campaign,
    pub(super) kind: String,
    pub(super) status: String,
    pub(super) status_class: &'static str,
    pub(super) dates: String,
    pub(super) owner: String,
    pub(super) budget: String,
    pub(super) cost: String,
    pub(super) expected_leads: String,
    pub(super) expected_revenue: String,
    pub(super) figures: Vec<Figure>,
    pub(super) chart: String,
    pub(super) leads: Vec<LeadRow>,
    pub(super) more_leads: bool,
    /// The absolute public link while the form is enabled.
    pub(super) form_url: Option<String>,
    pub(super) iframe: String,
    pub(super) created: String,
    pub(super) updated: String,
    pub(super) can_edit: bool,
    pub(super) can_delete: bool,
}

/// `scheme://host` of this request: the forwarded values behind a trusted proxy, else the
/// Host header (https when cookies are marked secure).
fn origin(state: &AppState, headers: &HeaderMap) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or("").trim().to_string())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 255
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
    };
    let proxied = |name: &str| header(name).filter(|_| state.config.trust_proxy);
    let scheme = proxied("x-forwarded-proto")
        .filter(|s| s == "http" || s == "https")
        .unwrap_or_else(|| {
            if state.config.secure_cookies {
                "https".into()
            } else {
                "http".into()
            }
        });
    let host = proxied("x-forwarded-host")
        .or_else(|| header("host"))
        .unwrap_or_else(|| "localhost".into());
    format!("{scheme}://{host}")
}

pub async fn show(
    State(state): State<AppState>,
    s: UiSession,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    show_page(&state, &s, &headers, id)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

fn figures(state: &AppState, tr: Tr, r: &CampaignResults) -> Vec<Figure> {
    let none = tr.t("common.none");
    let m = |v: Option<Money>| v.map_or(none.clone(), |m| money(state, m.0));
    let pct = |v: Option<i64>| v.map_or(none.clone(), |b| format!("{}%", percent(b)));
    let count = |v: Option<i64>| v.map_or(none.clone(), |n| n.to_string());
    let fig = |id, key: &str, value: String, hint: String| Figure {
        id,
        label: tr.t(key),
        value,
        hint,
    };
    vec![
        fig(
            "leads",
            "campaigns.leads",
            r.leads.to_string(),
            format!(
                "{} {}",
                tr.t("campaigns.vs_expected"),
                pct(r.leads_vs_expected)
            ),
        ),
        fig(
            "converted",
            "campaigns.converted",
            r.converted.to_string(),
            format!(
                "{} {}",
                tr.t("campaigns.conversion_rate"),
                pct(r.conversion_rate)
            ),
        ),
        fig(
            "customers",
            "campaigns.customers",
            count(r.customers),
            String::new(),
        ),
        fig("won", "campaigns.won", count(r.won), m(r.won_amount)),
        fig(
            "revenue",
            "campaigns.revenue",
            m(r.revenue),
            format!(
                "{} {}",
                tr.t("campaigns.vs_expected"),
                pct(r.revenue_vs_expected)
            ),
        ),
        fig(
            "cost_per_lead",
            "campaigns.cost_per_lead",
            m(r.cost_per_lead),
            format!(
                "{} {}",
                tr.t("campaigns.actual_cost"),
                m(Some(r.actual_cost))
            ),
        ),
        fig(
            "roi",
            "campaigns.roi",
            pct(r.roi),
            tr.t("campaigns.roi_hint"),
        ),
    ]
}

/// Leads → converted → won, as a funnel.
fn funnel(tr: Tr, r: &CampaignResults) -> String {
    let mut data = vec![
        json!({"name": tr.t("campaigns.leads"), "value": r.leads}),
        json!({"name": tr.t("campaigns.converted"), "value": r.converted}),
    ];
    if let Some(w) = r.won {
        data.push(json!({"name": tr.t("campaigns.won"), "value": w}));
    }
    json!({
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [{
            "type": "funnel", "sort": "none", "minSize": "8%", "gap": 2,
            "left": "10%", "width": "80%", "top": 10, "bottom": 10,
            "label": {"show": true, "position": "inside", "formatter": "{b}: {c}"},
            "data": data
        }]
    })
    .to_string()
}

async fn show_page(
    state: &AppState,
    s: &UiSession,
    headers: &HeaderMap,
    id: i64,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let p = &s.principal;
    let row = results::get_with_results(&state.core, p, id).await?;
    let (c, r) = (row.campaign, row.results);
    let leads = results::leads(&state.core, p, id, LEADS_SHOWN + 1).await?;
    let more_leads = leads.len() as u64 > LEADS_SHOWN;
    let mut people: Vec<i64> = leads.iter().filter_map(|l| l.owner_id).collect();
    people.push(c.owner_id);
    let names = user_names(state, &people).await?;
    let tz = state.core.settings.tz;
    let leads = leads
        .into_iter()
        .take(LEADS_SHOWN as usize)
        .map(|l| LeadRow {
            id: l.id,
            company: l.company.unwrap_or_default(),
            status: label(tr, "campaigns.lead_status", &l.status),
            owner: match l.owner_id {
                Some(o) => names.get(&o).cloned().unwrap_or_default(),
                None => tr.t("campaigns.pool"),
            },
            created: fmt_time(tz, l.created_at),
            name: l.name,
        })
        .collect();
    let form_url = c
        .form_key
        .as_ref()
        .filter(|_| c.form_enabled)
        .map(|k| format!("{}/f/{k}", origin(state, headers)));
    let iframe = form_url.as_ref().map_or(String::new(), |u| {
        format!(
            "<iframe src=\"{u}\" width=\"100%\" height=\"720\" style=\"border:0\" title=\"{}\"></iframe>",
            c.name.replace(['"', '<', '>', '&'], "")
        )
    });
    let none = tr.t("common.none");
    let page = ShowPage {
        l: s.layout("campaigns"),
        kind: kind_label(tr, &c.kind),
        status: status_label(tr, &c.status),
        status_class: status_class(&c.status),
        dates: list::dates(tr, &c),
        owner: names.get(&c.owner_id).cloned().unwrap_or_default(),
        budget: money(state, c.budget),
        cost: money(state, c.actual_cost),
        expected_leads: c.expected_leads.map_or(none.clone(), |n| n.to_string()),
        expected_revenue: c.expected_revenue.map_or(none.clone(), |m| money(state, m)),
        figures: figures(state, tr, &r),
        chart: funnel(tr, &r),
        leads,
        more_leads,
        form_url,
        iframe,
        created: fmt_time(tz, c.created_at),
        updated: fmt_time(tz, c.updated_at),
        can_edit: campaigns::can_edit(&state.core, p, &c).await?,
        can_delete: campaigns::can_delete(&state.core, p, &c).await?,
        c,
    };
    Ok(render(&page))
}

/// `POST /campaigns/{id}/form`: `action` = enable, disable or regenerate.
pub async fn switch_form(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let change = match f.action.as_str() {
        "enable" => FormChange::Enable,
        "disable" => FormChange::Disable,
        "regenerate" => FormChange::Regenerate,
        _ => return fail(s.tr, ServiceError::NotFound),
    };
    let version = f.version.unwrap_or(0);
    match campaigns::change_form(&state.core, &s.principal, id, version, change).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}?flash=saved#web-form")).into_response(),
        Err(e) => fail(s.tr, e),
    }
}
