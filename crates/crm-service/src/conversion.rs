//! Lead conversion (线索转化) and duplicate detection (查重).
//!
//! [`convert`] turns a lead into a customer + primary contact (+ optionally an opportunity)
//! in one transaction, carrying every field over and copying its follow-up history into the
//! customer's contact history — or adds the lead's person to an existing customer (`link`),
//! also filling that customer's empty fields (`merge`). Its first statement is a conditional
//! claim of the lead, so of two users converting one lead at once exactly one succeeds and
//! the other gets 409 `already_converted`. [`find`] / [`find_many`] are the duplicate
//! finder the conversion page, the lead forms and the importer share.

use crate::{customers as customer_service, Core, Result, ServiceError};
use crm_domain::{Action, FieldErrors, Module, Principal};
use crm_store::audit::{self, Entry};
use crm_store::conversion as store;
use crm_store::{bulk, match_keys};
use serde_json::json;

mod carry;
mod duplicates;
mod opportunity;
mod write;

use write::Write;

pub use carry::{customer_name, source_of};
pub use crm_store::conversion::{LeadActivityModel, LeadModel};
pub use duplicates::{
    find, find_many, for_lead, probe_of, Match, MatchKind, Probe, Reason, MAX_MATCHES, MAX_PROBES,
};
pub use opportunity::OpportunityInput;

/// What becomes of the lead's company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new customer.
    Create,
    /// The lead's person joins an existing customer as a contact.
    Link,
    /// Like `Link`, and the customer's empty fields are filled from the lead.
    Merge,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "create" => Some(Mode::Create),
            "link" => Some(Mode::Link),
            "merge" => Some(Mode::Merge),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Create => "create",
            Mode::Link => "link",
            Mode::Merge => "merge",
        }
    }
}

/// A conversion request as typed.
#[derive(Debug, Clone, Default)]
pub struct ConvertInput {
    /// create / link / merge.
    pub mode: String,
    /// The existing customer (link and merge).
    pub customer_id: Option<i64>,
    pub opportunity: Option<OpportunityInput>,
    /// Create even though matching customers or contacts exist.
    pub force: bool,
}

/// What a conversion made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub lead_id: i64,
    pub customer_id: i64,
    pub contact_id: i64,
    pub opportunity_id: Option<i64>,
    /// False for link and merge.
    pub customer_created: bool,
    /// Follow-ups copied into the contact history.
    pub activities_copied: usize,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Converted(Converted),
    /// `create` without `force` found matching customers or contacts: nothing was written.
    /// Every match is listed (leads too); only customers and contacts stop a conversion.
    Duplicates(Vec<Match>),
}

/// A lead with its follow-up history, as the conversion page shows it.
#[derive(Debug, Clone)]
pub struct LeadFile {
    pub lead: LeadModel,
    pub history: Vec<LeadActivityModel>,
}

/// A lead the user may see (owned in scope, or in the pool) and its follow-ups, for the
/// conversion page; needs `market:view`.
pub async fn lead(core: &Core, p: &Principal, id: i64) -> Result<LeadFile> {
    p.require(Module::Market, Action::View)?;
    let scope = core.scope(p).await?;
    let lead = store::find_lead(&core.db, id)
        .await?
        .filter(|l| scope.owns_or_pooled(l.owner_id))
        .ok_or(ServiceError::NotFound)?;
    let history = store::history(&core.db, id).await?;
    Ok(LeadFile { lead, history })
}

fn entry(
    p: &Principal,
    action: &'static str,
    entity_type: &'static str,
    id: i64,
) -> Entry<'static> {
    Entry {
        actor_id: Some(p.user_id.0),
        action,
        entity_type,
        entity_id: id.to_string(),
        before: None,
        after: None,
    }
}

