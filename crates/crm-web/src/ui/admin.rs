//! Administration pages: role policies, the audit trail and the recycle bin.

use super::users::Opt;
use super::{error_page, render, urlencode, Layout, UiSession};
use crate::i18n::Tr;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use crm_domain::{Action, DataScope, Module, Role};
use crm_service::roles::{self, RoleView};
use crm_service::ServiceError;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const PAGE_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/roles", get(roles_page))
        .route("/admin/roles/{role}", post(role_update))
        .route("/admin/audit", get(audit_page))
        .route("/admin/recycle", get(recycle_page))
        .route("/admin/recycle/{id}/restore", post(restore))
}

/// A label from the catalogue, or the raw value when the catalogue has none.
fn label_or(tr: Tr, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}.{value}");
    let text = tr.t(&key);
    if text == key {
        value.to_string()
    } else {
        text
    }
}

async fn user_names(state: &AppState, ids: &[i64]) -> Result<BTreeMap<i64, String>, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(crm_store::users::names(&state.core.db, &ids)
        .await?
        .into_iter()
        .collect())
}

// ---------------------------------------------------------------------------------------
// Roles

pub struct Cell {
    pub id: String,
    /// "Module · Action", for screen readers.
    pub label: String,
    pub value: String,
    pub checked: bool,
}

pub struct MatrixRow {
    pub label: String,
    pub cells: Vec<Cell>,
}

pub struct RoleCard {
    pub key: &'static str,
    pub label: String,
    pub version: i32,
    pub scopes: Vec<Opt>,
    pub rows: Vec<MatrixRow>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    l: Layout,
    actions: Vec<String>,
    cards: Vec<RoleCard>,
    can_edit: bool,
}

/// What a rejected submission asked for, shown again in its card.
struct Rejected {
    role: Role,
    version: i32,
    scope: String,
    perms: BTreeSet<String>,
    message: String,
}

fn card(tr: Tr, v: &RoleView, rejected: Option<&Rejected>) -> RoleCard {
    let key = v.role.as_str();
    let checked = |m: Module, a: Action| match rejected {
        Some(r) => r.perms.contains(&format!("{}:{}", m.as_str(), a.as_str())),
        None => v.policy.allows(m, a),
    };
    let scope = rejected.map_or(v.policy.scope.as_str(), |r| r.scope.as_str());
    RoleCard {
        key,
        label: tr.t(&format!("role.{key}")),
        version: rejected.map_or(v.version, |r| r.version),
        scopes: DataScope::ALL
            .iter()
            .map(|d| {
                Opt::new(
                    d.as_str(),
                    tr.t(&format!("scope.{}", d.as_str())),
                    d.as_str() == scope,
                )
            })
            .collect(),
        rows: Module::ALL
            .iter()
            .map(|m| MatrixRow {
                label: tr.t(&format!("module.{}", m.as_str())),
                cells: Action::ALL
                    .iter()
                    .map(|a| Cell {
                        id: format!("perm-{key}-{}-{}", m.as_str(), a.as_str()),
                        label: format!(
                            "{} · {}",
                            tr.t(&format!("module.{}", m.as_str())),
                            tr.t(&format!("action.{}", a.as_str()))
                        ),
                        value: format!("{}:{}", m.as_str(), a.as_str()),
                        checked: checked(*m, *a),
                    })
                    .collect(),
            })
            .collect(),
        error: rejected.map(|r| r.message.clone()),
    }
}

async fn render_roles(state: &AppState, s: &UiSession, rejected: Option<Rejected>) -> Response {
    let views = match roles::list(&state.core, &s.principal).await {
        Ok(v) => v,
        Err(e) => return error_page(s.tr, e),
    };
    let status = if rejected.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let cards = views
        .iter()
        .map(|v| {
            let r = rejected.as_ref().filter(|r| r.role == v.role);
            card(s.tr, v, r)
        })
        .collect();
    let page = RolesPage {
        l: s.layout("roles"),
        actions: Action::ALL
            .iter()
            .map(|a| s.tr.t(&format!("action.{}", a.as_str())))
            .collect(),
        cards,
        can_edit: s.principal.can(Module::System, Action::Edit),
    };
    (status, render(&page)).into_response()
}

pub async fn roles_page(State(state): State<AppState>, s: UiSession) -> Response {
    render_roles(&state, &s, None).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    version: Option<i32>,
    #[serde(default)]
    scope: String,
    /// Repeated `module:action` checkboxes.
    #[serde(default)]
    perm: Vec<String>,
}

