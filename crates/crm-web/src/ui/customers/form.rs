//! Creating, editing and deleting customers.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Create and edit

/// What the customer form shows: the stored customer, or what was typed.
#[derive(Default)]
pub(super) struct CustomerFields {
    pub(super) name: String,
    pub(super) nature: String,
    pub(super) size: String,
    pub(super) industry: String,
    pub(super) province: String,
    pub(super) city: String,
    pub(super) district: String,
    pub(super) street: String,
    pub(super) postal_code: String,
    pub(super) region: String,
    pub(super) phone: String,
    pub(super) website: String,
    pub(super) source: String,
    pub(super) status: String,
    pub(super) notes: String,
    pub(super) owner_id: Option<i64>,
    pub(super) version: i32,
    /// Custom field values as `cf.<key>` pairs.
    pub(super) cf: Vec<(String, String)>,
}

impl CustomerFields {
    fn of(c: &Customer) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: c.name.clone(),
            nature: s(&c.nature),
            size: s(&c.size),
            industry: s(&c.industry),
            province: s(&c.province),
            city: s(&c.city),
            district: s(&c.district),
            street: s(&c.street),
            postal_code: s(&c.postal_code),
            region: s(&c.region),
            phone: s(&c.phone),
            website: s(&c.website),
            source: s(&c.source),
            status: c.status.clone(),
            notes: s(&c.notes),
            owner_id: Some(c.owner_id),
            version: c.version,
            cf: cfui::stored_pairs(&c.custom),
        }
    }

    /// Every field is sent: an empty one clears the stored value.
    fn input(&self, owner: bool, defs: &[CustomField]) -> CustomerInput {
        CustomerInput {
            name: Some(self.name.clone()),
            nature: Some(self.nature.clone()),
            size: Some(self.size.clone()),
            industry: Some(self.industry.clone()),
            province: Some(self.province.clone()),
            city: Some(self.city.clone()),
            district: Some(self.district.clone()),
            street: Some(self.street.clone()),
            postal_code: Some(self.postal_code.clone()),
            region: Some(self.region.clone()),
            phone: Some(self.phone.clone()),
            website: Some(self.website.clone()),
            source: Some(self.source.clone()),
            status: Some(self.status.clone()),
            notes: Some(self.notes.clone()),
            owner_id: if owner { self.owner_id } else { None },
            custom_fields: cfui::form_values(defs, &self.cf),
        }
    }
}

#[derive(Deserialize)]
pub struct CustomerForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) nature: String,
    #[serde(default)]
    pub(super) size: String,
    #[serde(default)]
    pub(super) industry: String,
    #[serde(default)]
    pub(super) province: String,
    #[serde(default)]
    pub(super) city: String,
    #[serde(default)]
    pub(super) district: String,
    #[serde(default)]
    pub(super) street: String,
    #[serde(default)]
    pub(super) postal_code: String,
    #[serde(default)]
    pub(super) region: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) website: String,
    #[serde(default)]
    pub(super) source: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) notes: String,
    pub(super) owner_id: Option<String>,
    pub(super) version: Option<i32>,
}

impl CustomerForm {
    fn fields(&self, pairs: Vec<(String, String)>) -> CustomerFields {
        CustomerFields {
            name: self.name.clone(),
            nature: self.nature.clone(),
            size: self.size.clone(),
            industry: self.industry.clone(),
            province: self.province.clone(),
            city: self.city.clone(),
            district: self.district.clone(),
            street: self.street.clone(),
            postal_code: self.postal_code.clone(),
            region: self.region.clone(),
            phone: self.phone.clone(),
            website: self.website.clone(),
            source: self.source.clone(),
            status: self.status.clone(),
            notes: self.notes.clone(),
            owner_id: opt_id(&self.owner_id),
            version: self.version.unwrap_or(0),
            cf: cfui::only_custom(pairs),
        }
    }
}

#[derive(Template)]
#[template(path = "customer_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// None for a new customer.
    pub(super) customer: Option<Customer>,
    pub(super) f: CustomerFields,
    pub(super) natures: Vec<Opt>,
    pub(super) sizes: Vec<Opt>,
    pub(super) statuses: Vec<Opt>,
    pub(super) sources: Vec<Opt>,
    /// Only for a new customer, and only when the user's scope covers other people.
    pub(super) owners: Option<Vec<Opt>>,
    /// The custom fields.
    pub(super) cf: Vec<CfInput>,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.customer {
            Some(c) => format!("/customers/{}", c.id),
            None => "/customers".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match &self.customer {
            Some(c) => format!("/customers/{}", c.id),
            None => "/customers".to_string(),
        }
    }
}

/// Whether the owner select is offered: the user's scope covers others.
pub(super) fn offers_owner(s: &UiSession) -> bool {
    s.principal.scope() != DataScope::Own
}

pub(super) async fn form_page(
    state: &AppState,
    s: &UiSession,
    customer: Option<Customer>,
    f: CustomerFields,
    errors: FormErrors,
) -> Response {
    let owners = if customer.is_none() && offers_owner(s) {
        match active_users(state, s).await {
            Ok(users) => Some(user_opts(&users, f.owner_id)),
            Err(e) => return error_page(s.tr, e),
        }
    } else {
        None
    };
    let tr = s.tr;
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let page = FormPage {
        cf: cfui::inputs(tr, &defs, &f.cf, &errors, "", false),
        l: s.layout("customers"),
        natures: choice_opts(tr, "nature", &natures(), &f.nature),
        sizes: choice_opts(tr, "size", &sizes(), &f.size),
        statuses: choice_opts(tr, "status", &statuses(), &f.status),
        sources: choice_opts(tr, "source", &sources(), &f.source),
        customer,
        f,
        owners,
        errors,
    };
    let status = unprocessable_if(page.errors.any());
    (status, render(&page)).into_response()
}

pub async fn new_form(State(state): State<AppState>, s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::Create) {
        return error_page(s.tr, e.into());
    }
    let f = CustomerFields {
        status: Status::Potential.as_str().to_string(),
        ..Default::default()
    };
    form_page(&state, &s, None, f, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    CfForm(f, pairs): CfForm<CustomerForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let fields = f.fields(pairs);
    let input = fields.input(offers_owner(&s), &defs);
    match customers::create(&state.core, &s.principal, input).await {
        Ok(c) => Redirect::to(&format!("/customers/{}?flash=created", c.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = FormErrors::from_fields(s.tr, &errs);
            form_page(&state, &s, None, fields, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let v = match customers::get(&state.core, &s.principal, id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    if v.access < Access::Edit {
        return error_page(s.tr, ServiceError::Forbidden);
    }
    let f = CustomerFields::of(&v.customer);
    form_page(&state, &s, Some(v.customer), f, FormErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(f, pairs): CfForm<CustomerForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match customers::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let fields = f.fields(pairs);
    let input = fields.input(false, &defs);
    match customers::update(&state.core, &s.principal, id, fields.version, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let v = match customers::get(&state.core, &s.principal, id).await {
                Ok(v) => v,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            form_page(&state, &s, Some(v.customer), fields, errors).await
        }
        Err(e) => error_page(s.tr, e),
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
    match customers::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/customers?flash=deleted").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