/// 转化. Needs `market:edit` (the lead visible, pool leads included), `customers:create`
/// (create) or `customers:edit` (link, merge; the customer editable by the user: a
/// read-only share is 403, an invisible customer the field error `customer_id`/`unknown`),
/// and `sales:create` when an opportunity is asked for.
pub async fn convert(
    core: &Core,
    p: &Principal,
    lead_id: i64,
    input: ConvertInput,
) -> Result<Outcome> {
    p.require(Module::Market, Action::Edit)?;
    let mut e = FieldErrors::new();
    let mode = Mode::parse(&input.mode);
    match mode {
        Some(Mode::Create) => p.require(Module::Customers, Action::Create)?,
        Some(_) => p.require(Module::Customers, Action::Edit)?,
        None => e.add("mode", "invalid_choice", "Use create, link or merge"),
    }
    if input.opportunity.is_some() {
        p.require(Module::Sales, Action::Create)?;
    }
    if mode.is_some_and(|m| m != Mode::Create) && input.customer_id.is_none() {
        e.add("customer_id", "required", "Choose the customer");
    }
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let now = core.now();
    // First the claim: of two conversions of one lead, the second matches nothing here.
    if !store::claim(&txn, lead_id, p.user_id.0, now).await? {
        return match store::find_lead(&txn, lead_id).await? {
            Some(l) if scope.owns_or_pooled(l.owner_id) => Err(ServiceError::conflict(
                "already_converted",
                "This lead has already been converted",
            )),
            _ => Err(ServiceError::NotFound),
        };
    }
    let lead = store::find_lead(&txn, lead_id)
        .await?
        .filter(|l| scope.owns_or_pooled(l.owner_id))
        .ok_or(ServiceError::NotFound)?;
    let mut opp = match &input.opportunity {
        Some(o) => {
            let mut f = opportunity::check(core, o, Some(&lead), &mut e);
            opportunity::stage(&txn, o, &mut f, &mut e).await?;
            Some(f)
        }
        None => None,
    };
    e.into_result()?;
    let Some(mode) = mode else {
        return Err(ServiceError::NotFound);
    };
    if mode == Mode::Create && !input.force {
        let mut found = duplicates::matches_in(&txn, p, &scope, &[probe_of(&lead)]).await?;
        let found = found.pop().unwrap_or_default();
        if found.iter().any(|m| m.kind != MatchKind::Lead) {
            txn.rollback().await?;
            return Ok(Outcome::Duplicates(found));
        }
    }
    let w = Write {
        txn: &txn,
        p,
        lead: &lead,
        now,
    };
    let (customer, contact_id, created) = match mode {
        Mode::Create => {
            let (c, k) = w.create().await?;
            (c, k, true)
        }
        Mode::Link | Mode::Merge => {
            let cid = input.customer_id.unwrap_or_default();
            let c = customer_service::editable(&txn, &scope, cid)
                .await
                .map_err(|err| match err {
                    ServiceError::NotFound => {
                        ServiceError::field("customer_id", "unknown", "No such customer")
                    }
                    other => other,
                })?;
            let c = if mode == Mode::Merge {
                w.merge_customer(c).await?
            } else {
                c
            };
            let k = w.person(&c, mode == Mode::Merge).await?;
            (c, k, false)
        }
    };
    let opportunity_id = match opp.take() {
        Some(mut f) => {
            f.customer_id = customer.id;
            f.owner_id = if created {
                customer.owner_id
            } else {
                p.user_id.0
            };
            Some(w.opportunity(f).await?)
        }
        None => None,
    };
    let history = store::history(&txn, lead.id).await?;
    let rows = carry::history_rows(
        &history,
        customer.id,
        contact_id,
        customer.owner_id,
        p.user_id.0,
        now,
    );
    for chunk in bulk::chunks(rows, 200) {
        bulk::rows(&txn, chunk).await?;
    }
    store::link_result(&txn, lead.id, customer.id, contact_id, opportunity_id).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(json!({
                "status": store::CONVERTED, "mode": mode.as_str(),
                "customer_id": customer.id, "contact_id": contact_id,
                "opportunity_id": opportunity_id, "activities_copied": history.len(),
            })),
            ..entry(p, "convert", store::LEAD_ENTITY, lead.id)
        },
    )
    .await?;
    match_keys::refresh_customer(&txn, customer.id).await?;
    txn.commit().await?;
    Ok(Outcome::Converted(Converted {
        lead_id: lead.id,
        customer_id: customer.id,
        contact_id,
        opportunity_id,
        customer_created: created,
        activities_copied: history.len(),
    }))
}
