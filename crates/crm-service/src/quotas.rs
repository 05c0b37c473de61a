//! Sales quotas (销售定额): a target per person or per department, per metric (sales amount,
//! payments received, new customers) and month / quarter / year, with live progress.
//!
//! Rules (module `sales`):
//! - Reading needs `sales:view`. A person's quota is visible when the person is in the
//!   reader's data scope; a department's quota when the reader's scope is `all`, or (scopes
//!   `subordinates` / `department`) the department is the reader's own or below it.
//! - Setting and removing needs `sales:approve`: for people in the setter's scope other than
//!   themself (an `all`-scope user may also set their own), and for departments when the
//!   setter's scope is `all` or the department is their own or below it.
//! - Actuals come from the grouped queries of rep statistics (`crm_store::stats::metric`),
//!   computed on every request (never from the statistics cache), so progress is live and
//!   always agrees with `/stats`.

use crate::{Core, Result};
use chrono::NaiveDate;
use crm_domain::{Action, DataScope, Module, Period, PeriodKind, Principal};
use crm_store::quotas::{self, Readable};
use crm_store::scope::{RecordScope, Visible};
use crm_store::stats::{self, Range};

mod bulk;
mod home;
mod progress;
mod write;

pub use bulk::*;
pub use crm_store::quotas::{Member, Model as Quota, Subject};
pub use home::*;
pub use progress::*;
pub use write::*;

pub const ENTITY: &str = quotas::ENTITY;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Totals of orders approved in the period (money).
    SalesAmount,
    /// Payments received in the period (money).
    Payments,
    /// Customers created in the period (a count).
    NewCustomers,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::SalesAmount, Metric::Payments, Metric::NewCustomers];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::SalesAmount => "sales_amount",
            Metric::Payments => "payments",
            Metric::NewCustomers => "new_customers",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Money in minor units (else a count).
    pub fn is_money(self) -> bool {
        !matches!(self, Metric::NewCustomers)
    }

    fn stat(self) -> stats::Metric {
        match self {
            Metric::SalesAmount => stats::Metric::SalesAmount,
            Metric::Payments => stats::Metric::PaymentsReceived,
            Metric::NewCustomers => stats::Metric::NewCustomers,
        }
    }

    /// A value of this metric as text: "1234.50" for money, "12" for a count.
    pub fn text(self, core: &Core, v: i64) -> String {
        if self.is_money() {
            core.settings.currency.to_decimal(crm_domain::Money(v))
        } else {
            v.to_string()
        }
    }

    /// A value for people: "¥1,234.50" for money, "12" for a count.
    pub fn display(self, core: &Core, v: i64) -> String {
        if self.is_money() {
            core.settings.currency.format(crm_domain::Money(v))
        } else {
            v.to_string()
        }
    }
}

/// The period kinds a quota may have.
pub const KINDS: [PeriodKind; 3] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];

/// "month", "quarter" or "year".
pub fn parse_kind(s: &str) -> Option<PeriodKind> {
    PeriodKind::parse(s).filter(|k| KINDS.contains(k))
}

/// The period of `kind` containing `date` (today when `None`), in the installation's zone.
pub fn period_of(core: &Core, kind: PeriodKind, date: Option<NaiveDate>) -> Period {
    Period::containing(
        kind,
        date.unwrap_or_else(|| core.today()),
        core.settings.week_start,
    )
}

fn range(core: &Core, p: &Period) -> Range {
    let (from, to) = core.settings.instants(p);
    Range {
        from,
        to,
        from_date: p.start,
        to_date: p.end,
    }
}

/// Tenths of a percent of `actual` against `target`, rounded half up; `None` without a
/// (positive) target.
pub fn percent(actual: i64, target: i64) -> Option<i64> {
    if target <= 0 {
        return None;
    }
    let (a, t) = (i128::from(actual), i128::from(target));
    i64::try_from((a * 2000 + t).div_euclid(2 * t)).ok()
}

/// "87.5" from tenths of a percent.
pub fn percent_text(tenths: i64) -> String {
    format!("{}.{}", tenths.div_euclid(10), tenths.rem_euclid(10))
}

/// Whose quotas a principal reads and sets, resolved once per request.
pub(crate) struct Reach {
    pub scope: RecordScope,
    /// Departments whose quotas and roll-ups are visible (`None`: all).
    pub readable: Option<Vec<i64>>,
    /// Departments whose targets the principal may set (`None`: all).
    pub settable: Option<Vec<i64>>,
}

