//! The product-line editor shared by the quote and order forms.
//!
//! A form includes `templates/_lines_editor.html` with `l` (the [`super::Layout`]) and
//! `lines` (a [`LinesEditor`]) in scope. The editor posts repeated keys `line_product_id`,
//! `line_quantity`, `line_unit_price` and `line_discount`, one of each per row, in order;
//! [`from_form`] reads them back (rows left fully blank are skipped). Without JavaScript
//! the form shows the existing rows plus three blank ones; `static/lines.js` adds and
//! removes rows and shows line totals while typing (display only: the server recomputes).
//!
//! Typical use in a handler:
//! ```ignore
//! let (inputs, rows) = lines::from_form(&pairs);
//! // … call the service with `inputs`; on a validation error:
//! let mut editor = lines::editor(&state.core, &s.principal, rows).await?;
//! lines::attach_errors(&mut editor, &errs, s.tr);
//! ```

use crate::i18n::Tr;
use crm_domain::{Currency, FieldErrors, Principal};
use crm_service::lines::{Line, LineInput};
use crm_service::{Core, ServiceError};
use crm_store::entity::product;
use std::collections::{BTreeMap, BTreeSet};

/// How many products the select offers up front (the products helper caps it at 200);
/// the editor's search box finds the others through `GET /products/options?q=`.
const OPTIONS_LIMIT: u64 = 200;
/// Blank rows offered below the existing ones (for browsers without JavaScript).
const BLANK_ROWS: usize = 3;

/// One product in the line editor's select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductOption {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub spec: Option<String>,
    pub unit: String,
    /// The market guide price as a decimal ("1234.50"): the default unit price.
    pub guide_price: String,
    /// False for a product already on a line that is no longer on sale (kept so that the
    /// row still shows it; saving it again is refused by the service).
    pub on_sale: bool,
}

impl ProductOption {
    fn of(p: &product::Model, currency: &Currency) -> Self {
        Self {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            spec: p.spec.clone(),
            unit: p.unit.clone(),
            guide_price: currency.to_decimal(crm_domain::Money(p.guide_price)),
            on_sale: p.status == "on_sale",
        }
    }

    fn on_sale(o: crm_service::products::ProductOption) -> Self {
        Self {
            id: o.id,
            code: o.code,
            name: o.name,
            spec: Some(o.spec).filter(|s| !s.is_empty()),
            unit: o.unit,
            guide_price: o.guide_price,
            on_sale: true,
        }
    }

    /// "CODE · name (spec)".
    pub fn label(&self) -> String {
        match self.spec.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(spec) => format!("{} · {} ({spec})", self.code, self.name),
            None => format!("{} · {}", self.code, self.name),
        }
    }

    /// Whether this option is the one a row names.
    pub fn is(&self, product_id: &str) -> bool {
        product_id.trim() == self.id.to_string()
    }
}

/// One row of the editor, as typed (or as stored, formatted for the inputs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineRow {
    pub product_id: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    /// The line total as shown ("1,234.50"); empty for rows typed but not yet saved.
    pub total: String,
    /// Field name (`product_id`, `quantity`, `unit_price`, `discount`) → message.
    pub errors: BTreeMap<String, String>,
}

