//! Sales expenses (销售费用): money a rep spent on a customer (optionally an opportunity),
//! by category and date, with totals per customer and per rep. Owned records: the spender
//! is the owner; visible when the owner is in the user's scope (module `sales`).

use crate::error::versioned;
use crate::quotes::{check_customer, check_opportunity, parse_date};
use crate::{customers, Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::money::MAX_AMOUNT;
use crm_domain::{Action, FieldErrors, Module, Money, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::scope::RecordScope;
use crm_store::{expenses, recycle, users, ConnectionTrait};
use serde_json::json;

pub use crm_store::expenses::{Filter, Group, Model as Expense};

pub const ENTITY: &str = expenses::ENTITY;
/// At most this many expenses are listed on a customer's page.
const FOR_CUSTOMER_LIMIT: u64 = 500;

pub const CATEGORIES: [&str; 7] = [
    "travel",
    "entertainment",
    "gifts",
    "transport",
    "communication",
    "samples",
    "other",
];

/// Fields as typed; `None` keeps the stored value on update.
#[derive(Debug, Clone, Default)]
pub struct ExpenseInput {
    pub customer_id: Option<i64>,
    /// `Some(None)` clears the opportunity.
    pub opportunity_id: Option<Option<i64>>,
    pub category: Option<String>,
    /// Major units ("128.50").
    pub amount: Option<String>,
    /// "YYYY-MM-DD"; on create empty or absent means today.
    pub spent_on: Option<String>,
    /// `Some("")` clears.
    pub note: Option<String>,
    /// Who spent it (default: you); must be an active user in your scope.
    pub owner_id: Option<i64>,
}

/// One line of [`totals`]: a customer or a rep, with the count and sum of their expenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Total {
    pub id: i64,
    pub name: String,
    pub count: i64,
    pub amount: Money,
}

/// The expenses of one customer and their sum.
#[derive(Debug, Clone)]
pub struct CustomerExpenses {
    pub items: Vec<Expense>,
    pub total: Money,
}

fn snapshot(x: &Expense) -> serde_json::Value {
    json!({
        "customer_id": x.customer_id, "opportunity_id": x.opportunity_id,
        "category": x.category, "amount": x.amount, "spent_on": x.spent_on,
        "note": x.note, "owner_id": x.owner_id,
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

async fn check_owner<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    owner: i64,
    e: &mut FieldErrors,
) -> Result<()> {
    match users::find(db, owner).await? {
        Some(u) if u.active && scope.owns_scope(owner) => {}
        Some(u) if u.active => e.add(
            "owner_id",
            "out_of_scope",
            "You cannot record expenses for this user",
        ),
        Some(_) => e.add("owner_id", "inactive", "That user is deactivated"),
        None => e.add("owner_id", "not_found", "No such user"),
    }
    Ok(())
}

/// Merges `input` over `base` and validates every field at once.
async fn validate<C: ConnectionTrait>(
    core: &Core,
    db: &C,
    scope: &RecordScope,
    base: Option<&Expense>,
    input: &ExpenseInput,
) -> Result<(expenses::Fields, i64)> {
    let mut e = FieldErrors::new();
    let today = core.today();
    let mut f = match base {
        Some(x) => expenses::Fields::of(x),
        None => expenses::Fields {
            customer_id: 0,
            opportunity_id: None,
            category: String::new(),
            amount: 0,
            spent_on: today,
            note: None,
        },
    };
    let creating = base.is_none();
    let mut customer_ok = true;
    match input.customer_id {
        Some(c) => {
            f.customer_id = c;
            customer_ok = check_customer(db, scope, c, "customer_id", &mut e).await?;
        }
        None if creating => {
            e.add("customer_id", "required", "This field is required");
            customer_ok = false;
        }
        None => {}
    }
    if let Some(o) = input.opportunity_id {
        f.opportunity_id = o;
    }
    if let Some(o) = f.opportunity_id {
        if customer_ok && (input.opportunity_id.is_some() || input.customer_id.is_some()) {
            check_opportunity(db, scope, f.customer_id, o, &mut e).await?;
        }
    }
    match input.category.as_deref().map(str::trim) {
        Some(c) if CATEGORIES.contains(&c) => f.category = c.to_string(),
        Some("") | None if creating => e.add("category", "required", "This field is required"),
        Some(_) => e.add(
            "category",
            "invalid_choice",
            "use travel, entertainment, gifts, transport, communication, samples or other",
        ),
        None => {}
    }
    match input.amount.as_deref().map(str::trim) {
        Some("") | None if creating => e.add("amount", "required", "This field is required"),
        Some("") => e.add("amount", "required", "This field is required"),
        Some(text) => match core.settings.currency.parse(text, true) {
            Ok(m) if m.0 <= 0 => e.add("amount", "not_positive", "must be greater than zero"),
            Ok(m) if m.0 > MAX_AMOUNT => e.add("amount", "too_large", "is too large"),
            Ok(m) => f.amount = m.0,
            Err((code, msg)) => e.add("amount", code, msg),
        },
        None => {}
    }
    if let Some(v) = &input.spent_on {
        match parse_date(v, "spent_on", &mut e) {
            Some(d) if d > today => e.add("spent_on", "future", "must not be in the future"),
            Some(d) => f.spent_on = d,
            None if v.trim().is_empty() && creating => f.spent_on = today,
            None if v.trim().is_empty() => e.add("spent_on", "required", "This field is required"),
            None => {}
        }
    }
    if let Some(v) = &input.note {
        f.note = customers::optional_long_text(v, 2000)
            .collect("note", &mut e)
            .flatten();
    }
    let owner = input
        .owner_id
        .or(base.map(|x| x.owner_id))
        .unwrap_or(scope.user_id);
    // Checked when given and different from the stored spender.
    if input.owner_id.is_some() && input.owner_id != base.map(|x| x.owner_id) {
        check_owner(db, scope, owner, &mut e).await?;
    }
    e.into_result()?;
    Ok((f, owner))
}

/// An expense in the user's scope (404 otherwise).
async fn visible<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Expense> {
    match expenses::find(db, id).await? {
        Some(x) if scope.owns_scope(x.owner_id) => Ok(x),
        _ => Err(ServiceError::NotFound),
    }
}

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Expense>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    Ok(expenses::list(&core.db, &scope, filter, after, limit).await?)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Expense> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    visible(&core.db, &scope, id).await
}

/// Expenses in scope grouped per customer or per rep (owner), largest sum first.
pub async fn totals(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    group: Group,
) -> Result<Vec<Total>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    let rows = expenses::totals(&core.db, &scope, filter, group).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let names: std::collections::HashMap<i64, String> = match group {
        Group::Customer => crm_store::customers::names(&core.db, &ids).await?,
        Group::Owner => users::names(&core.db, &ids).await?,
    }
    .into_iter()
    .collect();
    Ok(rows
        .into_iter()
        .map(|(id, count, amount)| Total {
            id,
            name: names.get(&id).cloned().unwrap_or_default(),
            count,
            amount: Money(amount),
        })
        .collect())
}

/// The expenses of one customer that the user may see, with their sum; 404 when the
/// customer is not visible.
pub async fn for_customer(
    core: &Core,
    p: &Principal,
    customer_id: i64,
) -> Result<CustomerExpenses> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    customers::visible(&core.db, &scope, customer_id).await?;
    let filter = Filter {
        customer_id: Some(customer_id),
        ..Default::default()
    };
    let items = expenses::list(&core.db, &scope, &filter, None, FOR_CUSTOMER_LIMIT).await?;
    let total = expenses::totals(&core.db, &scope, &filter, Group::Customer)
        .await?
        .first()
        .map_or(Money::ZERO, |r| Money(r.2));
    Ok(CustomerExpenses { items, total })
}

