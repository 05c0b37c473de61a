//! Pipeline stages (销售阶段): the configurable stages of the sales pipeline with a default
//! probability each. Everyone in sales reads them; administrators add, rename, reorder,
//! change the default probability, deactivate and reactivate them.

use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::validate::optional_text;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::pipeline::{self, Fields};
use serde_json::json;

pub use crm_store::pipeline::Model as Stage;

pub const ENTITY: &str = pipeline::ENTITY;

/// The built-in stage codes, in their default order (labels: `pipeline.stage.<code>`).
pub const BUILT_IN: [&str; 5] = [
    "qualification",
    "needs_analysis",
    "proposal",
    "negotiation",
    "commitment",
];

/// What an administrator typed; `None` means "not given" (keep on update).
#[derive(Debug, Clone, Default)]
pub struct StageInput {
    /// Empty clears a built-in stage's name (back to its translated label).
    pub name: Option<String>,
    /// Whole percent, 0–100.
    pub probability: Option<String>,
    pub sort_order: Option<i32>,
    pub active: Option<bool>,
}

/// A probability in whole percent, 0–100 ("60" or "60%").
pub fn parse_probability(text: &str) -> std::result::Result<i32, (&'static str, String)> {
    let t = text.trim().trim_end_matches('%').trim();
    match t.parse::<i64>() {
        Ok(v) if (0..=100).contains(&v) => Ok(v as i32),
        Ok(_) => Err(("out_of_range", "Between 0 and 100".into())),
        Err(_) if t.is_empty() => Err(("required", "This field is required".into())),
        Err(_) => Err(("invalid_number", "Enter a whole number".into())),
    }
}

fn snapshot(s: &Stage) -> serde_json::Value {
    json!({
        "code": s.code, "name": s.name, "probability": s.probability,
        "sort_order": s.sort_order, "active": s.active,
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

/// Readable by everyone in sales (and by administrators, who configure it).
fn require_read(p: &Principal) -> Result<()> {
    if p.can(Module::Sales, Action::View) || p.can(Module::System, Action::Edit) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The stages in pipeline order; inactive ones only when asked for.
pub async fn list(core: &Core, p: &Principal, include_inactive: bool) -> Result<Vec<Stage>> {
    require_read(p)?;
    Ok(pipeline::list(&core.db, !include_inactive).await?)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Stage> {
    require_read(p)?;
    pipeline::find(&core.db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Merges `input` over `base` (a stage's stored fields).
fn validate(base: &Stage, input: &StageInput) -> Result<Fields> {
    let mut e = FieldErrors::new();
    let mut f = Fields::of(base);
    if let Some(n) = &input.name {
        match optional_text(n, 50).collect("name", &mut e) {
            Some(None) if base.code.is_none() => {
                e.add("name", "required", "This field is required")
            }
            Some(v) => f.name = v,
            None => {}
        }
    }
    if let Some(v) = &input.probability {
        if let Some(v) = parse_probability(v).collect("probability", &mut e) {
            f.probability = v;
        }
    }
    if let Some(v) = input.sort_order {
        if !(0..=1_000_000).contains(&v) {
            e.add("sort_order", "out_of_range", "Between 0 and 1000000");
        } else {
            f.sort_order = v;
        }
    }
    if let Some(v) = input.active {
        f.active = v;
    }
    e.into_result()?;
    Ok(f)
}

/// Adds a stage at the end of the pipeline.
pub async fn create(core: &Core, p: &Principal, input: StageInput) -> Result<Stage> {
    p.require(Module::System, Action::Edit)?;
    let mut e = FieldErrors::new();
    let name = crm_domain::validate::required_text(input.name.as_deref().unwrap_or(""), 50)
        .collect("name", &mut e);
    let probability = parse_probability(input.probability.as_deref().unwrap_or(""))
        .collect("probability", &mut e);
    e.into_result()?;
    let (Some(name), Some(probability)) = (name, probability) else {
        return Err(ServiceError::field(
            "name",
            "required",
            "This field is required",
        ));
    };
    let txn = core.begin_write().await?;
    let now = core.now();
    let s = pipeline::insert(&txn, name, probability, now).await?;
    if input.active == Some(false) || input.sort_order.is_some() {
        // Rare on create: apply the rest as an update of the new row.
        let f = validate(
            &s,
            &StageInput {
                name: None,
                probability: None,
                ..input
            },
        )?;
        versioned(pipeline::update(&txn, s.id, s.version, f, now).await?)?;
    }
    let s = pipeline::find(&txn, s.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&s)),
            ..entry(p, "create", s.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

/// Renames, re-prices, reorders, deactivates or reactivates a stage. A stage that open
/// opportunities use cannot be deactivated (409 `stage_in_use`), nor can the last active
/// one (409 `last_active_stage`).
pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: StageInput,
) -> Result<Stage> {
    p.require(Module::System, Action::Edit)?;
    let txn = core.begin_write().await?;
    let before = pipeline::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let fields = validate(&before, &input)?;
    if before.active && !fields.active {
        if pipeline::open_count(&txn, id).await? > 0 {
            return Err(ServiceError::conflict(
                "stage_in_use",
                "Open opportunities are in this stage: move them to another stage first",
            ));
        }
        if pipeline::active_count(&txn).await? <= 1 {
            return Err(ServiceError::conflict(
                "last_active_stage",
                "The pipeline needs at least one active stage",
            ));
        }
    }
    let now = core.now();
    let s = versioned(pipeline::update(&txn, id, version, fields, now).await?)?;
    let action = match (before.active, s.active) {
        (true, false) => "deactivate",
        (false, true) => "reactivate",
        _ => "update",
    };
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&s)),
            ..entry(p, action, id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

/// Moves a stage one place up (earlier) or down in the pipeline; the stages are renumbered
/// 10, 20, 30… in their new order.
pub async fn move_stage(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    up: bool,
) -> Result<Stage> {
    p.require(Module::System, Action::Edit)?;
    let txn = core.begin_write().await?;
    let mut all = pipeline::list(&txn, false).await?;
    let pos = all
        .iter()
        .position(|s| s.id == id)
        .ok_or(ServiceError::NotFound)?;
    let before = all[pos].clone();
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    let target = if up {
        pos.checked_sub(1)
    } else {
        Some(pos + 1).filter(|t| *t < all.len())
    };
    let Some(target) = target else {
        // Already first (or last): nothing to do.
        return Ok(before);
    };
    all.swap(pos, target);
    let now = core.now();
    let mut moved = before.clone();
    for (i, s) in all.iter().enumerate() {
        let order = (i as i32 + 1) * 10;
        if s.id == id {
            let f = Fields {
                sort_order: order,
                ..Fields::of(s)
            };
            moved = versioned(pipeline::update(&txn, id, version, f, now).await?)?;
        } else {
            pipeline::set_sort_order(&txn, s.id, order, now).await?;
        }
    }
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(json!({"sort_order": before.sort_order})),
            after: Some(json!({"sort_order": moved.sort_order})),
            ..entry(p, "move", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}
