//! Lists that remember the user's view: the last filter asked for is kept in a cookie per
//! list, and a plain visit to the list (no filter keys) goes back to it. Asking for an
//! empty filter forgets it.

use crate::ui::urlencode;
use crate::AppState;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// One list's remembered view: its cookie and its path.
pub struct SavedView {
    pub cookie: &'static str,
    pub path: &'static str,
}

/// What a list handler does next.
pub enum Step {
    /// Go to the saved view (a plain visit).
    Go(Response),
    /// Show the page asked for, with this jar (the view saved or forgotten).
    Show(CookieJar),
}

/// The trimmed, non-empty value of `key` in a query.
pub fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The `keys` that have a value, encoded as a query string in the order of `keys`.
pub fn query_of(pairs: &[(String, String)], keys: &[&str]) -> String {
    keys.iter()
        .filter_map(|k| param(pairs, k).map(|v| format!("{k}={}", urlencode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// A saved view is only followed when it looks like one this module wrote.
fn valid_saved(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 1024
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~/%=&".contains(&b))
}

impl SavedView {
    /// `keys` are the list's filter keys; `has_filter` says whether the request names any
    /// of them; `flash` (a lower-case message key) is carried over a redirect.
    pub fn step(
        &self,
        state: &AppState,
        jar: CookieJar,
        pairs: &[(String, String)],
        keys: &[&str],
        has_filter: bool,
        flash: Option<&str>,
    ) -> Step {
        if has_filter {
            let saved = query_of(pairs, keys);
            return Step::Show(if saved.is_empty() {
                jar.remove(Cookie::build(self.cookie).path("/"))
            } else {
                jar.add(
                    Cookie::build((self.cookie, saved))
                        .path("/")
                        .http_only(true)
                        .same_site(SameSite::Lax)
                        .secure(state.config.secure_cookies)
                        .build(),
                )
            });
        }
        if let Some(saved) = jar.get(self.cookie).map(|c| c.value().to_string()) {
            if valid_saved(&saved) {
                let flash = match flash {
                    Some(f) if f.bytes().all(|b| b.is_ascii_lowercase()) => format!("&flash={f}"),
                    _ => String::new(),
                };
                return Step::Go(
                    Redirect::to(&format!("{}?{saved}{flash}", self.path)).into_response(),
                );
            }
        }
        Step::Show(jar)
    }
}

#[cfg(test)]
mod tests {
    use super::valid_saved;

    #[test]
    fn only_plain_query_strings_are_followed() {
        assert!(valid_saved("status=open&owner_id=3"));
        assert!(valid_saved("q=%E5%BC%A0"));
        assert!(!valid_saved(""));
        assert!(!valid_saved("x=<script>"));
        assert!(!valid_saved("a=b\r\nSet-Cookie: x"));
        assert!(!valid_saved(&"a".repeat(1025)));
    }
}
