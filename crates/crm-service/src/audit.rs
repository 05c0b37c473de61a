//! Reading the audit trail.

use crate::{Core, Result};
use crm_domain::{Action, Module, Principal};
use crm_store::audit;

pub use crm_store::entity::audit_log::Model as AuditEntry;

/// The system-wide trail, for administrators. Per-record trails of later modules go through
/// the record's own visibility check first.
pub async fn list(
    core: &Core,
    p: &Principal,
    filter: &audit::Filter,
    before_id: Option<i64>,
    limit: u64,
) -> Result<Vec<AuditEntry>> {
    p.require(Module::System, Action::View)?;
    Ok(audit::list(&core.db, filter, before_id, limit).await?)
}
