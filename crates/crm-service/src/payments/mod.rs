//! Payments received against approved orders (回款), payment plans and receivables.
//!
//! An order's `received` always equals the sum of its live payments: a payment and the
//! change to `received` are written in one transaction, and `received` only grows through
//! a conditional update that refuses to pass the order's total, so concurrent payments
//! cannot over-pay an order. Payments are visible when their owner (the order's owner) is
//! in the user's scope.

mod plan;
mod receivables;

pub use plan::*;
pub use receivables::*;

use crate::orders::{self, Status};
use crate::{Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::validate::optional_text;
use crm_domain::{Action, FieldErrors, Module, Money, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::payments::{self, NewPayment};
use crm_store::{recycle, ConnectionTrait};
use serde_json::json;

pub use crm_store::payments::{Filter, Model as Payment, METHODS};

pub const ENTITY: &str = payments::ENTITY;

/// A payment as typed.
#[derive(Debug, Clone, Default)]
pub struct PaymentInput {
    /// Major units, "1234.50".
    pub amount: String,
    /// "YYYY-MM-DD"; default today.
    pub paid_on: Option<String>,
    /// One of [`METHODS`]; default `bank_transfer`.
    pub method: Option<String>,
    pub note: Option<String>,
}

fn snapshot(p: &Payment) -> serde_json::Value {
    json!({
        "order_id": p.order_id, "amount": p.amount, "paid_on": p.paid_on,
        "method": p.method, "note": p.note,
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

/// Parses an amount in major units that must be greater than zero.
pub fn positive_amount(
    core: &Core,
    text: &str,
) -> std::result::Result<Money, (&'static str, String)> {
    let m = core.settings.currency.parse(text, false)?;
    if m.0 <= 0 {
        return Err(("not_positive", "must be greater than zero".into()));
    }
    if m.0 > crm_domain::money::MAX_AMOUNT {
        return Err(("too_large", "is too large".into()));
    }
    Ok(m)
}

struct Valid {
    amount: Money,
    paid_on: NaiveDate,
    method: String,
    note: Option<String>,
}

fn validate(core: &Core, input: &PaymentInput) -> Result<Valid> {
    let mut e = FieldErrors::new();
    let amount = positive_amount(core, &input.amount).collect("amount", &mut e);
    let today = core.today();
    let paid_on = match input.paid_on.as_deref() {
        None => Some(today),
        Some(v) => match orders::parse_date(v).collect("paid_on", &mut e) {
            Some(Some(d)) if d > today => {
                e.add(
                    "paid_on",
                    "in_future",
                    "A payment cannot be dated in the future",
                );
                None
            }
            Some(Some(d)) => Some(d),
            Some(None) => Some(today),
            None => None,
        },
    };
    let method = match input.method.as_deref().map(str::trim) {
        None | Some("") => Some("bank_transfer".to_string()),
        Some(m) if METHODS.contains(&m) => Some(m.to_string()),
        Some(_) => {
            e.add("method", "invalid_choice", "Choose one of the options");
            None
        }
    };
    let note = optional_text(input.note.as_deref().unwrap_or(""), 500)
        .collect("note", &mut e)
        .flatten();
    e.into_result()?;
    match (amount, paid_on, method) {
        (Some(amount), Some(paid_on), Some(method)) => Ok(Valid {
            amount,
            paid_on,
            method,
            note,
        }),
        _ => Err(ServiceError::field("amount", "invalid", "invalid payment")),
    }
}

fn not_approved() -> ServiceError {
    ServiceError::conflict(
        "order_not_approved",
        "Payments are recorded only against approved orders",
    )
}

/// Records a payment against an approved order. The amount may not exceed what is
/// outstanding (field `amount`, code `exceeds_outstanding`; nothing is written).
pub async fn add(
    core: &Core,
    p: &Principal,
    order_id: i64,
    input: PaymentInput,
) -> Result<Payment> {
    p.require(Module::Sales, Action::Create)?;
    let scope = orders::scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let order = orders::visible(&txn, &scope, order_id).await?;
    if order.status != Status::Approved.as_str() {
        return Err(not_approved());
    }
    let v = validate(core, &input)?;
    let now = core.now();
    if !payments::add_received(&txn, order_id, v.amount.0, now).await? {
        let cur = orders::visible(&txn, &scope, order_id).await?;
        if cur.status != Status::Approved.as_str() {
            return Err(not_approved());
        }
        let outstanding = Money(cur.total - cur.received);
        return Err(ServiceError::field(
            "amount",
            "exceeds_outstanding",
            format!(
                "The amount exceeds what is outstanding ({})",
                core.settings.currency.format(outstanding)
            ),
        ));
    }
    let pay = payments::insert(
        &txn,
        NewPayment {
            order_id,
            customer_id: order.customer_id,
            owner_id: order.owner_id,
            amount: v.amount.0,
            paid_on: v.paid_on,
            method: v.method,
            note: v.note,
            created_by: p.user_id.0,
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&pay)),
            ..entry(p, "create", pay.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(pay)
}

/// A live payment whose owner is in scope; otherwise 404.
async fn visible<C: ConnectionTrait>(
    db: &C,
    scope: &crm_store::scope::RecordScope,
    id: i64,
) -> Result<Payment> {
    match payments::find(db, id).await? {
        Some(x) if scope.owns_scope(x.owner_id) => Ok(x),
        _ => Err(ServiceError::NotFound),
    }
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Payment> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    visible(&core.db, &scope, id).await
}

/// Moves a payment to the recycle bin and takes its amount off the order's received
/// amount, in one transaction.
pub async fn delete(core: &Core, p: &Principal, id: i64) -> Result<()> {
    p.require(Module::Sales, Action::Delete)?;
    let scope = orders::scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let pay = visible(&txn, &scope, id).await?;
    let now = core.now();
    if !payments::soft_delete(&txn, id, now).await? {
        return Err(ServiceError::NotFound);
    }
    if !payments::sub_received(&txn, pay.order_id, pay.amount, now).await? {
        return Err(ServiceError::Internal(sea_orm::DbErr::Custom(format!(
            "order {} received less than payment {id}",
            pay.order_id
        ))));
    }
    let number = crm_store::orders::find_any(&txn, pay.order_id)
        .await?
        .map(|o| o.number)
        .unwrap_or_default();
    let label = format!(
        "{number} {}",
        core.settings.currency.format(Money(pay.amount))
    );
    recycle::add(&txn, ENTITY, id, &label, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&pay)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Restores a deleted payment (called by `recycle::restore`): refused with 409
/// `exceeds_outstanding` when the order can no longer take it (paid meanwhile, or not
/// approved any more).
pub async fn restore_in<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let pay = payments::find_any(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !payments::restore(db, id).await? {
        return Err(ServiceError::NotFound);
    }
    if !payments::add_received(db, pay.order_id, pay.amount, now).await? {
        return Err(ServiceError::conflict(
            "exceeds_outstanding",
            "The order can no longer take this payment",
        ));
    }
    Ok(())
}

/// One page of the payments the user may see, newest first.
pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Payment>> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    Ok(payments::list(&core.db, &scope, filter, after, limit).await?)
}

/// The live payments of a visible order, by date.
pub async fn of_order(core: &Core, p: &Principal, order_id: i64) -> Result<Vec<Payment>> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    orders::visible(&core.db, &scope, order_id).await?;
    Ok(payments::of_order(&core.db, order_id).await?)
}

/// The payments of one customer the user may see (the customer must be visible, else
/// 404; only payments owned in scope), newest first, at most 500.
pub async fn for_customer(core: &Core, p: &Principal, customer_id: i64) -> Result<Vec<Payment>> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    crate::customers::visible(&core.db, &scope, customer_id).await?;
    let f = Filter {
        customer_id: Some(customer_id),
        ..Default::default()
    };
    Ok(payments::list(&core.db, &scope, &f, None, 500).await?)
}
