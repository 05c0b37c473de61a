//! Creating, editing and deleting orders, and turning a quote into an order.

use super::convert::{already_converted, convertible_quote};
use super::{entry, scope_of, snapshot, visible, Order, Status};
use crate::customers::optional_long_text;
use crate::lines::{self, Line, LineInput};
use crate::{Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::money::Totals;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit;
use crm_store::orders::{self, Fields};
use crm_store::scope::RecordScope;
use crm_store::{recycle, ConnectionTrait};
use serde_json::json;

/// Order fields as typed. `None` keeps the stored value on update; an empty string clears
/// an optional one.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub customer_id: Option<i64>,
    /// `Some(None)` clears the link.
    pub opportunity_id: Option<Option<i64>>,
    /// Create only: the quote this order is made from (claimed, so it becomes one order).
    pub quote_id: Option<i64>,
    /// "YYYY-MM-DD"; default today on create.
    pub order_date: Option<String>,
    /// Payment due date, "YYYY-MM-DD" or "".
    pub due_date: Option<String>,
    pub notes: Option<String>,
    /// Replaces every line when given (required on create).
    pub lines: Option<Vec<LineInput>>,
}

const OPPORTUNITY_ENTITY: &str = crm_store::opportunities::ENTITY;

pub fn parse_date(v: &str) -> std::result::Result<Option<NaiveDate>, (&'static str, String)> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ("invalid_date", "Use the form YYYY-MM-DD".to_string()))
}

/// Validates `input` over `base`, collecting every error; the lines (when given) are
/// checked against the catalogue.
async fn validate<C: ConnectionTrait>(
    core: &Core,
    db: &C,
    scope: &RecordScope,
    base: Fields,
    input: &OrderInput,
) -> Result<(Fields, Option<Vec<Line>>)> {
    let mut e = FieldErrors::new();
    let mut f = base;
    if let Some(c) = input.customer_id {
        f.customer_id = c;
    }
    if f.customer_id == 0 {
        e.add("customer_id", "required", "Choose a customer");
    } else if crate::customers::visible(db, scope, f.customer_id)
        .await
        .is_err()
    {
        e.add("customer_id", "unknown", "No such customer");
    }
    if let Some(o) = input.opportunity_id {
        f.opportunity_id = o;
    }
    if let Some(oid) = f.opportunity_id {
        match orders::find_opportunity(db, oid).await? {
            Some(o)
                if scope
                    .access(db, OPPORTUNITY_ENTITY, o.id, o.owner_id)
                    .await?
                    .is_some() =>
            {
                if o.customer_id != f.customer_id && !e.0.contains_key("customer_id") {
                    e.add(
                        "opportunity_id",
                        "customer_mismatch",
                        "This opportunity belongs to another customer",
                    );
                }
            }
            _ => e.add("opportunity_id", "unknown", "No such opportunity"),
        }
    }
    if let Some(v) = &input.order_date {
        match parse_date(v).collect("order_date", &mut e) {
            Some(Some(d)) => f.order_date = d,
            Some(None) => e.add("order_date", "required", "This field is required"),
            None => {}
        }
    }
    if let Some(v) = &input.due_date {
        if let Some(d) = parse_date(v).collect("due_date", &mut e) {
            f.due_date = d;
        }
    }
    if let Some(d) = f.due_date {
        if d < f.order_date && !e.0.contains_key("order_date") {
            e.add(
                "due_date",
                "before_order_date",
                "The due date cannot be before the order date",
            );
        }
    }
    if let Some(v) = &input.notes {
        if let Some(n) = optional_long_text(v, 5000).collect("notes", &mut e) {
            f.notes = n;
        }
    }
    let mut lines_out = None;
    if let Some(inputs) = &input.lines {
        if let Some((lines, t)) = lines::parse(db, &core.settings, inputs, &mut e).await? {
            set_totals(&mut f, t);
            lines_out = Some(lines);
        }
    }
    e.into_result()?;
    Ok((f, lines_out))
}

pub(super) fn set_totals(f: &mut Fields, t: Totals) {
    f.subtotal = t.subtotal.0;
    f.discount_total = t.discount.0;
    f.total = t.total.0;
}

pub(super) fn temp_number() -> String {
    format!("tmp-{:016x}", rand::random::<u64>())
}

pub(super) async fn write_lines<C: ConnectionTrait>(
    db: &C,
    order_id: i64,
    lines: &[Line],
) -> Result<()> {
    let rows = lines
        .iter()
        .enumerate()
        .map(|(i, l)| l.order_line(order_id, i as i32 + 1))
        .collect();
    orders::replace_lines(db, order_id, rows).await?;
    Ok(())
}

