//! Payment plans: instalments (due date, amount, note) that add up exactly to the order's
//! total. The money received is allocated to instalments in due order, which gives each
//! its state: paid, partial, due or overdue.

use crate::orders::{self, Order, Status};
use crate::{Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::validate::optional_text;
use crm_domain::{Action, FieldErrors, Module, Money, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::payments::{self, Instalment, NewInstalment};
use serde_json::json;

/// At most this many instalments per order.
pub const MAX_INSTALMENTS: usize = 60;

#[derive(Debug, Clone, Default)]
pub struct InstalmentInput {
    /// "YYYY-MM-DD".
    pub due_date: String,
    /// Major units.
    pub amount: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstalmentState {
    /// Fully covered by the money received.
    Paid,
    /// Partly covered, not yet due.
    Partial,
    /// Not covered, not yet due (due today counts as not yet overdue).
    Due,
    /// Not fully covered and its due date has passed.
    Overdue,
}

impl InstalmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            InstalmentState::Paid => "paid",
            InstalmentState::Partial => "partial",
            InstalmentState::Due => "due",
            InstalmentState::Overdue => "overdue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalmentView {
    pub seq: i32,
    pub due_date: NaiveDate,
    pub amount: Money,
    /// The part of the received money allocated to this instalment.
    pub paid: Money,
    pub note: Option<String>,
    pub state: InstalmentState,
}

#[derive(Debug, Clone)]
pub struct PlanView {
    pub order_id: i64,
    pub total: Money,
    pub received: Money,
    pub outstanding: Money,
    pub instalments: Vec<InstalmentView>,
}

/// Allocates `received` to the instalments in due order (they are stored in that order).
pub fn allocate(received: i64, plan: &[Instalment], today: NaiveDate) -> Vec<InstalmentView> {
    let mut left = received.max(0);
    let mut sorted: Vec<&Instalment> = plan.iter().collect();
    sorted.sort_by_key(|i| (i.due_date, i.seq));
    sorted
        .into_iter()
        .map(|i| {
            let paid = left.min(i.amount);
            left -= paid;
            let state = if paid >= i.amount {
                InstalmentState::Paid
            } else if i.due_date < today {
                InstalmentState::Overdue
            } else if paid > 0 {
                InstalmentState::Partial
            } else {
                InstalmentState::Due
            };
            InstalmentView {
                seq: i.seq,
                due_date: i.due_date,
                amount: Money(i.amount),
                paid: Money(paid),
                note: i.note.clone(),
                state,
            }
        })
        .collect()
}

/// Whether an approved order with money outstanding is overdue on `today`, and by how many
/// days: past its due date, or an instalment due before today not covered by what was
/// received. Matches the SQL of `crm_store::payments::overdue`.
pub fn overdue_days(o: &Order, plan: &[Instalment], today: NaiveDate) -> Option<i64> {
    if o.received >= o.total {
        return None;
    }
    let by_due = o.due_date.filter(|d| *d < today);
    let by_plan = allocate(o.received, plan, today)
        .into_iter()
        .find(|i| i.state == InstalmentState::Overdue)
        .map(|i| i.due_date);
    let earliest = match (by_due, by_plan) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    earliest.map(|d| (today - d).num_days())
}

fn view(core: &Core, o: &Order, plan: &[Instalment]) -> PlanView {
    PlanView {
        order_id: o.id,
        total: Money(o.total),
        received: Money(o.received),
        outstanding: Money(o.total - o.received),
        instalments: allocate(o.received, plan, core.today()),
    }
}

/// The payment plan of a visible order (empty when it has none).
pub async fn plan(core: &Core, p: &Principal, order_id: i64) -> Result<PlanView> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    let o = orders::visible(&core.db, &scope, order_id).await?;
    let plan = payments::plan_of(&core.db, order_id).await?;
    Ok(view(core, &o, &plan))
}

fn validate(core: &Core, o: &Order, items: &[InstalmentInput]) -> Result<Vec<NewInstalment>> {
    let mut e = FieldErrors::new();
    if items.len() > MAX_INSTALMENTS {
        e.add(
            "instalments",
            "too_many",
            format!("At most {MAX_INSTALMENTS} instalments"),
        );
        return Err(e.into());
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let f = |name: &str| format!("instalments.{i}.{name}");
        let due = match orders::parse_date(&it.due_date).collect(&f("due_date"), &mut e) {
            Some(Some(d)) => Some(d),
            Some(None) => {
                e.add(&f("due_date"), "required", "This field is required");
                None
            }
            None => None,
        };
        let amount = super::positive_amount(core, &it.amount).collect(&f("amount"), &mut e);
        let note = optional_text(it.note.as_deref().unwrap_or(""), 200)
            .collect(&f("note"), &mut e)
            .flatten();
        if let (Some(due_date), Some(amount)) = (due, amount) {
            out.push(NewInstalment {
                due_date,
                amount: amount.0,
                note,
            });
        }
    }
    e.into_result()?;
    let sum: i128 = out.iter().map(|i| i128::from(i.amount)).sum();
    if !out.is_empty() && sum != i128::from(o.total) {
        let cur = &core.settings.currency;
        return Err(ServiceError::field(
            "instalments",
            "sum_mismatch",
            format!(
                "The instalments add up to {} but the order total is {}",
                cur.format(Money(i64::try_from(sum).unwrap_or(i64::MAX))),
                cur.format(Money(o.total))
            ),
        ));
    }
    out.sort_by_key(|i| i.due_date);
    Ok(out)
}

/// Replaces the payment plan of an order (an empty list removes it). Amounts must be
/// positive and add up exactly to the order total.
pub async fn set_plan(
    core: &Core,
    p: &Principal,
    order_id: i64,
    items: &[InstalmentInput],
) -> Result<PlanView> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = orders::scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let o = orders::visible(&txn, &scope, order_id).await?;
    if o.status == Status::Cancelled.as_str() {
        return Err(ServiceError::conflict(
            "order_cancelled",
            "This order is cancelled",
        ));
    }
    let items = validate(core, &o, items)?;
    let now = core.now();
    // Holds the order row: a concurrent edit of its lines waits, or has already changed
    // the total and this plan would no longer add up.
    if !payments::lock_for_plan(&txn, order_id, o.total, now).await? {
        return Err(ServiceError::conflict(
            "order_state_changed",
            "The order changed meanwhile; reload and try again",
        ));
    }
    let before = payments::plan_of(&txn, order_id).await?;
    let plan_json = |v: &[(NaiveDate, i64)]| json!(v);
    let before_v: Vec<(NaiveDate, i64)> = before.iter().map(|i| (i.due_date, i.amount)).collect();
    let after_v: Vec<(NaiveDate, i64)> = items.iter().map(|i| (i.due_date, i.amount)).collect();
    payments::replace_plan(&txn, order_id, items).await?;
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "payment_plan",
            entity_type: orders::ENTITY,
            entity_id: order_id.to_string(),
            before: Some(json!({"instalments": plan_json(&before_v)})),
            after: Some(json!({"instalments": plan_json(&after_v)})),
        },
    )
    .await?;
    let plan = payments::plan_of(&txn, order_id).await?;
    txn.commit().await?;
    Ok(view(core, &o, &plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(seq: i32, due: &str, amount: i64) -> Instalment {
        Instalment {
            id: i64::from(seq),
            order_id: 1,
            seq,
            due_date: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap_or_default(),
            amount,
            note: None,
        }
    }

    #[test]
    fn received_money_covers_instalments_in_due_order() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        let plan = vec![
            inst(2, "2026-04-01", 300),
            inst(1, "2026-02-01", 500),
            inst(3, "2026-03-02", 200),
        ];
        let v = allocate(600, &plan, today);
        let states: Vec<_> = v.iter().map(|i| (i.seq, i.state, i.paid.0)).collect();
        assert_eq!(
            states,
            vec![
                (1, InstalmentState::Paid, 500),
                (3, InstalmentState::Partial, 100),
                (2, InstalmentState::Due, 0),
            ]
        );
        let v = allocate(400, &plan, today);
        assert_eq!(v[0].state, InstalmentState::Overdue);
        assert_eq!(v[0].paid.0, 400);
    }
}
