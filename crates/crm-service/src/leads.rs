//! Leads (销售线索): people who may become customers. A lead with an owner is visible to
//! the owner's scope (module `market`, no shares); a lead without an owner sits in the
//! shared pool (线索池), visible to everyone with `market:view`, and is claimed from there
//! (see [`pool`]). A converted lead is read-only. Follow-ups are in [`follow_ups`].
//!
//! For other modules: [`visible`] / [`visible_in`] load a lead through its scope (404
//! outside), [`is_pool`] tells a pool lead, [`validate`] checks lead input without the
//! database, and [`create`] (`p: None` for the public web form) or [`create_in`] (inside
//! a caller's transaction, e.g. an import) add one.

pub mod follow_ups;
pub mod pool;
mod validate;

use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Utc};
use crm_domain::{Action, Module, Principal};
use crm_store::audit::{self, Entry};
use crm_store::leads::{self, NewLead};
use crm_store::scope::RecordScope;
use crm_store::{recycle, ConnectionTrait};
use serde_json::json;

pub use crm_store::leads::{Filter, Model as Lead, OwnerFilter, Sort};
pub use validate::{
    check_campaign, check_owner, validate, LeadInput, Origin, OwnerChoice, EDITABLE_STATUSES,
    SOURCES, STATUSES,
};

pub const ENTITY: &str = leads::ENTITY;

/// True when the lead sits in the shared pool (线索池): it has no owner.
pub fn is_pool(lead: &Lead) -> bool {
    lead.owner_id.is_none()
}

/// True when the conversion has turned the lead into a customer (read-only from then on).
pub fn is_converted(lead: &Lead) -> bool {
    lead.status == leads::CONVERTED
}

/// A planned follow-up that has passed while the lead is still being worked.
pub fn is_overdue(lead: &Lead, today: chrono::NaiveDate) -> bool {
    matches!(lead.status.as_str(), "new" | "contacting" | "qualified")
        && lead.next_follow_up.is_some_and(|d| d < today)
}

/// The 409 for any change to a converted lead.
pub fn converted_conflict() -> ServiceError {
    ServiceError::conflict(
        "converted",
        "This lead has been converted and can no longer be changed",
    )
}

pub(crate) fn snapshot(l: &Lead) -> serde_json::Value {
    json!({
        "name": l.name, "company": l.company, "title": l.title, "phone": l.phone,
        "email": l.email, "province": l.province, "city": l.city, "address": l.address,
        "industry": l.industry, "source": l.source, "campaign_id": l.campaign_id,
        "status": l.status, "owner_id": l.owner_id, "notes": l.notes,
        "next_follow_up": l.next_follow_up,
    })
}

