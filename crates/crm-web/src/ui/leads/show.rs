//! The lead page: details, owner and campaign, the follow-up timeline with its form, the
//! pool and assignment buttons, the conversion link (or, once converted, what it became)
//! and the lead's history.

use super::*;
use crate::ui::customers::kind_icon;
use crate::ui::history::{changed_fields, HistoryRow};
use crm_domain::customer::ActivityKind;
use crm_service::leads::follow_ups::{self, FollowUp};
use serde_json::Value;

/// How many follow-ups the page shows.
const TIMELINE_SIZE: u64 = 100;

pub struct Detail {
    pub label: String,
    pub value: String,
    /// Multi-line text (line breaks kept), on a whole line.
    pub wide: bool,
}

pub struct TimelineRow {
    pub a: FollowUp,
    pub icon: &'static str,
    pub kind: String,
    pub at: String,
    pub author: String,
    pub follow_up: Option<String>,
    pub can_delete: bool,
}

/// What a rejected submission of the page's forms typed.
#[derive(Default)]
pub(super) struct Drafts {
    pub(super) kind: String,
    pub(super) occurred_at: String,
    pub(super) content: String,
    pub(super) next_follow_up: String,
    pub(super) errors: FormErrors,
    pub(super) assign_user: Option<i64>,
    pub(super) assign_errors: FormErrors,
}

#[derive(Template)]
#[template(path = "lead.html")]
pub(super) struct ShowPage {
    pub(super) l: Layout,
    pub(super) lead: Lead,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    /// None: in the pool.
    pub(super) owner: Option<String>,
    pub(super) overdue: bool,
    pub(super) follow_up: String,
    pub(super) converted: bool,
    pub(super) converted_at: Option<String>,
    pub(super) campaign: Option<(i64, String)>,
    pub(super) details: Vec<Detail>,
    pub(super) timeline: Vec<TimelineRow>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) kinds: Vec<Opt>,
    pub(super) assign_users: Vec<Opt>,
    pub(super) d: Drafts,
    pub(super) can_edit: bool,
    pub(super) can_claim: bool,
    pub(super) can_release: bool,
    pub(super) can_assign: bool,
    pub(super) can_delete: bool,
    pub(super) can_convert: bool,
}

/// What a history entry changed: an owner move, or the changed fields of an update.
fn history_detail(
    tr: Tr,
    action: &str,
    before: &Option<Value>,
    after: &Option<Value>,
    names: &BTreeMap<i64, String>,
) -> String {
    let owner = |v: &Option<Value>| match v.as_ref().and_then(|v| v.get("owner_id")) {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
            .unwrap_or_default(),
        _ => tr.t("leads.pool"),
    };
    match action {
        "claim" | "release" | "assign" => format!("{} → {}", owner(before), owner(after)),
        "follow_up" => after
            .as_ref()
            .and_then(|a| a.get("kind"))
            .and_then(Value::as_str)
            .map(|k| label(tr, "leads.kind", k))
            .unwrap_or_default(),
        "update" => changed_fields(tr, before, after, field_label),
        _ => String::new(),
    }
}

fn field_label(tr: Tr, field: &str) -> String {
    let key = match field {
        "title" => "leads.job_title",
        "status" => "leads.status_label",
        "source" => "leads.source_label",
        "campaign_id" => "leads.campaign",
        "owner_id" => "leads.owner",
        f => return label(tr, "leads", f),
    };
    tr.t(key)
}