pub async fn role_update(
    State(state): State<AppState>,
    s: UiSession,
    Path(role): Path<String>,
    axum_extra::extract::Form(f): axum_extra::extract::Form<RoleForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    let mut modules: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &f.perm {
        if let Some((m, a)) = p.split_once(':') {
            modules
                .entry(m.to_string())
                .or_default()
                .push(a.to_string());
        }
    }
    let version = f.version.unwrap_or(0);
    match roles::update(
        &state.core,
        &s.principal,
        &role,
        version,
        &f.scope,
        &modules,
    )
    .await
    {
        Ok(_) => Redirect::to("/admin/roles?flash=role").into_response(),
        Err(ServiceError::Validation(errs)) => {
            let Ok(role) = role.parse::<Role>() else {
                return error_page(s.tr, ServiceError::NotFound);
            };
            let message = errs
                .0
                .values()
                .map(|v| s.tr.field_error(v.code, &v.message))
                .collect::<Vec<_>>()
                .join(" ");
            let rejected = Rejected {
                role,
                version,
                scope: f.scope,
                perms: f.perm.into_iter().collect(),
                message,
            };
            render_roles(&state, &s, Some(rejected)).await
        }
        Err(e) => error_page(s.tr, e),
    }
}

// ---------------------------------------------------------------------------------------
// Audit trail

pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
    entity_types: Vec<Opt>,
    actors: Vec<Opt>,
    next_href: Option<String>,
    first_href: Option<String>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    entity_type: Option<String>,
    actor: Option<String>,
    cursor: Option<String>,
}

/// The most changes shown per entry, and the longest value shown.
const MAX_CHANGES: usize = 6;
const MAX_VALUE: usize = 40;

fn short(v: Option<&Value>, none: &str) -> String {
    let text = match v {
        None | Some(Value::Null) => none.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > MAX_VALUE {
        let mut t: String = text.chars().take(MAX_VALUE - 1).collect();
        t.push('…');
        t
    } else {
        text
    }
}

/// `key: old → new` for each key whose value changed; one level of nested objects is
/// followed (`modules.sales: … → …`).
fn diff(before: Option<&str>, after: Option<&str>, none: &str) -> Vec<String> {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    let (b, a) = (parse(before), parse(after));
    let mut out = Vec::new();
    match (&b, &a) {
        (None, None) => {}
        (Some(Value::Object(_)) | None, Some(Value::Object(_)) | None) => {
            diff_into(&mut out, "", b.as_ref(), a.as_ref(), 1, none);
        }
        _ => out.push(format!(
            "{} → {}",
            short(b.as_ref(), none),
            short(a.as_ref(), none)
        )),
    }
    if out.len() > MAX_CHANGES {
        out.truncate(MAX_CHANGES);
        out.push("…".to_string());
    }
    out
}

fn obj(v: Option<&Value>) -> Option<&serde_json::Map<String, Value>> {
    match v {
        Some(Value::Object(o)) => Some(o),
        _ => None,
    }
}

fn diff_into(
    out: &mut Vec<String>,
    prefix: &str,
    b: Option<&Value>,
    a: Option<&Value>,
    depth: usize,
    none: &str,
) {
    let empty = serde_json::Map::new();
    let (bo, ao) = (obj(b).unwrap_or(&empty), obj(a).unwrap_or(&empty));
    let mut keys: Vec<&String> = ao.keys().collect();
    keys.extend(bo.keys().filter(|k| !ao.contains_key(*k)));
    for k in keys {
        let (old, new) = (bo.get(k), ao.get(k));
        if old == new {
            continue;
        }
        let name = format!("{prefix}{k}");
        let is_obj =
            |v: Option<&Value>| matches!(v, None | Some(Value::Object(_)) | Some(Value::Null));
        if depth > 0 && is_obj(old) && is_obj(new) {
            diff_into(out, &format!("{name}."), old, new, depth - 1, none);
        } else if b.is_none() {
            if !matches!(new, None | Some(Value::Null)) {
                out.push(format!("{name}: {}", short(new, none)));
            }
        } else if a.is_none() {
            if !matches!(old, None | Some(Value::Null)) {
                out.push(format!("{name}: {}", short(old, none)));
            }
        } else {
            out.push(format!(
                "{name}: {} → {}",
                short(old, none),
                short(new, none)
            ));
        }
    }
}

/// Every user (active or not), for the actor filter.
async fn all_users(state: &AppState, s: &UiSession) -> Result<Vec<(i64, String)>, ServiceError> {
    let filter = crm_store::users::Filter::default();
    let mut out: Vec<(i64, String)> = Vec::new();
    loop {
        let after = out.last().map(|u| u.0);
        let batch =
            crm_service::users::list(&state.core, &s.principal, &filter, after, 500).await?;
        let done = batch.len() < 500;
        out.extend(batch.into_iter().map(|u| (u.id, u.display_name)));
        if done {
            return Ok(out);
        }
    }
}

pub async fn audit_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<AuditQuery>,
) -> Response {
    let tr = s.tr;
    let entity_type = q
        .entity_type
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(50).collect::<String>());
    let actor = q
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse::<i64>().ok());
    let cursor = q
        .cursor
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok());
    let filter = crm_store::audit::Filter {
        entity_type: entity_type.clone(),
        entity_id: None,
        actor_id: actor,
    };
    let mut entries =
        match crm_service::audit::list(&state.core, &s.principal, &filter, cursor, PAGE_SIZE + 1)
            .await
        {
            Ok(v) => v,
            Err(e) => return error_page(tr, e),
        };
    let more = entries.len() as u64 > PAGE_SIZE;
    entries.truncate(PAGE_SIZE as usize);
    let actor_ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_id).collect();
    let names = match user_names(&state, &actor_ids).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let users = match all_users(&state, &s).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let none = tr.t("common.none");
    let system = tr.t("audit.system");
    let filter_query = format!(
        "entity_type={}&actor={}",
        urlencode(entity_type.as_deref().unwrap_or("")),
        actor.map(|a| a.to_string()).unwrap_or_default()
    );
    let next_href = match entries.last() {
        Some(last) if more => Some(format!("/admin/audit?{filter_query}&cursor={}", last.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| format!("/admin/audit?{filter_query}"));
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            id: e.id,
            at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: e.actor_id.map_or_else(
                || system.clone(),
                |a| names.get(&a).cloned().unwrap_or_else(|| format!("#{a}")),
            ),
            action: label_or(tr, "audit_action", &e.action),
            entity_type: label_or(tr, "entity", &e.entity_type),
            changes: diff(e.before.as_deref(), e.after.as_deref(), &none),
            entity_id: e.entity_id,
        })
        .collect();
    let mut entity_types = vec![Opt::new("", tr.t("common.all"), entity_type.is_none())];
    let mut known: Vec<&str> = vec![
        crm_service::users::ENTITY,
        crm_service::departments::ENTITY,
        crm_service::roles::ENTITY,
        crm_service::custom_fields::ENTITY,
    ];
    if let Some(t) = entity_type.as_deref() {
        if !known.contains(&t) {
            known.push(t);
        }
    }
    entity_types.extend(known.into_iter().map(|t| {
        Opt::new(
            t,
            label_or(tr, "entity", t),
            entity_type.as_deref() == Some(t),
        )
    }));
    let mut actors = vec![Opt::new("", tr.t("common.all"), actor.is_none())];
    actors.extend(
        users
            .into_iter()
            .map(|(id, name)| Opt::new(id.to_string(), name, actor == Some(id))),
    );
    let page = AuditPage {
        l: s.layout("audit"),
        rows,
        entity_types,
        actors,
        next_href,
        first_href,
    };
    render(&page)
}

