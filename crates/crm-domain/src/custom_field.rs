//! Custom fields (自定义字段): administrator-defined extra fields of customers and contacts.
//! Field types, keys, and the validation and normalisation of one value. Pure: the
//! definitions themselves live in the store.

use crate::customer;
use chrono::NaiveDate;
use serde_json::Value;

/// The error of one value: (stable code, English message).
pub type ValueError = (&'static str, String);

/// Longest single-line text value, in characters.
pub const TEXT_MAX: usize = 200;
/// Longest multi-line text value, in characters.
pub const LONG_TEXT_MAX: usize = 5000;
/// Longest key, in characters.
pub const KEY_MAX: usize = 40;
/// Most options of a select field, and the longest option.
pub const OPTIONS_MAX: usize = 100;
pub const OPTION_MAX: usize = 100;
/// Decimal values keep at most this many places after the point.
pub const DECIMAL_PLACES: usize = 4;
/// And at most this many digits before it (so they stay exact as spreadsheet numbers).
pub const DECIMAL_INTEGER_DIGITS: usize = 14;

macro_rules! closed_list {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

closed_list!(
    /// What kind of value a custom field holds.
    FieldType {
        Text => "text",
        LongText => "long_text",
        Number => "number",
        Decimal => "decimal",
        Date => "date",
        SingleSelect => "single_select",
        MultiSelect => "multi_select",
        Checkbox => "checkbox",
        Url => "url",
        Email => "email",
        Phone => "phone",
    }
);

closed_list!(
    /// The record type a custom field belongs to.
    FieldEntity { Customer => "customer", Contact => "contact" }
);

impl FieldType {
    /// Single and multiple choice fields need a list of options.
    pub fn has_options(self) -> bool {
        matches!(self, FieldType::SingleSelect | FieldType::MultiSelect)
    }

    /// How a list filter compares values of this type: exact for choices, numbers, dates
    /// and checkboxes; substring for free text.
    pub fn filter_is_exact(self) -> bool {
        !matches!(
            self,
            FieldType::Text
                | FieldType::LongText
                | FieldType::Url
                | FieldType::Email
                | FieldType::Phone
        )
    }
}

/// Whether `key` is a field key: snake_case ASCII (`[a-z][a-z0-9_]*`, no `__`, no trailing
/// `_`), at most [`KEY_MAX`] characters. Keys are embedded in SQL JSON paths, so this check
/// is also what keeps them safe there.
pub fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= KEY_MAX
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
        && !key.contains("__")
        && !key.ends_with('_')
}

/// Parses a field key typed by an administrator (trimmed).
pub fn key(value: &str) -> Result<String, ValueError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(("required", "This field is required".into()));
    }
    if is_valid_key(v) {
        Ok(v.to_string())
    } else {
        Err((
            "invalid_key",
            format!(
                "Use lowercase letters, digits and single underscores, starting with a \
                 letter (at most {KEY_MAX} characters)"
            ),
        ))
    }
}

/// The options of a select field: trimmed, without empty lines, unique, bounded.
pub fn options(raw: &[String]) -> Result<Vec<String>, ValueError> {
    let mut out: Vec<String> = Vec::new();
    for o in raw.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        if o.chars().count() > OPTION_MAX || o.chars().any(char::is_control) {
            return Err((
                "invalid_option",
                format!("Each option: at most {OPTION_MAX} characters on one line"),
            ));
        }
        if out.iter().any(|x| x == o) {
            return Err((
                "duplicate_option",
                format!("The option \"{o}\" is repeated"),
            ));
        }
        out.push(o.to_string());
    }
    if out.len() > OPTIONS_MAX {
        return Err(("too_many_options", format!("At most {OPTIONS_MAX} options")));
    }
    Ok(out)
}

fn err(code: &'static str, message: &str) -> ValueError {
    (code, message.to_string())
}

fn wrong_type() -> ValueError {
    err("invalid_type", "This kind of value is not accepted here")
}

