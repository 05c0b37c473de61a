//! Product catalogue (产品管理): categories as a tree and products with code, name, spec,
//! unit, cost price and market guide price (市场指导价).
//!
//! The catalogue is not owner-scoped: `products:view` sees every live product. The cost
//! price is shown only to principals with [`Principal::sees_cost`]; for anyone else it is
//! removed from every view, and an attempt to set it is refused with 403
//! ([`ServiceError::Forbidden`]) while an edit without it keeps the stored value.

use crate::customers::optional_long_text;
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::validate::{optional_text, required_text};
use crm_domain::{Action, FieldErrors, Module, Money, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::{products, recycle, ConnectionTrait};
use sea_orm::SqlErr;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

pub use crm_store::products::{
    CategoryModel as Category, Filter, Model as Product, Sort, DISCONTINUED, ON_SALE,
};

pub mod categories;

pub const ENTITY: &str = products::ENTITY;

/// Raw product fields as typed by a user; `None` means "not given" (keep on update).
#[derive(Debug, Clone, Default)]
pub struct ProductInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub spec: Option<String>,
    pub unit: Option<String>,
    /// Major units ("1234.50"); `Some("")` clears it. Only for [`Principal::sees_cost`].
    pub cost_price: Option<String>,
    /// Major units ("1234.50").
    pub guide_price: Option<String>,
    /// `on_sale` or `discontinued` (default `on_sale`).
    pub status: Option<String>,
    /// `Some(None)` files the product under no category.
    pub category_id: Option<Option<i64>>,
    pub description: Option<String>,
}

/// A product as one user may see it: `product.cost_price` is `None` when `!cost_visible`.
#[derive(Debug, Clone)]
pub struct ProductView {
    pub product: Product,
    pub cost_visible: bool,
    pub category_name: Option<String>,
}

/// One choice for the quote and order line editors (`GET /products/options`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProductOption {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Empty when the product has none.
    pub spec: String,
    pub unit: String,
    /// Major units as a decimal string ("1234.50").
    pub guide_price: String,
    /// The same price in minor units, for server-side use (not serialized).
    #[serde(skip)]
    pub price: Money,
}

/// On-sale products whose code or name contains `q`, by code, at most `limit` (≤ 200).
/// For anyone who may read the catalogue or work in sales (line editors of quotes/orders).
pub async fn on_sale_options(
    core: &Core,
    p: &Principal,
    q: Option<&str>,
    limit: u64,
) -> Result<Vec<ProductOption>> {
    if !(p.can(Module::Products, Action::View) || p.can(Module::Sales, Action::View)) {
        return Err(ServiceError::Forbidden);
    }
    let rows = products::on_sale(&core.db, q, limit.clamp(1, 200)).await?;
    let cur = &core.settings.currency;
    Ok(rows
        .into_iter()
        .map(|m| ProductOption {
            id: m.id,
            code: m.code,
            name: m.name,
            spec: m.spec.unwrap_or_default(),
            unit: m.unit,
            guide_price: cur.to_decimal(Money(m.guide_price)),
            price: Money(m.guide_price),
        })
        .collect())
}

