//! Custom fields (自定义字段): administrators define extra fields of customers and contacts;
//! everyone signed in reads the active definitions; the record services validate values
//! against them (see [`merge_values`]).
//!
//! A definition's key, record type and field type never change once created (stored values
//! depend on them); labels, options, required, position and active do. Deleting a field
//! deactivates it: its values stay in the records, hidden, and return if it is activated.

use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::custom_field::{self as cf, FieldEntity, FieldType};
use crm_domain::validate::optional_text;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::custom_fields::{self, Fields};
use crm_store::ConnectionTrait;
use sea_orm::SqlErr;
use serde_json::{json, Value};
use std::sync::Arc;

pub use crm_store::custom_fields::{Filter as CustomFilter, Match, Model as CustomField};
pub use values::{display, error_field, filters, merge_values, strip, values, visible_values};

mod values;

pub const ENTITY: &str = "custom_field";
/// Labels are at most this long.
pub const LABEL_MAX: usize = 100;

/// A definition as typed by an administrator; `None` means "not given" (keep on update).
#[derive(Debug, Clone, Default)]
pub struct FieldInput {
    /// customer or contact (create only)
    pub entity: Option<String>,
    /// snake_case (create only)
    pub key: Option<String>,
    /// one of [`FieldType`] (create only)
    pub field_type: Option<String>,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub required: Option<bool>,
    /// The choices of a select field, in order.
    pub options: Option<Vec<String>>,
    pub position: Option<i32>,
    pub active: Option<bool>,
}

