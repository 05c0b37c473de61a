//! Customers (客户): create, read, change, delete, transfer (移交) and share (共享), all
//! through the one record scope.

use crate::custom_fields::{self, CustomField};
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Utc};
use crm_domain::custom_field::FieldEntity;
use crm_domain::customer::{self as cv, Nature, Size, Source, Status};
use crm_domain::validate::{optional_text, required_text};
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::scope::{self, Access, RecordScope};
use crm_store::{activities, contacts, customers, recycle, users, ConnectionTrait};
use serde_json::json;
use std::collections::BTreeMap;

pub use crm_store::customers::{Filter, Model as Customer, Sort};

pub const ENTITY: &str = customers::ENTITY;

/// Raw customer fields as typed by a user; `None` means "not given" (keep on update).
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub nature: Option<String>,
    pub size: Option<String>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub notes: Option<String>,
    /// Create only: the owner (default: the creator). Must be in the creator's scope.
    pub owner_id: Option<i64>,
    /// Custom field values by key, merged over the stored ones; null clears one.
    pub custom_fields: BTreeMap<String, serde_json::Value>,
}

/// A customer as one user may see it.
#[derive(Debug, Clone)]
pub struct CustomerView {
    pub customer: Customer,
    pub access: Access,
}

fn snapshot(c: &Customer) -> serde_json::Value {
    json!({
        "name": c.name, "nature": c.nature, "size": c.size, "industry": c.industry,
        "province": c.province, "city": c.city, "district": c.district, "street": c.street,
        "postal_code": c.postal_code, "region": c.region, "phone": c.phone,
        "website": c.website, "source": c.source, "status": c.status, "notes": c.notes,
        "owner_id": c.owner_id,
        "custom": custom_fields::values(&c.custom),
    })
}

/// The active custom fields of customers.
pub async fn field_defs<C: ConnectionTrait>(db: &C) -> Result<Vec<CustomField>> {
    custom_fields::active(db, FieldEntity::Customer).await
}

/// List filters from `cf.<key>=<value>` pairs, checked against the active customer fields
/// (see [`custom_fields::filters`]).
pub async fn custom_filters(
    core: &Core,
    pairs: &[(String, String)],
    strict: bool,
) -> Result<Vec<custom_fields::CustomFilter>> {
    if !pairs.iter().any(|(k, _)| k.starts_with("cf.")) {
        return Ok(Vec::new());
    }
    let defs = custom_fields::active_now(core, FieldEntity::Customer).await?;
    custom_fields::filters(&defs, pairs, strict)
}

/// Merges `input` over `base` and validates every field, custom fields against `defs`.
fn validate(
    base: customers::Fields,
    input: &CustomerInput,
    defs: &[CustomField],
    creating: bool,
) -> Result<customers::Fields> {
    let mut e = FieldErrors::new();
    let mut f = base;
    let text =
        |v: &Option<String>, max: usize, field: &str, cur: Option<String>, e: &mut FieldErrors| {
            match v {
                None => cur,
                Some(s) => optional_text(s, max).collect(field, e).flatten(),
            }
        };
    if let Some(n) = &input.name {
        f.name = required_text(n, 200)
            .collect("name", &mut e)
            .unwrap_or_default();
    } else if f.name.is_empty() {
        e.add("name", "required", "This field is required");
    }
    if let Some(v) = &input.nature {
        f.nature = cv::choice(v, Nature::parse)
            .collect("nature", &mut e)
            .flatten()
            .map(|x| x.as_str().into());
    }
    if let Some(v) = &input.size {
        f.size = cv::choice(v, Size::parse)
            .collect("size", &mut e)
            .flatten()
            .map(|x| x.as_str().into());
    }
    if let Some(v) = &input.source {
        f.source = cv::choice(v, Source::parse)
            .collect("source", &mut e)
            .flatten()
            .map(|x| x.as_str().into());
    }
    if let Some(v) = &input.status {
        match cv::choice(v, Status::parse)
            .collect("status", &mut e)
            .flatten()
        {
            Some(s) => f.status = s.as_str().into(),
            None if !e.0.contains_key("status") => f.status = Status::Potential.as_str().into(),
            None => {}
        }
    }
    if f.status.is_empty() {
        f.status = Status::Potential.as_str().into();
    }
    f.industry = text(&input.industry, 50, "industry", f.industry.take(), &mut e);
    f.province = text(&input.province, 50, "province", f.province.take(), &mut e);
    f.city = text(&input.city, 50, "city", f.city.take(), &mut e);
    f.district = text(&input.district, 50, "district", f.district.take(), &mut e);
    f.street = text(&input.street, 200, "street", f.street.take(), &mut e);
    f.region = text(&input.region, 50, "region", f.region.take(), &mut e);
    if let Some(v) = &input.notes {
        f.notes = optional_long_text(v, 5000)
            .collect("notes", &mut e)
            .flatten();
    }
    if let Some(v) = &input.postal_code {
        f.postal_code = cv::postal_code(v).collect("postal_code", &mut e).flatten();
    }
    if let Some(v) = &input.phone {
        f.phone = cv::phone(v).collect("phone", &mut e).flatten();
    }
    if let Some(v) = &input.website {
        f.website = cv::url(v).collect("website", &mut e).flatten();
    }
    f.custom = custom_fields::merge_values(defs, &f.custom, &input.custom_fields, creating, &mut e);
    e.into_result()?;
    Ok(f)
}

