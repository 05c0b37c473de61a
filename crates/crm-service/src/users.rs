//! Users: created and changed by administrators; deactivated, never deleted, so their
//! records keep an owner.

use crate::auth::hash_password;
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::validate::{self, optional_text, required_text};
use crm_domain::{Action, FieldErrors, Module, Principal, Role, Validated};
use crm_store::audit::{self, Entry};
use crm_store::{departments, sessions, tokens, users, ConnectionTrait};
use serde_json::json;

pub use users::Model as User;

pub const ENTITY: &str = "user";

/// A new user as typed by an administrator (or the first-run setup).
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub email: Option<String>,
}

/// A change to a user; `None` leaves the field unchanged.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub department_id: Option<Option<i64>>,
    pub manager_id: Option<Option<i64>>,
    pub active: Option<bool>,
    pub email: Option<Option<String>>,
    pub password: Option<String>,
}

fn snapshot(u: &User) -> serde_json::Value {
    json!({
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "department_id": u.department_id,
        "manager_id": u.manager_id,
        "active": u.active,
        "email": u.email,
    })
}

fn parse_email(v: &str) -> std::result::Result<Option<String>, (&'static str, String)> {
    let Some(v) = optional_text(v, 254)? else {
        return Ok(None);
    };
    let ok = v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !v.contains(' ')
    });
    if ok {
        Ok(Some(v.to_ascii_lowercase()))
    } else {
        Err(("invalid_email", "Not a valid email address".into()))
    }
}

async fn check_department<C: ConnectionTrait>(
    db: &C,
    id: Option<i64>,
    errors: &mut FieldErrors,
) -> Result<()> {
    if let Some(d) = id {
        if departments::find(db, d).await?.is_none() {
            errors.add("department_id", "not_found", "No such department");
        }
    }
    Ok(())
}

async fn check_manager<C: ConnectionTrait>(
    db: &C,
    manager: Option<i64>,
    user: Option<i64>,
    errors: &mut FieldErrors,
) -> Result<()> {
    let Some(m) = manager else { return Ok(()) };
    match users::find(db, m).await? {
        Some(mu) if mu.active => {
            if let Some(u) = user {
                if m == u || users::subordinate_ids(db, u).await?.contains(&m) {
                    errors.add(
                        "manager_id",
                        "cycle",
                        "A user cannot report to themselves or to someone below them",
                    );
                }
            }
        }
        Some(_) => errors.add("manager_id", "inactive", "That user is deactivated"),
        None => errors.add("manager_id", "not_found", "No such user"),
    }
    Ok(())
}

