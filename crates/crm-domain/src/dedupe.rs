//! Duplicate-detection keys (查重): two records are likely the same party when a key is
//! equal. Phones compare by their digits without a Chinese country prefix, emails
//! case-insensitively, company names without spacing, punctuation, full-width forms and
//! legal-form suffixes (有限公司, 股份有限公司, Co., Ltd., Inc. …).

/// Digits of a phone number, without a leading `+86` / `0086` / `86` before an 11-digit
/// mobile number. `None` below 7 digits (too short to identify anyone).
pub fn phone_key(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .map(half_width)
        .filter(char::is_ascii_digit)
        .collect();
    let d = digits.as_str();
    let d = d.strip_prefix("0086").unwrap_or(d);
    let d = match d.strip_prefix("86") {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest,
        _ => d,
    };
    (d.len() >= 7).then(|| d.to_string())
}

/// Trimmed, lower-cased email; `None` unless it has a local part and a domain.
pub fn email_key(raw: &str) -> Option<String> {
    let e: String = raw.trim().chars().map(half_width).collect::<String>();
    let e = e.to_lowercase();
    let (local, domain) = e.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)).then_some(e)
}

/// Legal-form endings, longest first; stripped repeatedly from the normalised name.
const SUFFIXES: [&str; 22] = [
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "集团",
    "companylimited",
    "corporation",
    "colimited",
    "limited",
    "company",
    "coltd",
    "group",
    "gmbh",
    "corp",
    "inc",
    "llc",
    "ltd",
    "plc",
    "co",
];

/// Company name reduced to its distinctive part: full-width forms folded, lower case,
/// only letters, digits and CJK characters kept, legal-form suffixes removed (never down to
/// nothing: a suffix is only removed from a longer name). `None` for a name without letters.
pub fn company_key(raw: &str) -> Option<String> {
    let mut k: String = raw
        .chars()
        .map(half_width)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    loop {
        let before = k.len();
        for s in SUFFIXES {
            if k.len() > s.len() {
                if let Some(rest) = k.strip_suffix(s) {
                    k = rest.to_string();
                    break;
                }
            }
        }
        if k.len() == before {
            break;
        }
    }
    (!k.is_empty()).then_some(k)
}

/// Full-width ASCII (Ａ１＠) and the ideographic space as their half-width forms.
fn half_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_compare_by_digits_without_the_country_prefix() {
        let k = Some("13812345678".to_string());
        for p in [
            "13812345678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "0086-13812345678",
            "(86)13812345678",
            "１３８１２３４５６７８",
        ] {
            assert_eq!(phone_key(p), k, "{p}");
        }
        assert_eq!(phone_key("010-8888 6666"), Some("01088886666".into()));
        assert_eq!(phone_key("86-10-88886666"), Some("861088886666".into()));
        assert_eq!(phone_key("12345"), None);
        assert_eq!(phone_key(""), None);
    }

    #[test]
    fn emails_compare_case_insensitively() {
        assert_eq!(
            email_key("  Zhang.Wei@Example.COM "),
            Some("zhang.wei@example.com".into())
        );
        assert_eq!(
            email_key("zhang＠example.com"),
            Some("zhang@example.com".into())
        );
        assert_eq!(email_key("not-an-email"), None);
        assert_eq!(email_key("a@b"), None);
        assert_eq!(email_key("a b@c.com"), None);
    }

    #[test]
    fn company_names_lose_legal_suffixes_and_punctuation() {
        let k = company_key("北京星河科技有限公司");
        assert_eq!(k, Some("北京星河科技".into()));
        for n in [
            "北京星河科技",
            "北京星河科技公司",
            "北京星河科技股份有限公司",
            " 北京 星河科技（有限公司） ",
            "北京星河科技集团有限公司",
        ] {
            assert_eq!(company_key(n), k, "{n}");
        }
        let acme = Some("acme".to_string());
        for n in [
            "ACME Co., Ltd.",
            "Acme Inc.",
            "acme",
            "ＡＣＭＥ Limited",
            "Acme Company Limited",
        ] {
            assert_eq!(company_key(n), acme, "{n}");
        }
        assert_ne!(company_key("北京星河"), k);
        // A name that is only a legal form keeps something rather than matching everything.
        assert_eq!(company_key("公司"), Some("公司".into()));
        assert_eq!(company_key("  ,. "), None);
    }
}
