//! Department administration: the tree, create, edit, delete.

use super::{error_page, opt_id, render, FormErrors, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use crm_service::departments::{self, Department, DepartmentInput};
use crm_service::ServiceError;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/departments", get(list).post(create))
        .route("/admin/departments/{id}", get(edit).post(update))
        .route("/admin/departments/{id}/delete", post(delete))
}

/// A department with its depth in the tree, for indented display.
pub struct TreeRow {
    pub d: Department,
    pub depth: usize,
    pub indent: String,
}

/// Orders departments depth-first under their parents.
pub fn tree(all: Vec<Department>) -> Vec<TreeRow> {
    fn walk(all: &[Department], parent: Option<i64>, depth: usize, out: &mut Vec<TreeRow>) {
        for d in all.iter().filter(|d| d.parent_id == parent) {
            out.push(TreeRow {
                d: d.clone(),
                depth,
                indent: "\u{3000}".repeat(depth),
            });
            walk(all, Some(d.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&all, None, 0, &mut out);
    // Departments whose parent is deleted still show, at the top level.
    for d in &all {
        if !out.iter().any(|r| r.d.id == d.id) {
            out.push(TreeRow {
                d: d.clone(),
                depth: 0,
                indent: String::new(),
            });
        }
    }
    out
}

#[derive(Template)]
#[template(path = "departments.html")]
struct ListPage {
    l: Layout,
    rows: Vec<TreeRow>,
    form_name: String,
    form_parent: Option<i64>,
    errors: FormErrors,
    can_edit: bool,
}

impl ListPage {
    fn sel<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.form_parent == Some(*id.borrow())
    }
}

#[derive(Template)]
#[template(path = "department_edit.html")]
struct EditPage {
    l: Layout,
    d: Department,
    rows: Vec<TreeRow>,
    form_name: String,
    form_parent: Option<i64>,
    errors: FormErrors,
}

impl EditPage {
    fn sel<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.form_parent == Some(*id.borrow())
    }
}

#[derive(Deserialize)]
pub struct DeptForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    name: String,
    parent_id: Option<String>,
    version: Option<i32>,
}

async fn list_page(
    state: &AppState,
    s: &UiSession,
    name: String,
    parent: Option<i64>,
    errors: FormErrors,
) -> Response {
    let all = match departments::list(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ListPage {
        l: s.layout("departments"),
        rows: tree(all),
        form_name: name,
        form_parent: parent,
        errors,
        can_edit: s
            .principal
            .can(crm_domain::Module::System, crm_domain::Action::Create),
    };
    (status, render(&page)).into_response()
}

pub async fn list(State(state): State<AppState>, s: UiSession) -> Response {
    list_page(&state, &s, String::new(), None, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<DeptForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let parent = opt_id(&f.parent_id);
    let input = DepartmentInput {
        name: f.name.clone(),
        parent_id: parent,
    };
    match departments::create(&state.core, &s.principal, input).await {
        Ok(_) => Redirect::to("/admin/departments?flash=created").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = FormErrors::from_fields(s.tr, &errs);
            list_page(&state, &s, f.name, parent, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    let d = match departments::get(&state.core, &s.principal, id).await {
        Ok(d) => d,
        Err(e) => return error_page(s.tr, e),
    };
    edit_page(
        &state,
        &s,
        d.name.clone(),
        d.parent_id,
        d,
        FormErrors::default(),
    )
    .await
}

async fn edit_page(
    state: &AppState,
    s: &UiSession,
    name: String,
    parent: Option<i64>,
    d: Department,
    errors: FormErrors,
) -> Response {
    let all = match departments::list(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EditPage {
        l: s.layout("departments"),
        rows: tree(all).into_iter().filter(|r| r.d.id != d.id).collect(),
        d,
        form_name: name,
        form_parent: parent,
        errors,
    };
    (status, render(&page)).into_response()
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<DeptForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let parent = opt_id(&f.parent_id);
    let input = DepartmentInput {
        name: f.name.clone(),
        parent_id: parent,
    };
    let version = f.version.unwrap_or(0);
    match departments::update(&state.core, &s.principal, id, version, input).await {
        Ok(_) => Redirect::to("/admin/departments?flash=saved").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let d = match departments::get(&state.core, &s.principal, id).await {
                Ok(d) => d,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            edit_page(&state, &s, f.name, parent, d, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<DeptForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match departments::delete(&state.core, &s.principal, id, f.version.unwrap_or(0)).await {
        Ok(()) => Redirect::to("/admin/departments?flash=deleted").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
