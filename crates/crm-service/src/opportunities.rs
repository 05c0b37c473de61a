//! Opportunities (销售机会): create, read, change, close as won or lost, reopen, delete;
//! the pipeline board and the "likely to close soon" list. Owner-scoped through the one
//! record scope: an opportunity outside the user's owner set is a 404.

use crate::error::versioned;
use crate::{customers, Core, Result, ServiceError};
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::opportunities::{self as store, Fields, StatusChange, LOST, OPEN, WON};
use crm_store::scope::RecordScope;
use crm_store::{recycle, ConnectionTrait};
use serde_json::json;

mod queries;
mod validate;
pub use queries::*;
pub use validate::parse_date;
use validate::{pipeline_stage, validate};

pub use crm_store::opportunities::{Filter, Model as Opportunity, Sort, Totals};

pub const ENTITY: &str = store::ENTITY;

/// Raw opportunity fields as typed by a user; `None` means "not given" (keep on update).
#[derive(Debug, Clone, Default)]
pub struct OpportunityInput {
    pub customer_id: Option<i64>,
    pub name: Option<String>,
    /// A decimal amount in major units ("12000", "1,234.50"); empty is 0.
    pub amount: Option<String>,
    pub stage_id: Option<i64>,
    /// Whole percent; empty (or, on a change of stage, not given) is the stage's default.
    pub probability: Option<String>,
    /// "YYYY-MM-DD"; empty clears it.
    pub expected_close: Option<String>,
    /// One of [`Source`]; empty clears it.
    pub source: Option<String>,
    /// Default (create): the creator. Must be an active user in the principal's scope.
    pub owner_id: Option<i64>,
    pub notes: Option<String>,
}

/// `amount × probability / 100`, rounded half up to the minor unit (exact integers).
pub fn weighted(amount: i64, probability: i32) -> i64 {
    let n = i128::from(amount) * i128::from(probability);
    let r = if n >= 0 {
        (n + 50) / 100
    } else {
        -((-n + 50) / 100)
    };
    i64::try_from(r).unwrap_or(i64::MAX)
}

fn snapshot(o: &Opportunity) -> serde_json::Value {
    json!({
        "customer_id": o.customer_id, "name": o.name, "amount": o.amount,
        "stage_id": o.stage_id, "probability": o.probability,
        "expected_close": o.expected_close, "source": o.source, "owner_id": o.owner_id,
        "notes": o.notes, "status": o.status, "closed_on": o.closed_on,
        "close_reason": o.close_reason,
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

pub async fn scope_of(core: &Core, p: &Principal) -> Result<RecordScope> {
    Ok(core.scope(p).await?)
}

/// Loads an opportunity owned within the principal's scope; anything else is a 404.
pub async fn visible<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    id: i64,
) -> Result<Opportunity> {
    match store::find(db, id).await? {
        Some(o) if scope.owns_scope(o.owner_id) => Ok(o),
        _ => Err(ServiceError::NotFound),
    }
}

fn closed_conflict() -> ServiceError {
    ServiceError::conflict(
        "opportunity_closed",
        "This opportunity is closed: reopen it first",
    )
}

pub async fn create(core: &Core, p: &Principal, input: OpportunityInput) -> Result<Opportunity> {
    p.require(Module::Sales, Action::Create)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let fields = validate(core, &txn, &scope, None, &input).await?;
    let now = core.now();
    let o = store::insert(&txn, fields, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&o)),
            ..entry(p, "create", o.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Opportunity> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    visible(&core.db, &scope, id).await
}

/// Changes an open opportunity (a closed one is 409 `opportunity_closed`).
pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: OpportunityInput,
) -> Result<Opportunity> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    if before.status != OPEN {
        return Err(closed_conflict());
    }
    let fields = validate(core, &txn, &scope, Some(&before), &input).await?;
    let now = core.now();
    let o = versioned(store::update(&txn, &before, version, fields, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&o)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Closes an open opportunity: won (probability 100) or lost (probability 0, a reason is
/// required), on today's local date.
pub async fn close(
    core: &Core,
    p: &Principal,
    id: i64,
    version: Option<i32>,
    outcome: &str,
    reason: Option<&str>,
) -> Result<Opportunity> {
    p.require(Module::Sales, Action::Edit)?;
    let mut e = FieldErrors::new();
    let (to, probability) = match outcome.trim() {
        "won" => (WON, 100),
        "lost" => (LOST, 0),
        _ => {
            e.add("outcome", "invalid_choice", "Use won or lost");
            (LOST, 0)
        }
    };
    let reason = customers::optional_long_text(reason.unwrap_or(""), 1000)
        .collect("reason", &mut e)
        .flatten();
    if to == LOST && reason.is_none() && !e.0.contains_key("reason") {
        e.add("reason", "required", "Say why the opportunity was lost");
    }
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    if before.status != OPEN {
        return Err(closed_conflict());
    }
    e.into_result()?;
    let now = core.now();
    let change = StatusChange {
        from: OPEN,
        to,
        probability,
        closed_on: Some(core.today()),
        close_reason: reason,
    };
    let o = versioned(store::set_status(&txn, id, version, change, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&o)),
            ..entry(p, if to == WON { "won" } else { "lost" }, id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Reopens a won or lost opportunity; its probability goes back to its stage's default.
pub async fn reopen(
    core: &Core,
    p: &Principal,
    id: i64,
    version: Option<i32>,
) -> Result<Opportunity> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    let from = match before.status.as_str() {
        WON => WON,
        LOST => LOST,
        _ => {
            return Err(ServiceError::conflict(
                "opportunity_open",
                "This opportunity is already open",
            ))
        }
    };
    let probability = pipeline_stage(&txn, before.stage_id)
        .await?
        .map_or(before.probability, |s| s.probability);
    let change = StatusChange {
        from,
        to: OPEN,
        probability,
        closed_on: None,
        close_reason: None,
    };
    let now = core.now();
    let o = versioned(store::set_status(&txn, id, version, change, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&o)),
            ..entry(p, "reopen", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Moves the opportunity to the recycle bin.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Sales, Action::Delete)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let o = visible(&txn, &scope, id).await?;
    let now = core.now();
    versioned(store::soft_delete(&txn, id, version, now).await?)?;
    recycle::add(&txn, ENTITY, id, &o.name, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&o)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Restores an opportunity from the recycle bin (its customer must be live): the arm of
/// `recycle::restore`.
pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<()> {
    let o = store::find_any(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if crm_store::customers::find(db, o.customer_id)
        .await?
        .is_none()
    {
        return Err(ServiceError::conflict(
            "parent_deleted",
            "Restore its customer first",
        ));
    }
    store::restore(db, id).await?;
    Ok(())
}