fn snapshot(f: &CustomField) -> Value {
    json!({
        "entity": f.entity, "key": f.key, "field_type": f.field_type,
        "label_zh": f.label_zh, "label_en": f.label_en, "required": f.required,
        "options": f.option_list(), "position": f.position, "active": f.active,
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

fn parse_entity(entity: &str) -> Result<FieldEntity> {
    FieldEntity::parse(entity.trim())
        .ok_or_else(|| ServiceError::field("entity", "invalid_choice", "Use customer or contact"))
}

/// The active definitions of one record type, in display order (for the record services
/// and pages; no permission needed beyond being signed in).
pub async fn active<C: ConnectionTrait>(db: &C, entity: FieldEntity) -> Result<Vec<CustomField>> {
    Ok(custom_fields::list(db, Some(entity.as_str()), true).await?)
}

/// The active fields of one record type for a read, reused until this server writes
/// anything (see [`crate::cache`]); writes validate against [`active`] in their transaction.
pub async fn active_now(core: &Core, entity: FieldEntity) -> Result<Arc<Vec<CustomField>>> {
    let generation = core.writes.current();
    if let Some(defs) = core.field_defs.get(entity.as_str(), generation) {
        return Ok(defs);
    }
    let defs = Arc::new(active(&core.db, entity).await?);
    core.field_defs
        .put(entity.as_str().to_string(), generation, defs.clone());
    Ok(defs)
}

/// Definitions of one record type (or both). Every signed-in user reads the active ones;
/// administrators (system view) may include deactivated ones.
pub async fn list(
    core: &Core,
    p: &Principal,
    entity: Option<&str>,
    include_inactive: bool,
) -> Result<Vec<CustomField>> {
    if include_inactive {
        p.require(Module::System, Action::View)?;
    }
    let entity = entity
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(parse_entity)
        .transpose()?;
    Ok(custom_fields::list(&core.db, entity.map(|e| e.as_str()), !include_inactive).await?)
}

/// One definition; a deactivated one only for administrators (404 otherwise).
pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<CustomField> {
    match custom_fields::find(&core.db, id).await? {
        Some(f) if f.active || p.can(Module::System, Action::View) => Ok(f),
        _ => Err(ServiceError::NotFound),
    }
}

/// Validates the changeable part of a definition, merged over `base`.
fn validate_fields(
    kind: FieldType,
    base: Fields,
    input: &FieldInput,
    e: &mut FieldErrors,
) -> Fields {
    let mut f = base;
    let label = |v: &Option<String>, field: &str, cur: String, e: &mut FieldErrors| match v {
        None => cur,
        Some(s) => optional_text(s, LABEL_MAX)
            .collect(field, e)
            .flatten()
            .unwrap_or_default(),
    };
    f.label_zh = label(&input.label_zh, "label_zh", f.label_zh, e);
    f.label_en = label(&input.label_en, "label_en", f.label_en, e);
    if !e.0.contains_key("label_zh") && !e.0.contains_key("label_en") {
        // One label is enough: the other language shows the same text.
        match (f.label_zh.is_empty(), f.label_en.is_empty()) {
            (true, true) => e.add("label_zh", "required", "This field is required"),
            (true, false) => f.label_zh = f.label_en.clone(),
            (false, true) => f.label_en = f.label_zh.clone(),
            (false, false) => {}
        }
    }
    if let Some(o) = &input.options {
        if let Some(o) = cf::options(o).collect("options", e) {
            f.options = o;
        }
    }
    if kind.has_options() {
        if f.options.is_empty() && !e.0.contains_key("options") {
            e.add(
                "options",
                "required",
                "A choice field needs at least one option",
            );
        }
    } else {
        f.options = Vec::new();
    }
    if let Some(r) = input.required {
        f.required = r;
    }
    if let Some(pos) = input.position {
        if (0..=100_000).contains(&pos) {
            f.position = pos;
        } else {
            e.add("position", "invalid_number", "Between 0 and 100000");
        }
    }
    if let Some(a) = input.active {
        f.active = a;
    }
    f
}

pub async fn create(core: &Core, p: &Principal, input: FieldInput) -> Result<CustomField> {
    p.require(Module::System, Action::Create)?;
    let mut e = FieldErrors::new();
    let entity = match input.entity.as_deref().map(str::trim) {
        None | Some("") => {
            e.add("entity", "required", "This field is required");
            None
        }
        Some(s) => FieldEntity::parse(s)
            .ok_or(("invalid_choice", "Use customer or contact".to_string()))
            .collect("entity", &mut e),
    };
    let key = cf::key(input.key.as_deref().unwrap_or_default()).collect("key", &mut e);
    let kind = match input.field_type.as_deref().map(str::trim) {
        None | Some("") => {
            e.add("field_type", "required", "This field is required");
            None
        }
        Some(s) => FieldType::parse(s)
            .ok_or((
                "invalid_choice",
                "Not a field type: use text, long_text, number, decimal, date, \
                 single_select, multi_select, checkbox, url, email or phone"
                    .to_string(),
            ))
            .collect("field_type", &mut e),
    };
    let base = Fields {
        label_zh: String::new(),
        label_en: String::new(),
        required: false,
        options: Vec::new(),
        position: -1,
        active: true,
    };
    let fields = validate_fields(kind.unwrap_or(FieldType::Text), base, &input, &mut e);
    let txn = core.begin_write().await?;
    if let (Some(entity), Some(key)) = (entity, &key) {
        if custom_fields::find_by_key(&txn, entity.as_str(), key)
            .await?
            .is_some()
        {
            e.add("key", "taken", "A field with this key already exists");
        }
    }
    e.into_result()?;
    let (Some(entity), Some(key), Some(kind)) = (entity, key, kind) else {
        return Err(ServiceError::field(
            "key",
            "required",
            "This field is required",
        ));
    };
    let mut fields = fields;
    if fields.position < 0 {
        fields.position = custom_fields::next_position(&txn, entity.as_str()).await?;
    }
    let now = core.now();
    let f = match custom_fields::insert(&txn, entity.as_str(), &key, kind, fields, now).await {
        Ok(f) => f,
        // Another administrator created the same key a moment ago.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(ServiceError::field(
                "key",
                "taken",
                "A field with this key already exists",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&f)),
            ..entry(p, "create", f.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(f)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: FieldInput,
) -> Result<CustomField> {
    p.require(Module::System, Action::Edit)?;
    let txn = core.begin_write().await?;
    let before = custom_fields::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut e = FieldErrors::new();
    let same = |given: &Option<String>, cur: &str| given.as_deref().is_none_or(|g| g.trim() == cur);
    for (field, given, cur) in [
        ("entity", &input.entity, before.entity.as_str()),
        ("key", &input.key, before.key.as_str()),
        ("field_type", &input.field_type, before.field_type.as_str()),
    ] {
        if !same(given, cur) {
            e.add(field, "immutable", "This cannot be changed");
        }
    }
    let fields = validate_fields(before.kind(), Fields::of(&before), &input, &mut e);
    e.into_result()?;
    let now = core.now();
    let f = versioned(custom_fields::update(&txn, id, version, fields, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&f)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(f)
}

/// Deactivates a field: it disappears from forms, lists and exports; values are kept.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::System, Action::Delete)?;
    let txn = core.begin_write().await?;
    let before = custom_fields::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut fields = Fields::of(&before);
    fields.active = false;
    let now = core.now();
    let f = versioned(custom_fields::update(&txn, id, version, fields, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&f)),
            ..entry(p, "deactivate", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
