//! User administration: the filtered directory, create, edit (role, department, manager,
//! deactivation, password reset).

use super::departments::tree;
use super::saved_view::{param, query_of, SavedView, Step};
use super::{error_page, opt_id, render, FormErrors, Layout, UiSession};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use crm_domain::{Action, Module, Role};
use crm_service::users::{self, NewUserInput, User, UserPatch};
use crm_service::ServiceError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Remembers the last filter of the user list.
pub const VIEW_COOKIE: &str = "crm_view_users";
const PAGE_SIZE: u64 = 50;
/// The query keys that make up a saved view of the list.
const FILTER_KEYS: [&str; 4] = ["q", "department_id", "role", "active"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/new", get(new_form))
        .route("/admin/users/{id}", get(edit).post(update))
}

/// One `<option>` of a select, with its label already translated.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

fn role_opts(s: &UiSession, selected: &str) -> Vec<Opt> {
    Role::ALL
        .iter()
        .map(|r| {
            Opt::new(
                r.as_str(),
                s.tr.t(&format!("role.{}", r.as_str())),
                r.as_str() == selected,
            )
        })
        .collect()
}

async fn department_opts(
    state: &AppState,
    s: &UiSession,
    selected: Option<i64>,
) -> Result<Vec<Opt>, ServiceError> {
    let all = crm_service::departments::list(&state.core, &s.principal).await?;
    Ok(tree(all)
        .into_iter()
        .map(|r| {
            Opt::new(
                r.d.id.to_string(),
                format!("{}{}", r.indent, r.d.name),
                selected == Some(r.d.id),
            )
        })
        .collect())
}

