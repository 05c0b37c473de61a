//! The HTML UI: askama templates, htmx, Bootstrap. Handlers call the same service functions
//! as the API; forms carry a CSRF token checked against the session.

pub mod account;
pub mod admin;
pub mod auth;
pub mod campaigns;
pub mod competitors;
pub mod contact_log;
pub mod conversion;
pub mod custom_fields;
pub mod custom_fields_admin;
pub mod customers;
pub mod departments;
pub mod expenses;
pub mod history;
pub mod home;
pub mod jobs;
pub mod lead_import;
pub mod leads;
pub mod lines;
pub mod opportunities;
pub mod orders;
pub mod pipeline;
pub mod products;
pub mod quotas;
pub mod quotes;
pub mod saved_view;
pub mod stats;
pub mod users;

use crate::i18n::{self, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::CookieJar;
use crm_domain::{Action, FieldErrors, Module, Principal};
use crm_service::ServiceError;
use std::collections::BTreeMap;

pub const SESSION_COOKIE: &str = "crm_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/setup", get(auth::setup_page).post(auth::setup_submit))
        .route("/logout", post(auth::logout))
        .route("/lang/{code}", get(auth::switch_language))
        .merge(departments::router())
        .merge(users::router())
        .merge(admin::router())
        .merge(custom_fields_admin::router())
        .merge(account::router())
        .merge(jobs::router())
        .merge(customers::router())
        .merge(contact_log::router())
        .merge(products::router())
        .merge(pipeline::router())
        .merge(opportunities::router())
        .merge(quotes::router())
        .merge(orders::router())
        .merge(expenses::router())
        .merge(stats::router())
        .merge(campaigns::router())
        .merge(leads::router())
        .merge(lead_import::router())
        .merge(competitors::router())
        .merge(quotas::router())
        .merge(conversion::router())
}

/// A signed-in browser. Pages that need one redirect to the sign-in page otherwise.
pub struct UiSession {
    pub principal: Principal,
    pub csrf: String,
    pub secret: String,
    pub tr: Tr,
    pub path: String,
    pub flash: Option<String>,
}

impl FromRequestParts<AppState> for UiSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let tr = i18n::pick(jar.get(i18n::COOKIE).map(|c| c.value()), &parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let login = Redirect::to(&format!("/login?next={}", urlencode(&path))).into_response();
        let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(login);
        };
        if secret.len() > 128 {
            return Err(login);
        }
        match crm_service::auth::resume_session(&state.core, &secret).await {
            Ok(Some(sp)) => {
                let flash = parts.uri.query().and_then(|q| {
                    q.split('&')
                        .find_map(|kv| kv.strip_prefix("flash="))
                        .map(|v| v.to_string())
                });
                Ok(UiSession {
                    principal: sp.principal,
                    csrf: sp.session.csrf_token,
                    secret,
                    tr,
                    path,
                    flash,
                })
            }
            Ok(None) => Err(login),
            Err(e) => Err(error_page(tr, e)),
        }
    }
}

impl UiSession {
    /// Checks the CSRF token a form carried (htmx requests may send it in the
    /// `X-CSRF-Token` header instead; handlers pass whichever they received).
    #[allow(clippy::result_large_err)]
    pub fn check_csrf(&self, token: &str) -> Result<(), Response> {
        if !token.is_empty() && constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(message_page(
                self.tr,
                StatusCode::FORBIDDEN,
                &self.tr.t("csrf.invalid"),
            ))
        }
    }

    pub fn layout(&self, active: &'static str) -> Layout {
        let p = &self.principal;
        let toast = self.flash.as_deref().and_then(|f| {
            let key = match f {
                "saved" => "common.saved",
                "created" => "common.saved",
                "deleted" => "common.deleted",
                "restored" => "common.restored",
                "password" => "account.password_changed",
                "revoked" => "account.revoked",
                "role" => "roles.saved",
                _ => return None,
            };
            Some(self.tr.t(key))
        });
        Layout {
            tr: self.tr,
            user_name: p.display_name.clone(),
            role_label: self.tr.t(&format!("role.{}", p.role.as_str())),
            csrf: self.csrf.clone(),
            active,
            show_admin: p.can(Module::System, Action::View),
            show_customers: p.can(Module::Customers, Action::View),
            show_sales: p.can(Module::Sales, Action::View),
            show_products: p.can(Module::Products, Action::View),
            show_market: p.can(Module::Market, Action::View),
            next: urlencode(&self.path),
            toast,
        }
    }
}

/// What the base template needs on every signed-in page.
pub struct Layout {
    pub tr: Tr,
    pub user_name: String,
    pub role_label: String,
    pub csrf: String,
    pub active: &'static str,
    pub show_admin: bool,
    pub show_customers: bool,
    pub show_sales: bool,
    pub show_products: bool,
    pub show_market: bool,
    pub next: String,
    pub toast: Option<String>,
}

impl Layout {
    pub fn is(&self, name: &str) -> bool {
        self.active == name
    }
}

/// Field errors translated for a form.
#[derive(Debug, Default)]
pub struct FormErrors(pub BTreeMap<String, String>);

impl FormErrors {
    pub fn from_fields(tr: Tr, errs: &FieldErrors) -> Self {
        Self(
            errs.0
                .iter()
                .map(|(k, v)| (k.clone(), tr.field_error(v.code, &v.message)))
                .collect(),
        )
    }
    pub fn get(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_default()
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub tr: Tr,
    pub title: String,
    pub message: String,
}

pub fn message_page(tr: Tr, status: StatusCode, message: &str) -> Response {
    let page = MessagePage {
        tr,
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        message: message.to_string(),
    };
    (status, render(&page)).into_response()
}

/// A service error on a page that has no form to show it in.
pub fn error_page(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound => {
            message_page(tr, StatusCode::NOT_FOUND, &tr.t("common.not_found"))
        }
        ServiceError::Forbidden => {
            message_page(tr, StatusCode::FORBIDDEN, &tr.t("common.forbidden"))
        }
        ServiceError::Refused { code, message } => {
            message_page(tr, StatusCode::FORBIDDEN, &tr.field_error(code, &message))
        }
        ServiceError::StaleVersion => {
            message_page(tr, StatusCode::CONFLICT, &tr.t("common.version_conflict"))
        }
        ServiceError::Conflict { code, message } => {
            message_page(tr, StatusCode::CONFLICT, &tr.field_error(code, &message))
        }
        ServiceError::Unauthorized => Redirect::to("/login").into_response(),
        ServiceError::Validation(errs) => {
            let text = errs
                .0
                .iter()
                .map(|(k, v)| format!("{k}: {}", tr.field_error(v.code, &v.message)))
                .collect::<Vec<_>>()
                .join("; ");
            message_page(tr, StatusCode::UNPROCESSABLE_ENTITY, &text)
        }
        ServiceError::RateLimited { .. } => message_page(
            tr,
            StatusCode::TOO_MANY_REQUESTS,
            &tr.t("auth.rate_limited"),
        ),
        ServiceError::Internal(err) => {
            tracing::error!(error = %err, "internal error");
            message_page(tr, StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
        }
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only same-site relative paths are followed after sign-in or a language switch.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses an optional id from a form select ("" → None). Garbage → Some(0), which the
/// service rejects as "not found".
pub fn opt_id(v: &Option<String>) -> Option<i64> {
    match v.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<i64>().unwrap_or(0)),
    }
}
