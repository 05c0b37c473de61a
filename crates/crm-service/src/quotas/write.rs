//! Setting one target (upsert) and removing one, with the rules every write follows
//! ([`rule`]) and the one write path ([`put`]) that the bulk grid reuses.

use super::{parse_kind, period_of, Metric, Quota, Reach, Subject, ENTITY};
use crate::{Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::money::MAX_AMOUNT;
use crm_domain::{Action, DataScope, FieldErrors, Module, Principal};
use crm_store::audit::{self, Entry};
use crm_store::quotas::{self, Slot};
use crm_store::{departments, users, ConnectionTrait};
use serde_json::json;

/// The largest count target (new customers).
pub const MAX_COUNT: i64 = 1_000_000_000;

/// A target as typed. Exactly one of `user_id` / `department_id`.
#[derive(Debug, Clone, Default)]
pub struct QuotaInput {
    pub user_id: Option<i64>,
    pub department_id: Option<i64>,
    /// sales_amount, payments or new_customers.
    pub metric: Option<String>,
    /// month, quarter or year.
    pub period: Option<String>,
    /// "YYYY-MM-DD", any day inside the period (default today).
    pub date: Option<String>,
    /// Major units for money ("50000.00"), a whole number for new customers; ≥ 0.
    pub target: Option<String>,
    /// When given, the stored quota must still have this version (409 otherwise).
    pub version: Option<i32>,
}

/// What one [`set`] did.
#[derive(Debug, Clone)]
pub struct Saved {
    pub quota: Quota,
    pub created: bool,
}

pub(super) fn snapshot(q: &Quota) -> serde_json::Value {
    json!({
        "subject": q.subject_key, "metric": q.metric, "period_kind": q.period_kind,
        "period_start": q.period_start, "target": q.target,
    })
}

pub(super) fn entry(p: &Principal, action: &'static str, id: i64) -> Entry<'static> {
    Entry {
        actor_id: Some(p.user_id.0),
        action,
        entity_type: ENTITY,
        entity_id: id.to_string(),
        before: None,
        after: None,
    }
}

/// Parses a target of `metric`: money in major units or a whole count, never negative.
pub fn parse_target(
    core: &Core,
    metric: Metric,
    text: &str,
) -> Result<i64, (&'static str, String)> {
    let text = text.trim();
    if text.is_empty() {
        return Err(("required", "This field is required".into()));
    }
    if metric.is_money() {
        match core.settings.currency.parse(text, false)? {
            m if m.0 > MAX_AMOUNT => Err(("too_large", "is too large".into())),
            m => Ok(m.0),
        }
    } else {
        match text.parse::<i64>() {
            Ok(n) if n < 0 => Err(("negative", "must not be negative".into())),
            Ok(n) if n > MAX_COUNT => Err(("too_large", "is too large".into())),
            Ok(n) => Ok(n),
            Err(_) => Err(("invalid_number", "must be a whole number".into())),
        }
    }
}

/// What is known of a subject before deciding whether its target may be set.
#[derive(Debug, Clone, Copy)]
pub(super) enum Found {
    /// A person: `None` when no such user, else whether active.
    User(Option<bool>),
    /// A department: whether it exists (live).
    Department(bool),
}

/// Why a subject's target may not be set by the principal, as (code, message).
pub(super) fn rule(
    p: &Principal,
    reach: &Reach,
    subject: Subject,
    found: Found,
) -> Option<(&'static str, &'static str)> {
    match (subject, found) {
        (Subject::User(_), Found::User(None)) => Some(("not_found", "No such user")),
        (Subject::Department(_), Found::Department(false)) => {
            Some(("not_found", "No such department"))
        }
        (Subject::User(u), Found::User(Some(active))) => {
            if !reach.scope.owns_scope(u) {
                Some(("out_of_scope", "This person is not in your team"))
            } else if u == p.user_id.0 && p.scope() != DataScope::All {
                Some(("own_quota", "Your own targets are set by your manager"))
            } else if !active {
                Some(("inactive", "That user is deactivated"))
            } else {
                None
            }
        }
        (Subject::Department(d), _) if !reach.sets_department(d) => Some((
            "out_of_scope",
            "You may set targets only for your own department and those below it",
        )),
        _ => None,
    }
}

/// [`rule`] after looking the subject up.
pub(super) async fn refusal<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    reach: &Reach,
    subject: Subject,
) -> Result<Option<(&'static str, &'static str)>> {
    let found = match subject {
        Subject::User(u) => Found::User(users::find(db, u).await?.map(|x| x.active)),
        Subject::Department(d) => Found::Department(departments::find(db, d).await?.is_some()),
    };
    Ok(rule(p, reach, subject, found))
}

/// Writes one target (insert, or update when it differs); `None` when nothing changed.
pub(super) async fn put<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    now: chrono::DateTime<chrono::Utc>,
    subject: Subject,
    slot: Slot<'_>,
    target: i64,
    version: Option<i32>,
) -> Result<Option<Saved>> {
    let me = p.user_id.0;
    let mut current = quotas::find_slot(db, subject, slot).await?;
    if current.is_none() {
        if let Some(q) = quotas::insert(db, subject, slot, target, me, now).await? {
            audit::record(
                db,
                now,
                Entry {
                    after: Some(snapshot(&q)),
                    ..entry(p, "create", q.id)
                },
            )
            .await?;
            return Ok(Some(Saved {
                quota: q,
                created: true,
            }));
        }
        // Someone else inserted it meanwhile: update theirs.
        current = quotas::find_slot(db, subject, slot).await?;
    }
    let Some(before) = current else {
        return Err(ServiceError::conflict(
            "quota_changed",
            "The target changed meanwhile; try again",
        ));
    };
    if version.is_some_and(|v| v != before.version) {
        return Err(ServiceError::StaleVersion);
    }
    if before.target == target {
        return Ok(None);
    }
    let Some(q) = quotas::update_target(db, &before, target, me, now).await? else {
        return Err(ServiceError::StaleVersion);
    };
    audit::record(
        db,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&q)),
            ..entry(p, "update", q.id)
        },
    )
    .await?;
    Ok(Some(Saved {
        quota: q,
        created: false,
    }))
}

