//! Quotes (报价方案): a customer's (and optionally an opportunity's) priced product lines.
//! Status draft → sent → accepted | rejected; editable only while draft or sent; numbered
//! `QT<yyyymmdd>-<id>` in the transaction that creates them. Owned records: visible when
//! the owner is in the user's scope (module `sales`). Turning a quote into an order is the
//! orders use-case's job ([`crm_store::quotes::set_order`] links them).

use crate::error::versioned;
use crate::lines::{self, Line, LineInput};
use crate::{customers, Core, Result, ServiceError};
use crm_domain::validate::required_text;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::scope::RecordScope;
use crm_store::{quotes, recycle, ConnectionTrait};
use serde_json::json;

mod refs;
pub use crm_store::quotes::{Filter, Model as Quote};
pub use refs::{
    check_customer, check_opportunity, opportunity_choice, opportunity_choices, parse_date,
    OpportunityChoice,
};

pub const ENTITY: &str = quotes::ENTITY;
/// At most this many quotes are listed on a customer's page.
const FOR_CUSTOMER_LIMIT: u64 = 200;

/// The states of a quote.
pub const STATUSES: [&str; 4] = ["draft", "sent", "accepted", "rejected"];

/// Whether a quote may move from `from` to `to`.
pub fn can_move(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("draft", "sent") | ("sent", "accepted") | ("sent", "rejected")
    )
}

/// The states a quote in `status` may move to.
pub fn next_statuses(status: &str) -> Vec<&'static str> {
    STATUSES
        .iter()
        .copied()
        .filter(|to| can_move(status, to))
        .collect()
}

/// Whether the quote's fields and lines may still change.
pub fn editable_state(q: &Quote) -> bool {
    q.order_id.is_none() && matches!(q.status.as_str(), "draft" | "sent")
}

/// Whether the quote may go to the recycle bin.
pub fn deletable_state(q: &Quote) -> bool {
    q.order_id.is_none() && matches!(q.status.as_str(), "draft" | "sent" | "rejected")
}

/// Fields as typed; `None` keeps the stored value on update.
#[derive(Debug, Clone, Default)]
pub struct QuoteInput {
    pub customer_id: Option<i64>,
    /// `Some(None)` clears the opportunity.
    pub opportunity_id: Option<Option<i64>>,
    pub title: Option<String>,
    /// "YYYY-MM-DD"; `Some("")` clears.
    pub valid_until: Option<String>,
    /// `Some("")` clears.
    pub notes: Option<String>,
    /// Replaces every line when given (required on create).
    pub lines: Option<Vec<LineInput>>,
}

/// A quote with its lines.
#[derive(Debug, Clone)]
pub struct QuoteDetail {
    pub quote: Quote,
    pub lines: Vec<Line>,
}

