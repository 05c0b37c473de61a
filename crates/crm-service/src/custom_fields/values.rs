//! Custom field values: merging and validating them into a record's `custom` JSON,
//! hiding those of deactivated fields, list filters and display text.

use super::{CustomField, CustomFilter, Match};
use crate::Result;
use crm_domain::custom_field::{self as cf, FieldType};
use crm_domain::FieldErrors;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The stored values of a record (its `custom` column) as a JSON object.
pub fn values(custom: &str) -> Map<String, Value> {
    match serde_json::from_str::<Value>(custom) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The stored values of the active fields only.
pub fn visible_values(defs: &[CustomField], custom: &str) -> Map<String, Value> {
    let mut m = values(custom);
    m.retain(|k, _| defs.iter().any(|d| d.active && &d.key == k));
    m
}

/// Rewrites a `custom` column to hold only the values of active fields (what the API and
/// pages show; the stored row keeps the rest).
pub fn strip(defs: &[CustomField], custom: &mut String) {
    *custom = Value::Object(visible_values(defs, custom)).to_string();
}

/// The field name of a custom value in field errors.
pub fn error_field(key: &str) -> String {
    format!("custom_fields.{key}")
}

/// Merges `input` over the stored values `current`, validating each given key against the
/// active definitions `defs`. A null or blank value clears. On create every required field
/// must end up with a value; on update a required field may not be cleared (one that was
/// never filled does not block other changes). Errors are collected under
/// `custom_fields.<key>`. Returns the JSON text to store.
pub fn merge_values(
    defs: &[CustomField],
    current: &str,
    input: &BTreeMap<String, Value>,
    creating: bool,
    e: &mut FieldErrors,
) -> String {
    let mut out = values(current);
    for (key, raw) in input {
        let Some(def) = defs.iter().find(|d| d.active && &d.key == key) else {
            e.add(&error_field(key), "unknown_field", "No such custom field");
            continue;
        };
        match cf::validate_value(def.kind(), def.required, &def.option_list(), raw) {
            Ok(Some(v)) => {
                out.insert(key.clone(), v);
            }
            Ok(None) => {
                out.remove(key);
            }
            Err((code, message)) => e.add(&error_field(key), code, message),
        }
    }
    if creating {
        for d in defs.iter().filter(|d| d.active && d.required) {
            if !out.contains_key(&d.key) {
                e.add(&error_field(&d.key), "required", "This field is required");
            }
        }
    }
    Value::Object(out).to_string()
}

/// List filters from `cf.<key>=<value>` query pairs (other pairs are ignored; blank values
/// too). `strict` (the API) rejects unknown keys and impossible values under `cf.<key>`;
/// otherwise (the pages, a saved view that outlived a field) they are dropped.
pub fn filters(
    defs: &[CustomField],
    pairs: &[(String, String)],
    strict: bool,
) -> Result<Vec<CustomFilter>> {
    let mut e = FieldErrors::new();
    let mut out = Vec::new();
    for (k, v) in pairs {
        let Some(key) = k.strip_prefix("cf.") else {
            continue;
        };
        if v.trim().is_empty() {
            continue;
        }
        let Some(def) = defs.iter().find(|d| d.active && d.key == key) else {
            if strict {
                e.add(k, "unknown_field", "No such custom field");
            }
            continue;
        };
        let kind = def.kind();
        let Some(text) = cf::filter_text(kind, &def.option_list(), v) else {
            if strict {
                e.add(k, "invalid_value", "Not a possible value of this field");
            }
            continue;
        };
        let matcher = match kind {
            FieldType::MultiSelect => Match::HasOption(text),
            k if k.filter_is_exact() => Match::Equals(text),
            _ => Match::Contains(text),
        };
        out.push(CustomFilter {
            key: key.to_string(),
            matcher,
        });
    }
    e.into_result()?;
    Ok(out)
}

/// A value as text for display: numbers and dates as they are, checkboxes as `yes`/`no`,
/// choices joined with `sep`.
pub fn display(value: &Value, yes: &str, no: &str, sep: &str) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => yes.to_string(),
        Value::Bool(false) => no.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| display(i, yes, no, sep))
            .collect::<Vec<_>>()
            .join(sep),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceError;
    use chrono::Utc;
    use serde_json::json;

    fn def(key: &str, t: &str, required: bool, options: &[&str]) -> CustomField {
        CustomField {
            id: 1,
            entity: "customer".into(),
            key: key.into(),
            label_zh: key.into(),
            label_en: key.into(),
            field_type: t.into(),
            required,
            options: serde_json::to_string(options).unwrap_or_default(),
            position: 1,
            active: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn values_merge_validate_and_clear() {
        let defs = vec![
            def("budget", "number", false, &[]),
            def("tier", "single_select", true, &["A", "B"]),
            def("old", "text", false, &[]),
        ];
        let mut input = BTreeMap::new();
        input.insert("budget".to_string(), json!("12"));
        input.insert("tier".to_string(), json!("A"));
        let mut e = FieldErrors::new();
        let out = merge_values(&defs, "{}", &input, true, &mut e);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(values(&out), values(r#"{"budget":12,"tier":"A"}"#));

        // Clearing an optional field removes it; clearing a required one is refused.
        let mut input = BTreeMap::new();
        input.insert("budget".to_string(), Value::Null);
        input.insert("tier".to_string(), json!(""));
        input.insert("nope".to_string(), json!(1));
        let mut e = FieldErrors::new();
        let out2 = merge_values(&defs, &out, &input, false, &mut e);
        assert_eq!(
            e.get("custom_fields.tier").map(|x| x.code),
            Some("required")
        );
        assert_eq!(
            e.get("custom_fields.nope").map(|x| x.code),
            Some("unknown_field")
        );
        assert!(!values(&out2).contains_key("budget"));

        // A missing required field on create.
        let mut e = FieldErrors::new();
        merge_values(&defs, "", &BTreeMap::new(), true, &mut e);
        assert_eq!(
            e.get("custom_fields.tier").map(|x| x.code),
            Some("required")
        );
        // …but an update that does not touch it passes.
        let mut e = FieldErrors::new();
        merge_values(&defs, "{}", &BTreeMap::new(), false, &mut e);
        assert!(e.is_empty());
    }

    #[test]
    fn inactive_values_are_hidden_not_lost() {
        let mut old = def("old", "text", false, &[]);
        old.active = false;
        let defs = vec![def("budget", "number", false, &[]), old];
        let mut custom = r#"{"budget":1,"old":"x"}"#.to_string();
        strip(&defs, &mut custom);
        assert_eq!(values(&custom), values(r#"{"budget":1}"#));
        let mut input = BTreeMap::new();
        input.insert("old".to_string(), json!("y"));
        let mut e = FieldErrors::new();
        let out = merge_values(&defs, r#"{"old":"x"}"#, &input, false, &mut e);
        assert_eq!(
            e.get("custom_fields.old").map(|x| x.code),
            Some("unknown_field")
        );
        assert_eq!(values(&out).get("old"), Some(&json!("x")));
    }

    #[test]
    fn filters_from_query_pairs() {
        let defs = vec![
            def("budget", "number", false, &[]),
            def("tags", "multi_select", false, &["x", "y"]),
            def("memo", "text", false, &[]),
            def("vip", "checkbox", false, &[]),
        ];
        let pairs: Vec<(String, String)> = [
            ("q", "ignored"),
            ("cf.budget", "012"),
            ("cf.tags", "y"),
            ("cf.memo", "甲"),
            ("cf.vip", "on"),
            ("cf.memo", " "),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let f = filters(&defs, &pairs, true).unwrap_or_default();
        assert_eq!(
            f.iter().map(|f| f.matcher.clone()).collect::<Vec<_>>(),
            vec![
                Match::Equals("12".into()),
                Match::HasOption("y".into()),
                Match::Contains("甲".into()),
                Match::Equals("true".into()),
            ]
        );
        let bad: Vec<(String, String)> = vec![
            ("cf.nope".into(), "1".into()),
            ("cf.budget".into(), "abc".into()),
        ];
        match filters(&defs, &bad, true) {
            Err(ServiceError::Validation(e)) => {
                assert_eq!(e.get("cf.nope").map(|x| x.code), Some("unknown_field"));
                assert_eq!(e.get("cf.budget").map(|x| x.code), Some("invalid_value"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(filters(&defs, &bad, false).map(|f| f.len()).ok(), Some(0));
    }

    #[test]
    fn display_text() {
        assert_eq!(display(&json!(["A", "B"]), "是", "否", "、"), "A、B");
        assert_eq!(display(&json!(true), "是", "否", "、"), "是");
        assert_eq!(display(&json!(12), "是", "否", "、"), "12");
    }
}
