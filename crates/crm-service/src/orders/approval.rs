//! The approval flow: submit, approve, reject, withdraw / cancel. Each decision is one
//! conditional `UPDATE … WHERE status = <expected>` in its own transaction with everything
//! it causes (purchase records, their reversal, the audit entry): the request whose update
//! changed the row does the work, any other gets a 409 and writes nothing.

use super::{entry, is_own, scope_of, visible, Order, Status};
use crate::customers::optional_long_text;
use crate::{Core, Result, ServiceError};
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit;
use crm_store::entity::sales_order::Column as C;
use crm_store::orders::{self, Transition};
use crm_store::scope::RecordScope;
use crm_store::ConnectionTrait;
use sea_orm::sea_query::Expr;
use serde_json::json;

/// The stable code of deciding one's own order (403).
pub const OWN_ORDER: &str = "own_order";

fn own_order() -> ServiceError {
    ServiceError::Refused {
        code: OWN_ORDER,
        message: "You cannot decide an order you own or submitted".into(),
    }
}

fn already_decided() -> ServiceError {
    ServiceError::conflict(
        "order_already_decided",
        "This order has already been decided",
    )
}

fn not_submitted() -> ServiceError {
    ServiceError::conflict("order_not_submitted", "This order is not awaiting approval")
}

/// The order for a decision by `p`: approve permission (checked by the caller), visible
/// (404), not one's own (403 `own_order`).
async fn for_decision<C2: ConnectionTrait>(
    db: &C2,
    p: &Principal,
    scope: &RecordScope,
    id: i64,
) -> Result<Order> {
    let o = visible(db, scope, id).await?;
    if is_own(p, &o) {
        return Err(own_order());
    }
    Ok(o)
}

/// Why a submitted-only transition found nothing to change.
fn decision_conflict(current: Option<&Order>) -> ServiceError {
    match current.and_then(|o| Status::parse(&o.status)) {
        Some(Status::Approved | Status::Rejected | Status::Cancelled) => already_decided(),
        Some(_) => not_submitted(),
        None => ServiceError::NotFound,
    }
}

fn comment(v: Option<&str>, field: &str, required: bool) -> Result<Option<String>> {
    let mut e = FieldErrors::new();
    let text = optional_long_text(v.unwrap_or(""), 2000)
        .collect(field, &mut e)
        .flatten();
    if required && text.is_none() && e.is_empty() {
        e.add(field, "required", "This field is required");
    }
    e.into_result()?;
    Ok(text)
}

async fn audit_change<C2: ConnectionTrait>(
    db: &C2,
    core: &Core,
    p: &Principal,
    action: &'static str,
    before: &Order,
    after: serde_json::Value,
) -> Result<()> {
    audit::record(
        db,
        core.now(),
        audit::Entry {
            before: Some(json!({"status": before.status, "version": before.version})),
            after: Some(after),
            ..entry(p, action, before.id)
        },
    )
    .await?;
    Ok(())
}

async fn reload<C2: ConnectionTrait>(db: &C2, id: i64) -> Result<Order> {
    orders::find(db, id).await?.ok_or(ServiceError::NotFound)
}

