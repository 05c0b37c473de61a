//! Competitors (竞争对手): company-wide market intelligence — name, website, strengths,
//! weaknesses, products and prices, market share notes — linked to opportunities
//! ([`links`]) with the win/loss record against each ([`record`]).
//!
//! Module `market`: view reads, create creates, edit edits, delete deletes (soft, to the
//! recycle bin). The record and the linked opportunities are sales data: they need
//! `sales:view` as well and count only opportunities owned in the viewer's scope.

use crate::customers::optional_long_text;
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::customer as cv;
use crm_domain::validate::required_text;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::competitors::{self as store, Fields};
use crm_store::{recycle, ConnectionTrait};
use serde_json::json;

pub mod links;
pub mod record;

pub use crm_store::competitors::{Filter, LinkedOpportunity, Model as Competitor};
pub use links::{link, links, unlink, update_link, LinkInput, LinkView};
pub use record::{QuarterRecord, Record, Tally};

pub const ENTITY: &str = store::ENTITY;
/// Longest name, and longest text of each descriptive field.
pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 5000;
/// At most this many linked opportunities are listed on a competitor's page.
const OPPORTUNITIES_SHOWN: u64 = 200;
/// At most this many competitors are offered in a select.
const CHOICES: u64 = 1000;

/// Raw fields as typed; `None` keeps the stored value on update, `Some("")` clears an
/// optional one.
#[derive(Debug, Clone, Default)]
pub struct CompetitorInput {
    pub name: Option<String>,
    pub website: Option<String>,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    pub products: Option<String>,
    pub market_share: Option<String>,
    pub notes: Option<String>,
}

/// A competitor with its record in the viewer's scope (`None` without `sales:view`).
#[derive(Debug, Clone)]
pub struct CompetitorView {
    pub competitor: Competitor,
    pub record: Option<Record>,
}

