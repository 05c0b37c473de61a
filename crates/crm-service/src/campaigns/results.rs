//! A campaign's results: leads, conversions, converted customers, won opportunities,
//! revenue, cost per lead and ROI, as the viewer may see them (see
//! `crm_store::campaigns::results` for what each figure counts). Customers are counted
//! only for users with `customers:view`; won opportunities, revenue and ROI only for users
//! with `sales:view` (otherwise they are `None`).

use super::Campaign;
use crate::{Core, Result};
use crm_domain::{Action, Module, Money, Principal};
use crm_store::campaigns::results::{self as store, Counts, Include};
use crm_store::entity::lead;

/// Basis points (1/100 of a percent).
pub type Bp = i64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignResults {
    pub leads: i64,
    pub converted: i64,
    /// Converted leads per lead.
    pub conversion_rate: Option<Bp>,
    pub customers: Option<i64>,
    pub won: Option<i64>,
    pub won_amount: Option<Money>,
    pub revenue: Option<Money>,
    pub actual_cost: Money,
    /// Actual cost / leads, rounded half up; `None` without leads.
    pub cost_per_lead: Option<Money>,
    /// (revenue − actual cost) / actual cost; `None` when the cost is 0 or the revenue is
    /// not shown.
    pub roi: Option<Bp>,
    pub expected_leads: Option<i32>,
    pub expected_revenue: Option<Money>,
    /// Leads / expected leads.
    pub leads_vs_expected: Option<Bp>,
    /// Revenue / expected revenue.
    pub revenue_vs_expected: Option<Bp>,
}

/// A campaign of a list page with its results.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub campaign: Campaign,
    pub results: CampaignResults,
}

/// `num / den` rounded half away from zero; `None` when `den` is 0.
pub fn ratio(num: i128, den: i128, scale: i128) -> Option<i64> {
    if den == 0 {
        return None;
    }
    let n = num * scale;
    let q = n / den;
    let r = n % den;
    let q = if 2 * r.abs() >= den.abs() {
        q + if (n < 0) != (den < 0) { -1 } else { 1 }
    } else {
        q
    };
    i64::try_from(q).ok()
}

/// Basis points as a percent string: 12550 → "125.50", -3333 → "-33.33".
pub fn percent(bp: Bp) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn compute(c: &Campaign, n: Counts, include: Include) -> CampaignResults {
    let revenue = include.sales.then_some(n.revenue);
    let cost = c.actual_cost;
    CampaignResults {
        leads: n.leads,
        converted: n.converted,
        conversion_rate: ratio(n.converted.into(), n.leads.into(), 10_000),
        customers: include.customers.then_some(n.customers),
        won: include.sales.then_some(n.won),
        won_amount: include.sales.then_some(Money(n.won_amount)),
        revenue: revenue.map(Money),
        actual_cost: Money(cost),
        cost_per_lead: ratio(cost.into(), n.leads.into(), 1).map(Money),
        roi: revenue.and_then(|r| ratio(i128::from(r) - i128::from(cost), cost.into(), 10_000)),
        expected_leads: c.expected_leads,
        expected_revenue: c.expected_revenue.map(Money),
        leads_vs_expected: c
            .expected_leads
            .and_then(|e| ratio(n.leads.into(), e.into(), 10_000)),
        revenue_vs_expected: match (revenue, c.expected_revenue) {
            (Some(r), Some(e)) => ratio(r.into(), e.into(), 10_000),
            _ => None,
        },
    }
}

fn include(p: &Principal) -> Include {
    Include {
        customers: p.can(Module::Customers, Action::View),
        sales: p.can(Module::Sales, Action::View),
    }
}

/// The campaigns with their results, computed with one grouped query per figure for all
/// of them.
pub async fn with_results(
    core: &Core,
    p: &Principal,
    campaigns: Vec<Campaign>,
) -> Result<Vec<ListRow>> {
    p.require(Module::Market, Action::View)?;
    let scope = core.scope(p).await?;
    let ids: Vec<i64> = campaigns.iter().map(|c| c.id).collect();
    let inc = include(p);
    let figures = store::figures(&core.db, &scope, &ids, inc).await?;
    Ok(campaigns
        .into_iter()
        .map(|c| {
            let n = figures.get(&c.id).copied().unwrap_or_default();
            ListRow {
                results: compute(&c, n, inc),
                campaign: c,
            }
        })
        .collect())
}

/// One campaign with its results (404 when missing).
pub async fn get_with_results(core: &Core, p: &Principal, id: i64) -> Result<ListRow> {
    let c = super::get(core, p, id).await?;
    with_results(core, p, vec![c])
        .await?
        .pop()
        .ok_or(crate::ServiceError::NotFound)
}

/// The newest leads of a campaign the user may see (pool leads and leads owned in scope).
pub async fn leads(core: &Core, p: &Principal, id: i64, limit: u64) -> Result<Vec<lead::Model>> {
    super::get(core, p, id).await?;
    let scope = core.scope(p).await?;
    Ok(store::leads(&core.db, &scope, id, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_round_half_away_from_zero() {
        assert_eq!(ratio(1, 3, 10_000), Some(3333));
        assert_eq!(ratio(2, 3, 10_000), Some(6667));
        assert_eq!(ratio(-1, 3, 10_000), Some(-3333));
        assert_eq!(ratio(-2, 3, 10_000), Some(-6667));
        assert_eq!(ratio(1, 8, 100), Some(13));
        assert_eq!(ratio(5, 0, 1), None);
        assert_eq!(ratio(500_000, 3, 1), Some(166_667));
    }

    #[test]
    fn percents_read_naturally() {
        assert_eq!(percent(12550), "125.50");
        assert_eq!(percent(-3333), "-33.33");
        assert_eq!(percent(5), "0.05");
        assert_eq!(percent(0), "0.00");
    }
}
