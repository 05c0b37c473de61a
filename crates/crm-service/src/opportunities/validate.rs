//! Checking an opportunity's fields: values, and references the user may use (a visible
//! customer, an active stage, an owner in scope).

use super::{Fields, Opportunity, OpportunityInput};
use crate::{customers, pipeline, Core, Result, ServiceError};
use chrono::NaiveDate;
use crm_domain::customer::{self as cv, Source};
use crm_domain::money::{Money, MAX_AMOUNT};
use crm_domain::validate::required_text;
use crm_domain::{FieldErrors, Validated};
use crm_store::scope::RecordScope;
use crm_store::{users, ConnectionTrait};

/// A date typed as "YYYY-MM-DD" (empty → None).
pub fn parse_date(v: &str) -> std::result::Result<Option<NaiveDate>, (&'static str, String)> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ("invalid_date", "Use the form YYYY-MM-DD".into()))
}

/// Merges `input` over `base` and validates every field, including the references
/// (customer visible to the user, active stage, owner in scope). All problems are reported
/// together; nothing is written here.
pub(super) async fn validate<C: ConnectionTrait>(
    core: &Core,
    db: &C,
    scope: &RecordScope,
    base: Option<&Opportunity>,
    input: &OpportunityInput,
) -> Result<Fields> {
    let mut e = FieldErrors::new();
    let mut f = base.map(Fields::of).unwrap_or_default();
    match (&input.name, base) {
        (Some(n), _) => {
            f.name = required_text(n, 200)
                .collect("name", &mut e)
                .unwrap_or_default()
        }
        (None, None) => e.add("name", "required", "This field is required"),
        (None, Some(_)) => {}
    }
    if let Some(v) = &input.amount {
        f.amount = if v.trim().is_empty() {
            0
        } else {
            match core
                .settings
                .currency
                .parse(v, false)
                .collect("amount", &mut e)
            {
                Some(Money(m)) if m > MAX_AMOUNT => {
                    e.add("amount", "too_large", "The amount is too large");
                    0
                }
                Some(Money(m)) => m,
                None => 0,
            }
        };
    }
    let probability = match input.probability.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => pipeline::parse_probability(v).collect("probability", &mut e),
        _ => None,
    };
    if let Some(v) = &input.expected_close {
        f.expected_close = parse_date(v).collect("expected_close", &mut e).flatten();
    }
    if let Some(v) = &input.source {
        f.source = cv::choice(v, Source::parse)
            .collect("source", &mut e)
            .flatten()
            .map(|s| s.as_str().to_string());
    }
    if let Some(v) = &input.notes {
        f.notes = customers::optional_long_text(v, 5000)
            .collect("notes", &mut e)
            .flatten();
    }
    // The customer: must be one the user may see.
    match (input.customer_id, base) {
        (Some(c), Some(b)) if c == b.customer_id => {}
        (Some(c), _) => match customers::visible(db, scope, c).await {
            Ok(_) => f.customer_id = c,
            Err(ServiceError::NotFound) => e.add("customer_id", "unknown", "No such customer"),
            Err(err) => return Err(err),
        },
        (None, None) => e.add("customer_id", "required", "This field is required"),
        (None, Some(_)) => {}
    }
    // The stage: a change must go to an active stage.
    let stage = match (input.stage_id, base) {
        (Some(s), Some(b)) if s == b.stage_id => None,
        (Some(s), _) => match pipeline_stage(db, s).await? {
            Some(st) if st.active => Some(st),
            Some(_) => {
                e.add(
                    "stage_id",
                    "inactive_stage",
                    "This stage is no longer in use",
                );
                None
            }
            None => {
                e.add("stage_id", "unknown", "No such stage");
                None
            }
        },
        (None, None) => {
            e.add("stage_id", "required", "This field is required");
            None
        }
        (None, Some(_)) => None,
    };
    if let Some(st) = &stage {
        f.stage_id = st.id;
    }
    // The probability: as given, else the (new) stage's default.
    match (probability, &stage) {
        (Some(p), _) => f.probability = p,
        (None, Some(st)) => f.probability = st.probability,
        (None, None)
            if input
                .probability
                .as_deref()
                .is_some_and(|v| v.trim().is_empty()) =>
        {
            if let Some(st) = pipeline_stage(db, f.stage_id).await? {
                f.probability = st.probability;
            }
        }
        (None, None) => {}
    }
    // The owner: the creator, or someone in the principal's scope.
    match (input.owner_id, base) {
        (Some(o), Some(b)) if o == b.owner_id => {}
        (Some(o), _) => match users::find(db, o).await? {
            Some(u) if u.active && scope.owns_scope(o) => f.owner_id = o,
            Some(u) if u.active => e.add(
                "owner_id",
                "out_of_scope",
                "You cannot assign records to this user",
            ),
            Some(_) => e.add("owner_id", "inactive", "That user is deactivated"),
            None => e.add("owner_id", "not_found", "No such user"),
        },
        (None, None) => f.owner_id = scope.user_id,
        (None, Some(_)) => {}
    }
    e.into_result()?;
    Ok(f)
}

pub(super) async fn pipeline_stage<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<pipeline::Stage>> {
    Ok(crm_store::pipeline::find(db, id).await?)
}
