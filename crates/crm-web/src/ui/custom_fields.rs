//! Custom fields on the record pages: the inputs of the customer and contact forms (named
//! `cf.<key>`), reading them back, showing values, and the list filters.

use super::users::Opt;
use super::FormErrors;
use crate::i18n::Tr;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use crm_domain::custom_field::{FieldType, LONG_TEXT_MAX, TEXT_MAX};
use crm_service::custom_fields::{self, CustomField};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// Only the `cf.*` pairs of a form or query.
pub fn only_custom(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .filter(|(k, _)| k.starts_with("cf."))
        .collect()
}

/// The form field name of a custom field.
pub fn name(key: &str) -> String {
    format!("cf.{key}")
}

/// The label of a field in the page's language.
pub fn label(tr: Tr, def: &CustomField) -> String {
    def.label(tr.is_zh()).to_string()
}

/// An urlencoded form read twice: into `T` (which ignores the `cf.*` fields) and as the
/// raw pairs, where the repeated `cf.<key>` of a multiple choice can be collected.
pub struct CfForm<T>(pub T, pub Vec<(String, String)>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bad = |e: serde_urlencoded::de::Error| {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Failed to deserialize form body: {e}"),
            )
                .into_response()
        };
        let t = serde_urlencoded::from_bytes::<T>(&bytes).map_err(bad)?;
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).map_err(bad)?;
        Ok(CfForm(t, pairs))
    }
}

fn all<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The values a submitted form gives for every field of `defs` (each of them is on the
/// form, so an absent one is blank: an unticked checkbox is false, no choice clears).
pub fn form_values(defs: &[CustomField], pairs: &[(String, String)]) -> BTreeMap<String, Value> {
    defs.iter()
        .map(|d| {
            let n = name(&d.key);
            let v = match d.kind() {
                FieldType::MultiSelect => Value::Array(
                    all(pairs, &n)
                        .into_iter()
                        .filter(|v| !v.trim().is_empty())
                        .map(|v| Value::String(v.to_string()))
                        .collect(),
                ),
                FieldType::Checkbox => Value::Bool(all(pairs, &n).iter().any(|v| !v.is_empty())),
                _ => all(pairs, &n)
                    .first()
                    .map_or(Value::Null, |v| Value::String(v.to_string())),
            };
            (d.key.clone(), v)
        })
        .collect()
}

/// Stored values as the pairs a form would send (to fill a form from a record).
pub fn stored_pairs(custom: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in custom_fields::values(custom) {
        let n = name(&key);
        match &value {
            Value::Array(items) => out.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (n.clone(), s.to_string())),
            ),
            Value::Bool(true) => out.push((n, "on".to_string())),
            Value::String(s) => out.push((n, s.clone())),
            Value::Number(x) => out.push((n, x.to_string())),
            _ => {}
        }
    }
    out
}

/// One custom field on a form.
pub struct CfInput {
    pub id: String,
    pub name: String,
    pub label: String,
    /// text, textarea, number, decimal, date, select, multi, checkbox, url, email, tel
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub options: Vec<Opt>,
    pub required: bool,
    pub maxlength: usize,
    pub error: String,
    pub invalid: bool,
    /// Grid column classes.
    pub col: &'static str,
    /// Smaller inputs (the inline contact form).
    pub compact: bool,
}

impl CfInput {
    pub fn control_class(&self) -> String {
        let base = if self.kind == "select" {
            "form-select"
        } else {
            "form-control"
        };
        let mut c = base.to_string();
        if self.compact {
            c.push_str(&format!(" {base}-sm"));
        }
        if self.invalid {
            c.push_str(" is-invalid");
        }
        c
    }
    pub fn label_class(&self) -> &'static str {
        if self.compact {
            "form-label small mb-1"
        } else {
            "form-label"
        }
    }
}