pub(super) async fn build(
    state: &AppState,
    s: &UiSession,
    id: i64,
    d: Drafts,
) -> Result<ShowPage, ServiceError> {
    let core = &state.core;
    let p = &s.principal;
    let tr = s.tr;
    let tz = core.settings.tz;
    let lead = leads::get(core, p, id).await?;
    let acts = follow_ups::list(core, p, id, None, TIMELINE_SIZE).await?;
    let audit = leads::history(core, p, id).await?;
    let parse = |v: &Option<String>| {
        v.as_deref()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
    };
    let audit: Vec<_> = audit
        .into_iter()
        .map(|e| {
            let (b, a) = (parse(&e.before), parse(&e.after));
            (e, b, a)
        })
        .collect();
    let mut ids: Vec<i64> = lead.owner_id.into_iter().collect();
    ids.extend(acts.iter().filter_map(|a| a.author_id));
    for (e, b, a) in &audit {
        ids.extend(e.actor_id);
        for v in [b, a].into_iter().flatten() {
            ids.extend(v.get("owner_id").and_then(Value::as_i64));
        }
    }
    let names = user_names(state, &ids).await?;
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
    let campaign = match lead.campaign_id {
        Some(c) => leads::campaign_names(core, &[c]).await?.into_iter().next(),
        None => None,
    };

    let converted = leads::is_converted(&lead);
    let can_edit = p.can(Module::Market, Action::Edit) && !converted;
    let me = p.user_id.0;
    let none = tr.t("common.none");
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| none.clone());
    let plain = |key: &str, value: String| Detail {
        label: tr.t(key),
        value,
        wide: false,
    };
    let address = [&lead.province, &lead.city, &lead.address]
        .iter()
        .filter_map(|v| v.as_deref())
        .collect::<Vec<_>>()
        .join(" ");
    let details = vec![
        plain("leads.company", text(&lead.company)),
        plain("leads.job_title", text(&lead.title)),
        plain("leads.phone", text(&lead.phone)),
        plain("leads.email", text(&lead.email)),
        plain("leads.industry", text(&lead.industry)),
        plain("leads.source_label", source_label(tr, &lead.source)),
        plain(
            "leads.last_contacted",
            lead.last_contacted_at
                .map(|t| fmt_time(tz, t))
                .unwrap_or_else(|| none.clone()),
        ),
        plain("common.created", fmt_time(tz, lead.created_at)),
        Detail {
            label: tr.t("leads.address"),
            value: if address.is_empty() {
                none.clone()
            } else {
                address
            },
            wide: true,
        },
        Detail {
            label: tr.t("leads.notes"),
            value: text(&lead.notes),
            wide: true,
        },
    ];
    let timeline = acts
        .into_iter()
        .map(|a| TimelineRow {
            icon: kind_icon(&a.kind),
            kind: label(tr, "leads.kind", &a.kind),
            at: fmt_time(tz, a.occurred_at),
            author: a.author_id.map(name_of).unwrap_or_else(|| none.clone()),
            follow_up: a.next_follow_up.map(|n| date_text(Some(n))),
            can_delete: can_edit && a.author_id == Some(me),
            a,
        })
        .collect();
    let history = audit
        .iter()
        .map(|(e, b, a)| HistoryRow {
            at: fmt_time(tz, e.at),
            actor: e.actor_id.map_or_else(|| tr.t("audit.system"), name_of),
            action: label(tr, "leads.action", &e.action),
            detail: history_detail(tr, &e.action, b, a, &names),
        })
        .collect();
    let can_assign = can_edit && manages_others(s);
    let assign_users = if can_assign {
        scoped_users(state, s)
            .await?
            .into_iter()
            .filter(|(u, _)| lead.owner_id != Some(*u))
            .map(|(u, n)| Opt::new(u.to_string(), n, d.assign_user == Some(u)))
            .collect()
    } else {
        Vec::new()
    };
    let kind = if d.kind.is_empty() {
        ActivityKind::Call.as_str()
    } else {
        d.kind.as_str()
    };
    let kinds: Vec<&str> = ActivityKind::ALL.iter().map(|k| k.as_str()).collect();
    Ok(ShowPage {
        l: s.layout("leads"),
        status_label: status_label(tr, &lead.status),
        status_class: status_class(&lead.status),
        owner: lead.owner_id.map(name_of),
        overdue: leads::is_overdue(&lead, core.today()),
        follow_up: date_text(lead.next_follow_up),
        converted,
        converted_at: lead.converted_at.map(|t| fmt_time(tz, t)),
        campaign,
        details,
        timeline,
        history,
        kinds: choice_opts(tr, "leads.kind", &kinds, kind),
        assign_users,
        can_claim: can_edit && leads::is_pool(&lead),
        can_release: can_edit && !leads::is_pool(&lead),
        can_assign,
        can_delete: p.can(Module::Market, Action::Delete) && !converted,
        can_convert: can_edit,
        can_edit,
        lead,
        d,
    })
}

pub(super) async fn show_page(state: &AppState, s: &UiSession, id: i64, d: Drafts) -> Response {
    let status = if d.errors.any() || d.assign_errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match build(state, s, id, d).await {
        Ok(page) => (status, render(&page)).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn show(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    show_page(&state, &s, id, Drafts::default()).await
}
