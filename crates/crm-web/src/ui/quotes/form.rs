//! Creating and editing quotes: a customer step (search and choose), then the form with the
//! shared line editor.

use super::*;
use crate::ui::custom_fields::CfForm;
use crate::ui::lines::{self, LineRow, LinesEditor};
use crate::ui::opt_id;

/// What the form shows: the stored quote, or what was typed.
#[derive(Default)]
pub(super) struct QuoteFields {
    pub(super) customer_id: Option<i64>,
    pub(super) opportunity_id: Option<i64>,
    pub(super) title: String,
    pub(super) valid_until: String,
    pub(super) notes: String,
    pub(super) version: i32,
}

impl QuoteFields {
    fn of(q: &Quote) -> Self {
        Self {
            customer_id: Some(q.customer_id),
            opportunity_id: q.opportunity_id,
            title: q.title.clone(),
            valid_until: q.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            notes: q.notes.clone().unwrap_or_default(),
            version: q.version,
        }
    }

    fn input(&self, creating: bool, lines: Vec<crm_service::lines::LineInput>) -> QuoteInput {
        QuoteInput {
            // The customer is fixed once chosen: only sent on create.
            customer_id: creating.then(|| self.customer_id.unwrap_or(0)),
            opportunity_id: Some(self.opportunity_id),
            title: Some(self.title.clone()),
            valid_until: Some(self.valid_until.clone()),
            notes: Some(self.notes.clone()),
            lines: Some(lines),
        }
    }
}

#[derive(Deserialize)]
pub struct QuoteForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    customer_id: Option<String>,
    opportunity_id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    notes: String,
    version: Option<i32>,
}

impl QuoteForm {
    fn fields(&self) -> QuoteFields {
        QuoteFields {
            customer_id: opt_id(&self.customer_id),
            opportunity_id: opt_id(&self.opportunity_id),
            title: self.title.clone(),
            valid_until: self.valid_until.clone(),
            notes: self.notes.clone(),
            version: self.version.unwrap_or(0),
        }
    }
}

#[derive(Template)]
#[template(path = "quote_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// The quote being edited (id, number); None for a new one.
    pub(super) quote: Option<(i64, String)>,
    /// The chosen customer (id, name); None: the customer step.
    pub(super) customer: Option<(i64, String)>,
    pub(super) customer_q: String,
    pub(super) customer_opts: Vec<Opt>,
    pub(super) opportunities: Vec<Opt>,
    pub(super) f: QuoteFields,
    pub(super) lines: LinesEditor,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.quote {
            Some((id, _)) => format!("/quotes/{id}"),
            None => "/quotes".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match &self.quote {
            Some((id, _)) => format!("/quotes/{id}"),
            None => "/quotes".to_string(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    s: &UiSession,
    quote: Option<(i64, String)>,
    f: QuoteFields,
    customer_q: String,
    rows: Vec<LineRow>,
    errs: Option<&FieldErrors>,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let customer = if quote.is_some() {
        // Editing: the stored customer stays.
        let id = f.customer_id.unwrap_or(0);
        customer_names(state, &[id]).await?.into_iter().next()
    } else {
        visible_customer(state, s, f.customer_id)
            .await
            .map(|c| (c.id, c.name))
    };
    let (customer_opts, opportunities) = match &customer {
        None => (customer_choices(state, s, &customer_q).await?, Vec::new()),
        Some((cid, _)) => (
            Vec::new(),
            opportunity_opts(state, s, *cid, f.opportunity_id).await?,
        ),
    };
    let mut editor = lines::editor(&state.core, &s.principal, rows).await?;
    let errors = match errs {
        Some(e) => {
            lines::attach_errors(&mut editor, e, tr);
            form_errors(tr, e)
        }
        None => FormErrors::default(),
    };
    let status = if errs.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("quotes"),
        quote,
        customer,
        customer_q,
        customer_opts,
        opportunities,
        f,
        lines: editor,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Sales, Action::Create) {
        return fail(s.tr, e.into());
    }
    let id = |k: &str| param(&pairs, k).and_then(|v| v.parse::<i64>().ok());
    let mut f = QuoteFields {
        customer_id: id("customer_id"),
        ..Default::default()
    };
    if let Some(oid) = id("opportunity_id") {
        match quotes::opportunity_choice(&state.core, &s.principal, oid).await {
            Ok(Some(o)) if f.customer_id.is_none_or(|c| c == o.customer_id) => {
                f.customer_id = Some(o.customer_id);
                f.opportunity_id = Some(o.id);
                f.title = o.name;
            }
            Ok(_) => {}
            Err(e) => return fail(s.tr, e),
        }
    }
    let q = param(&pairs, "customer_q").unwrap_or_default().to_string();
    form_page(&state, &s, None, f, q, Vec::new(), None)
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    CfForm(form, pairs): CfForm<QuoteForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let f = form.fields();
    let (inputs, rows) = lines::from_form(&pairs);
    match quotes::create(&state.core, &s.principal, f.input(true, inputs)).await {
        Ok(d) => Redirect::to(&format!("/quotes/{}?flash=created", d.quote.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            form_page(&state, &s, None, f, String::new(), rows, Some(&errs))
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Sales, Action::Edit) {
        return fail(s.tr, e.into());
    }
    let d: QuoteDetail = match quotes::get(&state.core, &s.principal, id).await {
        Ok(d) => d,
        Err(e) => return fail(s.tr, e),
    };
    if !quotes::editable_state(&d.quote) {
        return fail(
            s.tr,
            ServiceError::conflict("quote_locked", "This quote can no longer be changed"),
        );
    }
    let rows = lines::rows_from_lines(&d.lines, &state.core.settings.currency);
    let f = QuoteFields::of(&d.quote);
    form_page(
        &state,
        &s,
        Some((id, d.quote.number)),
        f,
        String::new(),
        rows,
        None,
    )
    .await
    .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(form, pairs): CfForm<QuoteForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let mut f = form.fields();
    let (inputs, rows) = lines::from_form(&pairs);
    match quotes::update(
        &state.core,
        &s.principal,
        id,
        f.version,
        f.input(false, inputs),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/quotes/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = match quotes::get(&state.core, &s.principal, id).await {
                Ok(d) => d,
                Err(e) => return fail(s.tr, e),
            };
            f.customer_id = Some(d.quote.customer_id);
            let quote = Some((id, d.quote.number));
            form_page(&state, &s, quote, f, String::new(), rows, Some(&errs))
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}