impl LineRow {
    pub fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
    fn is_blank(&self) -> bool {
        [
            &self.product_id,
            &self.quantity,
            &self.unit_price,
            &self.discount,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// What `_lines_editor.html` renders. Build it with [`editor`].
#[derive(Debug, Clone)]
pub struct LinesEditor {
    pub rows: Vec<LineRow>,
    pub products: Vec<ProductOption>,
    /// An error about the lines as a whole (`lines`: none given, too many, total too large).
    pub error: Option<String>,
    /// The installation currency (the script rounds displayed totals to its minor digits).
    pub currency: Currency,
}

impl LinesEditor {
    /// The guide price of the product a row names (the unit price placeholder).
    pub fn price_of(&self, product_id: &str) -> String {
        self.products
            .iter()
            .find(|o| o.is(product_id))
            .map(|o| o.guide_price.clone())
            .unwrap_or_default()
    }
    /// A blank row, for the `<template>` the script clones.
    pub fn blank(&self) -> LineRow {
        LineRow::default()
    }
    /// Whether any row or the editor carries an error.
    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.rows.iter().any(|r| !r.errors.is_empty())
    }
}

fn values<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Reads the editor's rows from a submitted form's pairs (see `CfForm`, which gives them):
/// the service inputs and the rows to show again if the form comes back with errors. Row
/// `i` of both is line `i` of the service's `lines.<i>.<field>` errors.
pub fn from_form(pairs: &[(String, String)]) -> (Vec<LineInput>, Vec<LineRow>) {
    let products = values(pairs, "line_product_id");
    let quantities = values(pairs, "line_quantity");
    let prices = values(pairs, "line_unit_price");
    let discounts = values(pairs, "line_discount");
    let n = products
        .len()
        .max(quantities.len())
        .max(prices.len())
        .max(discounts.len());
    let at = |v: &[&str], i: usize| v.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut inputs = Vec::new();
    let mut rows = Vec::new();
    for i in 0..n {
        let row = LineRow {
            product_id: at(&products, i),
            quantity: at(&quantities, i),
            unit_price: at(&prices, i),
            discount: at(&discounts, i),
            ..Default::default()
        };
        if row.is_blank() {
            continue;
        }
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        inputs.push(LineInput {
            // Not a number: 0, which the service reports as an unknown product.
            product_id: row.product_id.parse().unwrap_or(0),
            quantity: row.quantity.clone(),
            unit_price: opt(&row.unit_price),
            discount: opt(&row.discount),
        });
        rows.push(row);
    }
    (inputs, rows)
}

/// Stored lines as editor rows.
pub fn rows_from_lines(lines: &[Line], currency: &Currency) -> Vec<LineRow> {
    lines
        .iter()
        .map(|l| LineRow {
            product_id: l.product_id.to_string(),
            quantity: l.quantity.to_decimal(),
            unit_price: currency.to_decimal(l.unit_price),
            discount: if l.discount.0 == 0 {
                String::new()
            } else {
                l.discount.to_percent()
            },
            total: currency.format_plain(l.total),
            errors: BTreeMap::new(),
        })
        .collect()
}

/// The message for an error code of the lines: `quotes.error.<code>` when the catalogue
/// has it, else the common `error.<code>`, else the service's English text.
pub fn message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("quotes.error.{code}");
    let text = tr.t(&key);
    if text == key {
        tr.field_error(code, fallback)
    } else {
        text
    }
}

/// Puts the service's `lines.<i>.<field>` errors under their cells and `lines` above the
/// table.
pub fn attach_errors(editor: &mut LinesEditor, errors: &FieldErrors, tr: Tr) {
    for (key, e) in &errors.0 {
        let text = message(tr, e.code, &e.message);
        if key == "lines" {
            editor.error = Some(text);
            continue;
        }
        let Some(rest) = key.strip_prefix("lines.") else {
            continue;
        };
        let parsed = rest
            .split_once('.')
            .and_then(|(i, f)| i.parse::<usize>().ok().map(|i| (i, f)));
        match parsed.and_then(|(i, f)| editor.rows.get_mut(i).map(|r| (r, f))) {
            Some((row, field)) => {
                row.errors.insert(field.to_string(), text);
            }
            None => editor.error = Some(text),
        }
    }
}

/// The editor for `rows` (plus blank rows), with the products on sale to choose from and
/// any product a row already names.
pub async fn editor(
    core: &Core,
    p: &Principal,
    rows: Vec<LineRow>,
) -> Result<LinesEditor, ServiceError> {
    let currency = core.settings.currency.clone();
    let mut products: Vec<ProductOption> =
        crm_service::products::on_sale_options(core, p, None, OPTIONS_LIMIT)
            .await?
            .into_iter()
            .map(ProductOption::on_sale)
            .collect();
    let known: BTreeSet<i64> = products.iter().map(|o| o.id).collect();
    let missing: BTreeSet<i64> = rows
        .iter()
        .filter_map(|r| r.product_id.parse::<i64>().ok())
        .filter(|id| !known.contains(id))
        .collect();
    // Products already on a row but no longer offered (discontinued or deleted): few.
    for id in missing {
        if let Some(p) = crm_store::products::find_any(&core.db, id).await? {
            products.push(ProductOption::of(&p, &currency));
        }
    }
    let mut rows = rows;
    rows.extend(std::iter::repeat_n(LineRow::default(), BLANK_ROWS));
    Ok(LinesEditor {
        rows,
        products,
        error: None,
        currency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_rows_in_order_and_skips_blank_ones() {
        let p = pairs(&[
            ("title", "x"),
            ("line_product_id", "7"),
            ("line_quantity", "2"),
            ("line_unit_price", ""),
            ("line_discount", "5"),
            ("line_product_id", ""),
            ("line_quantity", " "),
            ("line_unit_price", ""),
            ("line_discount", ""),
            ("line_product_id", "abc"),
            ("line_quantity", "1.5"),
            ("line_unit_price", "10.00"),
            ("line_discount", ""),
        ]);
        let (inputs, rows) = from_form(&p);
        assert_eq!(inputs.len(), 2);
        assert_eq!(rows.len(), 2);
        assert_eq!(inputs[0].product_id, 7);
        assert_eq!(inputs[0].unit_price, None);
        assert_eq!(inputs[0].discount.as_deref(), Some("5"));
        assert_eq!(inputs[1].product_id, 0);
        assert_eq!(inputs[1].unit_price.as_deref(), Some("10.00"));
        assert_eq!(rows[1].product_id, "abc");
        assert_eq!(rows[1].quantity, "1.5");
    }

    #[test]
    fn errors_land_on_their_rows() {
        let mut ed = LinesEditor {
            rows: vec![LineRow::default(), LineRow::default()],
            products: vec![],
            error: None,
            currency: Currency::default(),
        };
        let mut e = FieldErrors::new();
        e.add(
            "lines.1.quantity",
            "not_positive",
            "must be greater than zero",
        );
        e.add("lines", "required", "add at least one product line");
        e.add("title", "required", "required");
        attach_errors(&mut ed, &e, Tr::new("en"));
        assert!(ed.rows[1].has("quantity"));
        assert!(!ed.rows[0].has("quantity"));
        assert!(ed.error.is_some());
        assert!(ed.has_errors());
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;
    use askama::Template;

    #[derive(Template)]
    #[template(source = r#"{% include "_lines_editor.html" %}"#, ext = "html")]
    struct Probe {
        l: crate::ui::Layout,
        lines: LinesEditor,
    }

    #[test]
    fn the_editor_renders_rows_options_and_errors() {
        let tr = Tr::new("en");
        let l = crate::ui::Layout {
            tr,
            user_name: "u".into(),
            role_label: "r".into(),
            csrf: "c".into(),
            active: "quotes",
            show_admin: false,
            show_customers: true,
            show_sales: true,
            show_products: true,
            show_market: true,
            next: "/".into(),
            toast: None,
        };
        let mut rows = vec![LineRow {
            product_id: "5".into(),
            quantity: "-1".into(),
            ..Default::default()
        }];
        rows.push(LineRow::default());
        let mut lines = LinesEditor {
            rows,
            products: vec![ProductOption {
                id: 5,
                code: "P-001".into(),
                name: "服务器".into(),
                spec: Some("2U".into()),
                unit: "台".into(),
                guide_price: "12000.00".into(),
                on_sale: true,
            }],
            error: None,
            currency: Currency::default(),
        };
        let mut e = FieldErrors::new();
        e.add(
            "lines.0.quantity",
            "not_positive",
            "must be greater than zero",
        );
        attach_errors(&mut lines, &e, tr);
        let html = Probe { l, lines }.render().unwrap_or_default();
        assert!(html.contains("P-001 · 服务器 (2U)"), "{html}");
        assert!(html.contains(r#"data-price="12000.00" selected"#), "{html}");
        assert!(html.contains("placeholder=\"12000.00\""));
        assert!(html.contains("is-invalid"));
        assert!(html.contains("must be greater than zero") || html.contains("greater than"));
        assert!(html.contains("<template data-line-template>"));
        assert_eq!(html.matches("name=\"line_quantity\"").count(), 3);
    }
}
