//! Receivables (应收款): approved orders in the user's scope with money outstanding, with
//! whether and how long they are overdue.

use super::plan::overdue_days;
use crate::orders::{self, Order};
use crate::{Core, Result};
use crm_domain::{Action, Module, Money, Principal};
use crm_store::payments;
use std::collections::BTreeMap;

pub use crm_store::payments::{ReceivableFilter, ReceivableTotals};

#[derive(Debug, Clone)]
pub struct Receivable {
    pub order: Order,
    pub customer_name: String,
    pub outstanding: Money,
    pub overdue: bool,
    /// Days since the earliest unmet due date (0 when not overdue).
    pub days_overdue: i64,
}

/// One page of receivables, newest order first.
pub async fn receivables(
    core: &Core,
    p: &Principal,
    filter: &ReceivableFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<Receivable>> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    let today = core.today();
    let rows = payments::receivables(&core.db, &scope, filter, today, after, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|o| o.id).collect();
    let mut plans: BTreeMap<i64, Vec<payments::Instalment>> = BTreeMap::new();
    for i in payments::plans_of(&core.db, &ids).await? {
        plans.entry(i.order_id).or_default().push(i);
    }
    let mut customer_ids: Vec<i64> = rows.iter().map(|o| o.customer_id).collect();
    customer_ids.sort_unstable();
    customer_ids.dedup();
    let names: BTreeMap<i64, String> = crm_store::customers::names(&core.db, &customer_ids)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|o| {
            let days = overdue_days(&o, plans.get(&o.id).map_or(&[][..], |v| v), today);
            Receivable {
                customer_name: names.get(&o.customer_id).cloned().unwrap_or_default(),
                outstanding: Money(o.total - o.received),
                overdue: days.is_some(),
                days_overdue: days.unwrap_or(0),
                order: o,
            }
        })
        .collect())
}

/// Totals over every receivable matching the filter: count and outstanding, overall and
/// overdue.
pub async fn receivable_totals(
    core: &Core,
    p: &Principal,
    filter: &ReceivableFilter,
) -> Result<ReceivableTotals> {
    p.require(Module::Sales, Action::View)?;
    let scope = orders::scope_of(core, p).await?;
    Ok(payments::receivable_totals(&core.db, &scope, filter, core.today()).await?)
}
