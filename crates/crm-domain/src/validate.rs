//! Parsing of user input into validated values, with field-level errors.

use serde::Serialize;
use std::collections::BTreeMap;

/// Field name → (stable code, human message). Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, FieldError>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub code: &'static str,
    pub message: String,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_insert(FieldError {
            code,
            message: message.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.get(field)
    }
    /// Ok(()) when no error was collected.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
    pub fn single(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, code, message);
        e
    }
}

/// Collects the parse result of one field into `errors`, returning the value when valid.
pub trait Validated<T> {
    fn collect(self, field: &str, errors: &mut FieldErrors) -> Option<T>;
}

impl<T> Validated<T> for Result<T, (&'static str, String)> {
    fn collect(self, field: &str, errors: &mut FieldErrors) -> Option<T> {
        match self {
            Ok(v) => Some(v),
            Err((code, msg)) => {
                errors.add(field, code, msg);
                None
            }
        }
    }
}

pub type ParseResult<T> = Result<T, (&'static str, String)>;

/// A required single-line text: trimmed, non-empty, at most `max` characters, no control
/// characters.
pub fn required_text(value: &str, max: usize) -> ParseResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(("required", "This field is required".into()));
    }
    optional_text(v, max).map(|o| o.unwrap_or_default())
}

/// An optional single-line text: empty becomes None.
pub fn optional_text(value: &str, max: usize) -> ParseResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max {
        return Err(("too_long", format!("At most {max} characters")));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err((
            "invalid_characters",
            "Control characters are not allowed".into(),
        ));
    }
    Ok(Some(v.to_string()))
}

/// A login name: 3–32 characters of ASCII letters, digits, `.`, `_`, `-`; stored lowercase.
pub fn username(value: &str) -> ParseResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(("required", "This field is required".into()));
    }
    let len = v.chars().count();
    if !(3..=32).contains(&len) {
        return Err(("invalid_length", "Between 3 and 32 characters".into()));
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err((
            "invalid_format",
            "Only letters, digits, '.', '_' and '-'".into(),
        ));
    }
    Ok(v.to_ascii_lowercase())
}

/// A password: 8–128 characters, not only whitespace.
pub fn password(value: &str) -> ParseResult<String> {
    let len = value.chars().count();
    if len < 8 {
        return Err(("too_short", "At least 8 characters".into()));
    }
    if len > 128 {
        return Err(("too_long", "At most 128 characters".into()));
    }
    if value.trim().is_empty() {
        return Err(("invalid_format", "Must not be only spaces".into()));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalized_and_checked() {
        assert_eq!(username(" Zhang.Wei "), Ok("zhang.wei".to_string()));
        assert_eq!(username("ab").map_err(|e| e.0), Err("invalid_length"));
        assert_eq!(username("张伟abc").map_err(|e| e.0), Err("invalid_format"));
        assert_eq!(username("").map_err(|e| e.0), Err("required"));
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(required_text("  销售部 ", 10), Ok("销售部".to_string()));
        assert_eq!(required_text("   ", 10).map_err(|e| e.0), Err("required"));
        assert_eq!(
            required_text("一二三四五六", 5).map_err(|e| e.0),
            Err("too_long")
        );
        assert_eq!(optional_text("", 5), Ok(None));
        assert_eq!(
            optional_text("a\u{7}b", 5).map_err(|e| e.0),
            Err("invalid_characters")
        );
    }

    #[test]
    fn passwords_need_length() {
        assert!(password("short").is_err());
        assert!(password("long enough").is_ok());
        assert!(password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn field_errors_collect() {
        let mut errs = FieldErrors::new();
        let v = required_text("", 5).collect("name", &mut errs);
        assert!(v.is_none());
        assert_eq!(errs.get("name").map(|e| e.code), Some("required"));
        assert!(errs.into_result().is_err());
    }
}
