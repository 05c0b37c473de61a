//! What the conversion page shows, built from the service's answers.

use super::View;
use crate::i18n::Tr;
use crate::ui::customers::{fmt_time, label};
use crate::ui::opportunities::stage_label;
use crate::ui::users::Opt;
use crate::ui::{FormErrors, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use crm_domain::{Action, Module};
use crm_service::conversion::{self, LeadModel, Match, MatchKind};
use crm_service::ServiceError;
use std::collections::BTreeMap;

/// The optional opportunity, as typed.
#[derive(Debug, Default)]
pub(crate) struct OppFields {
    pub(crate) enabled: bool,
    pub(crate) name: String,
    pub(crate) amount: String,
    pub(crate) stage_id: Option<i64>,
    pub(crate) expected_close: String,
}

pub(crate) struct Fact {
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) id: &'static str,
}

pub(crate) struct MatchRow {
    pub(crate) kind: String,
    pub(crate) visible: bool,
    pub(crate) href: Option<String>,
    pub(crate) name: String,
    /// The contact's customer.
    pub(crate) customer: Option<String>,
    pub(crate) owner: String,
    pub(crate) reasons: String,
    /// "A matching customer exists, owned by X".
    pub(crate) hidden_text: String,
}

pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) checked: bool,
    pub(crate) html_id: String,
}

pub(crate) struct HistoryRow {
    pub(crate) at: String,
    pub(crate) kind: String,
    pub(crate) content: String,
}

#[derive(Template)]
#[template(path = "conversion.html")]
pub(crate) struct ConvertPage {
    pub(crate) l: Layout,
    pub(crate) lead_id: i64,
    pub(crate) lead_name: String,
    pub(crate) facts: Vec<Fact>,
    pub(crate) notes: String,
    pub(crate) history: Vec<HistoryRow>,
    pub(crate) matches: Vec<MatchRow>,
    /// Customers or contacts match: choosing "create" means "create anyway".
    pub(crate) force: bool,
    /// The lead was converted already (into `customer_id`).
    pub(crate) converted: bool,
    pub(crate) customer_id: Option<i64>,
    pub(crate) choices: Vec<Choice>,
    pub(crate) can_opportunity: bool,
    pub(crate) opp: OppFields,
    pub(crate) stages: Vec<Opt>,
    pub(crate) errors: FormErrors,
    pub(crate) notice: Option<String>,
}

fn t_or(tr: Tr, key: &str, value: &str) -> String {
    label(tr, key, value)
}

fn facts(tr: Tr, l: &LeadModel, owner: String) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut add = |key: &str, id: &'static str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            out.push(Fact {
                label: tr.t(&format!("conversion.field.{key}")),
                value: v,
                id,
            });
        }
    };
    add("name", "lead-name", Some(l.name.clone()));
    add("company", "lead-company", l.company.clone());
    add("title", "lead-title", l.title.clone());
    add("phone", "lead-phone", l.phone.clone());
    add("email", "lead-email", l.email.clone());
    let place = [l.province.as_deref(), l.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    add("region", "lead-region", Some(place));
    add("address", "lead-address", l.address.clone());
    add("industry", "lead-industry", l.industry.clone());
    add(
        "source",
        "lead-source",
        l.source
            .as_deref()
            .map(|s| t_or(tr, "conversion.lead_source", s)),
    );
    add(
        "status",
        "lead-status",
        Some(t_or(tr, "conversion.lead_status", &l.status)),
    );
    add("owner", "lead-owner", Some(owner));
    out
}

fn match_row(tr: Tr, m: &Match) -> MatchRow {
    let kind = tr.t(&format!("conversion.kind.{}", m.kind.as_str()));
    let owner = m
        .owner_name
        .clone()
        .unwrap_or_else(|| tr.t("conversion.pool"));
    let href = match (m.kind, m.id, m.customer_id) {
        (MatchKind::Lead, Some(id), _) => Some(format!("/leads/{id}")),
        (_, _, Some(c)) => Some(format!("/customers/{c}")),
        _ => None,
    };
    MatchRow {
        hidden_text: tr
            .t(&format!("conversion.hidden.{}", m.kind.as_str()))
            .replace("%{owner}", &owner),
        kind,
        visible: m.visible,
        href,
        name: m.name.clone().unwrap_or_default(),
        customer: (m.kind == MatchKind::Contact)
            .then(|| m.customer_name.clone())
            .flatten(),
        owner,
        reasons: m
            .reasons
            .iter()
            .map(|r| tr.t(&format!("conversion.reason.{}", r.as_str())))
            .collect::<Vec<_>>()
            .join(&tr.t("common.list_separator")),
    }
}

