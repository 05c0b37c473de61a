//! Role policies: an administrator adjusts a role's module actions and data scope; the
//! change applies to the next request of every user with that role.

use crate::auth::policy_of;
use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::{Action, ActionSet, DataScope, FieldErrors, Module, Principal, Role, RolePolicy};
use crm_store::audit::{self, Entry};
use crm_store::roles;
use serde_json::json;
use std::collections::BTreeMap;

pub const ENTITY: &str = "role";

#[derive(Debug, Clone)]
pub struct RoleView {
    pub role: Role,
    pub policy: RolePolicy,
    pub version: i32,
}

pub async fn list(core: &Core, p: &Principal) -> Result<Vec<RoleView>> {
    p.require(Module::System, Action::View)?;
    let rows = roles::list(&core.db).await?;
    let mut out = Vec::new();
    for role in Role::ALL {
        let version = rows
            .iter()
            .find(|r| r.key == role.as_str())
            .map_or(0, |r| r.version);
        out.push(RoleView {
            role,
            policy: policy_of(&core.db, role).await?,
            version,
        });
    }
    Ok(out)
}

pub async fn get(core: &Core, p: &Principal, role: &str) -> Result<RoleView> {
    p.require(Module::System, Action::View)?;
    let role: Role = role.parse().map_err(|_| ServiceError::NotFound)?;
    let row = roles::find(&core.db, role.as_str())
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(RoleView {
        role,
        policy: policy_of(&core.db, role).await?,
        version: row.version,
    })
}

/// Replaces a role's policy (version-checked).
pub async fn update(
    core: &Core,
    p: &Principal,
    role: &str,
    version: i32,
    scope: &str,
    modules: &BTreeMap<String, Vec<String>>,
) -> Result<RoleView> {
    p.require(Module::System, Action::Edit)?;
    let role: Role = role.parse().map_err(|_| ServiceError::NotFound)?;
    let mut errors = FieldErrors::new();
    let scope: Option<DataScope> = scope.parse().ok();
    if scope.is_none() {
        errors.add("scope", "invalid_choice", "Unknown data scope");
    }
    let mut parsed = BTreeMap::new();
    for (m, actions) in modules {
        let Ok(module) = m.parse::<Module>() else {
            errors.add(&format!("modules.{m}"), "invalid_choice", "Unknown module");
            continue;
        };
        let mut list = Vec::new();
        for a in actions {
            match a.parse::<Action>() {
                Ok(a) => list.push(a),
                Err(_) => errors.add(&format!("modules.{m}"), "invalid_choice", "Unknown action"),
            }
        }
        let set = ActionSet::of(&list);
        if !set.is_empty() {
            parsed.insert(module, set);
        }
    }
    if role == Role::Admin
        && !parsed
            .get(&Module::System)
            .is_some_and(|s| s.contains(Action::Edit) && s.contains(Action::View))
    {
        errors.add(
            "modules.system",
            "admin_lockout",
            "The admin role must keep viewing and editing the system settings",
        );
    }
    errors.into_result()?;
    let scope = scope.unwrap_or(DataScope::Own);
    let txn = core.begin_write().await?;
    let before = policy_of(&txn, role).await?;
    let modules_json = serde_json::to_string(&parsed)
        .map_err(|e| ServiceError::Internal(sea_orm::DbErr::Custom(e.to_string())))?;
    let now = core.now();
    let row = versioned(
        roles::update(
            &txn,
            role.as_str(),
            version,
            scope.as_str(),
            &modules_json,
            now,
        )
        .await?,
    )?;
    let policy = RolePolicy {
        scope,
        modules: parsed,
    };
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "update",
            entity_type: ENTITY,
            entity_id: role.as_str().to_string(),
            before: Some(json!(before)),
            after: Some(json!(policy)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(RoleView {
        role,
        policy,
        version: row.version,
    })
}