pub async fn create(core: &Core, p: &Principal, input: ExpenseInput) -> Result<Expense> {
    p.require(Module::Sales, Action::Create)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let (fields, owner) = validate(core, &txn, &scope, None, &input).await?;
    let now = core.now();
    let x = expenses::insert(&txn, fields, owner, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&x)),
            ..entry(p, "create", x.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(x)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: ExpenseInput,
) -> Result<Expense> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    let (fields, owner) = validate(core, &txn, &scope, Some(&before), &input).await?;
    let now = core.now();
    let x = versioned(expenses::update(&txn, &before, version, fields, owner, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&x)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(x)
}

pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Sales, Action::Delete)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let x = visible(&txn, &scope, id).await?;
    let now = core.now();
    versioned(expenses::soft_delete(&txn, id, version, now).await?)?;
    let label = format!(
        "{} {} {}",
        x.spent_on,
        x.category,
        core.settings.currency.format(Money(x.amount))
    );
    recycle::add(&txn, ENTITY, id, &label, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&x)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Parses an optional "YYYY-MM-DD" filter bound (`None` when empty; `Err` when unreadable).
pub fn date_bound(v: Option<&str>, field: &str) -> Result<Option<NaiveDate>> {
    let mut e = FieldErrors::new();
    let d = v.and_then(|s| parse_date(s, field, &mut e));
    e.into_result()?;
    Ok(d)
}
