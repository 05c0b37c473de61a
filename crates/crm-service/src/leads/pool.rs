//! The lead pool (线索池) and assignment: claim a pool lead, release one back, assign one
//! to a user in your scope, and assign or distribute many in turn (round-robin). Every
//! change of owner is one conditional `UPDATE … WHERE owner_id = <the owner read>`, so
//! racing claims give exactly one owner and a lead never changes hands behind your back.

use super::{check_owner, converted_conflict, entry, is_converted, visible_in, Lead};
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Utc};
use crm_domain::{Action, FieldErrors, Module, Principal};
use crm_store::audit::{self, Entry};
use crm_store::scope::RecordScope;
use crm_store::{leads, ConnectionTrait, Versioned};
use serde_json::json;

/// At most this many leads in one bulk action.
pub const MAX_BULK: usize = 1000;
/// At most this many users to distribute among.
pub const MAX_USERS: usize = 100;

/// One lead handed to one user by [`assign_many`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub lead_id: i64,
    pub user_id: i64,
}

fn already_claimed() -> ServiceError {
    ServiceError::conflict("already_claimed", "Someone else has claimed this lead")
}

/// Moves one visible lead from its current owner to `to`, audited as `action`.
#[allow(clippy::too_many_arguments)]
async fn move_one<C: ConnectionTrait>(
    db: &C,
    p: &Principal,
    lead: &Lead,
    to: Option<i64>,
    version: Option<i32>,
    action: &'static str,
    stale: fn() -> ServiceError,
    now: DateTime<Utc>,
) -> Result<Lead> {
    if is_converted(lead) {
        return Err(converted_conflict());
    }
    let moved = leads::move_owner(db, lead.id, lead.owner_id, to, version, now).await?;
    let l = match moved {
        Versioned::Done(l) => l,
        Versioned::Stale => return Err(stale()),
        Versioned::Missing => return Err(ServiceError::NotFound),
    };
    audit::record(
        db,
        now,
        Entry {
            before: Some(json!({"owner_id": lead.owner_id})),
            after: Some(json!({"owner_id": to})),
            ..entry(Some(p.user_id.0), action, lead.id)
        },
    )
    .await?;
    Ok(l)
}

/// A pool lead that may be claimed, read before the write transaction: racing claimers
/// all see it in the pool, and the conditional update then lets exactly one win (the
/// others get 409 `already_claimed`). A lead someone took earlier is simply not visible.
async fn claimable<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Lead> {
    let l = visible_in(db, scope, id).await?;
    if is_converted(&l) {
        return Err(converted_conflict());
    }
    if l.owner_id.is_some() {
        return Err(already_claimed());
    }
    Ok(l)
}

/// 领取: takes a pool lead (owner = me). Of several racing claims exactly one succeeds;
/// the others get 409 `already_claimed`.
pub async fn claim(core: &Core, p: &Principal, id: i64) -> Result<Lead> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let l = claimable(&core.db, &scope, id).await?;
    let txn = core.begin_write().await?;
    let me = Some(p.user_id.0);
    let out = move_one(&txn, p, &l, me, None, "claim", already_claimed, core.now()).await?;
    txn.commit().await?;
    Ok(out)
}

/// Claims several pool leads: all or none.
pub async fn claim_many(core: &Core, p: &Principal, ids: &[i64]) -> Result<Vec<Lead>> {
    p.require(Module::Market, Action::Edit)?;
    let ids = distinct(ids);
    check_count("lead_ids", ids.len(), MAX_BULK)?;
    let scope = core.scope(p).await?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        found.push(claimable(&core.db, &scope, id).await?);
    }
    let txn = core.begin_write().await?;
    let now = core.now();
    let me = Some(p.user_id.0);
    let mut out = Vec::with_capacity(found.len());
    for l in &found {
        out.push(move_one(&txn, p, l, me, None, "claim", already_claimed, now).await?);
    }
    txn.commit().await?;
    Ok(out)
}

