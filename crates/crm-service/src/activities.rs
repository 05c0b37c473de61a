//! Contact history (联络历史): calls, visits, emails, meetings and notes with a customer.

use crate::contacts::parse_date;
use crate::customers::{editable, optional_long_text, scope_of};
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Utc};
use crm_domain::customer::{self as cv, ActivityKind};
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::scope::Access;
use crm_store::{activities, contacts, recycle, ConnectionTrait};
use serde_json::json;

pub use activities::{Filter, Model as Activity};

pub const ENTITY: &str = activities::ENTITY;

#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub customer_id: Option<i64>,
    pub contact_id: Option<Option<i64>>,
    pub kind: Option<String>,
    /// RFC 3339; default now.
    pub occurred_at: Option<String>,
    pub content: Option<String>,
    /// YYYY-MM-DD or empty.
    pub next_follow_up: Option<String>,
}

fn snapshot(a: &Activity) -> serde_json::Value {
    json!({
        "customer_id": a.customer_id, "contact_id": a.contact_id, "kind": a.kind,
        "occurred_at": a.occurred_at, "content": a.content, "next_follow_up": a.next_follow_up,
        "owner_id": a.owner_id,
    })
}

pub fn parse_time(v: &str) -> std::result::Result<DateTime<Utc>, (&'static str, String)> {
    let t = v.trim();
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").map(|n| n.and_utc())
        })
        .map_err(|_| {
            (
                "invalid_datetime",
                "Use a date and time like 2026-03-02T09:30".into(),
            )
        })
}

async fn validate<C: ConnectionTrait>(
    db: &C,
    customer_id: i64,
    base: Option<&Activity>,
    input: &ActivityInput,
    now: DateTime<Utc>,
) -> Result<activities::Fields> {
    let mut e = FieldErrors::new();
    let kind = match (&input.kind, base) {
        (Some(k), _) => cv::choice(k, ActivityKind::parse)
            .collect("kind", &mut e)
            .flatten()
            .map(|k| k.as_str().to_string()),
        (None, Some(b)) => Some(b.kind.clone()),
        (None, None) => None,
    };
    if kind.is_none() && !e.0.contains_key("kind") {
        e.add("kind", "required", "This field is required");
    }
    let content = match (&input.content, base) {
        (Some(c), _) => match optional_long_text(c, 10_000)
            .collect("content", &mut e)
            .flatten()
        {
            Some(c) => Some(c),
            None => {
                if !e.0.contains_key("content") {
                    e.add("content", "required", "This field is required");
                }
                None
            }
        },
        (None, Some(b)) => Some(b.content.clone()),
        (None, None) => {
            e.add("content", "required", "This field is required");
            None
        }
    };
    let occurred_at = match (&input.occurred_at, base) {
        (Some(t), _) if !t.trim().is_empty() => parse_time(t).collect("occurred_at", &mut e),
        (_, Some(b)) => Some(b.occurred_at),
        _ => Some(now),
    };
    let next_follow_up = match (&input.next_follow_up, base) {
        (Some(d), _) => parse_date(d).collect("next_follow_up", &mut e).flatten(),
        (None, Some(b)) => b.next_follow_up,
        (None, None) => None,
    };
    let contact_id = match (input.contact_id, base) {
        (Some(c), _) => c,
        (None, Some(b)) => b.contact_id,
        (None, None) => None,
    };
    if let Some(cid) = contact_id {
        match contacts::find(db, cid).await? {
            Some(c) if c.customer_id == customer_id => {}
            _ => e.add(
                "contact_id",
                "not_found",
                "No such contact at this customer",
            ),
        }
    }
    e.into_result()?;
    Ok(activities::Fields {
        contact_id,
        kind: kind.unwrap_or_default(),
        occurred_at: occurred_at.unwrap_or(now),
        content: content.unwrap_or_default(),
        next_follow_up,
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

/// Visible contact history: of visible customers, and everything authored by people in the
/// viewer's scope (a manager reads every subordinate's log).
pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Activity>> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    Ok(activities::list(&core.db, &scope, filter, before, limit).await?)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Activity> {
    p.require(Module::Customers, Action::View)?;
    let scope = scope_of(core, p).await?;
    activities::find_visible(&core.db, &scope, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub async fn create(core: &Core, p: &Principal, input: ActivityInput) -> Result<Activity> {
    p.require(Module::Customers, Action::Create)?;
    let Some(customer_id) = input.customer_id else {
        return Err(ServiceError::field(
            "customer_id",
            "required",
            "This field is required",
        ));
    };
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let customer = editable(&txn, &scope, customer_id)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound => {
                ServiceError::field("customer_id", "not_found", "No such customer")
            }
            other => other,
        })?;
    let now = core.now();
    let fields = validate(&txn, customer_id, None, &input, now).await?;
    // The follow-up belongs to the customer's owner when someone else logs it.
    let owner = if scope.owns_scope(customer.owner_id) {
        customer.owner_id
    } else {
        p.user_id.0
    };
    let a = activities::insert(&txn, customer_id, p.user_id.0, owner, fields, now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&a)),
            ..entry(p, "create", a.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

/// The author, or anyone who may edit the customer, changes an entry.
async fn changeable<C: ConnectionTrait>(
    db: &C,
    scope: &crm_store::scope::RecordScope,
    p: &Principal,
    id: i64,
) -> Result<Activity> {
    let a = activities::find(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if a.author_id == p.user_id.0 {
        return Ok(a);
    }
    match crate::customers::visible(db, scope, a.customer_id).await {
        Ok((_, Access::Edit)) => Ok(a),
        Ok(_) => Err(ServiceError::Forbidden),
        Err(_) if scope.owns_scope(a.author_id) => Err(ServiceError::Forbidden),
        Err(e) => Err(e),
    }
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: ActivityInput,
) -> Result<Activity> {
    p.require(Module::Customers, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = changeable(&txn, &scope, p, id).await?;
    let now = core.now();
    let fields = validate(&txn, before.customer_id, Some(&before), &input, now).await?;
    let a = versioned(activities::update(&txn, id, version, fields, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&a)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Customers, Action::Delete)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let a = changeable(&txn, &scope, p, id).await?;
    let now = core.now();
    versioned(activities::soft_delete(&txn, id, version, now).await?)?;
    let label: String = a.content.chars().take(60).collect();
    recycle::add(&txn, ENTITY, id, &label, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&a)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
