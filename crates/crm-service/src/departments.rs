//! Departments: a tree; created, renamed, moved and deleted by administrators.

use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::validate::required_text;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::{departments, recycle, users};
use serde_json::json;

pub use departments::Model as Department;

pub const ENTITY: &str = "department";

#[derive(Debug, Clone, Default)]
pub struct DepartmentInput {
    pub name: String,
    pub parent_id: Option<i64>,
}

fn snapshot(d: &Department) -> serde_json::Value {
    json!({"name": d.name, "parent_id": d.parent_id})
}

/// Every signed-in user may read the department tree (it is the company directory).
pub async fn list(core: &Core, _p: &Principal) -> Result<Vec<Department>> {
    Ok(departments::list(&core.db).await?)
}

pub async fn get(core: &Core, _p: &Principal, id: i64) -> Result<Department> {
    departments::find(&core.db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

async fn validate<C: crm_store::ConnectionTrait>(
    db: &C,
    input: &DepartmentInput,
    moving: Option<i64>,
) -> Result<String> {
    let mut errors = FieldErrors::new();
    let name = required_text(&input.name, 100).collect("name", &mut errors);
    if let Some(parent) = input.parent_id {
        if departments::find(db, parent).await?.is_none() {
            errors.add("parent_id", "not_found", "No such department");
        } else if let Some(id) = moving {
            if departments::subtree_ids(db, id).await?.contains(&parent) {
                errors.add(
                    "parent_id",
                    "cycle",
                    "A department cannot be placed under itself or its sub-departments",
                );
            }
        }
    }
    errors.into_result()?;
    Ok(name.unwrap_or_default())
}

pub async fn create(core: &Core, p: &Principal, input: DepartmentInput) -> Result<Department> {
    p.require(Module::System, Action::Create)?;
    let txn = core.begin_write().await?;
    let name = validate(&txn, &input, None).await?;
    let now = core.now();
    let d = departments::insert(&txn, &name, input.parent_id, now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "create",
            entity_type: ENTITY,
            entity_id: d.id.to_string(),
            before: None,
            after: Some(snapshot(&d)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(d)
}

pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: DepartmentInput,
) -> Result<Department> {
    p.require(Module::System, Action::Edit)?;
    let txn = core.begin_write().await?;
    let before = departments::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = validate(&txn, &input, Some(id)).await?;
    let now = core.now();
    let d = versioned(departments::update(&txn, id, version, &name, input.parent_id, now).await?)?;
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "update",
            entity_type: ENTITY,
            entity_id: id.to_string(),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&d)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(d)
}

/// Moves a department to the recycle bin. Refused while it has sub-departments or active
/// members.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::System, Action::Delete)?;
    let txn = core.begin_write().await?;
    let d = departments::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if departments::count_children(&txn, id).await? > 0 {
        return Err(ServiceError::conflict(
            "department_has_children",
            "Move or delete its sub-departments first",
        ));
    }
    if users::count_in_department(&txn, id).await? > 0 {
        return Err(ServiceError::conflict(
            "department_has_members",
            "Move its members to another department first",
        ));
    }
    let now = core.now();
    versioned(departments::soft_delete(&txn, id, version, now).await?)?;
    recycle::add(&txn, ENTITY, id, &d.name, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "delete",
            entity_type: ENTITY,
            entity_id: id.to_string(),
            before: Some(snapshot(&d)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
