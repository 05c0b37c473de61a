//! The signed-in user's own account: profile, password, personal access tokens, and
//! signing out everywhere.

use super::{error_page, render, FormErrors, Layout, UiSession, SESSION_COOKIE};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::Cookie;
use axum_extra::extract::CookieJar;
use crm_service::{auth, ServiceError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    username: String,
    display_name: String,
    role: String,
    department: String,
    manager: String,
    email: String,
    scope: String,
    tokens: Vec<TokenRow>,
    password_errors: FormErrors,
    token_name: String,
    token_errors: FormErrors,
    /// A token just created: its secret, shown this once.
    new_token: Option<String>,
}

/// What a re-rendered page carries over from the form that was posted.
#[derive(Default)]
struct Posted {
    password_errors: FormErrors,
    token_name: String,
    token_errors: FormErrors,
    new_token: Option<String>,
}

async fn account_page(
    state: &AppState,
    s: &UiSession,
    posted: Posted,
    status: StatusCode,
) -> Response {
    let tr = s.tr;
    let sum = match crm_service::users::org_summary(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let tokens = match auth::list_personal_tokens(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let none = tr.t("common.none");
    let fmt = "%Y-%m-%d %H:%M";
    let page = AccountPage {
        l: s.layout("account"),
        username: sum.me.username.clone(),
        display_name: sum.me.display_name.clone(),
        role: tr.t(&format!("role.{}", s.principal.role.as_str())),
        department: sum.department.unwrap_or_else(|| none.clone()),
        manager: sum.manager.unwrap_or_else(|| none.clone()),
        email: sum.me.email.clone().unwrap_or_else(|| none.clone()),
        scope: tr.t(&format!("scope.{}", s.principal.scope().as_str())),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                created: t.created_at.format(fmt).to_string(),
                last_used: t
                    .last_used_at
                    .map_or_else(|| none.clone(), |d| d.format(fmt).to_string()),
            })
            .collect(),
        password_errors: posted.password_errors,
        token_name: posted.token_name,
        token_errors: posted.token_errors,
        new_token: posted.new_token,
    };
    (status, render(&page)).into_response()
}

pub async fn page(State(state): State<AppState>, s: UiSession) -> Response {
    account_page(&state, &s, Posted::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match auth::change_password(
        &state.core,
        &s.principal,
        &f.current_password,
        &f.new_password,
        Some(&s.secret),
    )
    .await
    {
        Ok(()) => Redirect::to("/account?flash=password").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let posted = Posted {
                password_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            account_page(&state, &s, posted, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// Creates a token and answers with the page itself (no redirect), so the secret is shown
/// once and never lands in a URL or the history.
pub async fn create_token(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<TokenForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match auth::create_personal_token(&state.core, &s.principal, &f.name).await {
        Ok((secret, _)) => {
            let posted = Posted {
                new_token: Some(secret),
                ..Default::default()
            };
            let mut resp = account_page(&state, &s, posted, StatusCode::OK).await;
            resp.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(ServiceError::Validation(errs)) => {
            let posted = Posted {
                token_name: f.name.chars().take(100).collect(),
                token_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            account_page(&state, &s, posted, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match auth::revoke_personal_token(&state.core, &s.principal, id).await {
        Ok(()) => Redirect::to("/account?flash=revoked").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    s: UiSession,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    if let Err(e) = auth::sign_out_everywhere(&state.core, &s.principal).await {
        return error_page(s.tr, e);
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/login")).into_response()
}
