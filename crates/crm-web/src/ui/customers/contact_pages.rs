//! Contacts: add from the customer page, edit, delete.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Contacts

/// The contact fields of the inline form and of the contact edit page. Absent fields are
/// left alone.
#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default, rename = "_csrf")]
    pub(super) csrf: String,
    pub(super) name: Option<String>,
    pub(super) title: Option<String>,
    pub(super) mobile: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) email: Option<String>,
    pub(super) address: Option<String>,
    pub(super) birthday: Option<String>,
    pub(super) notes: Option<String>,
    /// A checkbox: present when checked.
    pub(super) is_primary: Option<String>,
    pub(super) version: Option<i32>,
}

impl ContactForm {
    fn input(
        &self,
        customer_id: Option<i64>,
        defs: &[CustomField],
        pairs: &[(String, String)],
    ) -> ContactInput {
        ContactInput {
            customer_id,
            name: Some(self.name.clone().unwrap_or_default()),
            title: self.title.clone(),
            mobile: self.mobile.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            address: self.address.clone(),
            birthday: self.birthday.clone(),
            notes: self.notes.clone(),
            is_primary: Some(self.is_primary.is_some()),
            custom_fields: cfui::form_values(defs, pairs),
        }
    }
}

pub async fn add_contact(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(f, pairs): CfForm<ContactForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match contacts::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let pairs = cfui::only_custom(pairs);
    let input = f.input(Some(id), &defs, &pairs);
    match contacts::create(&state.core, &s.principal, input).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?flash=saved#contacts")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = Drafts {
                contact: ContactDraft {
                    name: f.name.unwrap_or_default(),
                    title: f.title.unwrap_or_default(),
                    mobile: f.mobile.unwrap_or_default(),
                    email: f.email.unwrap_or_default(),
                    primary: f.is_primary.is_some(),
                    cf: pairs,
                },
                contact_errors: FormErrors::from_fields(s.tr, &errs),
                ..Default::default()
            };
            show_page(&state, &s, id, d).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

/// What the contact form shows: the stored contact, or what was typed.
pub(super) struct ContactFields {
    pub(super) name: String,
    pub(super) title: String,
    pub(super) mobile: String,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) address: String,
    pub(super) birthday: String,
    pub(super) notes: String,
    pub(super) is_primary: bool,
    pub(super) version: i32,
    /// Custom field values as `cf.<key>` pairs.
    pub(super) cf: Vec<(String, String)>,
}

impl ContactFields {
    fn of(c: &Contact) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: c.name.clone(),
            title: s(&c.title),
            mobile: s(&c.mobile),
            phone: s(&c.phone),
            email: s(&c.email),
            address: s(&c.address),
            birthday: c
                .birthday
                .map(|b| b.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            notes: s(&c.notes),
            is_primary: c.is_primary,
            version: c.version,
            cf: cfui::stored_pairs(&c.custom),
        }
    }

    fn typed(f: &ContactForm, pairs: Vec<(String, String)>) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: s(&f.name),
            title: s(&f.title),
            mobile: s(&f.mobile),
            phone: s(&f.phone),
            email: s(&f.email),
            address: s(&f.address),
            birthday: s(&f.birthday),
            notes: s(&f.notes),
            is_primary: f.is_primary.is_some(),
            version: f.version.unwrap_or(0),
            cf: pairs,
        }
    }
}

#[derive(Template)]
#[template(path = "customer_contact_form.html")]
pub(super) struct ContactPage {
    pub(super) l: Layout,
    pub(super) contact: Contact,
    pub(super) customer: Customer,
    pub(super) f: ContactFields,
    /// The custom fields.
    pub(super) cf: Vec<CfInput>,
    pub(super) errors: FormErrors,
    pub(super) can_delete: bool,
}

pub(super) async fn contact_page(
    state: &AppState,
    s: &UiSession,
    contact: Contact,
    f: ContactFields,
    errors: FormErrors,
) -> Response {
    let v = match customers::get(&state.core, &s.principal, contact.customer_id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    if v.access < Access::Edit {
        return error_page(s.tr, ServiceError::Forbidden);
    }
    let defs = match contacts::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let page = ContactPage {
        cf: cfui::inputs(s.tr, &defs, &f.cf, &errors, "", false),
        l: s.layout("customers"),
        contact,
        customer: v.customer,
        f,
        can_delete: s.principal.can(Module::Customers, Action::Delete),
        errors,
    };
    let status = unprocessable_if(page.errors.any());
    (status, render(&page)).into_response()
}

pub async fn contact_edit(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
) -> Response {
    if let Err(e) = s.principal.require(Module::Customers, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let c = match contacts::get(&state.core, &s.principal, id).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, e),
    };
    let f = ContactFields::of(&c);
    contact_page(&state, &s, c, f, FormErrors::default()).await
}

pub async fn contact_update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    CfForm(f, pairs): CfForm<ContactForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let defs = match contacts::field_defs(&state.core.db).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let pairs = cfui::only_custom(pairs);
    let version = f.version.unwrap_or(0);
    let input = f.input(None, &defs, &pairs);
    match contacts::update(&state.core, &s.principal, id, version, input).await {
        Ok(c) => Redirect::to(&format!(
            "/customers/{}?flash=saved#contacts",
            c.customer_id
        ))
        .into_response(),
        Err(ServiceError::Validation(errs)) => {
            let c = match contacts::get(&state.core, &s.principal, id).await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            contact_page(&state, &s, c, ContactFields::typed(&f, pairs), errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn contact_delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let c = match contacts::get(&state.core, &s.principal, id).await {
        Ok(c) => c,
        Err(e) => return error_page(s.tr, e),
    };
    match contacts::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to(&format!(
            "/customers/{}?flash=deleted#contacts",
            c.customer_id
        ))
        .into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