/// Multi-line text: newlines allowed, other control characters not.
pub fn optional_long_text(
    v: &str,
    max: usize,
) -> std::result::Result<Option<String>, (&'static str, String)> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(("too_long", format!("At most {max} characters")));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err((
            "invalid_characters",
            "Control characters are not allowed".into(),
        ));
    }
    Ok(Some(t.to_string()))
}

/// Loads a customer the principal may see, with their access; invisible is 404.
pub async fn visible<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    id: i64,
) -> Result<(Customer, Access)> {
    let c = customers::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    match scope.access(db, ENTITY, id, c.owner_id).await? {
        Some(a) => Ok((c, a)),
        None => Err(ServiceError::NotFound),
    }
}

/// Like [`visible`] but requires edit access (a read-only share is 403).
pub async fn editable<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    id: i64,
) -> Result<Customer> {
    let (c, access) = visible(db, scope, id).await?;
    if access < Access::Edit {
        return Err(ServiceError::Forbidden);
    }
    Ok(c)
}

/// Requires the customer to be in the principal's owner scope (own, subordinates', …):
/// only owners and their managers transfer, share or delete — not those it is shared with.
async fn controlled<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Customer> {
    let (c, _) = visible(db, scope, id).await?;
    if !scope.owns_scope(c.owner_id) {
        return Err(ServiceError::Forbidden);
    }
    Ok(c)
}

pub async fn scope_of(core: &Core, p: &Principal) -> Result<RecordScope> {
    Ok(core.scope(p).await?)
}

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Customer>> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    let mut rows = customers::list(&core.db, &scope, filter, sort, after, limit).await?;
    let defs = custom_fields::active_now(core, FieldEntity::Customer).await?;
    for c in &mut rows {
        custom_fields::strip(&defs, &mut c.custom);
    }
    Ok(rows)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<CustomerView> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    let (mut customer, access) = visible(&core.db, &scope, id).await?;
    let defs = custom_fields::active_now(core, FieldEntity::Customer).await?;
    custom_fields::strip(&defs, &mut customer.custom);
    Ok(CustomerView { customer, access })
}

