//! Creating, editing and deleting a campaign.

use super::*;
use crate::ui::quotes::scoped_owner_opts;

#[derive(Default)]
pub(super) struct CampaignFields {
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) status: String,
    pub(super) starts_on: String,
    pub(super) ends_on: String,
    pub(super) budget: String,
    pub(super) actual_cost: String,
    pub(super) expected_leads: String,
    pub(super) expected_revenue: String,
    pub(super) actual_results: String,
    pub(super) description: String,
    pub(super) owner_id: Option<i64>,
    pub(super) version: i32,
}

impl CampaignFields {
    fn of(state: &AppState, c: &Campaign) -> Self {
        let dec = |m: i64| state.core.settings.currency.to_decimal(Money(m));
        Self {
            name: c.name.clone(),
            kind: c.kind.clone(),
            status: c.status.clone(),
            starts_on: c.starts_on.map(|d| d.to_string()).unwrap_or_default(),
            ends_on: c.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            budget: dec(c.budget),
            actual_cost: dec(c.actual_cost),
            expected_leads: c.expected_leads.map(|n| n.to_string()).unwrap_or_default(),
            expected_revenue: c.expected_revenue.map(dec).unwrap_or_default(),
            actual_results: c.actual_results.clone().unwrap_or_default(),
            description: c.description.clone().unwrap_or_default(),
            owner_id: Some(c.owner_id),
            version: c.version,
        }
    }

    fn input(&self) -> CampaignInput {
        CampaignInput {
            name: Some(self.name.clone()),
            kind: Some(self.kind.clone()),
            status: Some(self.status.clone()),
            starts_on: Some(self.starts_on.clone()),
            ends_on: Some(self.ends_on.clone()),
            budget: Some(self.budget.clone()),
            actual_cost: Some(self.actual_cost.clone()),
            expected_leads: Some(self.expected_leads.clone()),
            expected_revenue: Some(self.expected_revenue.clone()),
            actual_results: Some(self.actual_results.clone()),
            description: Some(self.description.clone()),
            owner_id: self.owner_id,
        }
    }
}

#[derive(Deserialize)]
pub struct CampaignForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    actual_cost: String,
    #[serde(default)]
    expected_leads: String,
    #[serde(default)]
    expected_revenue: String,
    #[serde(default)]
    actual_results: String,
    #[serde(default)]
    description: String,
    owner_id: Option<String>,
    version: Option<i32>,
}

impl CampaignForm {
    fn fields(&self) -> CampaignFields {
        CampaignFields {
            name: self.name.clone(),
            kind: self.kind.clone(),
            status: self.status.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            budget: self.budget.clone(),
            actual_cost: self.actual_cost.clone(),
            expected_leads: self.expected_leads.clone(),
            expected_revenue: self.expected_revenue.clone(),
            actual_results: self.actual_results.clone(),
            description: self.description.clone(),
            owner_id: opt_id(&self.owner_id),
            version: self.version.unwrap_or(0),
        }
    }
}

#[derive(Template)]
#[template(path = "campaign_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// The campaign being edited; None for a new one.
    pub(super) id: Option<i64>,
    pub(super) kinds: Vec<Opt>,
    pub(super) statuses: Vec<Opt>,
    /// None when the user can only name themself.
    pub(super) owners: Option<Vec<Opt>>,
    pub(super) f: CampaignFields,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/campaigns/{id}"),
            None => "/campaigns".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match self.id {
            Some(id) => format!("/campaigns/{id}"),
            None => "/campaigns".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    id: Option<i64>,
    f: CampaignFields,
    errors: FormErrors,
) -> Result<Response, ServiceError> {
    let tr = s.tr;
    let owner = f.owner_id.unwrap_or(s.principal.user_id.0);
    let owners = scoped_owner_opts(state, s, Some(owner))
        .await?
        .map(|mut o| {
            o.retain(|x| !x.value.is_empty());
            o
        });
    // The stored owner stays selectable even when out of the editor's scope.
    let owners = match owners {
        Some(mut o) if !o.iter().any(|x| x.value == owner.to_string()) => {
            let names = user_names(state, &[owner]).await?;
            let name = names
                .get(&owner)
                .cloned()
                .unwrap_or_else(|| owner.to_string());
            o.insert(0, Opt::new(owner.to_string(), name, true));
            Some(o)
        }
        other => other,
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("campaigns"),
        id,
        kinds: choice_opts(tr, "campaigns.kind", &campaigns::KINDS, &f.kind, None),
        statuses: choice_opts(
            tr,
            "campaigns.status",
            &campaigns::STATUSES,
            &f.status,
            None,
        ),
        owners,
        f,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_form(State(state): State<AppState>, s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Create) {
        return fail(s.tr, e.into());
    }
    let f = CampaignFields {
        kind: "other".into(),
        status: "planned".into(),
        budget: "0".into(),
        actual_cost: "0".into(),
        ..Default::default()
    };
    form_page(&state, &s, None, f, FormErrors::default())
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(form): Form<CampaignForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let f = form.fields();
    match campaigns::create(&state.core, &s.principal, f.input()).await {
        Ok(c) => Redirect::to(&format!("/campaigns/{}?flash=created", c.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, None, f, errors)
                .await
                .unwrap_or_else(|e| fail(s.tr, e))
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    let c = match campaigns::get(&state.core, &s.principal, id).await {
        Ok(c) => c,
        Err(e) => return fail(s.tr, e),
    };
    match campaigns::can_edit(&state.core, &s.principal, &c).await {
        Ok(true) => {}
        Ok(false) => return fail(s.tr, ServiceError::Forbidden),
        Err(e) => return fail(s.tr, e),
    }
    let f = CampaignFields::of(&state, &c);
    form_page(&state, &s, Some(id), f, FormErrors::default())
        .await
        .unwrap_or_else(|e| fail(s.tr, e))
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(form): Form<CampaignForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&form.csrf) {
        return r;
    }
    let f = form.fields();
    match campaigns::update(&state.core, &s.principal, id, f.version, f.input()).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, Some(id), f, errors)
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
    Form(f): Form<ActionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match campaigns::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/campaigns?flash=deleted").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