fn snapshot(m: &Product) -> serde_json::Value {
    json!({
        "code": m.code, "name": m.name, "spec": m.spec, "unit": m.unit,
        "cost_price": m.cost_price, "guide_price": m.guide_price, "status": m.status,
        "category_id": m.category_id, "description": m.description,
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

fn money(core: &Core, text: &str, field: &str, e: &mut FieldErrors) -> Option<Money> {
    match core.settings.currency.parse(text, false) {
        Ok(m) if m.0 > crm_domain::money::MAX_AMOUNT => {
            e.add(field, "too_large", "is too large");
            None
        }
        Ok(m) => Some(m),
        Err((code, msg)) => {
            e.add(field, code, msg);
            None
        }
    }
}

/// Merges `input` over `base` and validates every field (the category is checked later,
/// inside the transaction).
fn validate(core: &Core, base: products::Fields, input: &ProductInput) -> Result<products::Fields> {
    let mut e = FieldErrors::new();
    let mut f = base;
    let required = |v: &Option<String>, max, field: &str, cur: String, e: &mut FieldErrors| match v
    {
        Some(s) => required_text(s, max).collect(field, e).unwrap_or_default(),
        None if cur.is_empty() => {
            e.add(field, "required", "This field is required");
            cur
        }
        None => cur,
    };
    f.code = required(&input.code, 50, "code", f.code, &mut e);
    f.name = required(&input.name, 200, "name", f.name, &mut e);
    f.unit = required(&input.unit, 20, "unit", f.unit, &mut e);
    if let Some(s) = &input.spec {
        f.spec = optional_text(s, 200).collect("spec", &mut e).flatten();
    }
    if let Some(s) = &input.description {
        f.description = optional_long_text(s, 5000)
            .collect("description", &mut e)
            .flatten();
    }
    match input.guide_price.as_deref().map(str::trim) {
        Some("") => e.add("guide_price", "required", "This field is required"),
        Some(t) => {
            if let Some(m) = money(core, t, "guide_price", &mut e) {
                f.guide_price = m.0;
            }
        }
        None => {}
    }
    if let Some(t) = input.cost_price.as_deref().map(str::trim) {
        f.cost_price = if t.is_empty() {
            None
        } else {
            money(core, t, "cost_price", &mut e).map(|m| m.0)
        };
    }
    match input.status.as_deref().map(str::trim) {
        None | Some("") if f.status.is_empty() => f.status = ON_SALE.into(),
        None | Some("") => {}
        Some(s @ (ON_SALE | DISCONTINUED)) => f.status = s.into(),
        Some(_) => e.add("status", "invalid_choice", "Choose one of the options"),
    }
    if let Some(c) = input.category_id {
        f.category_id = c;
    }
    e.into_result()?;
    Ok(f)
}

fn view(p: &Principal, mut product: Product, category_name: Option<String>) -> ProductView {
    let cost_visible = p.sees_cost();
    if !cost_visible {
        product.cost_price = None;
    }
    ProductView {
        product,
        cost_visible,
        category_name,
    }
}

async fn category_name<C: ConnectionTrait>(db: &C, id: Option<i64>) -> Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    Ok(products::category_names(db, &[id])
        .await?
        .into_iter()
        .next()
        .map(|(_, n)| n))
}

/// Checks the category exists and the code is free (live or deleted: the unique index
/// covers deleted rows, so a deleted product's code stays reserved until it is purged).
async fn check_refs<C: ConnectionTrait>(
    db: &C,
    f: &products::Fields,
    self_id: Option<i64>,
) -> Result<()> {
    let mut e = FieldErrors::new();
    if let Some(c) = f.category_id {
        if products::find_category(db, c).await?.is_none() {
            e.add("category_id", "unknown", "No such category");
        }
    }
    if let Some(other) = products::find_by_code(db, &f.code).await? {
        if Some(other.id) != self_id {
            let msg = if other.deleted_at.is_some() {
                "This code belongs to a deleted product (see the recycle bin)"
            } else {
                "This code is already used by another product"
            };
            e.add("code", "taken", msg);
        }
    }
    e.into_result()?;
    Ok(())
}

fn code_taken(err: sea_orm::DbErr) -> ServiceError {
    if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
        ServiceError::field(
            "code",
            "taken",
            "This code is already used by another product",
        )
    } else {
        ServiceError::Internal(err)
    }
}

pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &Filter,
    category: Option<i64>,
    sort: Sort,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<ProductView>> {
    p.require(Module::Products, Action::View)?;
    let mut filter = filter.clone();
    if let Some(c) = category {
        let all = products::categories(&core.db).await?;
        filter.category_ids = Some(categories::subtree(&all, c));
    }
    let rows = products::list(&core.db, &filter, sort, after, limit).await?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.category_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = products::category_names(&core.db, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = r.category_id.and_then(|c| names.get(&c).cloned());
            view(p, r, name)
        })
        .collect())
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<ProductView> {
    p.require(Module::Products, Action::View)?;
    let m = products::find(&core.db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = category_name(&core.db, m.category_id).await?;
    Ok(view(p, m, name))
}

pub async fn create(core: &Core, p: &Principal, input: ProductInput) -> Result<ProductView> {
    p.require(Module::Products, Action::Create)?;
    if input.cost_price.is_some() && !p.sees_cost() {
        return Err(ServiceError::Forbidden);
    }
    let mut input = input;
    if input.guide_price.is_none() {
        input.guide_price = Some(String::new());
    }
    let fields = validate(core, products::Fields::default(), &input)?;
    let txn = core.begin_write().await?;
    check_refs(&txn, &fields, None).await?;
    let now = core.now();
    let m = products::insert(&txn, fields, Some(p.user_id.0), now)
        .await
        .map_err(code_taken)?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&m)),
            ..entry(p, "create", m.id)
        },
    )
    .await?;
    txn.commit().await?;
    let name = category_name(&core.db, m.category_id).await?;
    Ok(view(p, m, name))
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: ProductInput,
) -> Result<ProductView> {
    p.require(Module::Products, Action::Edit)?;
    if input.cost_price.is_some() && !p.sees_cost() {
        return Err(ServiceError::Forbidden);
    }
    let txn = core.begin_write().await?;
    let before = products::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let fields = validate(core, products::Fields::of(&before), &input)?;
    check_refs(&txn, &fields, Some(id)).await?;
    let now = core.now();
    let m = versioned(
        products::update(&txn, &before, version, fields, now)
            .await
            .map_err(code_taken)?,
    )?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&m)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    let name = category_name(&core.db, m.category_id).await?;
    Ok(view(p, m, name))
}

/// Soft delete into the recycle bin. Quote and order lines keep their copied code/name.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Products, Action::Delete)?;
    let txn = core.begin_write().await?;
    let m = products::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let now = core.now();
    versioned(products::soft_delete(&txn, id, version, now).await?)?;
    let label = format!("{} {}", m.code, m.name);
    recycle::add(&txn, ENTITY, id, &label, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&m)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The recycle-bin arm: brings a product back (its category must be live).
pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<()> {
    let m = products::find_any(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if let Some(c) = m.category_id {
        if products::find_category(db, c).await?.is_none() {
            return Err(ServiceError::conflict(
                "parent_deleted",
                "Restore its category first",
            ));
        }
    }
    products::restore(db, id).await?;
    Ok(())
}