/// Every signed-in user may read the user directory (to pick owners, managers, shares).
pub async fn list(
    core: &Core,
    _p: &Principal,
    filter: &users::Filter,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<User>> {
    Ok(users::list(&core.db, filter, after_id, limit).await?)
}

pub async fn get(core: &Core, _p: &Principal, id: i64) -> Result<User> {
    users::find(&core.db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Creates a user without a principal: the first-run setup and the CLI.
pub async fn create_unchecked(
    core: &Core,
    actor: Option<i64>,
    input: NewUserInput,
) -> Result<User> {
    let mut errors = FieldErrors::new();
    let username = validate::username(&input.username).collect("username", &mut errors);
    let password = validate::password(&input.password).collect("password", &mut errors);
    let display_name = required_text(&input.display_name, 100).collect("display_name", &mut errors);
    let role = input.role.parse::<Role>().ok();
    if role.is_none() {
        errors.add("role", "invalid_choice", "Unknown role");
    }
    let email = parse_email(input.email.as_deref().unwrap_or("")).collect("email", &mut errors);
    // Hash before taking the write lock: argon2 is deliberately slow.
    let password_hash = match &password {
        Some(pw) => Some(hash_password(pw.clone()).await?),
        None => None,
    };
    let txn = core.begin_write().await?;
    check_department(&txn, input.department_id, &mut errors).await?;
    check_manager(&txn, input.manager_id, None, &mut errors).await?;
    if let Some(name) = &username {
        if users::find_by_username(&txn, name).await?.is_some() {
            errors.add("username", "taken", "This username is taken");
        }
    }
    errors.into_result()?;
    let (Some(username), Some(password_hash), Some(display_name), Some(role), Some(email)) =
        (username, password_hash, display_name, role, email)
    else {
        return Err(ServiceError::Validation(FieldErrors::new()));
    };
    let now = core.now();
    let u = users::insert(
        &txn,
        users::NewUser {
            username,
            display_name,
            password_hash,
            role: role.as_str().to_string(),
            department_id: input.department_id,
            manager_id: input.manager_id,
            email,
        },
        now,
    )
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::field("username", "taken", "This username is taken")
        }
        _ => ServiceError::Internal(e),
    })?;
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: actor,
            action: "create",
            entity_type: ENTITY,
            entity_id: u.id.to_string(),
            before: None,
            after: Some(snapshot(&u)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(u)
}

pub async fn create(core: &Core, p: &Principal, input: NewUserInput) -> Result<User> {
    p.require(Module::System, Action::Create)?;
    create_unchecked(core, Some(p.user_id.0), input).await
}

/// The first administrator, only while no user exists.
pub async fn setup_first_admin(core: &Core, mut input: NewUserInput) -> Result<User> {
    if users::count(&core.db).await? > 0 {
        return Err(ServiceError::conflict(
            "already_set_up",
            "An administrator already exists",
        ));
    }
    input.role = Role::Admin.as_str().to_string();
    create_unchecked(core, None, input).await
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    patch: UserPatch,
) -> Result<User> {
    p.require(Module::System, Action::Edit)?;
    let new_hash = match &patch.password {
        Some(pw) => match validate::password(pw) {
            Ok(pw) => Some(hash_password(pw).await?),
            Err(_) => None,
        },
        None => None,
    };
    let txn = core.begin_write().await?;
    let before = users::find(&txn, id).await?.ok_or(ServiceError::NotFound)?;
    let mut errors = FieldErrors::new();
    let mut changes = users::Changes::default();
    if let Some(v) = &patch.display_name {
        changes.display_name = required_text(v, 100).collect("display_name", &mut errors);
    }
    if let Some(r) = &patch.role {
        match r.parse::<Role>() {
            Ok(role) => {
                if id == p.user_id.0 && role != Role::Admin && p.role == Role::Admin {
                    errors.add(
                        "role",
                        "self_demotion",
                        "You cannot take away your own admin role",
                    );
                }
                changes.role = Some(role.as_str().to_string());
            }
            Err(_) => errors.add("role", "invalid_choice", "Unknown role"),
        }
    }
    if let Some(d) = patch.department_id {
        check_department(&txn, d, &mut errors).await?;
        changes.department_id = Some(d);
    }
    if let Some(m) = patch.manager_id {
        check_manager(&txn, m, Some(id), &mut errors).await?;
        changes.manager_id = Some(m);
    }
    if let Some(a) = patch.active {
        if !a && id == p.user_id.0 {
            errors.add(
                "active",
                "self_deactivation",
                "You cannot deactivate yourself",
            );
        }
        changes.active = Some(a);
    }
    if let Some(e) = &patch.email {
        changes.email = parse_email(e.as_deref().unwrap_or("")).collect("email", &mut errors);
    }
    if let Some(pw) = &patch.password {
        validate::password(pw).collect("password", &mut errors);
    }
    errors.into_result()?;
    changes.password_hash = new_hash;
    let now = core.now();
    let ends_access = changes.active == Some(false) || changes.password_hash.is_some();
    let u = versioned(users::update(&txn, id, Some(version), changes, now).await?)?;
    if ends_access {
        sessions::delete_for_user(&txn, id).await?;
        tokens::revoke_all(&txn, id, None, now).await?;
    }
    let action = match (before.active, u.active) {
        (true, false) => "deactivate",
        (false, true) => "reactivate",
        _ => "update",
    };
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action,
            entity_type: ENTITY,
            entity_id: id.to_string(),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&u)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(u)
}

/// What the home page shows about the organisation and the principal's place in it.
#[derive(Debug, Clone)]
pub struct OrgSummary {
    pub me: User,
    pub department: Option<String>,
    pub manager: Option<String>,
    pub departments: usize,
    pub active_users: i64,
    pub subordinates: usize,
    pub by_role: Vec<(String, i64)>,
}

pub async fn org_summary(core: &Core, p: &Principal) -> Result<OrgSummary> {
    let db = &core.db;
    let me = users::find(db, p.user_id.0)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let depts = departments::list(db).await?;
    let department = me
        .department_id
        .and_then(|d| depts.iter().find(|x| x.id == d).map(|x| x.name.clone()));
    let manager = match me.manager_id {
        Some(m) => users::find(db, m).await?.map(|u| u.display_name),
        None => None,
    };
    let by_role = users::count_by_role(db).await?;
    Ok(OrgSummary {
        department,
        manager,
        departments: depts.len(),
        active_users: by_role.iter().map(|r| r.1).sum(),
        subordinates: users::subordinate_ids(db, me.id).await?.len(),
        by_role,
        me,
    })
}
