//! Locale choice and the translation handle templates use.

use axum::http::HeaderMap;

pub const LOCALES: [&str; 2] = ["zh-CN", "en"];
pub const COOKIE: &str = "crm_lang";

/// A translation handle for one locale.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: &'static str,
}

impl Tr {
    pub fn new(locale: &str) -> Self {
        Self {
            locale: normalize(locale).unwrap_or("en"),
        }
    }

    /// The text for `key` in this locale (English when missing, the key when missing there).
    pub fn t(&self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.locale).into_owned()
    }

    pub fn is_zh(&self) -> bool {
        self.locale == "zh-CN"
    }

    /// The message for a field-error code, falling back to the service's English text.
    pub fn field_error(&self, code: &str, fallback: &str) -> String {
        let key = format!("error.{code}");
        let text = self.t(&key);
        if text == key {
            fallback.to_string()
        } else {
            text
        }
    }
}

/// Maps a requested locale tag to a supported one.
pub fn normalize(tag: &str) -> Option<&'static str> {
    let t = tag.trim().to_ascii_lowercase();
    if t.starts_with("zh") {
        Some("zh-CN")
    } else if t.starts_with("en") {
        Some("en")
    } else {
        None
    }
}

/// The locale from an explicit choice (cookie) or else the browser's Accept-Language.
pub fn pick(cookie: Option<&str>, headers: &HeaderMap) -> Tr {
    if let Some(l) = cookie.and_then(normalize) {
        return Tr { locale: l };
    }
    let accept = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best: Option<(&'static str, f32)> = None;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("");
        let q = it
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        if let Some(l) = normalize(tag) {
            if best.is_none_or(|(_, bq)| q > bq) {
                best = Some((l, q));
            }
        }
    }
    Tr {
        locale: best.map_or("en", |b| b.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accept_language_picks_the_best_supported() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR,zh-CN;q=0.9,en;q=0.8"),
        );
        assert_eq!(pick(None, &h).locale, "zh-CN");
        assert_eq!(pick(Some("en"), &h).locale, "en");
        assert_eq!(pick(None, &HeaderMap::new()).locale, "en");
    }

    fn keys(text: &str) -> Vec<String> {
        let mut k: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with('_') && !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(':').map(|x| x.0.trim().to_string()))
            .collect();
        k.sort();
        k
    }

    /// Every catalogue directory (`locales/` and each module's `locales/<module>/`) holds an
    /// `en.yml` and a `zh-CN.yml` with the same keys; no key is defined twice anywhere.
    fn catalogue_dirs() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut dirs = vec![root.clone()];
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    dirs.push(e.path());
                }
            }
        }
        dirs.sort();
        dirs
    }

    #[test]
    fn catalogues_have_the_same_keys_and_translate() {
        let mut en = Vec::new();
        for dir in catalogue_dirs() {
            let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
            let e = keys(&read("en.yml"));
            let z = keys(&read("zh-CN.yml"));
            assert!(!e.is_empty(), "{} has no en.yml keys", dir.display());
            assert_eq!(
                e,
                z,
                "{}: en.yml and zh-CN.yml must have the same keys",
                dir.display()
            );
            en.extend(e);
        }
        en.sort();
        let mut dedup = en.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), en.len(), "duplicate keys");
        for key in &en {
            assert_ne!(Tr::new("en").t(key), *key, "{key} missing in en");
            assert_ne!(Tr::new("zh-CN").t(key), *key, "{key} missing in zh-CN");
        }
        assert_eq!(Tr::new("en").t("nav.home"), "Home");
        assert_eq!(Tr::new("zh-CN").t("nav.home"), "首页");
    }
}
