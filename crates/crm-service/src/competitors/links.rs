//! Competitors met on an opportunity: the links, with the competitor's price and notes.
//! Reading needs `sales:view`, changing `sales:edit`; either way the opportunity must be in
//! the user's owner scope (404 otherwise, see [`opportunities::visible`]).

use crate::customers::optional_long_text;
use crate::{opportunities, Core, Result, ServiceError};
use crm_domain::money::MAX_AMOUNT;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::competitors::{self as store, LinkModel};
use crm_store::scope::RecordScope;
use crm_store::{ConnectionTrait, DbErr};
use sea_orm::SqlErr;
use serde_json::json;

/// A link as typed; `None` keeps the stored value on update, `Some("")` clears it.
#[derive(Debug, Clone, Default)]
pub struct LinkInput {
    /// Required when linking; ignored on update.
    pub competitor_id: Option<i64>,
    /// Their offered price in major units ("98000", "1,234.50").
    pub their_price: Option<String>,
    pub notes: Option<String>,
}

/// One link with the competitor's name.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub link: LinkModel,
    pub competitor_name: String,
}

fn snapshot(l: &LinkModel) -> serde_json::Value {
    json!({
        "competitor_id": l.competitor_id, "their_price": l.their_price, "notes": l.notes,
    })
}

fn entry(p: &Principal, action: &'static str, opportunity_id: i64) -> Entry<'static> {
    Entry {
        actor_id: Some(p.user_id.0),
        action,
        entity_type: opportunities::ENTITY,
        entity_id: opportunity_id.to_string(),
        before: None,
        after: None,
    }
}

fn already_linked() -> ServiceError {
    ServiceError::conflict(
        "already_linked",
        "This competitor is already linked to the opportunity",
    )
}

/// Price and notes merged over `base`, every field checked at once.
fn validate(
    core: &Core,
    base: (Option<i64>, Option<String>),
    input: &LinkInput,
    e: &mut FieldErrors,
) -> (Option<i64>, Option<String>) {
    let (mut price, mut notes) = base;
    match input.their_price.as_deref().map(str::trim) {
        None => {}
        Some("") => price = None,
        Some(text) => match core.settings.currency.parse(text, false) {
            Ok(m) if m.0 > MAX_AMOUNT => e.add("their_price", "too_large", "is too large"),
            Ok(m) => price = Some(m.0),
            Err((code, msg)) => e.add("their_price", code, msg),
        },
    }
    if let Some(v) = &input.notes {
        notes = optional_long_text(v, 2000).collect("notes", e).flatten();
    }
    (price, notes)
}

async fn named<C: ConnectionTrait>(db: &C, link: LinkModel) -> Result<LinkView> {
    let competitor_name = store::names(db, &[link.competitor_id])
        .await?
        .into_iter()
        .next()
        .map(|(_, n)| n)
        .unwrap_or_default();
    Ok(LinkView {
        link,
        competitor_name,
    })
}

/// The live competitors linked to a visible opportunity, in the order they were added.
pub async fn links(core: &Core, p: &Principal, opportunity_id: i64) -> Result<Vec<LinkView>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    opportunities::visible(&core.db, &scope, opportunity_id).await?;
    let rows = store::links_of_opportunity(&core.db, opportunity_id).await?;
    let ids: Vec<i64> = rows.iter().map(|l| l.competitor_id).collect();
    let names: std::collections::HashMap<i64, String> =
        store::names(&core.db, &ids).await?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|link| LinkView {
            competitor_name: names.get(&link.competitor_id).cloned().unwrap_or_default(),
            link,
        })
        .collect())
}

/// Links a live competitor to a visible opportunity (open or closed); a second link of the
/// same pair is 409 `already_linked`.
pub async fn link(
    core: &Core,
    p: &Principal,
    opportunity_id: i64,
    input: LinkInput,
) -> Result<LinkView> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    opportunities::visible(&txn, &scope, opportunity_id).await?;
    let mut e = FieldErrors::new();
    let competitor_id = input.competitor_id.unwrap_or(0);
    match input.competitor_id {
        None => e.add("competitor_id", "required", "This field is required"),
        Some(id) => match store::find_any(&txn, id).await? {
            Some(c) if c.deleted_at.is_none() => {}
            Some(_) => e.add(
                "competitor_id",
                "deleted",
                "This competitor is in the recycle bin",
            ),
            None => e.add("competitor_id", "unknown", "No such competitor"),
        },
    }
    let (price, notes) = validate(core, (None, None), &input, &mut e);
    e.into_result()?;
    if store::find_link(&txn, opportunity_id, competitor_id)
        .await?
        .is_some()
    {
        return Err(already_linked());
    }
    let now = core.now();
    let link = store::insert_link(
        &txn,
        opportunity_id,
        competitor_id,
        price,
        notes,
        Some(p.user_id.0),
        now,
    )
    .await
    .map_err(unique_to_conflict)?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&link)),
            ..entry(p, "add_competitor", opportunity_id)
        },
    )
    .await?;
    txn.commit().await?;
    named(&core.db, link).await
}

/// Two users linking the same pair at once: the unique index lets one through.
fn unique_to_conflict(err: DbErr) -> ServiceError {
    if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        already_linked()
    } else {
        ServiceError::Internal(err)
    }
}

/// The link of a visible opportunity to a live competitor (404 otherwise).
async fn existing<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    opportunity_id: i64,
    competitor_id: i64,
) -> Result<LinkModel> {
    opportunities::visible(db, scope, opportunity_id).await?;
    if store::find(db, competitor_id).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    store::find_link(db, opportunity_id, competitor_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Changes the price and notes of a link.
pub async fn update_link(
    core: &Core,
    p: &Principal,
    opportunity_id: i64,
    competitor_id: i64,
    input: LinkInput,
) -> Result<LinkView> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = existing(&txn, &scope, opportunity_id, competitor_id).await?;
    let mut e = FieldErrors::new();
    let (price, notes) = validate(
        core,
        (before.their_price, before.notes.clone()),
        &input,
        &mut e,
    );
    e.into_result()?;
    let link = store::update_link(&txn, &before, price, notes).await?;
    audit::record(
        &txn,
        core.now(),
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&link)),
            ..entry(p, "edit_competitor", opportunity_id)
        },
    )
    .await?;
    txn.commit().await?;
    named(&core.db, link).await
}

/// Removes a link (404 when there is none).
pub async fn unlink(
    core: &Core,
    p: &Principal,
    opportunity_id: i64,
    competitor_id: i64,
) -> Result<()> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = existing(&txn, &scope, opportunity_id, competitor_id).await?;
    store::delete_link(&txn, opportunity_id, competitor_id).await?;
    audit::record(
        &txn,
        core.now(),
        Entry {
            before: Some(snapshot(&before)),
            ..entry(p, "remove_competitor", opportunity_id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
