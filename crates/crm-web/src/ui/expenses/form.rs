//! Recording, editing and deleting an expense: a customer step, then the form.

use super::*;
use crate::ui::quotes::scoped_owner_opts as owner_opts;

#[derive(Default)]
pub(super) struct ExpenseFields {
    pub(super) customer_id: Option<i64>,
    pub(super) opportunity_id: Option<i64>,
    pub(super) category: String,
    pub(super) amount: String,
    pub(super) spent_on: String,
    pub(super) note: String,
    pub(super) owner_id: Option<i64>,
    pub(super) version: i32,
}

impl ExpenseFields {
    fn of(state: &AppState, x: &Expense) -> Self {
        Self {
            customer_id: Some(x.customer_id),
            opportunity_id: x.opportunity_id,
            category: x.category.clone(),
            amount: state.core.settings.currency.to_decimal(Money(x.amount)),
            spent_on: x.spent_on.to_string(),
            note: x.note.clone().unwrap_or_default(),
            owner_id: Some(x.owner_id),
            version: x.version,
        }
    }

    fn input(&self, creating: bool) -> ExpenseInput {
        ExpenseInput {
            customer_id: creating.then(|| self.customer_id.unwrap_or(0)),
            opportunity_id: Some(self.opportunity_id),
            category: Some(self.category.clone()),
            amount: Some(self.amount.clone()),
            spent_on: Some(self.spent_on.clone()),
            note: Some(self.note.clone()),
            owner_id: self.owner_id,
        }
    }
}

#[derive(Deserialize)]
pub struct ExpenseForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    customer_id: Option<String>,
    opportunity_id: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    spent_on: String,
    #[serde(default)]
    note: String,
    owner_id: Option<String>,
    version: Option<i32>,
}

impl ExpenseForm {
    fn fields(&self) -> ExpenseFields {
        ExpenseFields {
            customer_id: opt_id(&self.customer_id),
            opportunity_id: opt_id(&self.opportunity_id),
            category: self.category.clone(),
            amount: self.amount.clone(),
            spent_on: self.spent_on.clone(),
            note: self.note.clone(),
            owner_id: opt_id(&self.owner_id),
            version: self.version.unwrap_or(0),
        }
    }
}

#[derive(Template)]
#[template(path = "expense_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// The expense being edited; None for a new one.
    pub(super) id: Option<i64>,
    pub(super) customer: Option<(i64, String)>,
    pub(super) customer_q: String,
    pub(super) customer_opts: Vec<Opt>,
    pub(super) opportunities: Vec<Opt>,
    pub(super) categories: Vec<Opt>,
    /// None when the user records only their own expenses.
    pub(super) owners: Option<Vec<Opt>>,
    pub(super) f: ExpenseFields,
    pub(super) today: String,
    pub(super) can_delete: bool,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/expenses/{id}"),
            None => "/expenses".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    id: Option<i64>,
    f: ExpenseFields,
    customer_q: String,
    errors: FormErrors,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let customer = if id.is_some() {
        let cid = f.customer_id.unwrap_or(0);
        customer_names(state, &[cid]).await?.into_iter().next()
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
    let owners = owner_opts(state, s, Some(f.owner_id.unwrap_or(s.principal.user_id.0)))
        .await?
        .map(|mut o| {
            o.retain(|x| !x.value.is_empty());
            o
        });
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("expenses"),
        id,
        customer,
        customer_q,
        customer_opts,
        opportunities,
        categories: category_opts(tr, &f.category, tr.t("common.none")),
        owners,
        today: state.core.today().to_string(),
        can_delete: id.is_some() && s.principal.can(Module::Sales, Action::Delete),
        f,
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
    let f = ExpenseFields {
        customer_id: param(&pairs, "customer_id").and_then(|v| v.parse().ok()),
        opportunity_id: param(&pairs, "opportunity_id").and_then(|v| v.parse().ok()),
        spent_on: state.core.today().to_string(),
        ..Default::default()
    };
    let q = param(&pairs, "customer_q").unwrap_or_default().to_string();
    form_page(&state, &s, None, f, q, FormErrors::default())
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(form): Form<ExpenseForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let f = form.fields();
    match expenses::create(&state.core, &s.principal, f.input(true)).await {
        Ok(_) => Redirect::to("/expenses?flash=created").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, None, f, String::new(), errors)
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}

/// `GET /expenses/{id}`: expenses have no page of their own; their form shows them.
pub async fn show(Path(id): Path<i64>) -> Response {
    Redirect::to(&format!("/expenses/{id}/edit")).into_response()
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Sales, Action::Edit) {
        return fail(s.tr, e.into());
    }
    let x = match expenses::get(&state.core, &s.principal, id).await {
        Ok(x) => x,
        Err(e) => return fail(s.tr, e),
    };
    let f = ExpenseFields::of(&state, &x);
    form_page(
        &state,
        &s,
        Some(id),
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
    Form(form): Form<ExpenseForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let mut f = form.fields();
    match expenses::update(&state.core, &s.principal, id, f.version, f.input(false)).await {
        Ok(_) => Redirect::to("/expenses?flash=saved").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let x = match expenses::get(&state.core, &s.principal, id).await {
                Ok(x) => x,
                Err(e) => return fail(s.tr, e),
            };
            f.customer_id = Some(x.customer_id);
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, Some(id), f, String::new(), errors)
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match expenses::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/expenses?flash=deleted").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
