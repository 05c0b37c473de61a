//! Sign-in, first-run setup, sign-out and the language switch.

use super::{error_page, render, safe_next, FormErrors, SESSION_COOKIE};
use crate::i18n::{self, Tr};
use crate::net::ClientIp;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use crm_service::{auth, users, ServiceError};
use serde::Deserialize;

const LOGIN_CSRF_COOKIE: &str = "crm_login_csrf";

fn tr_of(jar: &CookieJar, headers: &HeaderMap) -> Tr {
    i18n::pick(jar.get(i18n::COOKIE).map(|c| c.value()), headers)
}

fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .build()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// A fresh double-submit token for the pre-session forms (sign-in, setup).
fn login_csrf(jar: CookieJar, state: &AppState) -> (CookieJar, String) {
    if let Some(c) = jar.get(LOGIN_CSRF_COOKIE) {
        if c.value().len() == 64 {
            let v = c.value().to_string();
            return (jar, v);
        }
    }
    let token = auth::random_secret();
    (
        jar.add(cookie(state, LOGIN_CSRF_COOKIE, token.clone())),
        token,
    )
}

fn login_csrf_ok(jar: &CookieJar, token: &str) -> bool {
    jar.get(LOGIN_CSRF_COOKIE)
        .is_some_and(|c| !token.is_empty() && c.value() == token)
}

pub async fn login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let tr = tr_of(&jar, &headers);
    match crm_store::users::count(&state.core.db).await {
        Ok(0) => return Redirect::to("/setup").into_response(),
        Ok(_) => {}
        Err(e) => return error_page(tr, e.into()),
    }
    let (jar, csrf) = login_csrf(jar, &state);
    let page = LoginPage {
        tr,
        csrf,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    };
    (jar, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let tr = tr_of(&jar, &headers);
    let next = safe_next(form.next.as_deref());
    if !login_csrf_ok(&jar, &form.csrf) {
        return super::message_page(tr, StatusCode::FORBIDDEN, &tr.t("csrf.invalid"));
    }
    let fail = |jar: CookieJar, status: StatusCode, msg: String| {
        let page = LoginPage {
            tr,
            csrf: form.csrf.clone(),
            next: next.clone(),
            username: form.username.chars().take(64).collect(),
            error: Some(msg),
        };
        (status, jar, render(&page)).into_response()
    };
    let user = match auth::authenticate(&state.core, &form.username, &form.password, &ip).await {
        Ok(u) => u,
        Err(ServiceError::RateLimited { .. }) => {
            return fail(
                jar,
                StatusCode::TOO_MANY_REQUESTS,
                tr.t("auth.rate_limited"),
            )
        }
        Err(ServiceError::Conflict { .. }) => {
            return fail(jar, StatusCode::UNAUTHORIZED, tr.t("auth.invalid"))
        }
        Err(e) => return error_page(tr, e),
    };
    let ua = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match auth::start_session(
        &state.core,
        &user,
        Some(tr.locale.to_string()),
        Some(ip),
        ua,
    )
    .await
    {
        Ok(s) => {
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(&state, SESSION_COOKIE, s.secret));
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => error_page(tr, e),
    }
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    tr: Tr,
    csrf: String,
    username: String,
    display_name: String,
    errors: FormErrors,
}

pub async fn setup_page(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    let tr = tr_of(&jar, &headers);
    match crm_store::users::count(&state.core.db).await {
        Ok(0) => {}
        Ok(_) => return Redirect::to("/login").into_response(),
        Err(e) => return error_page(tr, e.into()),
    }
    let (jar, csrf) = login_csrf(jar, &state);
    let page = SetupPage {
        tr,
        csrf,
        username: "admin".into(),
        display_name: String::new(),
        errors: FormErrors::default(),
    };
    (jar, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

pub async fn setup_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(form): Form<SetupForm>,
) -> Response {
    let tr = tr_of(&jar, &headers);
    if !login_csrf_ok(&jar, &form.csrf) {
        return super::message_page(tr, StatusCode::FORBIDDEN, &tr.t("csrf.invalid"));
    }
    let input = users::NewUserInput {
        username: form.username.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        ..Default::default()
    };
    let user = match users::setup_first_admin(&state.core, input).await {
        Ok(u) => u,
        Err(ServiceError::Validation(errs)) => {
            let page = SetupPage {
                tr,
                csrf: form.csrf,
                username: form.username,
                display_name: form.display_name,
                errors: FormErrors::from_fields(tr, &errs),
            };
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
        }
        Err(ServiceError::Conflict { .. }) => return Redirect::to("/login").into_response(),
        Err(e) => return error_page(tr, e),
    };
    match auth::start_session(
        &state.core,
        &user,
        Some(tr.locale.to_string()),
        Some(ip),
        None,
    )
    .await
    {
        Ok(s) => {
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(&state, SESSION_COOKIE, s.secret));
            (jar, Redirect::to("/")).into_response()
        }
        Err(e) => error_page(tr, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    session: super::UiSession,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = session.check_csrf(&form.csrf) {
        return r;
    }
    if let Err(e) = auth::end_session(&state.core, &session.secret).await {
        return error_page(session.tr, e);
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/login")).into_response()
}

/// Remembers the chosen language in a cookie (and the session, when signed in).
pub async fn switch_language(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let Some(locale) = i18n::normalize(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        if secret.len() <= 128 {
            // Best effort: the cookie below is what decides.
            let _ = auth::set_session_locale(&state.core, &secret, locale).await;
        }
    }
    let mut c = cookie(&state, i18n::COOKIE, locale.to_string());
    c.set_http_only(false);
    c.make_permanent();
    (jar.add(c), Redirect::to(&safe_next(q.next.as_deref()))).into_response()
}
