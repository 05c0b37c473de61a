//! The competitors panel of the opportunity page: linked competitors with their price and
//! notes, an add form and remove buttons. htmx loads it after the page
//! (`hx-get="/opportunities/{id}/competitors"`) and swaps it after each change; a refused
//! add answers 200 with the panel showing the field errors (htmx swaps only 2xx answers),
//! anything else (404, 403) is an error page that htmx reports as a toast.

use super::*;
use axum::http::HeaderMap;
use axum::response::Html;
use crm_service::competitors::{LinkInput, LinkView};

pub(super) struct PanelRow {
    pub(super) competitor_id: i64,
    pub(super) name: String,
    pub(super) their_price: String,
    pub(super) notes: String,
}

#[derive(Template)]
#[template(path = "competitor_panel.html")]
pub(super) struct Panel {
    pub(super) l: Layout,
    pub(super) opportunity_id: i64,
    pub(super) rows: Vec<PanelRow>,
    /// Live competitors not linked yet.
    pub(super) choices: Vec<Opt>,
    pub(super) can_edit: bool,
    /// Whether competitor names link to their pages (`market:view`).
    pub(super) can_open: bool,
    /// What a refused add typed.
    pub(super) price: String,
    pub(super) notes: String,
    pub(super) errors: FormErrors,
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    competitor_id: Option<String>,
    #[serde(default)]
    their_price: String,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The form's token, else the `X-CSRF-Token` header htmx sends.
#[allow(clippy::result_large_err)]
fn check_csrf(s: &UiSession, form: &str, headers: &HeaderMap) -> Result<(), Response> {
    let token = if form.is_empty() {
        headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    } else {
        form
    };
    s.check_csrf(token)
}

struct Typed {
    selected: Option<i64>,
    price: String,
    notes: String,
    errors: FormErrors,
}

impl Typed {
    fn none() -> Self {
        Self {
            selected: None,
            price: String::new(),
            notes: String::new(),
            errors: FormErrors::default(),
        }
    }
}

async fn build(
    state: &AppState,
    s: &UiSession,
    id: i64,
    typed: Typed,
) -> Result<Response, ServiceError> {
    let p = &s.principal;
    let links: Vec<LinkView> = competitors::links(&state.core, p, id).await?;
    let can_edit = p.can(Module::Sales, Action::Edit);
    let choices = if can_edit {
        competitors::choices(&state.core, p)
            .await?
            .into_iter()
            .filter(|(cid, _)| !links.iter().any(|l| l.link.competitor_id == *cid))
            .map(|(cid, name)| Opt::new(cid.to_string(), name, typed.selected == Some(cid)))
            .collect()
    } else {
        Vec::new()
    };
    let tr = s.tr;
    let panel = Panel {
        l: s.layout("opportunities"),
        opportunity_id: id,
        rows: links
            .into_iter()
            .map(|v| PanelRow {
                competitor_id: v.link.competitor_id,
                name: v.competitor_name,
                their_price: v
                    .link
                    .their_price
                    .map_or_else(|| tr.t("common.none"), |m| money(state, Money(m))),
                notes: v.link.notes.unwrap_or_default(),
            })
            .collect(),
        choices,
        can_edit,
        can_open: p.can(Module::Market, Action::View),
        price: typed.price,
        notes: typed.notes,
        errors: typed.errors,
    };
    Ok(render(&panel))
}

/// `GET /opportunities/{id}/competitors`: the panel (empty without `sales:view`).
pub async fn panel(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    match build(&state, &s, id, Typed::none()).await {
        Ok(r) => r,
        Err(ServiceError::Forbidden) => Html(String::new()).into_response(),
        Err(e) => fail(s.tr, e),
    }
}

/// `POST /opportunities/{id}/competitors`: links a competitor, answers the new panel.
pub async fn add(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<AddForm>,
) -> Response {
    if let Err(r) = check_csrf(&s, &f.csrf, &headers) {
        return r;
    }
    let selected = super::super::opt_id(&f.competitor_id);
    let input = LinkInput {
        // Nothing chosen is "required", not a missing id.
        competitor_id: selected,
        their_price: Some(f.their_price.clone()),
        notes: Some(f.notes.clone()),
    };
    let errors = match competitors::link(&state.core, &s.principal, id, input).await {
        Ok(_) => {
            return build(&state, &s, id, Typed::none())
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(ServiceError::Validation(errs)) => form_errors(s.tr, &errs, true),
        Err(ServiceError::Conflict { code, message }) => FormErrors(
            [(
                "competitor_id".to_string(),
                error_text(s.tr, "competitor_id", code, &message),
            )]
            .into_iter()
            .collect(),
        ),
        Err(e) => return fail(s.tr, e),
    };
    let typed = Typed {
        selected,
        price: f.their_price,
        notes: f.notes,
        errors,
    };
    build(&state, &s, id, typed)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

/// `POST /opportunities/{id}/competitors/{competitor_id}/delete`: removes a link, answers
/// the new panel.
pub async fn remove(
    State(state): State<AppState>,
    s: UiSession,
    Path((id, competitor_id)): Path<(i64, i64)>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = check_csrf(&s, &f.csrf, &headers) {
        return r;
    }
    match competitors::unlink(&state.core, &s.principal, id, competitor_id).await {
        Ok(()) => build(&state, &s, id, Typed::none())
            .await
            .unwrap_or_else(|e| fail(s.tr, e)),
        Err(e) => fail(s.tr, e),
    }
}
