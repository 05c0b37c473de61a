//! Administration of custom fields (自定义字段): the definitions of both record types, a
//! create form, and an edit page (labels, required, options, position, active).

use super::users::Opt;
use super::{error_page, render, FormErrors, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use crm_domain::custom_field::{FieldEntity, FieldType};
use crm_domain::{Action, Module};
use crm_service::custom_fields::{self, CustomField, FieldInput};
use crm_service::ServiceError;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/custom-fields", get(list).post(create))
        .route("/admin/custom-fields/{id}", get(edit).post(update))
}

/// One definition in the table.
pub struct FieldRow {
    pub f: CustomField,
    pub label: String,
    pub kind: String,
    pub options: String,
}

/// The definitions of one record type.
pub struct Section {
    pub entity: &'static str,
    pub title: String,
    pub rows: Vec<FieldRow>,
}

/// What the create form shows: empty, or what a rejected submission typed.
#[derive(Default)]
pub struct Draft {
    pub entity: String,
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub field_type: String,
    pub required: bool,
    pub options: String,
    pub position: String,
    pub active: bool,
    pub version: i32,
}

#[derive(Template)]
#[template(path = "custom_fields.html")]
struct ListPage {
    l: Layout,
    sections: Vec<Section>,
    entities: Vec<Opt>,
    types: Vec<Opt>,
    d: Draft,
    errors: FormErrors,
    can_create: bool,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "custom_field_edit.html")]
struct EditPage {
    l: Layout,
    f: CustomField,
    entity: String,
    kind: String,
    has_options: bool,
    d: Draft,
    errors: FormErrors,
}

fn type_label(tr: Tr, t: &str) -> String {
    tr.t(&format!("cf_type.{t}"))
}

fn type_opts(tr: Tr, selected: &str) -> Vec<Opt> {
    FieldType::ALL
        .iter()
        .map(|t| {
            Opt::new(
                t.as_str(),
                type_label(tr, t.as_str()),
                t.as_str() == selected,
            )
        })
        .collect()
}

fn entity_opts(tr: Tr, selected: &str) -> Vec<Opt> {
    FieldEntity::ALL
        .iter()
        .map(|e| {
            Opt::new(
                e.as_str(),
                tr.t(&format!("cf_entity.{}", e.as_str())),
                e.as_str() == selected,
            )
        })
        .collect()
}

/// Options typed one per line.
fn option_lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn status_of(errors: &FormErrors) -> StatusCode {
    if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

async fn list_page(state: &AppState, s: &UiSession, d: Draft, errors: FormErrors) -> Response {
    let tr = s.tr;
    let all = match custom_fields::list(&state.core, &s.principal, None, true).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let sections = FieldEntity::ALL
        .iter()
        .map(|e| Section {
            entity: e.as_str(),
            title: tr.t(&format!("custom_fields.list_{}", e.as_str())),
            rows: all
                .iter()
                .filter(|f| f.entity == e.as_str())
                .map(|f| FieldRow {
                    label: f.label(tr.is_zh()).to_string(),
                    kind: type_label(tr, &f.field_type),
                    options: f.option_list().join(&tr.t("common.list_separator")),
                    f: f.clone(),
                })
                .collect(),
        })
        .collect();
    let entity = if d.entity.is_empty() {
        FieldEntity::Customer.as_str()
    } else {
        d.entity.as_str()
    };
    let field_type = if d.field_type.is_empty() {
        FieldType::Text.as_str()
    } else {
        d.field_type.as_str()
    };
    let page = ListPage {
        l: s.layout("custom_fields"),
        sections,
        entities: entity_opts(tr, entity),
        types: type_opts(tr, field_type),
        can_create: s.principal.can(Module::System, Action::Create),
        can_edit: s.principal.can(Module::System, Action::Edit),
        d,
        errors,
    };
    (status_of(&page.errors), render(&page)).into_response()
}

pub async fn list(State(state): State<AppState>, s: UiSession) -> Response {
    list_page(&state, &s, Draft::default(), FormErrors::default()).await
}

#[derive(Deserialize)]
pub struct FieldForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    label_zh: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    field_type: String,
    /// A checkbox: present when ticked.
    required: Option<String>,
    #[serde(default)]
    options: String,
    #[serde(default)]
    position: String,
    /// A checkbox: present when ticked.
    active: Option<String>,
    version: Option<i32>,
}

impl FieldForm {
    fn draft(&self) -> Draft {
        Draft {
            entity: self.entity.clone(),
            key: self.key.clone(),
            label_zh: self.label_zh.clone(),
            label_en: self.label_en.clone(),
            field_type: self.field_type.clone(),
            required: self.required.is_some(),
            options: self.options.clone(),
            position: self.position.clone(),
            active: self.active.is_some(),
            version: self.version.unwrap_or(0),
        }
    }

    /// The position typed, or an error under `position`.
    fn position(&self) -> Result<Option<i32>, ServiceError> {
        match self.position.trim() {
            "" => Ok(None),
            p => p.parse::<i32>().map(Some).map_err(|_| {
                ServiceError::field("position", "invalid_number", "Enter a whole number")
            }),
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<FieldForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let result = match f.position() {
        Ok(position) => {
            let input = FieldInput {
                entity: Some(f.entity.clone()),
                key: Some(f.key.clone()),
                field_type: Some(f.field_type.clone()),
                label_zh: Some(f.label_zh.clone()),
                label_en: Some(f.label_en.clone()),
                required: Some(f.required.is_some()),
                options: Some(option_lines(&f.options)),
                position,
                active: None,
            };
            custom_fields::create(&state.core, &s.principal, input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/admin/custom-fields?flash=created").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = FormErrors::from_fields(s.tr, &errs);
            list_page(&state, &s, f.draft(), errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

fn edit_page(s: &UiSession, f: CustomField, d: Draft, errors: FormErrors) -> Response {
    let tr = s.tr;
    let page = EditPage {
        l: s.layout("custom_fields"),
        entity: tr.t(&format!("cf_entity.{}", f.entity)),
        kind: type_label(tr, &f.field_type),
        has_options: f.kind().has_options(),
        f,
        d,
        errors,
    };
    (status_of(&page.errors), render(&page)).into_response()
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::System, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let f = match custom_fields::get(&state.core, &s.principal, id).await {
        Ok(f) => f,
        Err(e) => return error_page(s.tr, e),
    };
    let d = Draft {
        entity: f.entity.clone(),
        key: f.key.clone(),
        label_zh: f.label_zh.clone(),
        label_en: f.label_en.clone(),
        field_type: f.field_type.clone(),
        required: f.required,
        options: f.option_list().join("\n"),
        position: f.position.to_string(),
        active: f.active,
        version: f.version,
    };
    edit_page(&s, f, d, FormErrors::default())
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<FieldForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let result = match f.position() {
        Ok(position) => {
            let input = FieldInput {
                label_zh: Some(f.label_zh.clone()),
                label_en: Some(f.label_en.clone()),
                required: Some(f.required.is_some()),
                options: Some(option_lines(&f.options)),
                position,
                active: Some(f.active.is_some()),
                ..Default::default()
            };
            let version = f.version.unwrap_or(0);
            custom_fields::update(&state.core, &s.principal, id, version, input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/admin/custom-fields?flash=saved").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let current = match custom_fields::get(&state.core, &s.principal, id).await {
                Ok(c) => c,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            edit_page(&s, current, f.draft(), errors)
        }
        Err(e) => error_page(s.tr, e),
    }
}