/// Whether a raw value means "no value": null, a blank string or an empty list.
fn is_blank(raw: &Value) -> bool {
    match raw {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Validates and normalises one value of a custom field.
///
/// `Ok(None)` means "no value" (null, blank text, no choice): the stored value is cleared.
/// A required field answers `required` instead. Normal forms: number → JSON integer,
/// decimal → string with at most 4 decimal places (`"12.5"`), date → `"YYYY-MM-DD"`,
/// checkbox → bool, single select → the option, multi select → the chosen options in the
/// order of the definition, url/email/phone → as the customer fields store them.
pub fn validate_value(
    field_type: FieldType,
    required: bool,
    options: &[String],
    raw: &Value,
) -> Result<Option<Value>, ValueError> {
    if is_blank(raw) {
        return if required {
            Err(err("required", "This field is required"))
        } else {
            Ok(None)
        };
    }
    let text = || match raw {
        Value::String(s) => Ok(s.trim()),
        _ => Err(wrong_type()),
    };
    let value = match field_type {
        FieldType::Text => Value::String(plain_text(text()?, TEXT_MAX, false)?),
        FieldType::LongText => Value::String(plain_text(text()?, LONG_TEXT_MAX, true)?),
        FieldType::Number => Value::from(number(raw)?),
        FieldType::Decimal => Value::String(decimal(raw)?),
        FieldType::Date => Value::String(date(text()?)?),
        FieldType::Checkbox => Value::Bool(checkbox(raw)?),
        FieldType::SingleSelect => {
            let v = text()?;
            match options.iter().find(|o| o.as_str() == v) {
                Some(o) => Value::String(o.clone()),
                None => return Err(err("invalid_choice", "Choose one of the options")),
            }
        }
        FieldType::MultiSelect => {
            let chosen: Vec<&str> = match raw {
                Value::String(s) => vec![s.trim()],
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::trim).ok_or_else(wrong_type))
                    .collect::<Result<_, _>>()?,
                _ => return Err(wrong_type()),
            };
            if let Some(bad) = chosen.iter().find(|c| !options.iter().any(|o| o == *c)) {
                return Err((
                    "invalid_choice",
                    format!("\"{bad}\" is not one of the options"),
                ));
            }
            Value::Array(
                options
                    .iter()
                    .filter(|o| chosen.contains(&o.as_str()))
                    .map(|o| Value::String(o.clone()))
                    .collect(),
            )
        }
        FieldType::Url => parsed(customer::url(text()?))?,
        FieldType::Email => parsed(customer::email(text()?))?,
        FieldType::Phone => parsed(customer::phone(text()?))?,
    };
    Ok(Some(value))
}

fn parsed(r: Result<Option<String>, ValueError>) -> Result<Value, ValueError> {
    Ok(r?.map(Value::String).unwrap_or(Value::Null))
}

fn plain_text(v: &str, max: usize, multi_line: bool) -> Result<String, ValueError> {
    if v.chars().count() > max {
        return Err(("too_long", format!("At most {max} characters")));
    }
    let bad = |c: char| c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t'));
    if v.chars().any(bad) {
        return Err(err(
            "invalid_characters",
            "Control characters are not allowed",
        ));
    }
    Ok(v.to_string())
}

fn number(raw: &Value) -> Result<i64, ValueError> {
    let bad = || err("invalid_number", "Enter a whole number");
    match raw {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
            .ok_or_else(bad),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad()),
        _ => Err(wrong_type()),
    }
}

/// A decimal number as canonical text: no leading zeros, no trailing fractional zeros.
fn decimal(raw: &Value) -> Result<String, ValueError> {
    let text = match raw {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return Err(wrong_type()),
    };
    let bad = || {
        (
            "invalid_decimal",
            format!("Enter a number with at most {DECIMAL_PLACES} decimal places"),
        )
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let frac = frac.trim_end_matches('0');
    let int = int.trim_start_matches('0');
    if frac.len() > DECIMAL_PLACES || int.len() > DECIMAL_INTEGER_DIGITS {
        return Err(bad());
    }
    let int = if int.is_empty() { "0" } else { int };
    let mut out = String::new();
    if negative && !(int == "0" && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Ok(out)
}

fn date(v: &str) -> Result<String, ValueError> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| err("invalid_date", "Use the form YYYY-MM-DD"))
}

/// A checkbox: true/false, or the words forms and spreadsheets use for them.
pub fn checkbox(raw: &Value) -> Result<bool, ValueError> {
    match raw {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "on" | "1" | "yes" => Ok(true),
            "false" | "off" | "0" | "no" => Ok(false),
            _ => Err(wrong_type()),
        },
        _ => Err(wrong_type()),
    }
}