/// create, then link / merge for each customer the user may edit among the matches.
fn choices(s: &UiSession, matches: &[Match], chosen: &str) -> Vec<Choice> {
    let tr = s.tr;
    let p = &s.principal;
    let mut targets: BTreeMap<i64, String> = BTreeMap::new();
    if p.can(Module::Customers, Action::Edit) {
        for m in matches.iter().filter(|m| m.visible && m.editable) {
            if let (Some(c), Some(n)) = (m.customer_id, &m.customer_name) {
                targets.entry(c).or_insert_with(|| n.clone());
            }
        }
    }
    let mut out = Vec::new();
    if p.can(Module::Customers, Action::Create) {
        let key = if targets.is_empty() && !matches.iter().any(|m| m.kind != MatchKind::Lead) {
            "conversion.choice.create"
        } else {
            "conversion.choice.create_anyway"
        };
        out.push(Choice {
            value: "create".into(),
            label: tr.t(key),
            checked: false,
            html_id: "choice-create".into(),
        });
    }
    for (c, name) in &targets {
        for mode in ["link", "merge"] {
            out.push(Choice {
                value: format!("{mode}:{c}"),
                label: tr
                    .t(&format!("conversion.choice.{mode}"))
                    .replace("%{customer}", name),
                checked: false,
                html_id: format!("choice-{mode}-{c}"),
            });
        }
    }
    // The one checked: what was sent, else linking to the first match, else creating.
    let pick = if out.iter().any(|c| c.value == chosen) {
        chosen.to_string()
    } else {
        out.iter()
            .find(|c| c.value.starts_with("link:"))
            .or(out.first())
            .map(|c| c.value.clone())
            .unwrap_or_default()
    };
    for c in &mut out {
        c.checked = c.value == pick;
    }
    out
}

impl ConvertPage {
    pub(super) async fn build(
        state: &AppState,
        s: &UiSession,
        id: i64,
        view: View,
    ) -> Result<(StatusCode, Self), ServiceError> {
        let tr = s.tr;
        let core = &state.core;
        let p = &s.principal;
        let file = conversion::lead(core, p, id).await?;
        let lead = &file.lead;
        let owner = match lead.owner_id {
            Some(o) => crm_store::users::names(&core.db, &[o])
                .await?
                .pop()
                .map(|x| x.1)
                .unwrap_or_default(),
            None => tr.t("conversion.pool"),
        };
        let converted = lead.status == "converted";
        let matches = match (converted, view.matches) {
            (true, _) => Vec::new(),
            (false, Some(m)) => m,
            (false, None) => conversion::for_lead(core, p, id).await?,
        };
        let can_opportunity = p.can(Module::Sales, Action::Create);
        let opp = view.opp.unwrap_or_else(|| OppFields {
            name: conversion::customer_name(lead),
            ..Default::default()
        });
        let stages = if can_opportunity {
            let mut v = vec![Opt::new("", tr.t("conversion.choose_stage"), false)];
            for st in crm_service::pipeline::list(core, p, false).await? {
                let selected = opp.stage_id == Some(st.id);
                v.push(Opt::new(st.id.to_string(), stage_label(tr, &st), selected));
            }
            v
        } else {
            Vec::new()
        };
        let history = file
            .history
            .iter()
            .map(|a| HistoryRow {
                at: fmt_time(core.settings.tz, a.occurred_at),
                kind: label(tr, "conversion.activity", &a.kind),
                content: a.content.clone(),
            })
            .collect();
        let page = Self {
            l: s.layout("leads"),
            lead_id: lead.id,
            lead_name: lead.name.clone(),
            facts: facts(tr, lead, owner),
            notes: lead.notes.clone().unwrap_or_default(),
            history,
            force: matches.iter().any(|m| m.kind != MatchKind::Lead),
            choices: choices(s, &matches, &view.choice),
            matches: matches.iter().map(|m| match_row(tr, m)).collect(),
            converted,
            customer_id: lead.customer_id,
            can_opportunity,
            opp,
            stages,
            errors: view.errors,
            notice: view.notice,
        };
        Ok((view.status, page))
    }
}
