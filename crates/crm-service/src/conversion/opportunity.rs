//! The optional opportunity of a conversion: the same rules as the opportunities module
//! (a required name, an amount ≥ 0 within the limit, an existing active stage whose default
//! probability it takes, a YYYY-MM-DD expected close).

use super::carry;
use crate::opportunities::parse_date;
use crate::{Core, Result};
use crm_domain::money::{Money, MAX_AMOUNT};
use crm_domain::validate::required_text;
use crm_domain::{FieldErrors, Validated};
use crm_store::conversion::LeadModel;
use crm_store::opportunities::Fields;
use crm_store::ConnectionTrait;

/// The opportunity part of a conversion request, as typed.
#[derive(Debug, Clone, Default)]
pub struct OpportunityInput {
    /// Default: the customer's name.
    pub name: Option<String>,
    /// A decimal in major units; empty is 0.
    pub amount: Option<String>,
    pub stage_id: Option<i64>,
    /// "YYYY-MM-DD"; empty is none.
    pub expected_close: Option<String>,
}

/// The checks that need no database, added to `e`; `customer_id` and `owner_id` are set
/// later.
pub(super) fn check(
    core: &Core,
    input: &OpportunityInput,
    lead: Option<&LeadModel>,
    e: &mut FieldErrors,
) -> Fields {
    let mut f = Fields::default();
    let name = input.name.as_deref().map(str::trim).unwrap_or("");
    f.name = if name.is_empty() {
        lead.map(carry::customer_name).unwrap_or_default()
    } else {
        required_text(name, 200)
            .collect("opportunity.name", e)
            .unwrap_or_default()
    };
    let amount = input.amount.as_deref().map(str::trim).unwrap_or("");
    if !amount.is_empty() {
        match core
            .settings
            .currency
            .parse(amount, false)
            .collect("opportunity.amount", e)
        {
            Some(Money(m)) if m > MAX_AMOUNT => {
                e.add("opportunity.amount", "too_large", "The amount is too large")
            }
            Some(Money(m)) => f.amount = m,
            None => {}
        }
    }
    if let Some(v) = &input.expected_close {
        f.expected_close = parse_date(v)
            .collect("opportunity.expected_close", e)
            .flatten();
    }
    f.source = lead.and_then(|l| carry::source_of(l.source.as_deref(), l.campaign_id));
    f
}

/// The stage: it must exist and be active; the opportunity takes its probability.
pub(super) async fn stage<C: ConnectionTrait>(
    db: &C,
    input: &OpportunityInput,
    f: &mut Fields,
    e: &mut FieldErrors,
) -> Result<()> {
    let Some(id) = input.stage_id else {
        e.add("opportunity.stage_id", "required", "This field is required");
        return Ok(());
    };
    match crm_store::pipeline::find(db, id).await? {
        Some(s) if s.active => {
            f.stage_id = s.id;
            f.probability = s.probability;
        }
        Some(_) => e.add(
            "opportunity.stage_id",
            "inactive_stage",
            "This stage is no longer in use",
        ),
        None => e.add("opportunity.stage_id", "unknown", "No such stage"),
    }
    Ok(())
}