/// Every active user, for the manager select.
async fn active_users(state: &AppState, s: &UiSession) -> Result<Vec<User>, ServiceError> {
    let filter = crm_store::users::Filter {
        active: Some(true),
        ..Default::default()
    };
    let mut out: Vec<User> = Vec::new();
    loop {
        let after = out.last().map(|u| u.id);
        let batch = users::list(&state.core, &s.principal, &filter, after, 500).await?;
        let done = batch.len() < 500;
        out.extend(batch);
        if done {
            return Ok(out);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The list

pub struct UserRow {
    pub u: User,
    pub role_label: String,
    pub department: String,
    pub manager: String,
    pub email: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct ListPage {
    l: Layout,
    rows: Vec<UserRow>,
    q: String,
    departments: Vec<Opt>,
    roles: Vec<Opt>,
    actives: Vec<Opt>,
    next_href: Option<String>,
    first_href: Option<String>,
    can_create: bool,
    can_edit: bool,
}

pub async fn list(
    State(state): State<AppState>,
    s: UiSession,
    jar: CookieJar,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = s.principal.require(Module::System, Action::View) {
        return error_page(s.tr, e.into());
    }
    let has_filter = pairs.iter().any(|(k, _)| FILTER_KEYS.contains(&k.as_str()));
    let view = SavedView {
        cookie: VIEW_COOKIE,
        path: "/admin/users",
    };
    let jar = match view.step(
        &state,
        jar,
        &pairs,
        &FILTER_KEYS,
        has_filter,
        s.flash.as_deref(),
    ) {
        Step::Go(r) => return r,
        Step::Show(jar) => jar,
    };

    let q: Option<String> = param(&pairs, "q").map(|v| v.chars().take(100).collect());
    let department_id = param(&pairs, "department_id").and_then(|v| v.parse::<i64>().ok());
    let role = param(&pairs, "role").and_then(|v| v.parse::<Role>().ok());
    let active = match param(&pairs, "active") {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let cursor = param(&pairs, "cursor").and_then(|v| v.parse::<i64>().ok());
    let filter = crm_store::users::Filter {
        q: q.clone(),
        department_id,
        active,
        role: role.map(|r| r.as_str().to_string()),
    };
    let mut rows =
        match users::list(&state.core, &s.principal, &filter, cursor, PAGE_SIZE + 1).await {
            Ok(v) => v,
            Err(e) => return error_page(s.tr, e),
        };
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);

    let depts = match crm_service::departments::list(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let dept_names: BTreeMap<i64, String> = depts.iter().map(|d| (d.id, d.name.clone())).collect();
    let mut manager_ids: Vec<i64> = rows.iter().filter_map(|u| u.manager_id).collect();
    manager_ids.sort_unstable();
    manager_ids.dedup();
    let managers: BTreeMap<i64, String> =
        match crm_store::users::names(&state.core.db, &manager_ids).await {
            Ok(v) => v.into_iter().collect(),
            Err(e) => return error_page(s.tr, e.into()),
        };
    let none = s.tr.t("common.none");
    let view = query_of(&pairs, &FILTER_KEYS);
    let base = if view.is_empty() {
        // Keep a filter key so the link is not redirected to a saved view.
        "q=".to_string()
    } else {
        view
    };
    let next_href = match rows.last() {
        Some(last) if more => Some(format!("/admin/users?{base}&cursor={}", last.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| format!("/admin/users?{base}"));
    let rows = rows
        .into_iter()
        .map(|u| UserRow {
            role_label: s.tr.t(&format!("role.{}", u.role)),
            department: u
                .department_id
                .and_then(|d| dept_names.get(&d).cloned())
                .unwrap_or_else(|| none.clone()),
            manager: u
                .manager_id
                .and_then(|m| managers.get(&m).cloned())
                .unwrap_or_else(|| none.clone()),
            email: u.email.clone().unwrap_or_else(|| none.clone()),
            u,
        })
        .collect();
    let mut departments = vec![Opt::new("", s.tr.t("common.all"), department_id.is_none())];
    departments.extend(tree(depts).into_iter().map(|r| {
        Opt::new(
            r.d.id.to_string(),
            format!("{}{}", r.indent, r.d.name),
            department_id == Some(r.d.id),
        )
    }));
    let mut roles = vec![Opt::new("", s.tr.t("common.all"), role.is_none())];
    roles.extend(role_opts(&s, role.map_or("", |r| r.as_str())));
    let actives = vec![
        Opt::new("", s.tr.t("common.all"), active.is_none()),
        Opt::new("yes", s.tr.t("common.active"), active == Some(true)),
        Opt::new("no", s.tr.t("common.inactive"), active == Some(false)),
    ];
    let page = ListPage {
        l: s.layout("users"),
        rows,
        q: q.unwrap_or_default(),
        departments,
        roles,
        actives,
        next_href,
        first_href,
        can_create: s.principal.can(Module::System, Action::Create),
        can_edit: s.principal.can(Module::System, Action::Edit),
    };
    (jar, render(&page)).into_response()
}

// ---------------------------------------------------------------------------------------
// Create and edit

/// What the form shows: the stored user, or what was typed.
struct Fields {
    username: String,
    display_name: String,
    role: String,
    department_id: Option<i64>,
    manager_id: Option<i64>,
    email: String,
    active: bool,
    version: i32,
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    l: Layout,
    /// None for a new user.
    user: Option<User>,
    username: String,
    display_name: String,
    email: String,
    active: bool,
    version: i32,
    roles: Vec<Opt>,
    departments: Vec<Opt>,
    managers: Vec<Opt>,
    errors: FormErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.user {
            Some(u) => format!("/admin/users/{}", u.id),
            None => "/admin/users".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &UiSession,
    user: Option<User>,
    f: Fields,
    errors: FormErrors,
) -> Response {
    let departments = match department_opts(state, s, f.department_id).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let candidates = match active_users(state, s).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let own_id = user.as_ref().map(|u| u.id);
    let managers = candidates
        .into_iter()
        .filter(|m| Some(m.id) != own_id)
        .map(|m| {
            Opt::new(
                m.id.to_string(),
                format!("{} ({})", m.display_name, m.username),
                f.manager_id == Some(m.id),
            )
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        l: s.layout("users"),
        user,
        username: f.username,
        display_name: f.display_name,
        email: f.email,
        active: f.active,
        version: f.version,
        roles: role_opts(s, &f.role),
        departments,
        managers,
        errors,
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    department_id: Option<String>,
    manager_id: Option<String>,
    #[serde(default)]
    email: String,
    /// A checkbox: present when checked.
    active: Option<String>,
    version: Option<i32>,
}

impl UserForm {
    fn fields(&self) -> Fields {
        Fields {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role.clone(),
            department_id: opt_id(&self.department_id),
            manager_id: opt_id(&self.manager_id),
            email: self.email.clone(),
            active: self.active.is_some(),
            version: self.version.unwrap_or(0),
        }
    }
}

pub async fn new_form(State(state): State<AppState>, s: UiSession) -> Response {
    if let Err(e) = s.principal.require(Module::System, Action::Create) {
        return error_page(s.tr, e.into());
    }
    let f = Fields {
        username: String::new(),
        display_name: String::new(),
        role: Role::SalesRep.as_str().to_string(),
        department_id: None,
        manager_id: None,
        email: String::new(),
        active: true,
        version: 0,
    };
    form_page(&state, &s, None, f, FormErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: UiSession,
    Form(f): Form<UserForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let fields = f.fields();
    let email = f.email.trim();
    let input = NewUserInput {
        username: f.username.clone(),
        password: f.password.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        department_id: fields.department_id,
        manager_id: fields.manager_id,
        email: (!email.is_empty()).then(|| email.to_string()),
    };
    match users::create(&state.core, &s.principal, input).await {
        Ok(_) => Redirect::to("/admin/users?flash=created").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let errors = FormErrors::from_fields(s.tr, &errs);
            form_page(&state, &s, None, fields, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

pub async fn edit(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    if let Err(e) = s.principal.require(Module::System, Action::Edit) {
        return error_page(s.tr, e.into());
    }
    let u = match users::get(&state.core, &s.principal, id).await {
        Ok(u) => u,
        Err(e) => return error_page(s.tr, e),
    };
    let f = Fields {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.clone(),
        department_id: u.department_id,
        manager_id: u.manager_id,
        email: u.email.clone().unwrap_or_default(),
        active: u.active,
        version: u.version,
    };
    form_page(&state, &s, Some(u), f, FormErrors::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let fields = f.fields();
    let email = f.email.trim();
    let patch = UserPatch {
        display_name: Some(f.display_name.clone()),
        role: Some(f.role.clone()),
        department_id: Some(fields.department_id),
        manager_id: Some(fields.manager_id),
        active: Some(fields.active),
        email: Some((!email.is_empty()).then(|| email.to_string())),
        password: (!f.password.is_empty()).then(|| f.password.clone()),
    };
    match users::update(&state.core, &s.principal, id, fields.version, patch).await {
        Ok(_) => Redirect::to("/admin/users?flash=saved").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let u = match users::get(&state.core, &s.principal, id).await {
                Ok(u) => u,
                Err(e) => return error_page(s.tr, e),
            };
            let errors = FormErrors::from_fields(s.tr, &errs);
            let fields = Fields {
                username: u.username.clone(),
                ..fields
            };
            form_page(&state, &s, Some(u), fields, errors).await
        }
        Err(e) => error_page(s.tr, e),
    }
}