pub(crate) fn entry(actor: Option<i64>, action: &'static str, id: i64) -> Entry<'static> {
    Entry {
        actor_id: actor,
        action,
        entity_type: ENTITY,
        entity_id: id.to_string(),
        before: None,
        after: None,
    }
}

/// A live lead visible in `scope` (owned within it, or in the pool); 404 otherwise. For
/// use inside a transaction.
pub async fn visible_in<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Lead> {
    match leads::find(db, id).await? {
        Some(l) if scope.owns_or_pooled(l.owner_id) => Ok(l),
        _ => Err(ServiceError::NotFound),
    }
}

/// The scoped loader: a live lead the user may see (needs `market:view`), else 404.
pub async fn visible(core: &Core, p: &Principal, id: i64) -> Result<Lead> {
    p.require(Module::Market, Action::View)?;
    let scope = core.scope(p).await?;
    visible_in(&core.db, &scope, id).await
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Lead> {
    visible(core, p, id).await
}

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Lead>> {
    p.require(Module::Market, Action::View)?;
    let scope = core.scope(p).await?;
    Ok(leads::list(&core.db, &scope, filter, sort, after, limit).await?)
}

/// How many leads the user sees that match the filter.
pub async fn count(core: &Core, p: &Principal, filter: &Filter) -> Result<u64> {
    p.require(Module::Market, Action::View)?;
    let scope = core.scope(p).await?;
    Ok(leads::count(&core.db, &scope, filter).await?)
}

/// Validates and inserts one lead with its audit entry inside the caller's transaction.
/// With a principal the owner defaults to them and an explicit owner must be an active
/// user in their scope (`scope` is theirs); without one (the public web form) the lead goes
/// to the pool and the audit entry has no actor. The caller authorizes and commits.
pub async fn create_in<C: ConnectionTrait>(
    db: &C,
    p: Option<(&Principal, &RecordScope)>,
    input: &LeadInput,
    origin: &Origin,
    now: DateTime<Utc>,
) -> Result<Lead> {
    let parsed = validate::validate_from(None, input, origin);
    // Every problem at once: the fields, the campaign and the owner.
    let mut e = parsed.as_ref().err().cloned().unwrap_or_default();
    if !e.0.contains_key("campaign_id") {
        check_campaign(db, input.campaign_id.flatten(), &mut e).await?;
    }
    let owner = match (p, input.owner) {
        (_, Some(OwnerChoice::Pool)) | (None, _) => None,
        (Some((p, _)), None) => Some(p.user_id.0),
        (Some((_, scope)), Some(OwnerChoice::User(u))) => {
            check_owner(db, scope, u, "owner_id", &mut e).await?;
            Some(u)
        }
    };
    let fields = match parsed {
        Ok(f) if e.is_empty() => f,
        _ => return Err(ServiceError::Validation(e)),
    };
    let actor = p.map(|(p, _)| p.user_id.0);
    let import_key = match origin {
        Origin::Import { key } => Some(key.clone()),
        _ => None,
    };
    let new = NewLead {
        fields,
        owner_id: owner,
        created_by: actor,
        import_key,
    };
    let l = leads::insert(db, new, now).await?;
    let mut after = snapshot(&l);
    after["origin"] = json!(origin.as_str());
    audit::record(
        db,
        now,
        Entry {
            after: Some(after),
            ..entry(actor, "create", l.id)
        },
    )
    .await?;
    Ok(l)
}

/// Adds a lead. `p: None` is the public web form (no sign-in): the lead goes to the pool.
pub async fn create(
    core: &Core,
    p: Option<&Principal>,
    input: LeadInput,
    origin: Origin,
) -> Result<Lead> {
    let scope = match p {
        Some(p) => {
            p.require(Module::Market, Action::Create)?;
            Some(core.scope(p).await?)
        }
        None => None,
    };
    let txn = core.begin_write().await?;
    let who = p.zip(scope.as_ref());
    let l = create_in(&txn, who, &input, &origin, core.now()).await?;
    txn.commit().await?;
    Ok(l)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: LeadInput,
) -> Result<Lead> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = visible_in(&txn, &scope, id).await?;
    if is_converted(&before) {
        return Err(converted_conflict());
    }
    if input.owner.is_some() {
        return Err(ServiceError::field(
            "owner_id",
            "immutable",
            "Use claim, release or assign",
        ));
    }
    let parsed = validate(Some(&before), &input);
    let mut e = parsed.as_ref().err().cloned().unwrap_or_default();
    // Only a newly chosen campaign must be live: a lead keeps a campaign deleted later.
    if let (false, Some(Some(c))) = (e.0.contains_key("campaign_id"), input.campaign_id) {
        check_campaign(&txn, Some(c), &mut e).await?;
    }
    let fields = match parsed {
        Ok(f) if e.is_empty() => f,
        _ => return Err(ServiceError::Validation(e)),
    };
    let now = core.now();
    let l = versioned(leads::update(&txn, &before, version, fields, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&l)),
            ..entry(Some(p.user_id.0), "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(l)
}

/// Moves a lead to the recycle bin (never a converted one).
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Market, Action::Delete)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let l = visible_in(&txn, &scope, id).await?;
    if is_converted(&l) {
        return Err(converted_conflict());
    }
    let now = core.now();
    versioned(leads::soft_delete(&txn, id, version, now).await?)?;
    let label = match &l.company {
        Some(c) => format!("{} ({c})", l.name),
        None => l.name.clone(),
    };
    recycle::add(&txn, ENTITY, id, &label, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&l)),
            ..entry(Some(p.user_id.0), "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The audit trail of one visible lead, newest first.
pub async fn history(
    core: &Core,
    p: &Principal,
    id: i64,
) -> Result<Vec<crm_store::entity::audit_log::Model>> {
    visible(core, p, id).await?;
    let filter = audit::Filter {
        entity_type: Some(ENTITY.to_string()),
        entity_id: Some(id.to_string()),
        actor_id: None,
    };
    Ok(audit::list(&core.db, &filter, None, 100).await?)
}

/// (id, name) of the live campaigns a lead may name, newest first.
pub async fn campaign_choices(core: &Core, p: &Principal) -> Result<Vec<(i64, String)>> {
    p.require(Module::Market, Action::View)?;
    Ok(leads::refs::campaign_choices(&core.db, 500).await?)
}

/// Names of campaigns by id, for showing where leads came from.
pub async fn campaign_names(core: &Core, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(leads::refs::campaign_names(&core.db, &ids).await?)
}