/// The inputs of `defs`, filled from `pairs` (stored values, or what was typed), with the
/// field errors of a rejected submission (`custom_fields.<key>`).
pub fn inputs(
    tr: Tr,
    defs: &[CustomField],
    pairs: &[(String, String)],
    errors: &FormErrors,
    prefix: &str,
    compact: bool,
) -> Vec<CfInput> {
    defs.iter()
        .map(|d| {
            let n = name(&d.key);
            let values = all(pairs, &n);
            let first = values.first().copied().unwrap_or_default().to_string();
            let kind = d.kind();
            let err_key = custom_fields::error_field(&d.key);
            let options = d
                .option_list()
                .into_iter()
                .map(|o| {
                    let sel = values.contains(&o.as_str());
                    Opt::new(o.clone(), o, sel)
                })
                .collect();
            let (html_kind, col) = match kind {
                FieldType::Text => ("text", "col-sm-4"),
                FieldType::LongText => ("textarea", "col-12"),
                FieldType::Number => ("number", "col-sm-4"),
                FieldType::Decimal => ("decimal", "col-sm-4"),
                FieldType::Date => ("date", "col-sm-4"),
                FieldType::SingleSelect => ("select", "col-sm-4"),
                FieldType::MultiSelect => ("multi", "col-sm-8"),
                FieldType::Checkbox => ("checkbox", "col-sm-4"),
                FieldType::Url => ("url", "col-sm-4"),
                FieldType::Email => ("email", "col-sm-4"),
                FieldType::Phone => ("tel", "col-sm-4"),
            };
            CfInput {
                id: format!("{prefix}cf-{}", d.key.replace('_', "-")),
                name: n,
                label: label(tr, d),
                kind: html_kind,
                checked: kind == FieldType::Checkbox && values.iter().any(|v| !v.is_empty()),
                value: first,
                options,
                required: d.required,
                maxlength: if kind == FieldType::LongText {
                    LONG_TEXT_MAX
                } else {
                    TEXT_MAX
                },
                error: errors.get(&err_key),
                invalid: errors.has(&err_key),
                col: if compact && col == "col-sm-4" {
                    "col-sm-6 col-lg-3"
                } else {
                    col
                },
                compact,
            }
        })
        .collect()
}

/// A stored value for display ("—" when empty) and, for a web address, its link.
pub fn shown(
    tr: Tr,
    def: &CustomField,
    custom: &serde_json::Map<String, Value>,
) -> (String, Option<String>) {
    match custom.get(&def.key).filter(|v| !v.is_null()) {
        None => (tr.t("common.none"), None),
        Some(v) => {
            let text = custom_fields::display(
                v,
                &tr.t("common.yes"),
                &tr.t("common.no"),
                &tr.t("common.list_separator"),
            );
            let href =
                (def.kind() == FieldType::Url && text.starts_with("http")).then(|| text.clone());
            (text, href)
        }
    }
}

/// The fields shown as table columns: all but long texts.
pub fn list_columns(defs: &[CustomField]) -> Vec<&CustomField> {
    defs.iter()
        .filter(|d| d.kind() != FieldType::LongText)
        .collect()
}

/// Longest cell text in a table; longer values are cut with "…".
const CELL_MAX: usize = 40;

/// The table cells of a record's values for `columns`.
pub fn cells(tr: Tr, columns: &[&CustomField], custom: &str) -> Vec<String> {
    let values = custom_fields::values(custom);
    columns
        .iter()
        .map(|d| {
            let text = shown(tr, d, &values).0;
            if text.chars().count() > CELL_MAX {
                let mut t: String = text.chars().take(CELL_MAX - 1).collect();
                t.push('…');
                t
            } else {
                text
            }
        })
        .collect()
}

/// One custom-field filter of the customer list.
pub struct CfFilter {
    pub id: String,
    pub name: String,
    pub label: String,
    /// select, text, number, date
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Opt>,
}

/// The list filters of `defs`: a select for choices and checkboxes, a box otherwise.
pub fn filters(tr: Tr, defs: &[CustomField], pairs: &[(String, String)]) -> Vec<CfFilter> {
    defs.iter()
        .filter(|d| d.kind() != FieldType::LongText)
        .map(|d| {
            let n = name(&d.key);
            let value = all(pairs, &n)
                .first()
                .copied()
                .unwrap_or_default()
                .trim()
                .to_string();
            let kind = d.kind();
            let mut options = Vec::new();
            let html_kind = match kind {
                FieldType::SingleSelect | FieldType::MultiSelect | FieldType::Checkbox => {
                    options.push(Opt::new("", tr.t("common.all"), value.is_empty()));
                    if kind == FieldType::Checkbox {
                        let on =
                            crm_domain::custom_field::checkbox(&Value::String(value.clone())).ok();
                        options.push(Opt::new("true", tr.t("common.yes"), on == Some(true)));
                        options.push(Opt::new("false", tr.t("common.no"), on == Some(false)));
                    } else {
                        options.extend(
                            d.option_list()
                                .into_iter()
                                .map(|o| Opt::new(o.clone(), o.clone(), o == value)),
                        );
                    }
                    "select"
                }
                FieldType::Number | FieldType::Decimal => "number",
                FieldType::Date => "date",
                _ => "text",
            };
            CfFilter {
                id: format!("filter-cf-{}", d.key.replace('_', "-")),
                name: n,
                label: label(tr, d),
                kind: html_kind,
                value,
                options,
            }
        })
        .collect()
}