// ---------------------------------------------------------------------------------------
// Recycle bin

pub struct BinRow {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub deleted_by: String,
    pub deleted_at: String,
}

#[derive(Template)]
#[template(path = "recycle.html")]
struct RecyclePage {
    l: Layout,
    rows: Vec<BinRow>,
    can_restore: bool,
    next_href: Option<String>,
    first_href: Option<String>,
}

#[derive(Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

pub async fn recycle_page(
    State(state): State<AppState>,
    s: UiSession,
    Query(q): Query<CursorQuery>,
) -> Response {
    let tr = s.tr;
    let cursor = q
        .cursor
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok());
    let mut entries =
        match crm_service::recycle::list(&state.core, &s.principal, cursor, PAGE_SIZE + 1).await {
            Ok(v) => v,
            Err(e) => return error_page(tr, e),
        };
    let more = entries.len() as u64 > PAGE_SIZE;
    entries.truncate(PAGE_SIZE as usize);
    let ids: Vec<i64> = entries.iter().filter_map(|e| e.deleted_by).collect();
    let names = match user_names(&state, &ids).await {
        Ok(v) => v,
        Err(e) => return error_page(tr, e),
    };
    let next_href = match entries.last() {
        Some(last) if more => Some(format!("/admin/recycle?cursor={}", last.id)),
        _ => None,
    };
    let first_href = cursor.map(|_| "/admin/recycle".to_string());
    let none = tr.t("common.none");
    let rows = entries
        .into_iter()
        .map(|e| BinRow {
            id: e.id,
            kind: label_or(tr, "entity", &e.entity_type),
            deleted_by: e.deleted_by.map_or_else(
                || none.clone(),
                |d| names.get(&d).cloned().unwrap_or_else(|| format!("#{d}")),
            ),
            deleted_at: e.deleted_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            label: e.label,
        })
        .collect();
    let page = RecyclePage {
        l: s.layout("recycle"),
        rows,
        can_restore: s.principal.can(Module::System, Action::Delete),
        next_href,
        first_href,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn restore(
    State(state): State<AppState>,
    s: UiSession,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CsrfForm>,
) -> Response {
    if let Err(r) = s.check_csrf(&f.csrf) {
        return r;
    }
    match crm_service::recycle::restore(&state.core, &s.principal, id).await {
        Ok(_) => Redirect::to("/admin/recycle?flash=restored").into_response(),
        Err(e) => error_page(s.tr, e),
    }
}