/// Sends a draft or rejected order for approval.
pub async fn submit(core: &Core, p: &Principal, id: i64, version: Option<i32>) -> Result<Order> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    let now = core.now();
    let t = Transition {
        from: &[Status::Draft, Status::Rejected],
        to: Status::Submitted,
        set: vec![
            (C::SubmittedAt, Expr::value(Some(now))),
            (C::SubmittedBy, Expr::value(Some(p.user_id.0))),
        ],
        version,
        nothing_received: false,
    };
    if !orders::transition(&txn, id, t, now).await? {
        let cur = reload(&txn, id).await?;
        return Err(
            if version.is_some_and(|v| v != cur.version)
                && Status::parse(&cur.status).is_some_and(Status::editable)
            {
                ServiceError::StaleVersion
            } else {
                ServiceError::conflict(
                    "order_not_editable",
                    "Only draft and rejected orders can be submitted",
                )
            },
        );
    }
    let o = reload(&txn, id).await?;
    audit_change(
        &txn,
        core,
        p,
        "submit",
        &before,
        json!({"status": o.status}),
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Approves a submitted order and adds its lines to the customer's purchase records, in
/// one transaction. A second approval (sequential or racing) is a 409 and adds nothing.
pub async fn approve(core: &Core, p: &Principal, id: i64, note: Option<&str>) -> Result<Order> {
    p.require(Module::Sales, Action::Approve)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = for_decision(&txn, p, &scope, id).await?;
    let note = comment(note, "comment", false)?;
    let now = core.now();
    let t = Transition {
        from: &[Status::Submitted],
        to: Status::Approved,
        set: vec![
            (C::DecidedAt, Expr::value(Some(now))),
            (C::DecidedBy, Expr::value(Some(p.user_id.0))),
            (C::DecisionComment, Expr::value(note)),
        ],
        version: None,
        nothing_received: false,
    };
    if !orders::transition(&txn, id, t, now).await? {
        return Err(decision_conflict(orders::find(&txn, id).await?.as_ref()));
    }
    let o = reload(&txn, id).await?;
    let lines = orders::lines_of(&txn, id).await?;
    let n = orders::add_purchase_records(&txn, &o, &lines, now).await?;
    audit_change(
        &txn,
        core,
        p,
        "approve",
        &before,
        json!({"status": o.status, "purchase_records": n}),
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Rejects a submitted order; the comment is required. The owner may edit it and submit
/// it again.
pub async fn reject(core: &Core, p: &Principal, id: i64, note: Option<&str>) -> Result<Order> {
    p.require(Module::Sales, Action::Approve)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = for_decision(&txn, p, &scope, id).await?;
    let note = comment(note, "comment", true)?;
    let now = core.now();
    let t = Transition {
        from: &[Status::Submitted],
        to: Status::Rejected,
        set: vec![
            (C::DecidedAt, Expr::value(Some(now))),
            (C::DecidedBy, Expr::value(Some(p.user_id.0))),
            (C::DecisionComment, Expr::value(note.clone())),
        ],
        version: None,
        nothing_received: false,
    };
    if !orders::transition(&txn, id, t, now).await? {
        return Err(decision_conflict(orders::find(&txn, id).await?.as_ref()));
    }
    let o = reload(&txn, id).await?;
    audit_change(
        &txn,
        core,
        p,
        "reject",
        &before,
        json!({"status": o.status, "comment": note}),
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Cancels an order. Draft, submitted and rejected orders are withdrawn by their owner
/// scope (reason optional). An approved order is cancelled only by an approver (the same
/// rule as approving), with a reason, while no payment is recorded against it; its
/// purchase records are reversed in the same transaction.
pub async fn cancel(core: &Core, p: &Principal, id: i64, reason: Option<&str>) -> Result<Order> {
    // Withdrawing needs `edit`, cancelling an approved order `approve`: one of them at least.
    if !p.can(Module::Sales, Action::Edit) {
        p.require(Module::Sales, Action::Approve)?;
    }
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    let approved = before.status == Status::Approved.as_str();
    if approved {
        p.require(Module::Sales, Action::Approve)?;
        if is_own(p, &before) {
            return Err(own_order());
        }
    } else {
        p.require(Module::Sales, Action::Edit)?;
    }
    let reason = comment(reason, "reason", approved)?;
    let now = core.now();
    let from: &[Status] = if approved {
        &[Status::Approved]
    } else {
        &[Status::Draft, Status::Submitted, Status::Rejected]
    };
    let t = Transition {
        from,
        to: Status::Cancelled,
        set: vec![
            (C::CancelledAt, Expr::value(Some(now))),
            (C::CancelledBy, Expr::value(Some(p.user_id.0))),
            (C::CancelReason, Expr::value(reason.clone())),
        ],
        version: None,
        nothing_received: approved,
    };
    if !orders::transition(&txn, id, t, now).await? {
        let cur = reload(&txn, id).await?;
        return Err(
            if cur.status == Status::Approved.as_str() && cur.received > 0 {
                ServiceError::conflict(
                    "order_has_payments",
                    "Payments are recorded against this order; delete them first",
                )
            } else if cur.status == Status::Cancelled.as_str() {
                ServiceError::conflict("order_already_cancelled", "This order is already cancelled")
            } else {
                ServiceError::conflict(
                    "order_state_changed",
                    "The order changed meanwhile; reload and try again",
                )
            },
        );
    }
    let reversed = if approved {
        orders::reverse_purchase_records(&txn, id, now).await?
    } else {
        0
    };
    let o = reload(&txn, id).await?;
    audit_change(
        &txn,
        core,
        p,
        "cancel",
        &before,
        json!({"status": o.status, "reason": reason, "purchase_records_reversed": reversed}),
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}