fn snapshot(q: &Quote, lines: &[Line]) -> serde_json::Value {
    json!({
        "number": q.number, "customer_id": q.customer_id, "opportunity_id": q.opportunity_id,
        "title": q.title, "status": q.status, "valid_until": q.valid_until, "notes": q.notes,
        "subtotal": q.subtotal, "discount_total": q.discount_total, "total": q.total,
        "owner_id": q.owner_id, "order_id": q.order_id,
        "lines": lines.iter().map(|l| json!({
            "product_id": l.product_id, "quantity": l.quantity.0,
            "unit_price": l.unit_price.0, "discount_bp": l.discount.0, "total": l.total.0,
        })).collect::<Vec<_>>(),
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

/// Merges `input` over `base`, validating everything at once; the parsed lines when given.
async fn validate<C: ConnectionTrait>(
    core: &Core,
    db: &C,
    scope: &RecordScope,
    base: quotes::Fields,
    input: &QuoteInput,
    creating: bool,
) -> Result<(quotes::Fields, Option<Vec<Line>>)> {
    let mut e = FieldErrors::new();
    let mut f = base;
    let mut customer_ok = true;
    if let Some(c) = input.customer_id {
        f.customer_id = c;
        customer_ok = check_customer(db, scope, c, "customer_id", &mut e).await?;
    } else if creating {
        e.add("customer_id", "required", "This field is required");
        customer_ok = false;
    }
    if let Some(o) = input.opportunity_id {
        f.opportunity_id = o;
    }
    if let Some(o) = f.opportunity_id {
        // Checked whenever it or the customer changes.
        if customer_ok && (input.opportunity_id.is_some() || input.customer_id.is_some()) {
            check_opportunity(db, scope, f.customer_id, o, &mut e).await?;
        }
    }
    if let Some(t) = &input.title {
        f.title = required_text(t, 200)
            .collect("title", &mut e)
            .unwrap_or_default();
    } else if creating {
        e.add("title", "required", "This field is required");
    }
    if let Some(v) = &input.valid_until {
        f.valid_until = parse_date(v, "valid_until", &mut e);
    }
    if let Some(v) = &input.notes {
        f.notes = customers::optional_long_text(v, 5000)
            .collect("notes", &mut e)
            .flatten();
    }
    let mut parsed = None;
    match (&input.lines, creating) {
        (Some(inputs), _) => {
            if let Some((ls, t)) = lines::parse(db, &core.settings, inputs, &mut e).await? {
                f.subtotal = t.subtotal.0;
                f.discount_total = t.discount.0;
                f.total = t.total.0;
                parsed = Some(ls);
            }
        }
        (None, true) => e.add("lines", "required", "add at least one product line"),
        (None, false) => {}
    }
    e.into_result()?;
    Ok((f, parsed))
}

/// A quote in the user's scope (404 otherwise).
async fn visible<C: ConnectionTrait>(db: &C, scope: &RecordScope, id: i64) -> Result<Quote> {
    match quotes::find(db, id).await? {
        Some(q) if scope.owns_scope(q.owner_id) => Ok(q),
        _ => Err(ServiceError::NotFound),
    }
}

async fn load_lines<C: ConnectionTrait>(db: &C, id: i64) -> Result<Vec<Line>> {
    Ok(quotes::lines_of(db, id)
        .await?
        .iter()
        .map(Line::from_quote_line)
        .collect())
}

async fn write_lines<C: ConnectionTrait>(db: &C, id: i64, ls: &[Line]) -> Result<()> {
    let rows = ls
        .iter()
        .enumerate()
        .map(|(i, l)| l.quote_line(id, i as i32 + 1))
        .collect();
    Ok(quotes::replace_lines(db, id, rows).await?)
}

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Quote>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    Ok(quotes::list(&core.db, &scope, filter, after, limit).await?)
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<QuoteDetail> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    let quote = visible(&core.db, &scope, id).await?;
    let lines = load_lines(&core.db, id).await?;
    Ok(QuoteDetail { quote, lines })
}

/// The quotes of one customer that the user may see (newest first); 404 when the customer
/// is not visible.
pub async fn for_customer(core: &Core, p: &Principal, customer_id: i64) -> Result<Vec<Quote>> {
    p.require(Module::Sales, Action::View)?;
    let scope = core.scope(p).await?;
    customers::visible(&core.db, &scope, customer_id).await?;
    let filter = Filter {
        customer_id: Some(customer_id),
        ..Default::default()
    };
    Ok(quotes::list(&core.db, &scope, &filter, None, FOR_CUSTOMER_LIMIT).await?)
}

pub async fn create(core: &Core, p: &Principal, input: QuoteInput) -> Result<QuoteDetail> {
    p.require(Module::Sales, Action::Create)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let base = quotes::Fields {
        customer_id: 0,
        opportunity_id: None,
        title: String::new(),
        valid_until: None,
        notes: None,
        subtotal: 0,
        discount_total: 0,
        total: 0,
    };
    let (fields, parsed) = validate(core, &txn, &scope, base, &input, true).await?;
    let ls = parsed.unwrap_or_default();
    let now = core.now();
    let provisional = format!("tmp-{:016x}", rand::random::<u64>());
    let q = quotes::insert(
        &txn,
        fields,
        provisional,
        p.user_id.0,
        Some(p.user_id.0),
        now,
    )
    .await?;
    let number = format!("QT{}-{:06}", core.today().format("%Y%m%d"), q.id);
    quotes::set_number(&txn, q.id, &number).await?;
    write_lines(&txn, q.id, &ls).await?;
    let quote = Quote { number, ..q };
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&quote, &ls)),
            ..entry(p, "create", quote.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(QuoteDetail { quote, lines: ls })
}

/// Changes fields and (when given) replaces the lines; only while draft or sent.
pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: QuoteInput,
) -> Result<QuoteDetail> {
    p.require(Module::Sales, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    if !editable_state(&before) {
        return Err(locked());
    }
    let before_lines = load_lines(&txn, id).await?;
    let (fields, parsed) = validate(
        core,
        &txn,
        &scope,
        quotes::Fields::of(&before),
        &input,
        false,
    )
    .await?;
    let now = core.now();
    let quote = versioned(quotes::update(&txn, &before, version, fields, now).await?)?;
    let lines = match parsed {
        Some(ls) => {
            write_lines(&txn, id, &ls).await?;
            ls
        }
        None => before_lines.clone(),
    };
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before, &before_lines)),
            after: Some(snapshot(&quote, &lines)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(QuoteDetail { quote, lines })
}

fn locked() -> ServiceError {
    ServiceError::conflict(
        "quote_locked",
        "This quote can no longer be changed (accepted, rejected or turned into an order)",
    )
}

/// Moves a quote along draft → sent → accepted | rejected.
pub async fn set_status(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    status: &str,
) -> Result<Quote> {
    p.require(Module::Sales, Action::Edit)?;
    let to = STATUSES
        .iter()
        .copied()
        .find(|s| *s == status.trim())
        .ok_or_else(|| {
            ServiceError::field(
                "status",
                "invalid_choice",
                "use draft, sent, accepted or rejected",
            )
        })?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let before = visible(&txn, &scope, id).await?;
    if before.version != version {
        return Err(ServiceError::StaleVersion);
    }
    if !can_move(&before.status, to) {
        return Err(ServiceError::conflict(
            "invalid_transition",
            format!("A {} quote cannot become {to}", before.status),
        ));
    }
    let now = core.now();
    let q = versioned(quotes::set_status(&txn, id, version, &before.status, to, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(json!({"status": before.status})),
            after: Some(json!({"status": q.status})),
            ..entry(p, "status", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(q)
}

/// To the recycle bin: drafts, sent and rejected quotes not turned into an order.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Sales, Action::Delete)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let q = visible(&txn, &scope, id).await?;
    if q.version != version {
        return Err(ServiceError::StaleVersion);
    }
    if !deletable_state(&q) {
        return Err(locked());
    }
    let lines = load_lines(&txn, id).await?;
    let now = core.now();
    versioned(quotes::soft_delete(&txn, id, version, now).await?)?;
    let label = format!("{} {}", q.number, q.title);
    recycle::add(&txn, ENTITY, id, &label, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&q, &lines)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
