//! The public web form of a campaign: `/f/{key}`, a standalone page (no app layout, no
//! session, no cookie) in zh-CN or English (`?lang=`, else Accept-Language), posting back
//! to itself; `/f/{key}/thanks` after a submission. The app's CSRF check is per handler on
//! signed-in forms, so nothing blocks these; they carry a signed render stamp and a
//! honeypot instead, and are rate-limited per client address (see [`super::FormLimiter`]).

use super::*;
use crate::api::campaigns::public::BODY_LIMIT;
use crate::i18n;
use crate::net::ClientIp;
use axum::http::{header, HeaderMap, HeaderValue};
use crm_service::campaigns::web_form::{self, Outcome, PublicForm, WebFormInput};
use tower_http::limit::RequestBodyLimitLayer;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/f/{key}", get(page).post(submit))
        .route("/f/{key}/thanks", get(thanks))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The locale: an explicit `?lang=`, else the browser's Accept-Language (never a cookie).
fn locale(q: &LangQuery, headers: &HeaderMap) -> (Tr, String) {
    match q.lang.as_deref().and_then(i18n::normalize) {
        Some(l) => (Tr::new(l), format!("?lang={l}")),
        None => (i18n::pick(None, headers), String::new()),
    }
}

#[derive(Default)]
pub(super) struct Visitor {
    pub(super) name: String,
    pub(super) company: String,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) message: String,
}

#[derive(Template)]
#[template(path = "public_form.html")]
pub(super) struct PublicPage {
    pub(super) tr: Tr,
    pub(super) key: String,
    pub(super) campaign: String,
    /// `?lang=…` when chosen explicitly, kept on the form's links.
    pub(super) lang_query: String,
    pub(super) token: String,
    pub(super) f: Visitor,
    pub(super) errors: FormErrors,
    /// A message about the whole form (too quick, expired).
    pub(super) alert: Option<String>,
}

#[derive(Template)]
#[template(path = "public_form_done.html")]
pub(super) struct DonePage {
    pub(super) tr: Tr,
    pub(super) title: String,
    pub(super) message: String,
    pub(super) success: bool,
}

/// Public answers are never cached (each form carries a fresh stamp).
fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn done(tr: Tr, status: StatusCode, title: &str, message: &str, success: bool) -> Response {
    let page = DonePage {
        tr,
        title: tr.t(title),
        message: tr.t(message),
        success,
    };
    no_store((status, render(&page)).into_response())
}

fn not_found(tr: Tr) -> Response {
    done(
        tr,
        StatusCode::NOT_FOUND,
        "campaigns.public.not_found_title",
        "campaigns.public.not_found",
        false,
    )
}

fn public_error(tr: Tr, e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound => not_found(tr),
        other => {
            tracing::error!(error = %other, "public web form");
            done(
                tr,
                StatusCode::INTERNAL_SERVER_ERROR,
                "campaigns.public.error_title",
                "campaigns.public.error",
                false,
            )
        }
    }
}

async fn form_page(
    state: &AppState,
    tr: Tr,
    lang_query: String,
    form: PublicForm,
    f: Visitor,
    errors: FormErrors,
    alert: Option<String>,
) -> Response {
    let token = match web_form::render_token(&state.core, &form).await {
        Ok(t) => t,
        Err(e) => return public_error(tr, e),
    };
    let status = if errors.any() || alert.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PublicPage {
        tr,
        key: form.form_key,
        campaign: form.campaign_name,
        lang_query,
        token,
        f,
        errors,
        alert,
    };
    no_store((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let (tr, lang_query) = locale(&q, &headers);
    match web_form::open(&state.core, &key).await {
        Ok(form) => {
            let f = Visitor::default();
            form_page(&state, tr, lang_query, form, f, FormErrors::default(), None).await
        }
        Err(e) => public_error(tr, e),
    }
}

#[derive(Deserialize)]
pub struct PublicFormBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    token: String,
    /// The honeypot.
    #[serde(default)]
    website: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(q): Query<LangQuery>,
    Form(body): Form<PublicFormBody>,
) -> Response {
    let (tr, lang_query) = locale(&q, &headers);
    let form = match web_form::open(&state.core, &key).await {
        Ok(f) => f,
        Err(e) => return public_error(tr, e),
    };
    if let Err(secs) = state
        .form_limiter
        .check(form.campaign_id, &ip, state.core.now())
    {
        let mut r = done(
            tr,
            StatusCode::TOO_MANY_REQUESTS,
            "campaigns.public.rate_limited_title",
            "campaigns.public.rate_limited",
            false,
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let visitor = Visitor {
        name: body.name.clone(),
        company: body.company.clone(),
        phone: body.phone.clone(),
        email: body.email.clone(),
        message: body.message.clone(),
    };
    let input = WebFormInput {
        name: body.name,
        company: body.company,
        phone: body.phone,
        email: body.email,
        message: body.message,
        token: body.token,
        honeypot: body.website,
    };
    match web_form::submit(&state.core, &key, input, &ip).await {
        Ok(Outcome::Created(_)) | Ok(Outcome::Ignored) => {
            Redirect::to(&format!("/f/{key}/thanks{lang_query}")).into_response()
        }
        Err(ServiceError::Validation(mut errs)) => {
            let alert = errs.0.remove("token").map(|e| match e.code {
                "too_fast" => tr.t("campaigns.public.too_fast"),
                _ => tr.t("campaigns.public.expired"),
            });
            let errors = form_errors(tr, &errs);
            form_page(&state, tr, lang_query, form, visitor, errors, alert).await
        }
        Err(e) => public_error(tr, e),
    }
}

pub async fn thanks(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let (tr, _) = locale(&q, &headers);
    match web_form::open(&state.core, &key).await {
        Ok(_) => done(
            tr,
            StatusCode::OK,
            "campaigns.public.thanks_title",
            "campaigns.public.thanks",
            true,
        ),
        Err(e) => public_error(tr, e),
    }
}
