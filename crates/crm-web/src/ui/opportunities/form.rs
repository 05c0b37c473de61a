//! Creating and editing opportunities; the customer picker (a search over the customers
//! the user may see, live with htmx, or a plain GET without JavaScript).

use super::{fail, form_errors, source_opts, stage_label};
use crate::ui::customers::{active_users, param, user_opts};
use crate::ui::users::Opt;
use crate::ui::{opt_id, render, FormErrors, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use crm_domain::{Action, DataScope, Module, Money};
use crm_service::opportunities::{self, Opportunity, OpportunityInput};
use crm_service::{customers, ServiceError};
use serde::Deserialize;

/// How many customers the picker offers at once.
const PICK: u64 = 20;

/// What the form shows: the stored opportunity, or what was typed.
#[derive(Default)]
pub(super) struct OppFields {
    pub(super) name: String,
    pub(super) customer_id: Option<i64>,
    pub(super) amount: String,
    pub(super) stage_id: Option<i64>,
    pub(super) probability: String,
    pub(super) expected_close: String,
    pub(super) source: String,
    pub(super) owner_id: Option<i64>,
    pub(super) notes: String,
    pub(super) version: i32,
    /// The stage and probability the edit form was opened with: a change of stage with an
    /// untouched probability takes the new stage's default.
    pub(super) stage_was: Option<i64>,
    pub(super) probability_was: String,
}

impl OppFields {
    fn of(state: &AppState, o: &Opportunity) -> Self {
        Self {
            name: o.name.clone(),
            customer_id: Some(o.customer_id),
            amount: state.core.settings.currency.to_decimal(Money(o.amount)),
            stage_id: Some(o.stage_id),
            probability: o.probability.to_string(),
            expected_close: o.expected_close.map(|d| d.to_string()).unwrap_or_default(),
            source: o.source.clone().unwrap_or_default(),
            owner_id: Some(o.owner_id),
            notes: o.notes.clone().unwrap_or_default(),
            version: o.version,
            stage_was: Some(o.stage_id),
            probability_was: o.probability.to_string(),
        }
    }

    fn input(&self, creating: bool, owner: bool) -> OpportunityInput {
        let stage_moved = !creating && self.stage_id != self.stage_was;
        let probability = if stage_moved && self.probability.trim() == self.probability_was.trim() {
            // Not touched: the new stage's default.
            None
        } else {
            Some(self.probability.clone())
        };
        OpportunityInput {
            customer_id: if creating {
                Some(self.customer_id.unwrap_or(0))
            } else {
                None
            },
            name: Some(self.name.clone()),
            amount: Some(self.amount.clone()),
            stage_id: Some(self.stage_id.unwrap_or(0)),
            probability,
            expected_close: Some(self.expected_close.clone()),
            source: Some(self.source.clone()),
            owner_id: if owner { self.owner_id } else { None },
            notes: Some(self.notes.clone()),
        }
    }
}

#[derive(Deserialize)]
pub struct OppForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    customer_id: Option<String>,
    #[serde(default)]
    amount: String,
    stage_id: Option<String>,
    #[serde(default)]
    probability: String,
    #[serde(default)]
    expected_close: String,
    #[serde(default)]
    source: String,
    owner_id: Option<String>,
    #[serde(default)]
    notes: String,
    version: Option<i32>,
    stage_was: Option<String>,
    #[serde(default)]
    probability_was: String,
}

impl OppForm {
    fn fields(&self) -> OppFields {
        OppFields {
            name: self.name.clone(),
            customer_id: opt_id(&self.customer_id),
            amount: self.amount.clone(),
            stage_id: opt_id(&self.stage_id),
            probability: self.probability.clone(),
            expected_close: self.expected_close.clone(),
            source: self.source.clone(),
            owner_id: opt_id(&self.owner_id),
            notes: self.notes.clone(),
            version: self.version.unwrap_or(0),
            stage_was: opt_id(&self.stage_was),
            probability_was: self.probability_was.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "opportunity_form.html")]
struct FormPage {
    l: Layout,
    /// The opportunity being edited (id, name); None for a new one.
    opp: Option<(i64, String)>,
    f: OppFields,
    /// The chosen customer (id, name), when fixed.
    customer: Option<(i64, String)>,
    customer_q: String,
    customer_opts: Vec<Opt>,
    stages: Vec<Opt>,
    sources: Vec<Opt>,
    owners: Option<Vec<Opt>>,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "opportunity_customer_options.html")]
struct CustomerOptions {
    opts: Vec<Opt>,
}

