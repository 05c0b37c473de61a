//! Campaigns (市场活动): company-wide records. Everyone with `market:view` reads every
//! campaign; `market:create` creates one; changing, deleting or switching the public web
//! form needs `market:edit` / `market:delete` and the campaign's owner within the user's
//! scope (otherwise 403: the campaign itself is visible). Figures: [`results`]; the public
//! lead form: [`web_form`].

use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::{Action, Module, Principal};
use crm_store::audit::{self, Entry};
use crm_store::scope::RecordScope;
use crm_store::{campaigns, recycle, ConnectionTrait};
use serde_json::json;

pub mod hmac;
pub mod results;
mod validate;
pub mod web_form;

pub use crm_store::campaigns::{Filter, Model as Campaign};
pub use results::{CampaignResults, ListRow};

pub const ENTITY: &str = campaigns::ENTITY;

pub const KINDS: [&str; 6] = [
    "exhibition",
    "seminar",
    "online_ad",
    "email",
    "telemarketing",
    "other",
];
pub const STATUSES: [&str; 4] = ["planned", "active", "completed", "cancelled"];

/// Fields as typed; `None` keeps the stored value on update, `Some("")` clears an optional
/// one (money and dates in their text form: "12800.00", "2026-03-01").
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub budget: Option<String>,
    pub actual_cost: Option<String>,
    pub expected_leads: Option<String>,
    pub expected_revenue: Option<String>,
    pub actual_results: Option<String>,
    pub description: Option<String>,
    /// Default: the creator. An active user in the editor's scope.
    pub owner_id: Option<i64>,
}

fn snapshot(c: &Campaign) -> serde_json::Value {
    json!({
        "name": c.name, "kind": c.kind, "status": c.status, "starts_on": c.starts_on,
        "ends_on": c.ends_on, "budget": c.budget, "actual_cost": c.actual_cost,
        "expected_leads": c.expected_leads, "expected_revenue": c.expected_revenue,
        "actual_results": c.actual_results, "description": c.description,
        "owner_id": c.owner_id, "form_enabled": c.form_enabled,
    })
}

fn entry(p: &Principal, action: &'static str, id: i64) -> Entry<'static> {
    Entry {
        actor_id: Some(p.user_id.0),
        action,
        entity_type: ENTITY,
        entity_id: id.to_string(),
        before: None,
        after: None,
    }
}

async fn live<C: ConnectionTrait>(db: &C, id: i64) -> Result<Campaign> {
    campaigns::find(db, id).await?.ok_or(ServiceError::NotFound)
}

/// A live campaign the user may change: its owner in the user's scope (403 otherwise).
async fn controlled<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Campaign> {
    let c = live(db, id).await?;
    if scope.owns_scope(c.owner_id) {
        Ok(c)
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Whether the user may change (edit, switch the form of) this campaign.
pub async fn can_edit(core: &Core, p: &Principal, c: &Campaign) -> Result<bool> {
    if !p.can(Module::Market, Action::Edit) {
        return Ok(false);
    }
    Ok(core.scope(p).await?.owns_scope(c.owner_id))
}

/// Whether the user may delete this campaign.
pub async fn can_delete(core: &Core, p: &Principal, c: &Campaign) -> Result<bool> {
    if !p.can(Module::Market, Action::Delete) {
        return Ok(false);
    }
    Ok(core.scope(p).await?.owns_scope(c.owner_id))
}

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Campaign>> {
    p.require(Module::Market, Action::View)?;
    Ok(campaigns::list(&core.db, filter, after, limit).await?)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Campaign> {
    p.require(Module::Market, Action::View)?;
    live(&core.db, id).await
}

pub async fn create(core: &Core, p: &Principal, input: CampaignInput) -> Result<Campaign> {
    p.require(Module::Market, Action::Create)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let fields = validate::validate(core, &txn, &scope, None, &input).await?;
    let now = core.now();
    let c = campaigns::insert(&txn, fields, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&c)),
            ..entry(p, "create", c.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: CampaignInput,
) -> Result<Campaign> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = controlled(&txn, &scope, id).await?;
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    let fields = validate::validate(core, &txn, &scope, Some(&before), &input).await?;
    let now = core.now();
    let c = versioned(campaigns::update(&txn, &before, version, fields, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&c)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Market, Action::Delete)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let c = controlled(&txn, &scope, id).await?;
    let now = core.now();
    versioned(campaigns::soft_delete(&txn, id, version, now).await?)?;
    recycle::add(&txn, ENTITY, id, &c.name, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&c)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What to do with a campaign's public web form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormChange {
    /// Accept submissions (a key is made the first time; an existing one is kept).
    Enable,
    /// Stop accepting submissions: the link answers 404 until enabled again.
    Disable,
    /// A new key: the old link answers 404 from now on.
    Regenerate,
}

/// Switches the public web form (owner scope and `market:edit`, version-checked).
pub async fn change_form(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    change: FormChange,
) -> Result<Campaign> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = controlled(&txn, &scope, id).await?;
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    let (enabled, key, action) = match change {
        FormChange::Enable => (
            true,
            before
                .form_key
                .clone()
                .or_else(|| Some(web_form::new_key())),
            "form_enable",
        ),
        FormChange::Disable => (false, before.form_key.clone(), "form_disable"),
        FormChange::Regenerate => (
            before.form_enabled,
            Some(web_form::new_key()),
            "form_regenerate",
        ),
    };
    let now = core.now();
    let c = versioned(campaigns::set_form(&txn, &before, version, enabled, key, now).await?)?;
    // The key itself stays out of the trail; whether it changed is enough.
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(json!({"form_enabled": before.form_enabled})),
            after: Some(json!({
                "form_enabled": c.form_enabled,
                "form_key_changed": c.form_key != before.form_key,
            })),
            ..entry(p, action, id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Brings a deleted campaign back (the recycle bin calls this inside its transaction).
pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<()> {
    if campaigns::restore(db, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}