/// The text a list filter compares for `value` of a field of `field_type`: the canonical
/// form of an exact value (`"007"` → `"7"`, `"on"` → `"true"`), or the text itself for a
/// substring match. `None` when the value cannot be a value of this field.
pub fn filter_text(field_type: FieldType, options: &[String], value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let raw = Value::String(v.to_string());
    match field_type {
        FieldType::Number => number(&raw).ok().map(|n| n.to_string()),
        FieldType::Decimal => decimal(&raw).ok(),
        FieldType::Date => date(v).ok(),
        FieldType::Checkbox => checkbox(&raw).ok().map(|b| b.to_string()),
        FieldType::SingleSelect | FieldType::MultiSelect => {
            options.iter().find(|o| o.as_str() == v).cloned()
        }
        FieldType::Text
        | FieldType::LongText
        | FieldType::Url
        | FieldType::Email
        | FieldType::Phone => Some(v.chars().take(TEXT_MAX).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts() -> Vec<String> {
        vec!["华北".into(), "华东".into(), "华南".into()]
    }

    fn ok(t: FieldType, raw: Value) -> Option<Value> {
        validate_value(t, false, &opts(), &raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"))
    }

    fn code(t: FieldType, raw: Value) -> &'static str {
        match validate_value(t, false, &opts(), &raw) {
            Err((c, _)) => c,
            Ok(v) => panic!("{raw} accepted as {v:?}"),
        }
    }

    #[test]
    fn types_round_trip() {
        for t in FieldType::ALL {
            assert_eq!(FieldType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(FieldType::parse("integer"), None);
        assert_eq!(FieldEntity::parse("contact"), Some(FieldEntity::Contact));
        assert!(FieldType::SingleSelect.has_options());
        assert!(!FieldType::Text.has_options());
        assert!(FieldType::Number.filter_is_exact());
        assert!(!FieldType::Phone.filter_is_exact());
    }

    #[test]
    fn keys_are_snake_case_ascii() {
        for k in ["budget", "contract_no", "a1", "x_2_y"] {
            assert!(is_valid_key(k), "{k}");
        }
        for k in [
            "", "Budget", "1st", "_x", "x_", "a__b", "a-b", "a.b", "预算", "a b", "a'b",
        ] {
            assert!(!is_valid_key(k), "{k}");
        }
        assert!(!is_valid_key(&"a".repeat(KEY_MAX + 1)));
        assert_eq!(key(" budget "), Ok("budget".to_string()));
        assert_eq!(key("").map_err(|e| e.0), Err("required"));
        assert_eq!(key("Bad Key").map_err(|e| e.0), Err("invalid_key"));
    }

    #[test]
    fn options_are_trimmed_and_unique() {
        let raw = vec![" A ".to_string(), "".into(), "B".into()];
        assert_eq!(options(&raw), Ok(vec!["A".to_string(), "B".to_string()]));
        let dup = vec!["A".to_string(), " A".into()];
        assert_eq!(options(&dup).map_err(|e| e.0), Err("duplicate_option"));
        let many: Vec<String> = (0..=OPTIONS_MAX).map(|i| i.to_string()).collect();
        assert_eq!(options(&many).map_err(|e| e.0), Err("too_many_options"));
    }

    #[test]
    fn blanks_clear_or_are_required() {
        for raw in [json!(null), json!(""), json!("  "), json!([])] {
            assert_eq!(
                validate_value(FieldType::Text, false, &[], &raw).map_err(|e| e.0),
                Ok(None)
            );
            assert_eq!(
                validate_value(FieldType::MultiSelect, true, &opts(), &raw).map_err(|e| e.0),
                Err("required")
            );
        }
        // An unticked checkbox is a value, not a blank.
        assert_eq!(
            validate_value(FieldType::Checkbox, true, &[], &json!(false)).map_err(|e| e.0),
            Ok(Some(json!(false)))
        );
    }

    #[test]
    fn texts() {
        assert_eq!(ok(FieldType::Text, json!(" 甲方 ")), Some(json!("甲方")));
        assert_eq!(code(FieldType::Text, json!("x".repeat(201))), "too_long");
        assert_eq!(code(FieldType::Text, json!("a\nb")), "invalid_characters");
        assert_eq!(code(FieldType::Text, json!(12)), "invalid_type");
        assert_eq!(ok(FieldType::LongText, json!("a\nb")), Some(json!("a\nb")));
        assert!(ok(FieldType::LongText, json!("长".repeat(5000))).is_some());
        assert_eq!(
            code(FieldType::LongText, json!("长".repeat(5001))),
            "too_long"
        );
    }

    #[test]
    fn numbers_and_decimals() {
        assert_eq!(ok(FieldType::Number, json!(42)), Some(json!(42)));
        assert_eq!(ok(FieldType::Number, json!(" -7 ")), Some(json!(-7)));
        assert_eq!(ok(FieldType::Number, json!(3.0)), Some(json!(3)));
        assert_eq!(code(FieldType::Number, json!(3.5)), "invalid_number");
        assert_eq!(code(FieldType::Number, json!("12a")), "invalid_number");
        assert_eq!(code(FieldType::Number, json!(true)), "invalid_type");
        assert_eq!(ok(FieldType::Decimal, json!("12.50")), Some(json!("12.5")));
        assert_eq!(ok(FieldType::Decimal, json!(12.25)), Some(json!("12.25")));
        assert_eq!(ok(FieldType::Decimal, json!("007")), Some(json!("7")));
        assert_eq!(ok(FieldType::Decimal, json!("-0.0")), Some(json!("0")));
        assert_eq!(ok(FieldType::Decimal, json!(".5")), Some(json!("0.5")));
        assert_eq!(
            ok(FieldType::Decimal, json!("-1.2345")),
            Some(json!("-1.2345"))
        );
        assert_eq!(
            code(FieldType::Decimal, json!("1.23456")),
            "invalid_decimal"
        );
        assert_eq!(code(FieldType::Decimal, json!("1e5")), "invalid_decimal");
        assert_eq!(code(FieldType::Decimal, json!("1,000")), "invalid_decimal");
        assert_eq!(code(FieldType::Decimal, json!(".")), "invalid_decimal");
        assert_eq!(
            code(FieldType::Decimal, json!("123456789012345")),
            "invalid_decimal"
        );
        assert_eq!(code(FieldType::Decimal, json!([1])), "invalid_type");
    }

    #[test]
    fn dates_and_checkboxes() {
        assert_eq!(
            ok(FieldType::Date, json!("2026-03-02")),
            Some(json!("2026-03-02"))
        );
        assert_eq!(code(FieldType::Date, json!("2026-02-30")), "invalid_date");
        assert_eq!(code(FieldType::Date, json!("02/03/2026")), "invalid_date");
        assert_eq!(ok(FieldType::Checkbox, json!(true)), Some(json!(true)));
        assert_eq!(ok(FieldType::Checkbox, json!("on")), Some(json!(true)));
        assert_eq!(ok(FieldType::Checkbox, json!("false")), Some(json!(false)));
        assert_eq!(code(FieldType::Checkbox, json!("maybe")), "invalid_type");
        assert_eq!(code(FieldType::Checkbox, json!(1)), "invalid_type");
    }

    #[test]
    fn selects() {
        assert_eq!(
            ok(FieldType::SingleSelect, json!("华东")),
            Some(json!("华东"))
        );
        assert_eq!(
            code(FieldType::SingleSelect, json!("西北")),
            "invalid_choice"
        );
        assert_eq!(
            ok(FieldType::MultiSelect, json!(["华南", "华北", "华南"])),
            Some(json!(["华北", "华南"]))
        );
        assert_eq!(
            ok(FieldType::MultiSelect, json!("华东")),
            Some(json!(["华东"]))
        );
        assert_eq!(
            code(FieldType::MultiSelect, json!(["华北", "西北"])),
            "invalid_choice"
        );
        assert_eq!(code(FieldType::MultiSelect, json!([1])), "invalid_type");
    }

    #[test]
    fn contact_details() {
        assert_eq!(
            ok(FieldType::Url, json!("huaxin.cn")),
            Some(json!("https://huaxin.cn"))
        );
        assert_eq!(code(FieldType::Url, json!("not a url")), "invalid_url");
        assert_eq!(ok(FieldType::Email, json!("A@B.CN")), Some(json!("a@b.cn")));
        assert_eq!(code(FieldType::Email, json!("a@b")), "invalid_email");
        assert_eq!(
            ok(FieldType::Phone, json!("010-6552 9988")),
            Some(json!("010-6552 9988"))
        );
        assert_eq!(code(FieldType::Phone, json!("12ab")), "invalid_phone");
    }

    #[test]
    fn filter_values_are_canonical() {
        let o = opts();
        assert_eq!(
            filter_text(FieldType::Number, &o, "007").as_deref(),
            Some("7")
        );
        assert_eq!(filter_text(FieldType::Number, &o, "x"), None);
        assert_eq!(
            filter_text(FieldType::Checkbox, &o, "on").as_deref(),
            Some("true")
        );
        assert_eq!(
            filter_text(FieldType::Decimal, &o, "1.50").as_deref(),
            Some("1.5")
        );
        assert_eq!(
            filter_text(FieldType::MultiSelect, &o, "华北").as_deref(),
            Some("华北")
        );
        assert_eq!(filter_text(FieldType::SingleSelect, &o, "西北"), None);
        assert_eq!(
            filter_text(FieldType::Text, &o, " 甲 ").as_deref(),
            Some("甲")
        );
        assert_eq!(filter_text(FieldType::Text, &o, " "), None);
    }
}
