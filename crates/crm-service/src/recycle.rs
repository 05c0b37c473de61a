//! The recycle bin: deleted records wait here until an administrator restores them.

use crate::{Core, Result, ServiceError};
use crm_domain::{Action, Module, Principal};
use crm_store::audit::{self, Entry};
use crm_store::{departments, recycle};

pub use recycle::Model as BinEntry;

pub async fn list(
    core: &Core,
    p: &Principal,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<BinEntry>> {
    p.require(Module::System, Action::View)?;
    Ok(recycle::list_pending(&core.db, before_id, limit).await?)
}

/// Restores one entry; restoring twice is a 404 the second time and changes nothing.
pub async fn restore(core: &Core, p: &Principal, id: i64) -> Result<BinEntry> {
    p.require(Module::System, Action::Delete)?;
    let txn = core.begin_write().await?;
    let entry = recycle::find(&txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if entry.restored_at.is_some() {
        return Err(ServiceError::NotFound);
    }
    let now = core.now();
    match entry.entity_type.as_str() {
        crate::departments::ENTITY => {
            let d = departments::find_any(&txn, entry.entity_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if let Some(parent) = d.parent_id {
                if departments::find(&txn, parent).await?.is_none() {
                    return Err(ServiceError::conflict(
                        "parent_deleted",
                        "Restore its parent department first",
                    ));
                }
            }
            departments::restore(&txn, entry.entity_id).await?;
        }
        crate::customers::ENTITY => {
            crm_store::customers::restore(&txn, entry.entity_id).await?;
            crm_store::match_keys::refresh_customer(&txn, entry.entity_id).await?;
        }
        crate::contacts::ENTITY => {
            let c = crm_store::contacts::find_any(&txn, entry.entity_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if crm_store::customers::find(&txn, c.customer_id)
                .await?
                .is_none()
            {
                return Err(ServiceError::conflict(
                    "parent_deleted",
                    "Restore its customer first",
                ));
            }
            crm_store::contacts::restore(&txn, entry.entity_id).await?;
            crm_store::match_keys::refresh_contact(&txn, entry.entity_id).await?;
        }
        crate::activities::ENTITY => {
            crm_store::activities::restore(&txn, entry.entity_id).await?;
        }
        crate::opportunities::ENTITY => {
            crate::opportunities::restore(&txn, entry.entity_id).await?;
        }
        crate::products::ENTITY => crate::products::restore(&txn, entry.entity_id).await?,
        crate::products::categories::ENTITY => {
            crate::products::categories::restore(&txn, entry.entity_id).await?
        }
        crate::quotes::ENTITY => {
            let q = crm_store::quotes::find_any(&txn, entry.entity_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            parent_customer_live(&txn, q.customer_id).await?;
            crm_store::quotes::restore(&txn, entry.entity_id).await?;
        }
        crate::expenses::ENTITY => {
            let x = crm_store::expenses::find_any(&txn, entry.entity_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            parent_customer_live(&txn, x.customer_id).await?;
            crm_store::expenses::restore(&txn, entry.entity_id).await?;
        }
        crate::orders::ENTITY => {
            let o = crm_store::orders::find_any(&txn, entry.entity_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            parent_customer_live(&txn, o.customer_id).await?;
            crate::orders::restore_in(&txn, entry.entity_id).await?;
        }
        crate::payments::ENTITY => {
            crate::payments::restore_in(&txn, entry.entity_id, now).await?;
        }
        crate::leads::ENTITY => {
            crm_store::leads::restore(&txn, entry.entity_id).await?;
        }
        crate::competitors::ENTITY => {
            crate::competitors::restore(&txn, entry.entity_id).await?;
        }
        crate::campaigns::ENTITY => {
            crate::campaigns::restore(&txn, entry.entity_id).await?;
        }
        _ => return Err(ServiceError::NotFound),
    }
    if !recycle::mark_restored(&txn, id, p.user_id.0, now).await? {
        return Err(ServiceError::NotFound);
    }
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "restore",
            entity_type: &entry.entity_type,
            entity_id: entry.entity_id.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(entry)
}

/// A quote or expense comes back only while its customer is live.
async fn parent_customer_live<C: crm_store::ConnectionTrait>(
    db: &C,
    customer_id: i64,
) -> Result<()> {
    if crm_store::customers::find(db, customer_id).await?.is_none() {
        return Err(ServiceError::conflict(
            "parent_deleted",
            "Restore its customer first",
        ));
    }
    Ok(())
}
