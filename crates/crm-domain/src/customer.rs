//! Customers, contacts and contact history: closed value lists and field parsers.

use serde::{Deserialize, Serialize};

macro_rules! closed_list {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
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
    /// 客户性质
    Nature { Enterprise => "enterprise", Individual => "individual", Government => "government", Other => "other" }
);

closed_list!(
    /// 客户规模 (by head count)
    Size { Micro => "micro", Small => "small", Medium => "medium", Large => "large", Huge => "huge" }
);

closed_list!(
    /// 客户状态: where the relationship stands.
    Status { Potential => "potential", Following => "following", Deal => "deal", Dormant => "dormant", Lost => "lost" }
);

closed_list!(
    /// 客户来源
    Source { Referral => "referral", Website => "website", Exhibition => "exhibition", ColdCall => "cold_call", Campaign => "campaign", Advertising => "advertising", Partner => "partner", Other => "other" }
);

closed_list!(
    /// 联络方式: kinds of contact history.
    ActivityKind { Call => "call", Visit => "visit", Email => "email", Meeting => "meeting", Note => "note" }
);

type ParseResult<T> = Result<T, (&'static str, String)>;

/// An optional phone number: digits with + - ( ) and spaces, 5–20 digits.
pub fn phone(value: &str) -> ParseResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | ' '));
    if !allowed || !(5..=20).contains(&digits) || v.len() > 30 {
        return Err(("invalid_phone", "Not a valid phone number".into()));
    }
    Ok(Some(v.to_string()))
}

/// An optional email address, lowercased.
pub fn email(value: &str) -> ParseResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(Some(v.to_lowercase()))
    } else {
        Err(("invalid_email", "Not a valid email address".into()))
    }
}

/// An optional web address; `example.com` becomes `https://example.com`.
pub fn url(value: &str) -> ParseResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let full = if v.starts_with("http://") || v.starts_with("https://") {
        v.to_string()
    } else {
        format!("https://{v}")
    };
    let host = full
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or("");
    let ok = full.len() <= 300
        && host.contains('.')
        && !full.contains(char::is_whitespace)
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if ok {
        Ok(Some(full))
    } else {
        Err(("invalid_url", "Not a valid web address".into()))
    }
}

/// An optional postal code: six digits in China (邮政编码); 3–10 letters, digits, spaces
/// or dashes elsewhere.
pub fn postal_code(value: &str) -> ParseResult<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = (3..=10).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && v.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(Some(v.to_ascii_uppercase()))
    } else {
        Err(("invalid_postal_code", "Not a valid postal code".into()))
    }
}

/// Parses one value of a closed list (empty → None).
pub fn choice<T>(value: &str, parse: impl Fn(&str) -> Option<T>) -> ParseResult<Option<T>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse(v)
        .map(Some)
        .ok_or(("invalid_choice", "Choose one of the options".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(
            phone("138-0013-8000").map_err(|e| e.0),
            Ok(Some("138-0013-8000".into()))
        );
        assert_eq!(phone("+86 (10) 6552 9988").map(|p| p.is_some()), Ok(true));
        assert_eq!(phone("").map_err(|e| e.0), Ok(None));
        assert_eq!(phone("12ab34").map_err(|e| e.0), Err("invalid_phone"));
        assert_eq!(phone("123").map_err(|e| e.0), Err("invalid_phone"));
    }

    #[test]
    fn emails_urls_postal_codes() {
        assert_eq!(
            email(" Li.Ming@Example.CN ").ok().flatten().as_deref(),
            Some("li.ming@example.cn")
        );
        assert!(email("li@ming").is_err());
        assert!(email("a b@c.d").is_err());
        assert_eq!(
            url("huaxin.com.cn").ok().flatten().as_deref(),
            Some("https://huaxin.com.cn")
        );
        assert!(url("not a url").is_err());
        assert!(url("javascript:alert(1)").is_err());
        assert_eq!(
            postal_code("100080").ok().flatten().as_deref(),
            Some("100080")
        );
        assert!(postal_code("北京").is_err());
        assert!(postal_code("12").is_err());
    }

    #[test]
    fn closed_lists_round_trip() {
        for n in Nature::ALL {
            assert_eq!(Nature::parse(n.as_str()), Some(*n));
        }
        assert_eq!(
            choice("deal", Status::parse).ok().flatten(),
            Some(Status::Deal)
        );
        assert_eq!(
            choice("x", Status::parse).map_err(|e| e.0),
            Err("invalid_choice")
        );
        assert_eq!(ActivityKind::parse("visit"), Some(ActivityKind::Visit));
    }
}