/// Creates a draft order owned by the creator.
pub async fn create(core: &Core, p: &Principal, input: OrderInput) -> Result<Order> {
    p.require(Module::Sales, Action::Create)?;
    let scope = scope_of(core, p).await?;
    let base = Fields {
        customer_id: 0,
        opportunity_id: None,
        quote_id: input.quote_id,
        order_date: core.today(),
        due_date: None,
        notes: None,
        subtotal: 0,
        discount_total: 0,
        total: 0,
    };
    let mut input = input;
    if input.lines.is_none() {
        input.lines = Some(vec![]);
    }
    let txn = core.begin_write().await?;
    if let Some(qid) = input.quote_id {
        let q = convertible_quote(&txn, &scope, qid).await?;
        match input.customer_id {
            None => input.customer_id = Some(q.customer_id),
            Some(c) if c != q.customer_id => {
                return Err(ServiceError::field(
                    "quote_id",
                    "customer_mismatch",
                    "This quote is for another customer",
                ))
            }
            Some(_) => {}
        }
    }
    let (fields, lines) = validate(core, &txn, &scope, base, &input).await?;
    let now = core.now();
    let o = orders::insert(&txn, fields, p.user_id.0, p.user_id.0, temp_number(), now).await?;
    write_lines(&txn, o.id, &lines.unwrap_or_default()).await?;
    if let Some(qid) = o.quote_id {
        if !orders::claim_quote(&txn, qid, o.id, now).await? {
            return Err(already_converted());
        }
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
    txn.commit().await?;
    Ok(o)
}

fn locked() -> ServiceError {
    ServiceError::conflict(
        "order_locked",
        "Only draft and rejected orders can be changed",
    )
}

/// Edits a draft or rejected order at `version`; `lines`, when given, replace every line.
/// A payment plan that no longer adds up to a changed total is removed.
pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: OrderInput,
) -> Result<Order> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    if !Status::parse(&before.status).is_some_and(Status::editable) {
        return Err(locked());
    }
    if input.quote_id.is_some() {
        return Err(ServiceError::field(
            "quote_id",
            "immutable",
            "Turn a quote into a new order instead",
        ));
    }
    if before.quote_id.is_some() && input.customer_id.is_some_and(|c| c != before.customer_id) {
        return Err(ServiceError::field(
            "customer_id",
            "immutable",
            "An order made from a quote keeps the quote's customer",
        ));
    }
    let (fields, lines) = validate(core, &txn, &scope, Fields::of(&before), &input).await?;
    let now = core.now();
    let o = match orders::update(&txn, id, version, fields, now).await? {
        crm_store::Versioned::Done(o) => o,
        crm_store::Versioned::Missing => return Err(ServiceError::NotFound),
        crm_store::Versioned::Stale => {
            return Err(match orders::find(&txn, id).await? {
                Some(cur) if !Status::parse(&cur.status).is_some_and(Status::editable) => locked(),
                _ => ServiceError::StaleVersion,
            })
        }
    };
    if let Some(lines) = lines {
        write_lines(&txn, id, &lines).await?;
    }
    let mut after = snapshot(&o);
    if o.total != before.total && crm_store::payments::delete_plan(&txn, id).await? > 0 {
        after["payment_plan_removed"] = json!(true);
    }
    audit::record(
        &txn,
        now,
        audit::Entry {
            before: Some(snapshot(&before)),
            after: Some(after),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

/// Moves a draft to the recycle bin (other states are withdrawn or cancelled instead). The
/// quote it was made from is freed.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: Option<i32>) -> Result<()> {
    p.require(Module::Sales, Action::Delete)?;
    let scope = scope_of(core, p).await?;
    let txn = core.begin_write().await?;
    let o = visible(&txn, &scope, id).await?;
    if o.status != Status::Draft.as_str() {
        return Err(ServiceError::conflict(
            "order_not_draft",
            "Only draft orders can be deleted; cancel it instead",
        ));
    }
    let now = core.now();
    if !orders::soft_delete(&txn, id, version, now).await? {
        return Err(match orders::find(&txn, id).await? {
            Some(_) => ServiceError::StaleVersion,
            None => ServiceError::NotFound,
        });
    }
    if let Some(q) = o.quote_id {
        orders::release_quote(&txn, q, id, now).await?;
    }
    recycle::add(&txn, ENTITY_LABEL, id, &o.number, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        audit::Entry {
            before: Some(snapshot(&o)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

const ENTITY_LABEL: &str = super::ENTITY;

/// Restores a deleted draft from the recycle bin (called by `recycle::restore`).
pub async fn restore_in<C: ConnectionTrait>(db: &C, id: i64) -> Result<()> {
    if !orders::restore(db, id).await? {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}
