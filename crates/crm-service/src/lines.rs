//! Document lines shared by quotes and orders: parse what the user typed, look the products
//! up once, copy their code / name / spec / unit onto the line, and compute exact totals.
//!
//! Rules: at least one line and at most [`MAX_LINES`]; the product must exist and be on
//! sale; quantity > 0 with at most 3 decimals; unit price ≥ 0 (defaults to the product's
//! guide price); discount 0–100 % with at most 2 decimals. Errors are reported per field as
//! `lines.<index>.<field>` (index from 0), so a form can show them next to the line.

use crm_domain::money::{line_total, totals, Totals};
use crm_domain::{Discount, FieldErrors, Money, Quantity, Settings};
use crm_store::entity::{order_line, product, quote_line};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const MAX_LINES: usize = 200;

/// One line as typed: decimal strings, parsed here.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineInput {
    pub product_id: i64,
    /// "2", "1.5".
    pub quantity: String,
    /// Major units ("1234.50"); `None` or empty: the product's guide price.
    pub unit_price: Option<String>,
    /// Percent ("12.5"); `None` or empty: no discount.
    pub discount: Option<String>,
}

/// A validated line, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub spec: Option<String>,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub discount: Discount,
    pub total: Money,
}

/// Validates `inputs`, collecting errors into `errors`. Returns the lines and their totals
/// when every line is valid.
pub async fn parse<C: ConnectionTrait>(
    db: &C,
    settings: &Settings,
    inputs: &[LineInput],
    errors: &mut FieldErrors,
) -> Result<Option<(Vec<Line>, Totals)>, DbErr> {
    if inputs.is_empty() {
        errors.add("lines", "required", "add at least one product line");
        return Ok(None);
    }
    if inputs.len() > MAX_LINES {
        errors.add(
            "lines",
            "too_many",
            format!("at most {MAX_LINES} lines per document"),
        );
        return Ok(None);
    }
    let ids: Vec<i64> = inputs.iter().map(|l| l.product_id).collect();
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(ids))
        .filter(product::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let before = errors.0.len();
    let mut lines = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("lines.{i}.{name}");
        let product = match products.get(&input.product_id) {
            Some(p) if p.status == "on_sale" => Some(p),
            Some(_) => {
                errors.add(
                    &field("product_id"),
                    "discontinued",
                    "this product is discontinued",
                );
                None
            }
            None => {
                errors.add(&field("product_id"), "unknown", "no such product");
                None
            }
        };
        let quantity = match Quantity::parse(&input.quantity) {
            Ok(q) => Some(q),
            Err((code, msg)) => {
                errors.add(&field("quantity"), code, msg);
                None
            }
        };
        let unit_price = match input.unit_price.as_deref().map(str::trim) {
            None | Some("") => product.map(|p| Money(p.guide_price)),
            Some(text) => match settings.currency.parse(text, false) {
                Ok(m) if m.0 > crm_domain::money::MAX_AMOUNT => {
                    errors.add(&field("unit_price"), "too_large", "is too large");
                    None
                }
                Ok(m) => Some(m),
                Err((code, msg)) => {
                    errors.add(&field("unit_price"), code, msg);
                    None
                }
            },
        };
        let discount = match Discount::parse_percent(input.discount.as_deref().unwrap_or("")) {
            Ok(d) => Some(d),
            Err((code, msg)) => {
                errors.add(&field("discount"), code, msg);
                None
            }
        };
        if let (Some(p), Some(q), Some(price), Some(d)) = (product, quantity, unit_price, discount)
        {
            match line_total(q, price, d) {
                Some(total) if total.0 <= crm_domain::money::MAX_AMOUNT => lines.push(Line {
                    product_id: p.id,
                    product_code: p.code.clone(),
                    product_name: p.name.clone(),
                    spec: p.spec.clone(),
                    unit: p.unit.clone(),
                    quantity: q,
                    unit_price: price,
                    discount: d,
                    total,
                }),
                _ => errors.add(
                    &field("quantity"),
                    "too_large",
                    "the line total is too large",
                ),
            }
        }
    }
    if errors.0.len() > before || lines.len() != inputs.len() {
        return Ok(None);
    }
    let parts: Vec<(Quantity, Money, Discount)> = lines
        .iter()
        .map(|l| (l.quantity, l.unit_price, l.discount))
        .collect();
    match totals(&parts) {
        Some(t) if t.total.0 <= crm_domain::money::MAX_AMOUNT * 10 => Ok(Some((lines, t))),
        _ => {
            errors.add("lines", "too_large", "the document total is too large");
            Ok(None)
        }
    }
}

impl Line {
    pub fn quote_line(&self, quote_id: i64, line_no: i32) -> quote_line::ActiveModel {
        quote_line::ActiveModel {
            quote_id: Set(quote_id),
            line_no: Set(line_no),
            product_id: Set(self.product_id),
            product_code: Set(self.product_code.clone()),
            product_name: Set(self.product_name.clone()),
            spec: Set(self.spec.clone()),
            unit: Set(self.unit.clone()),
            quantity: Set(self.quantity.0),
            unit_price: Set(self.unit_price.0),
            discount_bp: Set(self.discount.0),
            line_total: Set(self.total.0),
            ..Default::default()
        }
    }

    pub fn order_line(&self, order_id: i64, line_no: i32) -> order_line::ActiveModel {
        order_line::ActiveModel {
            order_id: Set(order_id),
            line_no: Set(line_no),
            product_id: Set(self.product_id),
            product_code: Set(self.product_code.clone()),
            product_name: Set(self.product_name.clone()),
            spec: Set(self.spec.clone()),
            unit: Set(self.unit.clone()),
            quantity: Set(self.quantity.0),
            unit_price: Set(self.unit_price.0),
            discount_bp: Set(self.discount.0),
            line_total: Set(self.total.0),
            ..Default::default()
        }
    }

    pub fn from_quote_line(m: &quote_line::Model) -> Self {
        Line {
            product_id: m.product_id,
            product_code: m.product_code.clone(),
            product_name: m.product_name.clone(),
            spec: m.spec.clone(),
            unit: m.unit.clone(),
            quantity: Quantity(m.quantity),
            unit_price: Money(m.unit_price),
            discount: Discount(m.discount_bp),
            total: Money(m.line_total),
        }
    }

    pub fn from_order_line(m: &order_line::Model) -> Self {
        Line {
            product_id: m.product_id,
            product_code: m.product_code.clone(),
            product_name: m.product_name.clone(),
            spec: m.spec.clone(),
            unit: m.unit.clone(),
            quantity: Quantity(m.quantity),
            unit_price: Money(m.unit_price),
            discount: Discount(m.discount_bp),
            total: Money(m.line_total),
        }
    }
}
