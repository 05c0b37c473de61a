//! Campaign input: every field parsed at once into field errors.

use super::{CampaignInput, KINDS, STATUSES};
use crate::customers::optional_long_text;
use crate::quotes::parse_date;
use crate::{Core, Result};
use crm_domain::money::MAX_AMOUNT;
use crm_domain::validate::required_text;
use crm_domain::{FieldErrors, Validated};
use crm_store::campaigns::{self, Fields, Model as Campaign};
use crm_store::scope::RecordScope;
use crm_store::{users, ConnectionTrait};

/// Largest expected number of leads.
const MAX_EXPECTED_LEADS: i64 = 1_000_000_000;

/// A money amount ≥ 0; empty is `None`.
fn amount(core: &Core, v: &str, field: &str, e: &mut FieldErrors) -> Option<i64> {
    let t = v.trim();
    if t.is_empty() {
        return None;
    }
    match core.settings.currency.parse(t, false) {
        Ok(m) if m.0 > MAX_AMOUNT => {
            e.add(field, "too_large", "is too large");
            None
        }
        Ok(m) => Some(m.0),
        Err((code, msg)) => {
            e.add(field, code, msg);
            None
        }
    }
}

fn choice(v: &str, allowed: &[&str], field: &str, e: &mut FieldErrors) -> Option<String> {
    let t = v.trim();
    if allowed.contains(&t) {
        Some(t.to_string())
    } else if t.is_empty() {
        e.add(field, "required", "This field is required");
        None
    } else {
        e.add(
            field,
            "invalid_choice",
            format!("use one of: {}", allowed.join(", ")),
        );
        None
    }
}

/// The owner must be an active user in the editor's scope.
async fn check_owner<C: ConnectionTrait>(
    db: &C,
    scope: &RecordScope,
    owner: i64,
    e: &mut FieldErrors,
) -> Result<()> {
    match users::find(db, owner).await? {
        Some(u) if u.active && scope.owns_scope(owner) => {}
        Some(u) if u.active => e.add(
            "owner_id",
            "out_of_scope",
            "You cannot assign campaigns to this user",
        ),
        Some(_) => e.add("owner_id", "inactive", "That user is deactivated"),
        None => e.add("owner_id", "not_found", "No such user"),
    }
    Ok(())
}

/// Merges `input` over `base` (a new campaign when `None`) and validates every field.
pub(super) async fn validate<C: ConnectionTrait>(
    core: &Core,
    db: &C,
    scope: &RecordScope,
    base: Option<&Campaign>,
    input: &CampaignInput,
) -> Result<Fields> {
    let mut e = FieldErrors::new();
    let mut f = match base {
        Some(c) => campaigns::Fields::of(c),
        None => Fields {
            name: String::new(),
            kind: "other".into(),
            status: "planned".into(),
            starts_on: None,
            ends_on: None,
            budget: 0,
            actual_cost: 0,
            expected_leads: None,
            expected_revenue: None,
            actual_results: None,
            description: None,
            owner_id: scope.user_id,
        },
    };
    match &input.name {
        Some(n) => {
            f.name = required_text(n, 200)
                .collect("name", &mut e)
                .unwrap_or_default()
        }
        None if base.is_none() => e.add("name", "required", "This field is required"),
        None => {}
    }
    if let Some(v) = &input.kind {
        f.kind = choice(v, &KINDS, "kind", &mut e).unwrap_or_default();
    }
    if let Some(v) = &input.status {
        f.status = choice(v, &STATUSES, "status", &mut e).unwrap_or_default();
    }
    if let Some(v) = &input.starts_on {
        f.starts_on = parse_date(v, "starts_on", &mut e);
    }
    if let Some(v) = &input.ends_on {
        f.ends_on = parse_date(v, "ends_on", &mut e);
    }
    if let (Some(s), Some(end)) = (f.starts_on, f.ends_on) {
        if end < s && !e.0.contains_key("starts_on") {
            e.add(
                "ends_on",
                "ends_before_start",
                "must not be before the start date",
            );
        }
    }
    if let Some(v) = &input.budget {
        f.budget = amount(core, v, "budget", &mut e).unwrap_or(0);
    }
    if let Some(v) = &input.actual_cost {
        f.actual_cost = amount(core, v, "actual_cost", &mut e).unwrap_or(0);
    }
    if let Some(v) = &input.expected_revenue {
        f.expected_revenue = amount(core, v, "expected_revenue", &mut e);
    }
    if let Some(v) = &input.expected_leads {
        let t = v.trim();
        f.expected_leads = if t.is_empty() {
            None
        } else {
            match t.parse::<i64>() {
                Ok(n) if n < 0 => {
                    e.add("expected_leads", "negative", "must not be negative");
                    None
                }
                Ok(n) if n > MAX_EXPECTED_LEADS => {
                    e.add("expected_leads", "too_large", "is too large");
                    None
                }
                Ok(n) => i32::try_from(n).ok(),
                Err(_) => {
                    e.add("expected_leads", "invalid_number", "Enter a whole number");
                    None
                }
            }
        };
    }
    if let Some(v) = &input.actual_results {
        f.actual_results = optional_long_text(v, 5000)
            .collect("actual_results", &mut e)
            .flatten();
    }
    if let Some(v) = &input.description {
        f.description = optional_long_text(v, 5000)
            .collect("description", &mut e)
            .flatten();
    }
    if let Some(o) = input.owner_id {
        // Checked when given and different from the stored owner.
        if base.map(|c| c.owner_id) != Some(o) {
            check_owner(db, scope, o, &mut e).await?;
        }
        f.owner_id = o;
    }
    e.into_result()?;
    Ok(f)
}