/// 退回线索池: the owner, or a manager whose scope covers the owner, puts the lead back in
/// the pool. A pool lead is 409 `in_pool`.
pub async fn release(core: &Core, p: &Principal, id: i64, version: Option<i32>) -> Result<Lead> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let l = visible_in(&txn, &scope, id).await?;
    if l.owner_id.is_none() && !is_converted(&l) {
        return Err(ServiceError::conflict(
            "in_pool",
            "This lead is already in the pool",
        ));
    }
    let stale = || ServiceError::StaleVersion;
    let out = move_one(&txn, p, &l, None, version, "release", stale, core.now()).await?;
    txn.commit().await?;
    Ok(out)
}

/// 分配: gives a visible lead to an active user in the assigner's scope (`user_id`:
/// `not_found`, `inactive` or `out_of_scope` otherwise).
pub async fn assign(
    core: &Core,
    p: &Principal,
    id: i64,
    user_id: i64,
    version: Option<i32>,
) -> Result<Lead> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let l = visible_in(&txn, &scope, id).await?;
    if is_converted(&l) {
        return Err(converted_conflict());
    }
    let mut e = FieldErrors::new();
    check_owner(&txn, &scope, user_id, "user_id", &mut e).await?;
    e.into_result()?;
    if l.owner_id == Some(user_id) {
        return Ok(l);
    }
    let stale = || ServiceError::StaleVersion;
    let out = move_one(
        &txn,
        p,
        &l,
        Some(user_id),
        version,
        "assign",
        stale,
        core.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// Which user gets the i-th lead: the users in turn, starting again after the last
/// (7 leads among 3 users: 3, 2 and 2).
pub fn round_robin(lead_ids: &[i64], user_ids: &[i64]) -> Vec<Assignment> {
    if user_ids.is_empty() {
        return Vec::new();
    }
    lead_ids
        .iter()
        .enumerate()
        .map(|(i, l)| Assignment {
            lead_id: *l,
            user_id: user_ids[i % user_ids.len()],
        })
        .collect()
}

/// 批量分配 / 轮流分配: hands the selected leads to the chosen users in turn (one user: a
/// bulk assignment), in the order given. All or nothing: one invisible lead is a 404, a
/// converted one or one that changed hands meanwhile a 409, and nothing moves.
pub async fn assign_many(
    core: &Core,
    p: &Principal,
    lead_ids: &[i64],
    user_ids: &[i64],
) -> Result<Vec<Assignment>> {
    p.require(Module::Market, Action::Edit)?;
    let lead_ids = distinct(lead_ids);
    let user_ids = distinct(user_ids);
    let mut e = FieldErrors::new();
    if let Err(ServiceError::Validation(v)) = check_count("lead_ids", lead_ids.len(), MAX_BULK) {
        e.0.extend(v.0);
    }
    if let Err(ServiceError::Validation(v)) = check_count("user_ids", user_ids.len(), MAX_USERS) {
        e.0.extend(v.0);
    }
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    for u in &user_ids {
        check_owner(&txn, &scope, *u, "user_ids", &mut e).await?;
    }
    e.into_result()?;
    let plan = round_robin(&lead_ids, &user_ids);
    let now = core.now();
    let stale = || {
        ServiceError::conflict(
            "changed",
            "A selected lead changed meanwhile; reload and try again",
        )
    };
    for a in &plan {
        let l = visible_in(&txn, &scope, a.lead_id).await?;
        if l.owner_id == Some(a.user_id) && !is_converted(&l) {
            continue;
        }
        move_one(&txn, p, &l, Some(a.user_id), None, "assign", stale, now).await?;
    }
    txn.commit().await?;
    Ok(plan)
}

/// The ids in their first-given order, each once.
fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().copied().filter(|i| seen.insert(*i)).collect()
}

fn check_count(field: &str, n: usize, max: usize) -> Result<()> {
    if n == 0 || n > max {
        return Err(ServiceError::field(
            field,
            "invalid_count",
            format!("Choose between 1 and {max}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_hands_out_in_turn() {
        let plan = round_robin(&[10, 11, 12, 13, 14, 15, 16], &[1, 2, 3]);
        let users: Vec<i64> = plan.iter().map(|a| a.user_id).collect();
        assert_eq!(users, vec![1, 2, 3, 1, 2, 3, 1]);
        assert_eq!(plan[6].lead_id, 16);
        assert!(round_robin(&[1], &[]).is_empty());
        assert_eq!(distinct(&[3, 1, 3, 2, 1]), vec![3, 1, 2]);
    }
}