/// Sets the target of one person or department for one metric and period (the quota is
/// created or its target replaced). 403 for one's own target (`own_quota`) unless the
/// setter's scope is `all`.
pub async fn set(core: &Core, p: &Principal, input: QuotaInput) -> Result<Saved> {
    p.require(Module::Sales, Action::Approve)?;
    let reach = Reach::load(core, p).await?;
    let mut e = FieldErrors::new();
    let subject = match (input.user_id, input.department_id) {
        (Some(u), None) => Some(Subject::User(u)),
        (None, Some(d)) => Some(Subject::Department(d)),
        (None, None) => {
            e.add("user_id", "required", "Give user_id or department_id");
            None
        }
        (Some(_), Some(_)) => {
            e.add(
                "department_id",
                "ambiguous",
                "Give either user_id or department_id, not both",
            );
            None
        }
    };
    let metric = match input.metric.as_deref().map(str::trim) {
        None | Some("") => {
            e.add("metric", "required", "This field is required");
            None
        }
        Some(m) => Metric::parse(m).or_else(|| {
            e.add(
                "metric",
                "invalid_choice",
                "use sales_amount, payments or new_customers",
            );
            None
        }),
    };
    let kind = match input.period.as_deref().map(str::trim) {
        None | Some("") => {
            e.add("period", "required", "This field is required");
            None
        }
        Some(k) => parse_kind(k).or_else(|| {
            e.add("period", "invalid_choice", "use month, quarter or year");
            None
        }),
    };
    let date = match input.date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().or_else(|| {
            e.add("date", "invalid_date", "must be YYYY-MM-DD");
            None
        }),
    };
    let target = match (metric, input.target.as_deref()) {
        (_, None) => {
            e.add("target", "required", "This field is required");
            None
        }
        (Some(m), Some(t)) => match parse_target(core, m, t) {
            Ok(v) => Some(v),
            Err((code, msg)) => {
                e.add("target", code, msg);
                None
            }
        },
        (None, Some(_)) => None,
    };
    if let Some(s) = subject {
        if let Some((code, msg)) = refusal(&core.db, p, &reach, s).await? {
            if code == "own_quota" {
                return Err(ServiceError::Refused {
                    code,
                    message: msg.into(),
                });
            }
            let field = match s {
                Subject::User(_) => "user_id",
                Subject::Department(_) => "department_id",
            };
            e.add(field, code, msg);
        }
    }
    e.into_result()?;
    let (Some(subject), Some(metric), Some(kind), Some(target)) = (subject, metric, kind, target)
    else {
        return Err(ServiceError::field(
            "target",
            "required",
            "This field is required",
        ));
    };
    let period = period_of(core, kind, date);
    let slot = Slot {
        metric: metric.as_str(),
        kind: kind.as_str(),
        start: period.start,
    };
    let now = core.now();
    let txn = core.begin_write().await?;
    let saved = match put(&txn, p, now, subject, slot, target, input.version).await? {
        Some(s) => s,
        None => Saved {
            quota: quotas::find_slot(&txn, subject, slot)
                .await?
                .ok_or(ServiceError::NotFound)?,
            created: false,
        },
    };
    txn.commit().await?;
    Ok(saved)
}

/// Removes a target. 404 when the principal cannot see it; 403 when they see it but may
/// not set it (their own); 409 when `version` is given and no longer the stored one.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: Option<i32>) -> Result<()> {
    p.require(Module::Sales, Action::Approve)?;
    let reach = Reach::load(core, p).await?;
    let txn = core.begin_write().await?;
    let q = match quotas::find(&txn, id).await? {
        Some(q) => q,
        None => return Err(ServiceError::NotFound),
    };
    let Some(subject) = Subject::of(&q).filter(|s| reach.reads(*s)) else {
        return Err(ServiceError::NotFound);
    };
    if let Some((code, msg)) = refusal(&txn, p, &reach, subject).await? {
        // A deactivated person's old target may still be removed.
        if code != "inactive" {
            return Err(ServiceError::Refused {
                code,
                message: msg.into(),
            });
        }
    }
    if version.is_some_and(|v| v != q.version) {
        return Err(ServiceError::StaleVersion);
    }
    quotas::delete(&txn, id).await?;
    audit::record(
        &txn,
        core.now(),
        Entry {
            before: Some(snapshot(&q)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
