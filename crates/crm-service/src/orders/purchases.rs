//! Purchase records (购买记录): what a customer bought, written when an order is approved
//! and marked reversed when it is cancelled.

use super::{scope_of, visible};
use crate::{Core, Result};
use crm_domain::{Action, Module, Principal};
use crm_store::orders;

pub use crm_store::orders::PurchaseRecord;

/// A customer's purchase history (records not reversed, newest first) for a user who may
/// see the customer (else 404). It is the customer's history: every approved order counts,
/// whoever owns it.
pub async fn for_customer(
    core: &Core,
    p: &Principal,
    customer_id: i64,
) -> Result<Vec<PurchaseRecord>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    crate::customers::visible(&core.db, &scope, customer_id).await?;
    Ok(orders::purchase_history(&core.db, customer_id).await?)
}

/// The purchase records of one visible order (reversed ones included).
pub async fn of_order(core: &Core, p: &Principal, order_id: i64) -> Result<Vec<PurchaseRecord>> {
    p.require(Module::Sales, Action::View)?;
    let scope = scope_of(core, p).await?;
    visible(&core.db, &scope, order_id).await?;
    Ok(orders::purchase_records_of_order(&core.db, order_id).await?)
}