fn snapshot(c: &Competitor) -> serde_json::Value {
    json!({
        "name": c.name, "website": c.website, "strengths": c.strengths,
        "weaknesses": c.weaknesses, "products": c.products,
        "market_share": c.market_share, "notes": c.notes,
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

/// Merges `input` over `base` and checks every field at once, the name's uniqueness among
/// live competitors (other than `self_id`) included.
async fn validate<C: ConnectionTrait>(
    db: &C,
    base: Fields,
    input: &CompetitorInput,
    self_id: Option<i64>,
) -> Result<Fields> {
    let mut e = FieldErrors::new();
    let mut f = base;
    match &input.name {
        Some(n) => {
            f.name = required_text(n, NAME_MAX)
                .collect("name", &mut e)
                .unwrap_or_default()
        }
        None if f.name.is_empty() => e.add("name", "required", "This field is required"),
        None => {}
    }
    if !e.0.contains_key("name") && store::find_by_name(db, &f.name, self_id).await?.is_some() {
        e.add("name", "name_taken", "A competitor with this name exists");
    }
    if let Some(v) = &input.website {
        f.website = cv::url(v).collect("website", &mut e).flatten();
    }
    let texts = [
        ("strengths", &input.strengths, &mut f.strengths),
        ("weaknesses", &input.weaknesses, &mut f.weaknesses),
        ("products", &input.products, &mut f.products),
        ("market_share", &input.market_share, &mut f.market_share),
        ("notes", &input.notes, &mut f.notes),
    ];
    for (field, given, stored) in texts {
        if let Some(v) = given {
            *stored = optional_long_text(v, TEXT_MAX)
                .collect(field, &mut e)
                .flatten();
        }
    }
    e.into_result()?;
    Ok(f)
}

/// A live competitor (404 otherwise).
async fn live<C: ConnectionTrait>(db: &C, id: i64) -> Result<Competitor> {
    store::find(db, id).await?.ok_or(ServiceError::NotFound)
}

/// Whether the viewer sees sales figures (records, linked opportunities).
fn sees_sales(p: &Principal) -> bool {
    p.can(Module::Sales, Action::View)
}

/// One page of competitors by name, each with its record over the opportunities in the
/// viewer's scope — one grouped query for the whole page.
pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<CompetitorView>> {
    p.require(Module::Market, Action::View)?;
    let rows = store::list(&core.db, filter, after, limit).await?;
    let mut records = if sees_sales(p) {
        let scope = core.scope(p).await?;
        let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
        let tallies = store::tallies(&core.db, &scope, &ids).await?;
        Some(record::records(&ids, &tallies))
    } else {
        None
    };
    Ok(rows
        .into_iter()
        .map(|c| CompetitorView {
            record: records
                .as_mut()
                .map(|r| r.remove(&c.id).unwrap_or_default()),
            competitor: c,
        })
        .collect())
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<CompetitorView> {
    p.require(Module::Market, Action::View)?;
    let competitor = live(&core.db, id).await?;
    let record = if sees_sales(p) {
        let scope = core.scope(p).await?;
        let tallies = store::tallies(&core.db, &scope, &[id]).await?;
        record::records(&[id], &tallies).remove(&id)
    } else {
        None
    };
    Ok(CompetitorView { competitor, record })
}

/// The competitor's linked opportunities in the viewer's scope, newest first (at most 200).
pub async fn opportunities(core: &Core, p: &Principal, id: i64) -> Result<Vec<LinkedOpportunity>> {
    p.require(Module::Market, Action::View)?;
    p.require(Module::Sales, Action::View)?;
    live(&core.db, id).await?;
    let scope = core.scope(p).await?;
    Ok(store::opportunities_of(&core.db, &scope, id, OPPORTUNITIES_SHOWN).await?)
}

/// Won and lost against the competitor per quarter of closing, in the viewer's scope.
pub async fn by_quarter(core: &Core, p: &Principal, id: i64) -> Result<Vec<QuarterRecord>> {
    p.require(Module::Market, Action::View)?;
    p.require(Module::Sales, Action::View)?;
    live(&core.db, id).await?;
    let scope = core.scope(p).await?;
    let days = store::closed_by_day(&core.db, &scope, id).await?;
    Ok(record::quarters(&days))
}

/// `(id, name)` of live competitors for the "add competitor" select of an opportunity.
pub async fn choices(core: &Core, p: &Principal) -> Result<Vec<(i64, String)>> {
    if !(p.can(Module::Sales, Action::Edit) || p.can(Module::Market, Action::View)) {
        return Err(ServiceError::Forbidden);
    }
    Ok(store::choices(&core.db, CHOICES).await?)
}

pub async fn create(core: &Core, p: &Principal, input: CompetitorInput) -> Result<Competitor> {
    p.require(Module::Market, Action::Create)?;
    let txn = core.begin_write().await?;
    let fields = validate(&txn, Fields::default(), &input, None).await?;
    let now = core.now();
    let c = store::insert(&txn, fields, Some(p.user_id.0), now).await?;
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
    input: CompetitorInput,
) -> Result<Competitor> {
    p.require(Module::Market, Action::Edit)?;
    let txn = core.begin_write().await?;
    let before = live(&txn, id).await?;
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    let fields = validate(&txn, Fields::of(&before), &input, Some(id)).await?;
    let now = core.now();
    let c = versioned(store::update(&txn, &before, version, fields, now).await?)?;
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

/// To the recycle bin. Its links stay; while it is deleted it is neither listed nor
/// linkable, and opportunities do not show it.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Market, Action::Delete)?;
    let txn = core.begin_write().await?;
    let c = live(&txn, id).await?;
    let now = core.now();
    versioned(store::soft_delete(&txn, id, version, now).await?)?;
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

/// The recycle bin's restore of a competitor (inside its transaction): refused with 409
/// `name_taken` while a live competitor has the same name.
pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<()> {
    let c = store::find_any(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if store::find_by_name(db, &c.name, Some(id)).await?.is_some() {
        return Err(ServiceError::conflict(
            "name_taken",
            "A live competitor has this name: rename it first",
        ));
    }
    store::restore(db, id).await?;
    Ok(())
}
