//! Contacts (联系人) under a customer; they follow the customer's visibility.

use crate::custom_fields::{self, CustomField};
use crate::customers::{editable, optional_long_text, scope_of, visible};
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::custom_field::FieldEntity;
use crm_domain::customer as cv;
use crm_domain::validate::{optional_text, required_text};
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::{contacts, recycle, ConnectionTrait};
use serde_json::json;
use std::collections::BTreeMap;

pub use contacts::{Filter, Model as Contact};

pub const ENTITY: &str = contacts::ENTITY;

/// Raw contact fields; `None` keeps the current value on update.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub customer_id: Option<i64>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// YYYY-MM-DD
    pub birthday: Option<String>,
    pub notes: Option<String>,
    pub is_primary: Option<bool>,
    /// Custom field values by key, merged over the stored ones; null clears one.
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

fn snapshot(c: &Contact) -> serde_json::Value {
    json!({
        "customer_id": c.customer_id, "name": c.name, "title": c.title, "mobile": c.mobile,
        "phone": c.phone, "email": c.email, "address": c.address, "birthday": c.birthday,
        "notes": c.notes, "is_primary": c.is_primary,
        "custom": custom_fields::values(&c.custom),
    })
}

pub fn parse_date(v: &str) -> std::result::Result<Option<NaiveDate>, (&'static str, String)> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ("invalid_date", "Use the form YYYY-MM-DD".into()))
}

/// The active custom fields of contacts.
pub async fn field_defs<C: ConnectionTrait>(db: &C) -> Result<Vec<CustomField>> {
    custom_fields::active(db, FieldEntity::Contact).await
}

/// Hides the values of deactivated fields.
fn strip_all(defs: &[CustomField], rows: &mut [Contact]) {
    for c in rows {
        custom_fields::strip(defs, &mut c.custom);
    }
}

fn validate(
    base: contacts::Fields,
    input: &ContactInput,
    defs: &[CustomField],
    creating: bool,
) -> Result<contacts::Fields> {
    let mut e = FieldErrors::new();
    let mut f = base;
    if let Some(n) = &input.name {
        f.name = required_text(n, 100)
            .collect("name", &mut e)
            .unwrap_or_default();
    } else if f.name.is_empty() {
        e.add("name", "required", "This field is required");
    }
    if let Some(v) = &input.title {
        f.title = optional_text(v, 100).collect("title", &mut e).flatten();
    }
    if let Some(v) = &input.address {
        f.address = optional_text(v, 300).collect("address", &mut e).flatten();
    }
    if let Some(v) = &input.mobile {
        f.mobile = cv::phone(v).collect("mobile", &mut e).flatten();
    }
    if let Some(v) = &input.phone {
        f.phone = cv::phone(v).collect("phone", &mut e).flatten();
    }
    if let Some(v) = &input.email {
        f.email = cv::email(v).collect("email", &mut e).flatten();
    }
    if let Some(v) = &input.birthday {
        f.birthday = parse_date(v).collect("birthday", &mut e).flatten();
    }
    if let Some(v) = &input.notes {
        f.notes = optional_long_text(v, 5000)
            .collect("notes", &mut e)
            .flatten();
    }
    if let Some(v) = input.is_primary {
        f.is_primary = v;
    }
    f.custom = custom_fields::merge_values(defs, &f.custom, &input.custom_fields, creating, &mut e);
    e.into_result()?;
    Ok(f)
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

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Contact>> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    let mut rows = contacts::list(&core.db, &scope, filter, before, limit).await?;
    strip_all(&field_defs(&core.db).await?, &mut rows);
    Ok(rows)
}

/// A visible contact (404 when its customer is invisible).
pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Contact> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    let mut c = contacts::find(&core.db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    visible(&core.db, &scope, c.customer_id).await?;
    custom_fields::strip(&field_defs(&core.db).await?, &mut c.custom);
    Ok(c)
}

pub async fn create(core: &Core, p: &Principal, input: ContactInput) -> Result<Contact> {
    p.require(Module::Customers, Action::Create)?;
    let Some(customer_id) = input.customer_id else {
        return Err(ServiceError::field(
            "customer_id",
            "required",
            "This field is required",
        ));
    };
    let defs = field_defs(&core.db).await?;
    let fields = validate(contacts::Fields::default(), &input, &defs, true)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    editable(&txn, &scope, customer_id)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound => {
                ServiceError::field("customer_id", "not_found", "No such customer")
            }
            other => other,
        })?;
    let now = core.now();
    let mut c = contacts::insert(&txn, customer_id, fields, now).await?;
    crm_store::match_keys::refresh_contact(&txn, c.id).await?;
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
    custom_fields::strip(&defs, &mut c.custom);
    Ok(c)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: ContactInput,
) -> Result<Contact> {
    p.require(Module::Customers, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = contacts::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    editable(&txn, &scope, before.customer_id).await?;
    if input.customer_id.is_some_and(|c| c != before.customer_id) {
        return Err(ServiceError::field(
            "customer_id",
            "immutable",
            "A contact cannot move to another customer",
        ));
    }
    let defs = field_defs(&txn).await?;
    let fields = validate(contacts::Fields::of(&before), &input, &defs, false)?;
    let now = core.now();
    let mut c = versioned(contacts::update(&txn, &before, version, fields, now).await?)?;
    crm_store::match_keys::refresh_contact(&txn, id).await?;
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
    custom_fields::strip(&defs, &mut c.custom);
    Ok(c)
}

pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Customers, Action::Delete)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let c = contacts::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    editable(&txn, &scope, c.customer_id).await?;
    let now = core.now();
    versioned(contacts::soft_delete(&txn, &c, version, now).await?)?;
    crm_store::match_keys::refresh_contact(&txn, id).await?;
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
