//! Creating, editing and deleting competitors. Every field is sent: an empty one clears
//! the stored value.

use super::*;

/// What the form shows: the stored competitor, or what was typed.
#[derive(Default, Deserialize)]
pub struct CompetitorForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) website: String,
    #[serde(default)]
    pub(super) strengths: String,
    #[serde(default)]
    pub(super) weaknesses: String,
    #[serde(default)]
    pub(super) products: String,
    #[serde(default)]
    pub(super) market_share: String,
    #[serde(default)]
    pub(super) notes: String,
    pub(super) version: Option<i32>,
}

impl CompetitorForm {
    fn of(c: &competitors::Competitor) -> Self {
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            csrf: String::new(),
            name: c.name.clone(),
            website: t(&c.website),
            strengths: t(&c.strengths),
            weaknesses: t(&c.weaknesses),
            products: t(&c.products),
            market_share: t(&c.market_share),
            notes: t(&c.notes),
            version: Some(c.version),
        }
    }

    fn input(&self) -> CompetitorInput {
        CompetitorInput {
            name: Some(self.name.clone()),
            website: Some(self.website.clone()),
            strengths: Some(self.strengths.clone()),
            weaknesses: Some(self.weaknesses.clone()),
            products: Some(self.products.clone()),
            market_share: Some(self.market_share.clone()),
            notes: Some(self.notes.clone()),
        }
    }
}

/// A multi-line field of the form.
pub(super) struct TextArea {
    pub(super) field: &'static str,
    pub(super) label: String,
    pub(super) value: String,
    pub(super) rows: u8,
}

#[derive(Template)]
#[template(path = "competitor_form.html")]
pub(super) struct FormPage {
    pub(super) l: Layout,
    /// None for a new competitor.
    pub(super) id: Option<i64>,
    pub(super) f: CompetitorForm,
    pub(super) areas: Vec<TextArea>,
    pub(super) text_max: usize,
    pub(super) errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/competitors/{id}"),
            None => "/competitors".to_string(),
        }
    }
    fn cancel(&self) -> String {
        match self.id {
            Some(id) => format!("/competitors/{id}"),
            None => "/competitors".to_string(),
        }
    }
}

fn form_page(s: &UiSession, id: Option<i64>, f: CompetitorForm, errors: FormErrors) -> Response {
    let tr = s.tr;
    let area = |field: &'static str, value: &str, rows: u8| TextArea {
        field,
        label: tr.t(&format!("competitors.{field}")),
        value: value.to_string(),
        rows,
    };
    let areas = vec![
        area("strengths", &f.strengths, 3),
        area("weaknesses", &f.weaknesses, 3),
        area("products", &f.products, 4),
        area("market_share", &f.market_share, 2),
        area("notes", &f.notes, 3),
    ];
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("competitors"),
        id,
        f,
        areas,
        text_max: competitors::TEXT_MAX,
        errors,
    };
    (status, render(&page)).into_response()
}

pub async fn new_form(s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Create) {
        return fail(s.tr, e.into());
    }
    form_page(&s, None, CompetitorForm::default(), FormErrors::default())
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<CompetitorForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match competitors::create(&state.core, &s.principal, f.input()).await {
        Ok(c) => Redirect::to(&format!("/competitors/{}?flash=created", c.id)).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs, false);
            form_page(&s, None, f, errors)
        }
        Err(e) => fail(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::Market, Action::Edit) {
        return fail(s.tr, e.into());
    }
    match competitors::get(&state.core, &s.principal, id).await {
        Ok(v) => form_page(
            &s,
            Some(id),
            CompetitorForm::of(&v.competitor),
            FormErrors::default(),
        ),
        Err(e) => fail(s.tr, e),
    }
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<CompetitorForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let version = f.version.unwrap_or(0);
    match competitors::update(&state.core, &s.principal, id, version, f.input()).await {
        Ok(_) => Redirect::to(&format!("/competitors/{id}?flash=saved")).into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = form_errors(s.tr, &errs, false);
            form_page(&s, Some(id), f, errors)
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
    match competitors::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/competitors?flash=deleted").into_response(),
        Err(e) => fail(s.tr, e),
    }
}
