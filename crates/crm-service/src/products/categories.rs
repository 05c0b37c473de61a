//! Product categories (产品分类): a tree by `parent_id`, ordered by `sort_order` then name.
//! Reading needs `products:view`; changing needs create / edit / delete on products.

use crate::error::versioned;
use crate::{Core, Result, ServiceError};
use crm_domain::validate::required_text;
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::{products, recycle, ConnectionTrait};
use serde_json::json;

pub use crm_store::products::CategoryModel as Category;

pub const ENTITY: &str = products::CATEGORY_ENTITY;

/// One node of the tree, listed in pre-order (parents before children).
#[derive(Debug, Clone)]
pub struct Node {
    pub category: Category,
    /// 0 for a root category.
    pub depth: usize,
}

/// Raw category fields; `None` means "not given" (keep on update).
#[derive(Debug, Clone, Default)]
pub struct CategoryInput {
    pub name: Option<String>,
    /// `Some(None)` makes it a root category.
    pub parent_id: Option<Option<i64>>,
    pub sort_order: Option<i32>,
}

/// Lays `all` out in pre-order with depths. Rows whose parent is missing are roots.
pub fn tree(all: &[Category]) -> Vec<Node> {
    let known = |id: i64| all.iter().any(|c| c.id == id);
    let mut out = Vec::with_capacity(all.len());
    let mut stack: Vec<(i64, usize)> = all
        .iter()
        .filter(|c| c.parent_id.is_none_or(|p| !known(p)))
        .rev()
        .map(|c| (c.id, 0))
        .collect();
    while let Some((id, depth)) = stack.pop() {
        if out.len() > all.len() {
            break; // a cycle in stored data: never loop forever
        }
        let Some(c) = all.iter().find(|c| c.id == id) else {
            continue;
        };
        out.push(Node {
            category: c.clone(),
            depth,
        });
        stack.extend(
            all.iter()
                .filter(|k| k.parent_id == Some(id))
                .rev()
                .map(|k| (k.id, depth + 1)),
        );
    }
    out
}

/// `root` and every category below it.
pub fn subtree(all: &[Category], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let id = out[i];
        out.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(id) && !out.contains(&c.id))
                .map(|c| c.id)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    out
}

pub async fn list(core: &Core, p: &Principal) -> Result<Vec<Node>> {
    p.require(Module::Products, Action::View)?;
    Ok(tree(&products::categories(&core.db).await?))
}

pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Category> {
    p.require(Module::Products, Action::View)?;
    products::find_category(&core.db, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

fn snapshot(c: &Category) -> serde_json::Value {
    json!({"name": c.name, "parent_id": c.parent_id, "sort_order": c.sort_order})
}

fn entry(p: &Principal, action: &'static str, id: i64) -> Entry<'static> {
    Entry {
        actor_id: Some(p.user_id.0),
        action,
        entity_type: ENTITY,
        entity_id: id.to_string(),
        before: None,
        after: None,
    }
}

/// Validates name and parent against the live tree. `self_id` is the category being
/// changed (a parent inside its own subtree is a `cycle`).
async fn validate<C: ConnectionTrait>(
    db: &C,
    self_id: Option<i64>,
    name: Option<&str>,
    parent_id: Option<i64>,
) -> Result<String> {
    let mut e = FieldErrors::new();
    let name = match name {
        Some(n) => required_text(n, 100).collect("name", &mut e),
        None => {
            e.add("name", "required", "This field is required");
            None
        }
    };
    let all = products::categories(db).await?;
    if let Some(parent) = parent_id {
        if !all.iter().any(|c| c.id == parent) {
            e.add("parent_id", "unknown", "No such category");
        } else if let Some(me) = self_id {
            if subtree(&all, me).contains(&parent) {
                e.add(
                    "parent_id",
                    "cycle",
                    "A category cannot be moved under itself or its subcategories",
                );
            }
        }
    }
    if let Some(n) = &name {
        if all
            .iter()
            .any(|c| c.parent_id == parent_id && Some(c.id) != self_id && c.name == *n)
        {
            e.add(
                "name",
                "taken",
                "A category with this name already exists here",
            );
        }
    }
    e.into_result()?;
    Ok(name.unwrap_or_default())
}

pub async fn create(core: &Core, p: &Principal, input: CategoryInput) -> Result<Category> {
    p.require(Module::Products, Action::Create)?;
    let txn = core.begin_write().await?;
    let parent = input.parent_id.flatten();
    let name = validate(&txn, None, input.name.as_deref(), parent).await?;
    let now = core.now();
    let c =
        products::insert_category(&txn, parent, name, input.sort_order.unwrap_or(0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            after: Some(snapshot(&c)),
            ..entry(p, "create", c.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Renames and/or moves a category.
pub async fn update(
    core: &Core,
    p: &Principal,
    id: i64,
    version: i32,
    input: CategoryInput,
) -> Result<Category> {
    p.require(Module::Products, Action::Edit)?;
    let txn = core.begin_write().await?;
    let before = products::find_category(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let parent = input.parent_id.unwrap_or(before.parent_id);
    let name = input.name.as_deref().unwrap_or(&before.name);
    let name = validate(&txn, Some(id), Some(name), parent).await?;
    let sort = input.sort_order.unwrap_or(before.sort_order);
    let now = core.now();
    let c = versioned(
        products::update_category(&txn, &before, version, parent, name, sort, now).await?,
    )?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&before)),
            after: Some(snapshot(&c)),
            ..entry(p, "update", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Soft delete into the recycle bin; refused (409 `category_in_use`) while live products
/// or subcategories are filed under it.
pub async fn delete(core: &Core, p: &Principal, id: i64, version: i32) -> Result<()> {
    p.require(Module::Products, Action::Delete)?;
    let txn = core.begin_write().await?;
    let c = products::find_category(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if products::child_count(&txn, id).await? > 0
        || products::count_in_category(&txn, id).await? > 0
    {
        return Err(ServiceError::conflict(
            "category_in_use",
            "This category still has products or subcategories",
        ));
    }
    let now = core.now();
    versioned(products::soft_delete_category(&txn, id, version, now).await?)?;
    recycle::add(&txn, ENTITY, id, &c.name, Some(p.user_id.0), now).await?;
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(snapshot(&c)),
            ..entry(p, "delete", id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The recycle-bin arm: brings a category back (its parent must be live).
pub async fn restore<C: ConnectionTrait>(db: &C, id: i64) -> Result<()> {
    let c = products::find_category_any(db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if let Some(parent) = c.parent_id {
        if products::find_category(db, parent).await?.is_none() {
            return Err(ServiceError::conflict(
                "parent_deleted",
                "Restore its parent category first",
            ));
        }
    }
    products::restore_category(db, id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn cat(id: i64, parent: Option<i64>, name: &str) -> Category {
        Category {
            id,
            parent_id: parent,
            name: name.into(),
            sort_order: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
            deleted_at: None,
        }
    }

    #[test]
    fn tree_is_preorder_with_depths() {
        let all = vec![
            cat(1, None, "A"),
            cat(2, None, "B"),
            cat(3, Some(1), "A1"),
            cat(4, Some(3), "A1x"),
            cat(5, Some(99), "orphan"),
        ];
        let t: Vec<(i64, usize)> = tree(&all)
            .iter()
            .map(|n| (n.category.id, n.depth))
            .collect();
        assert_eq!(t, vec![(1, 0), (3, 1), (4, 2), (2, 0), (5, 0)]);
        let mut s = subtree(&all, 1);
        s.sort_unstable();
        assert_eq!(s, vec![1, 3, 4]);
        assert_eq!(subtree(&all, 2), vec![2]);
    }
}