async fn check_owner<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    owner: i64,
    field: &str,
) -> Result<()> {
    match users::find(db, owner).await? {
        Some(u) if u.active => {
            if scope.owns_scope(owner) {
                Ok(())
            } else {
                Err(ServiceError::field(
                    field,
                    "out_of_scope",
                    "You cannot assign records to this user",
                ))
            }
        }
        Some(_) => Err(ServiceError::field(
            field,
            "inactive",
            "That user is deactivated",
        )),
        None => Err(ServiceError::field(field, "not_found", "No such user")),
    }
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

pub async fn create(core: &Core, p: &Principal, input: CustomerInput) -> Result<Customer> {
    p.require(Module::Customers, Action::Create)?;
    let defs = field_defs(&core.db).await?;
    let fields = validate(customers::Fields::default(), &input, &defs, true)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let owner = input.owner_id.unwrap_or(p.user_id.0);
    check_owner(&txn, &scope, owner, "owner_id").await?;
    let now = core.now();
    let mut c = customers::insert(&txn, fields, owner, Some(p.user_id.0), now).await?;
    crm_store::match_keys::refresh_customer(&txn, c.id).await?;
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
    input: CustomerInput,
) -> Result<Customer> {
    p.require(Module::Customers, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = editable(&txn, &scope, id).await?;
    let defs = field_defs(&txn).await?;
    let fields = validate(customers::Fields::of(&before), &input, &defs, false)?;
    let now = core.now();
    let mut c = versioned(customers::update(&txn, &before, version, fields, now).await?)?;
    crm_store::match_keys::refresh_customer(&txn, id).await?;
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
    let c = controlled(&txn, &scope, id).await?;
    let now = core.now();
    versioned(customers::soft_delete(&txn, id, version, now).await?)?;
    crm_store::match_keys::refresh_customer(&txn, id).await?;
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

async fn transfer_one<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    scope: &RecordScope,
    id: i64,
    version: Option<i32>,
    to: i64,
    now: DateTime<Utc>,
) -> Result<Customer> {
    let before = controlled(db, scope, id).await?;
    if before.owner_id == to {
        return Ok(before);
    }
    let c = versioned(customers::set_owner(db, id, version, to, now).await?)?;
    crm_store::match_keys::refresh_customer(db, id).await?;
    let moved = activities::reassign_open(db, id, to, now.date_naive()).await?;
    // The new owner no longer needs a share.
    scope::unshare(db, ENTITY, id, to).await?;
    audit::record(
        db,
        now,
        Entry {
            before: Some(json!({"owner_id": before.owner_id})),
            after: Some(json!({"owner_id": to, "open_activities_moved": moved})),
            ..entry(p, "transfer", id)
        },
    )
    .await?;
    Ok(c)
}

/// 移交: hands a customer (with its contacts and open follow-ups) to another user.
pub async fn transfer(
    core: &Core,
    p: &Principal,
    id: i64,
    version: Option<i32>,
    to_user_id: i64,
) -> Result<Customer> {
    p.require(Module::Customers, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    controlled(&txn, &scope, id).await?;
    check_target(&txn, to_user_id, "to_user_id").await?;
    let mut c = transfer_one(&txn, p, &scope, id, version, to_user_id, core.now()).await?;
    txn.commit().await?;
    custom_fields::strip(&field_defs(&core.db).await?, &mut c.custom);
    Ok(c)
}

/// Bulk transfer for managers: all or nothing.
pub async fn transfer_many(
    core: &Core,
    p: &Principal,
    ids: &[i64],
    to_user_id: i64,
) -> Result<usize> {
    p.require(Module::Customers, Action::Edit)?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ServiceError::field(
            "ids",
            "invalid_length",
            "Between 1 and 1000 customers",
        ));
    }
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    check_target(&txn, to_user_id, "to_user_id").await?;
    let now = core.now();
    for id in ids {
        transfer_one(&txn, p, &scope, *id, None, to_user_id, now).await?;
    }
    txn.commit().await?;
    Ok(ids.len())
}

/// A transfer or share target: an existing, active user (any user: a rep may hand a
/// customer to a colleague in another team).
async fn check_target<C: ConnectionTrait>(db: &C, user: i64, field: &str) -> Result<()> {
    match users::find(db, user).await? {
        Some(u) if u.active => Ok(()),
        Some(_) => Err(ServiceError::field(
            field,
            "inactive",
            "That user is deactivated",
        )),
        None => Err(ServiceError::field(field, "not_found", "No such user")),
    }
}

/// 共享: lets another user read or edit one customer.
pub async fn share(
    core: &Core,
    p: &Principal,
    id: i64,
    user_id: i64,
    access: &str,
) -> Result<crm_store::entity::record_share::Model> {
    p.require(Module::Customers, Action::Edit)?;
    let access = Access::parse(access)
        .ok_or_else(|| ServiceError::field("access", "invalid_choice", "Use read or edit"))?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let c = controlled(&txn, &scope, id).await?;
    if user_id == p.user_id.0 {
        return Err(ServiceError::field(
            "user_id",
            "self_share",
            "You cannot share with yourself",
        ));
    }
    if user_id == c.owner_id {
        return Err(ServiceError::field(
            "user_id",
            "owner_share",
            "This user owns the customer",
        ));
    }
    check_target(&txn, user_id, "user_id").await?;
    let now = core.now();
    let s = scope::share(&txn, ENTITY, id, user_id, access, p.user_id.0, now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(json!({"user_id": user_id, "access": access.as_str()})),
            ..entry(p, "share", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

pub async fn unshare(core: &Core, p: &Principal, id: i64, user_id: i64) -> Result<()> {
    p.require(Module::Customers, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    controlled(&txn, &scope, id).await?;
    if !scope::unshare(&txn, ENTITY, id, user_id).await? {
        return Err(ServiceError::NotFound);
    }
    audit::record(
        &txn,
        core.now(),
        Entry {
            before: Some(json!({"user_id": user_id})),
            ..entry(p, "unshare", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn shares(
    core: &Core,
    p: &Principal,
    id: i64,
) -> Result<Vec<crm_store::entity::record_share::Model>> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    visible(&core.db, &scope, id).await?;
    Ok(scope::shares_of(&core.db, ENTITY, id).await?)
}

/// The audit trail of one customer, for whoever may see it.
pub async fn history(
    core: &Core,
    p: &Principal,
    id: i64,
) -> Result<Vec<crm_store::entity::audit_log::Model>> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    visible(&core.db, &scope, id).await?;
    let filter = audit::Filter {
        entity_type: Some(ENTITY.to_string()),
        entity_id: Some(id.to_string()),
        actor_id: None,
    };
    Ok(audit::list(&core.db, &filter, None, 100).await?)
}

/// Contacts of a visible customer.
pub async fn contacts_of(core: &Core, p: &Principal, id: i64) -> Result<Vec<contacts::Model>> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    visible(&core.db, &scope, id).await?;
    Ok(contacts::of_customer(&core.db, id).await?)
}
