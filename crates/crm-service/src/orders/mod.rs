//! Sales orders (销售订单): draft → submitted → approved | rejected; rejected orders are
//! edited and submitted again; draft, submitted and rejected orders can be withdrawn
//! (cancelled) by their owner scope; an approved order is cancelled only by an approver,
//! which reverses its purchase records. Approval writes one purchase record (购买记录) per
//! line in the same transaction, exactly once.
//!
//! Orders are owned records: visible when their owner is in the user's scope.

mod approval;
mod convert;
pub mod purchases;
mod write;

pub use approval::*;
pub use convert::*;
pub use write::*;

use crate::{Core, Result, ServiceError};
use crm_domain::{Action, Module, Principal};
use crm_store::orders;
use crm_store::scope::RecordScope;
use crm_store::ConnectionTrait;
use serde_json::json;

pub use crm_store::orders::{Filter, Line as OrderLine, Model as Order, Status};

pub const ENTITY: &str = orders::ENTITY;

/// How many orders [`for_customer`] returns at most (newest first).
pub const CUSTOMER_LIMIT: u64 = 500;

/// An order with its lines, as one user may see it.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    pub customer_name: String,
    /// What this user may do with it now.
    pub allowed: Allowed,
}

/// The actions a user may take on an order in its current state (the same rules the use
/// cases enforce; pages use it to show only buttons that work).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allowed {
    pub edit: bool,
    pub submit: bool,
    pub approve: bool,
    pub reject: bool,
    /// Withdraw a draft, submitted or rejected order.
    pub withdraw: bool,
    /// Cancel an approved order (an approver; refused while payments exist).
    pub cancel_approved: bool,
    pub delete: bool,
    pub add_payment: bool,
    pub delete_payment: bool,
    pub plan: bool,
}

/// True when `p` owns or submitted the order: then `p` may not decide it (approve, reject,
/// cancel once approved), whatever their permissions.
pub fn is_own(p: &Principal, o: &Order) -> bool {
    o.owner_id == p.user_id.0 || o.submitted_by == Some(p.user_id.0)
}

pub fn allowed(p: &Principal, scope: &RecordScope, o: &Order) -> Allowed {
    let mine = scope.owns_scope(o.owner_id);
    let status = Status::parse(&o.status);
    let can = |a: Action| mine && p.can(Module::Sales, a);
    let decider = can(Action::Approve) && !is_own(p, o);
    let is = |s: Status| status == Some(s);
    Allowed {
        edit: can(Action::Edit) && status.is_some_and(Status::editable),
        submit: can(Action::Edit) && (is(Status::Draft) || is(Status::Rejected)),
        approve: decider && is(Status::Submitted),
        reject: decider && is(Status::Submitted),
        withdraw: can(Action::Edit)
            && (is(Status::Draft) || is(Status::Submitted) || is(Status::Rejected)),
        cancel_approved: decider && is(Status::Approved) && o.received == 0,
        delete: can(Action::Delete) && is(Status::Draft),
        add_payment: can(Action::Create) && is(Status::Approved) && o.received < o.total,
        delete_payment: can(Action::Delete) && is(Status::Approved),
        plan: can(Action::Edit) && !is(Status::Cancelled),
    }
}

pub async fn scope_of(core: &Core, p: &Principal) -> Result<RecordScope> {
    Ok(core.scope(p).await?)
}

/// A live order whose owner is in scope; otherwise 404.
pub async fn visible<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Order> {
    match orders::find(db, id).await? {
        Some(o) if scope.owns_scope(o.owner_id) => Ok(o),
        _ => Err(ServiceError::NotFound),
    }
}

pub(crate) fn snapshot(o: &Order) -> serde_json::Value {
    json!({
        "number": o.number, "status": o.status, "customer_id": o.customer_id,
        "opportunity_id": o.opportunity_id, "quote_id": o.quote_id, "owner_id": o.owner_id,
        "order_date": o.order_date, "due_date": o.due_date, "subtotal": o.subtotal,
        "discount_total": o.discount_total, "total": o.total, "received": o.received,
        "notes": o.notes,
    })
}

pub(crate) fn entry(
    p: &Principal,
    action: &'static str,
    id: i64,
) -> crm_store::audit::Entry<'static> {
    crm_store::audit::Entry {
        actor_id: Some(p.user_id.0),
        action,
        entity_type: ENTITY,
        entity_id: id.to_string(),
        before: None,
        after: None,
    }
}

async fn customer_name<C: ConnectionTrait>(db: &C, id: i64) -> Result<String> {
    Ok(crm_store::customers::names(db, &[id])
        .await?
        .into_iter()
        .next()
        .map(|(_, n)| n)
        .unwrap_or_default())
}

/// One page of the orders the user may see, newest first. `awaiting` in the filter is
/// replaced by the user's own id ("awaiting my approval"), and gives nothing to users who
/// cannot approve.
pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Order>> {
    p.require(Module::Sales, Action::View)?;
    let mut f = filter.clone();
    if f.awaiting.is_some() {
        if !p.can(Module::Sales, Action::Approve) {
            return Ok(vec![]);
        }
        f.awaiting = Some(p.user_id.0);
    }
    let scope = scope_of(core, p).await?;
    Ok(orders::list(&core.db, &scope, &f, after, limit).await?)
}

/// How many history entries the order page shows.
pub const HISTORY_SIZE: u64 = 100;

/// The audit trail of a visible order and of the payments recorded against it, newest
/// first: who created, changed, submitted, approved, rejected or cancelled it, set its
/// payment plan, and recorded or deleted payments.
pub async fn history(
    core: &Core,
    p: &Principal,
    id: i64,
) -> Result<Vec<crm_store::entity::audit_log::Model>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    visible(&core.db, &scope, id).await?;
    let mut entries = crm_store::audit::of_entities(&core.db, ENTITY, &[id], HISTORY_SIZE).await?;
    let payment_ids = crm_store::payments::ids_of_order(&core.db, id).await?;
    entries.extend(
        crm_store::audit::of_entities(
            &core.db,
            crm_store::payments::ENTITY,
            &payment_ids,
            HISTORY_SIZE,
        )
        .await?,
    );
    entries.sort_by_key(|e| std::cmp::Reverse(e.id));
    entries.truncate(HISTORY_SIZE as usize);
    Ok(entries)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<OrderView> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    let order = visible(&core.db, &scope, id).await?;
    let lines = orders::lines_of(&core.db, id).await?;
    let customer_name = customer_name(&core.db, order.customer_id).await?;
    Ok(OrderView {
        allowed: allowed(p, &scope, &order),
        order,
        lines,
        customer_name,
    })
}

/// The orders of one customer the user may see (newest first, at most
/// [`CUSTOMER_LIMIT`]): the customer must be visible to the user (else 404), and only
/// orders owned in the user's scope are listed.
pub async fn for_customer(core: &Core, p: &Principal, customer_id: i64) -> Result<Vec<Order>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    crate::customers::visible(&core.db, &scope, customer_id).await?;
    let f = Filter {
        customer_id: Some(customer_id),
        ..Default::default()
    };
    Ok(orders::list(&core.db, &scope, &f, None, CUSTOMER_LIMIT).await?)
}