impl Reach {
    pub async fn load(core: &Core, p: &Principal) -> Result<Self> {
        let scope = core.scope(p).await?;
        if p.scope() == DataScope::All {
            return Ok(Self {
                scope,
                readable: None,
                settable: None,
            });
        }
        let own_tree = match p.department_id {
            Some(d) => crm_store::departments::subtree_ids(&core.db, d.0).await?,
            None => Vec::new(),
        };
        let readable = if p.scope() == DataScope::Own {
            Vec::new()
        } else {
            own_tree.clone()
        };
        Ok(Self {
            scope,
            readable: Some(readable),
            settable: Some(own_tree),
        })
    }

    /// The people in scope (`None`: everyone).
    pub fn people(&self) -> Option<&[i64]> {
        match &self.scope.visible {
            Visible::All => None,
            Visible::Owners(ids) => Some(ids),
        }
    }

    pub fn reads_department(&self, d: i64) -> bool {
        self.readable.as_ref().is_none_or(|ids| ids.contains(&d))
    }

    pub fn sets_department(&self, d: i64) -> bool {
        self.settable.as_ref().is_none_or(|ids| ids.contains(&d))
    }

    pub fn reads(&self, s: Subject) -> bool {
        match s {
            Subject::User(u) => self.scope.owns_scope(u),
            Subject::Department(d) => self.reads_department(d),
        }
    }

    fn readable(&self) -> Readable<'_> {
        Readable {
            users: self.people(),
            departments: self.readable.as_deref(),
        }
    }
}

/// The quotas of one period the principal may see (one metric or all), in id order after
/// `after`, at most `limit`.
pub async fn list(
    core: &Core,
    p: &Principal,
    kind: PeriodKind,
    date: Option<NaiveDate>,
    metric: Option<Metric>,
    after: Option<i64>,
    limit: u64,
) -> Result<(Period, Vec<Quota>)> {
    p.require(Module::Sales, Action::View)?;
    let period = period_of(core, kind, date);
    let reach = Reach::load(core, p).await?;
    let rows = quotas::list(
        &core.db,
        kind.as_str(),
        period.start,
        metric.map(Metric::as_str),
        reach.readable(),
        after,
        Some(limit),
    )
    .await?;
    Ok((period, rows))
}

/// One quota the principal may see (404 otherwise).
pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Quota> {
    p.require(Module::Sales, Action::View)?;
    let reach = Reach::load(core, p).await?;
    match quotas::find(&core.db, id).await? {
        Some(q) if Subject::of(&q).is_some_and(|s| reach.reads(s)) => Ok(q),
        _ => Err(crate::ServiceError::NotFound),
    }
}

/// Names of the subjects of `rows` (people and departments), for display.
pub async fn subject_names(
    core: &Core,
    rows: &[Quota],
) -> Result<std::collections::HashMap<Subject, String>> {
    let mut users: Vec<i64> = rows.iter().filter_map(|q| q.user_id).collect();
    users.sort_unstable();
    users.dedup();
    let mut out: std::collections::HashMap<Subject, String> =
        crm_store::users::names(&core.db, &users)
            .await?
            .into_iter()
            .map(|(id, n)| (Subject::User(id), n))
            .collect();
    if rows.iter().any(|q| q.department_id.is_some()) {
        for d in crm_store::departments::list(&core.db).await? {
            out.insert(Subject::Department(d.id), d.name);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_to_tenths() {
        assert_eq!(percent(0, 100), Some(0));
        assert_eq!(percent(50, 100), Some(500));
        assert_eq!(percent(1, 3), Some(333));
        assert_eq!(percent(2, 3), Some(667));
        assert_eq!(percent(1, 8), Some(125));
        assert_eq!(percent(1, 16), Some(63)); // 6.25 % → 6.3 %
        assert_eq!(percent(250, 100), Some(2500));
        assert_eq!(percent(5, 0), None);
        assert_eq!(percent(i64::MAX, 1), None);
        assert_eq!(percent_text(1255), "125.5");
        assert_eq!(percent_text(7), "0.7");
    }

    #[test]
    fn metrics_and_kinds_parse() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
        assert_eq!(Metric::parse("revenue"), None);
        assert_eq!(parse_kind("quarter"), Some(PeriodKind::Quarter));
        assert_eq!(parse_kind("week"), None);
    }
}