/// Visible customers matching `q` (the newest when empty) as options; none when the user
/// may not list customers.
async fn customer_opts(
    state: &AppState,
    s: &UiSession,
    q: &str,
    selected: Option<i64>,
) -> Result<Vec<Opt>, ServiceError> {
    let filter = customers::Filter {
        q: Some(q.trim().chars().take(100).collect::<String>()).filter(|q| !q.is_empty()),
        ..Default::default()
    };
    let sort = customers::Sort::default();
    match customers::list(&state.core, &s.principal, &filter, sort, None, PICK).await {
        Ok(rows) => Ok(rows
            .into_iter()
            .map(|c| Opt::new(c.id.to_string(), c.name, selected == Some(c.id)))
            .collect()),
        Err(ServiceError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The customer, when the user may see it.
async fn visible_customer(
    state: &AppState,
    s: &UiSession,
    id: Option<i64>,
) -> Option<(i64, String)> {
    let id = id?;
    let scope = customers::scope_of(&state.core, &s.principal).await.ok()?;
    customers::visible(&state.core.db, &scope, id)
        .await
        .ok()
        .map(|(c, _)| (c.id, c.name))
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    opp: Option<(i64, String)>,
    f: OppFields,
    customer_q: String,
    errors: FormErrors,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let customer = if opp.is_some() {
        // Editing: the customer stays (the API can change it).
        let id = f.customer_id.unwrap_or(0);
        super::customer_names(state, &[id])
            .await?
            .into_iter()
            .next()
    } else if errors.has("customer_id") {
        None
    } else {
        visible_customer(state, s, f.customer_id).await
    };
    let customer_opts = if customer.is_none() {
        customer_opts(state, s, &customer_q, f.customer_id).await?
    } else {
        Vec::new()
    };
    let stages = crm_service::pipeline::list(&state.core, &s.principal, true).await?;
    let stages = stages
        .iter()
        .filter(|st| st.active || f.stage_was == Some(st.id))
        .map(|st| {
            Opt::new(
                st.id.to_string(),
                format!("{} ({}%)", stage_label(tr, st), st.probability),
                f.stage_id == Some(st.id),
            )
        })
        .collect();
    let owners = if s.principal.scope() != DataScope::Own {
        Some(user_opts(&active_users(state, s).await?, f.owner_id))
    } else {
        None
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("opportunities"),
        opp,
        sources: source_opts(tr, &f.source),
        f,
        customer,
        customer_q,
        customer_opts,
        stages,
        owners,
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
    let f = OppFields {
        customer_id: param(&pairs, "customer_id").and_then(|v| v.parse().ok()),
        ..Default::default()
    };
    let q = param(&pairs, "customer_q").unwrap_or_default().to_string();
    form_page(&state, &s, None, f, q, FormErrors::default())
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

/// The htmx customer search of the form: `<option>`s of matching visible customers.
pub async fn customer_options(
    State(state): State<AppState>,
    s: UiSession,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let q = param(&pairs, "customer_q").unwrap_or_default();
    match customer_opts(&state, &s, q, None).await {
        Ok(opts) => render(&CustomerOptions { opts }),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<OppForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let fields = f.fields();
    let owner = s.principal.scope() != DataScope::Own;
    match opportunities::create(&state.core, &s.principal, fields.input(true, owner)).await {
        Ok(o) => Redirect::to(&format!("/opportunities/{}?flash=created", o.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, None, fields, String::new(), errors)
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
    let o = match opportunities::get(&state.core, &s.principal, id).await {
        Ok(o) => o,
        Err(e) => return fail(s.tr, e),
    };
    if o.status != "open" {
        return fail(
            s.tr,
            ServiceError::conflict("opportunity_closed", "This opportunity is closed"),
        );
    }
    let f = OppFields::of(&state, &o);
    form_page(
        &state,
        &s,
        Some((o.id, o.name)),
        f,
        String::new(),
        FormErrors::default(),
    )
    .await
    .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<OppForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let mut fields = f.fields();
    let owner = s.principal.scope() != DataScope::Own;
    let input = fields.input(false, owner);
    match opportunities::update(&state.core, &s.principal, id, fields.version, input).await {
        Ok(_) => Redirect::to(&format!("/opportunities/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let o = match opportunities::get(&state.core, &s.principal, id).await {
                Ok(o) => o,
                Err(e) => return fail(s.tr, e),
            };
            fields.customer_id = Some(o.customer_id);
            let errors = form_errors(s.tr, &errs);
            form_page(
                &state,
                &s,
                Some((o.id, o.name)),
                fields,
                String::new(),
                errors,
            )
            .await
            .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}
