//! The lead form: new, edit, and deleting a lead.

use super::*;
use crm_service::leads::{LeadInput, Origin, OwnerChoice};

/// What the lead form shows: the stored lead, or what was typed.
#[derive(Default, Deserialize)]
pub struct LeadForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) company: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) email: String,
    #[serde(default)]
    pub(super) province: String,
    #[serde(default)]
    pub(super) city: String,
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) industry: String,
    #[serde(default)]
    pub(super) source: String,
    #[serde(default)]
    pub(super) campaign_id: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) notes: String,
    #[serde(default)]
    pub(super) next_follow_up: String,
    /// Create only: "" (me), "pool" or a user id.
    #[serde(default)]
    pub(super) owner: String,
    pub(super) version: Option<i32>,
}

impl LeadForm {
    fn of(l: &Lead) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            csrf: String::new(),
            name: l.name.clone(),
            company: s(&l.company),
            title: s(&l.title),
            phone: s(&l.phone),
            email: s(&l.email),
            province: s(&l.province),
            city: s(&l.city),
            address: s(&l.address),
            industry: s(&l.industry),
            source: s(&l.source),
            campaign_id: l.campaign_id.map(|c| c.to_string()).unwrap_or_default(),
            status: l.status.clone(),
            notes: s(&l.notes),
            next_follow_up: date_text(l.next_follow_up),
            owner: String::new(),
            version: Some(l.version),
        }
    }

    /// Every field is sent: an empty one clears the stored value.
    fn input(&self, creating: bool) -> LeadInput {
        let owner = match self.owner.trim() {
            "" => None,
            "pool" => Some(OwnerChoice::Pool),
            // Garbage becomes user 0, which the service reports as not found.
            v => Some(OwnerChoice::User(v.parse().unwrap_or(0))),
        };
        let campaign = match self.campaign_id.trim() {
            "" => None,
            v => Some(v.parse().unwrap_or(0)),
        };
        LeadInput {
            name: Some(self.name.clone()),
            company: Some(self.company.clone()),
            title: Some(self.title.clone()),
            phone: Some(self.phone.clone()),
            email: Some(self.email.clone()),
            province: Some(self.province.clone()),
            city: Some(self.city.clone()),
            address: Some(self.address.clone()),
            industry: Some(self.industry.clone()),
            source: Some(self.source.clone()),
            campaign_id: Some(campaign),
            status: Some(self.status.clone()),
            notes: Some(self.notes.clone()),
            next_follow_up: Some(self.next_follow_up.clone()),
            owner: if creating { owner } else { None },
        }
    }
}

#[derive(Template)]
#[template(path = "lead_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// None for a new lead.
    pub(super) lead: Option<Lead>,
    pub(super) f: LeadForm,
    pub(super) statuses: Vec<Opt>,
    pub(super) sources: Vec<Opt>,
    pub(super) campaigns: Vec<Opt>,
    /// Only for a new lead: me, the pool, and (for managers) the people of their scope.
    pub(super) owners: Option<Vec<Opt>>,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.lead {
            Some(l) => format!("/leads/{}", l.id),
            None => "/leads".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match &self.lead {
            Some(l) => format!("/leads/{}", l.id),
            None => "/leads".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    lead: Option<Lead>,
    f: LeadForm,
    errors: FormErrors,
) -> Response {
    let tr = s.tr;
    let owners = if lead.is_none() {
        let me = s.principal.user_id.0;
        let mut o = vec![
            Opt::new("", tr.t("leads.owner_me"), f.owner.is_empty()),
            Opt::new("pool", tr.t("leads.owner_pool"), f.owner == "pool"),
        ];
        if manages_others(s) {
            match scoped_users(state, s).await {
                Ok(users) => o.extend(users.into_iter().filter(|(id, _)| *id != me).map(
                    |(id, n)| {
                        let v = id.to_string();
                        let sel = f.owner == v;
                        Opt::new(v, n, sel)
                    },
                )),
                Err(e) => return fail(tr, e),
            }
        }
        Some(o)
    } else {
        None
    };
    let selected = f.campaign_id.trim().parse::<i64>().ok();
    let campaigns = match campaign_opts(state, s, selected, tr.t("common.none")).await {
        Ok(c) => c,
        Err(e) => return fail(tr, e),
    };
    let page = FormPage {
        l: s.layout("leads"),
        statuses: choice_opts(tr, "leads.status", &leads::EDITABLE_STATUSES, &f.status),
        sources: choice_opts(tr, "leads.source", &leads::SOURCES, &f.source),
        campaigns,
        owners,
        lead,
        f,
        errors,
    };
    let status = if page.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

pub async fn new_form(State(state): State<AppState>, s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Create) {
        return fail(s.tr, e.into());
    }
    let f = LeadForm {
        status: "new".into(),
        ..Default::default()
    };
    form_page(&state, &s, None, f, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<LeadForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let input = f.input(true);
    match leads::create(&state.core, Some(&s.principal), input, Origin::Manual).await {
        Ok(l) => Redirect::to(&format!("/leads/{}?flash=created", l.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, None, f, errors).await
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Edit) {
        return fail(s.tr, e.into());
    }
    let l = match leads::get(&state.core, &s.principal, id).await {
        Ok(l) => l,
        Err(e) => return fail(s.tr, e),
    };
    if leads::is_converted(&l) {
        return fail(s.tr, leads::converted_conflict());
    }
    let f = LeadForm::of(&l);
    form_page(&state, &s, Some(l), f, FormErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<LeadForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let version = f.version.unwrap_or(0);
    match leads::update(&state.core, &s.principal, id, version, f.input(false)).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let l = match leads::get(&state.core, &s.principal, id).await {
                Ok(l) => l,
                Err(e) => return fail(s.tr, e),
            };
            let errors = form_errors(s.tr, &errs);
            form_page(&state, &s, Some(l), f, errors).await
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
    match leads::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/leads?flash=deleted").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
