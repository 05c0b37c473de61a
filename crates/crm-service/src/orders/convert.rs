//! Turning a quote into an order without re-entry: the quote is claimed with a conditional
//! update in the same transaction, so it becomes at most one order.

use super::write::{set_totals, temp_number, write_lines};
use super::Order;
use super::{entry, scope_of, snapshot};
use crate::lines::Line;
use crate::{Core, Result, ServiceError};
use crm_domain::money::totals;
use crm_domain::{Action, Module, Principal};
use crm_store::audit;
use crm_store::orders::{self, Fields};
use crm_store::scope::{Access, RecordScope};
use crm_store::ConnectionTrait;
use serde_json::json;

const QUOTE_ENTITY: &str = crm_store::quotes::ENTITY;

/// A quote the user may turn into an order: visible with edit access, not rejected, not
/// already an order.
pub(super) async fn convertible_quote<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    quote_id: i64,
) -> Result<crm_store::entity::quote::Model> {
    let q = orders::find_quote(db, quote_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    match scope.access(db, QUOTE_ENTITY, q.id, q.owner_id).await? {
        None => return Err(ServiceError::NotFound),
        Some(a) if a < Access::Edit => return Err(ServiceError::Forbidden),
        Some(_) => {}
    }
    if q.order_id.is_some() {
        return Err(already_converted());
    }
    if q.status == "rejected" {
        return Err(ServiceError::conflict(
            "quote_rejected",
            "A rejected quote cannot become an order",
        ));
    }
    Ok(q)
}

pub(super) fn already_converted() -> ServiceError {
    ServiceError::conflict(
        "quote_already_converted",
        "This quote has already been turned into an order",
    )
}

/// Turns a quote into a draft order without re-entry: customer, opportunity and lines are
/// copied as quoted (the quote's prices stand). The quote is claimed in the same
/// transaction, so a second conversion is a 409 `quote_already_converted`.
pub async fn create_from_quote(core: &Core, p: &Principal, quote_id: i64) -> Result<Order> {
    p.require(Module::Sales, Action::Create)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let q = convertible_quote(&txn, &scope, quote_id).await?;
    if crate::customers::visible(&txn, &scope, q.customer_id)
        .await
        .is_err()
    {
        return Err(ServiceError::field(
            "customer_id",
            "unknown",
            "The quote's customer is not visible to you",
        ));
    }
    let lines: Vec<Line> = orders::quote_lines(&txn, q.id)
        .await?
        .iter()
        .map(Line::from_quote_line)
        .collect();
    if lines.is_empty() {
        return Err(ServiceError::field(
            "lines",
            "required",
            "The quote has no lines",
        ));
    }
    let parts: Vec<_> = lines
        .iter()
        .map(|l| (l.quantity, l.unit_price, l.discount))
        .collect();
    let t = totals(&parts).ok_or_else(|| {
        ServiceError::field("lines", "too_large", "the document total is too large")
    })?;
    let mut fields = Fields {
        customer_id: q.customer_id,
        opportunity_id: q.opportunity_id,
        quote_id: Some(q.id),
        order_date: core.today(),
        due_date: None,
        notes: q.notes.clone(),
        subtotal: 0,
        discount_total: 0,
        total: 0,
    };
    set_totals(&mut fields, t);
    let now = core.now();
    let o = orders::insert(&txn, fields, p.user_id.0, p.user_id.0, temp_number(), now).await?;
    write_lines(&txn, o.id, &lines).await?;
    if !orders::claim_quote(&txn, q.id, o.id, now).await? {
        return Err(already_converted());
    }
    audit::record(
        &txn,
        now,
        audit::Entry {
            after: Some(snapshot(&o)),
            ..entry(p, "create", o.id)
        },
    )
    .await?;
    audit::record(
        &txn,
        now,
        audit::Entry {
            actor_id: Some(p.user_id.0),
            action: "convert",
            entity_type: QUOTE_ENTITY,
            entity_id: q.id.to_string(),
            before: Some(json!({"status": q.status})),
            after: Some(json!({"status": "accepted", "order_id": o.id})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}
