//! A lead's follow-up history (跟进记录). Adding an entry records the contact on the lead:
//! `last_contacted_at`, the next follow-up date (the entry's, or none), and a new lead
//! moves to `contacting`. Entries are visible exactly when their lead is; authors delete
//! their own (soft).

use super::{converted_conflict, entry, is_converted, visible, visible_in};
use crate::activities::parse_time;
use crate::contacts::parse_date;
use crate::customers::optional_long_text;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Utc};
use crm_domain::customer::{self as cv, ActivityKind};
use crm_domain::{Action, FieldErrors, Module, Principal, Validated};
use crm_store::audit::{self, Entry};
use crm_store::leads::{self, activities};
use serde_json::json;

pub use activities::Model as FollowUp;

pub const CONTENT_MAX: usize = 10_000;

/// A follow-up as typed.
#[derive(Debug, Clone, Default)]
pub struct FollowUpInput {
    /// call, visit, email, meeting or note.
    pub kind: Option<String>,
    /// RFC 3339 (or "YYYY-MM-DDTHH:MM", UTC); empty means now.
    pub occurred_at: Option<String>,
    pub content: Option<String>,
    /// "YYYY-MM-DD" or empty.
    pub next_follow_up: Option<String>,
}

fn parse(input: &FollowUpInput, now: DateTime<Utc>) -> Result<activities::Fields> {
    let mut e = FieldErrors::new();
    let kind = match input.kind.as_deref() {
        Some(k) => cv::choice(k, ActivityKind::parse)
            .collect("kind", &mut e)
            .flatten(),
        None => None,
    };
    if kind.is_none() && !e.0.contains_key("kind") {
        e.add("kind", "required", "This field is required");
    }
    let content = input
        .content
        .as_deref()
        .and_then(|c| optional_long_text(c, CONTENT_MAX).collect("content", &mut e))
        .flatten();
    if content.is_none() && !e.0.contains_key("content") {
        e.add("content", "required", "This field is required");
    }
    let occurred_at = match input.occurred_at.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => parse_time(t).collect("occurred_at", &mut e),
        _ => Some(now),
    };
    let next_follow_up = match &input.next_follow_up {
        Some(d) => parse_date(d).collect("next_follow_up", &mut e).flatten(),
        None => None,
    };
    e.into_result()?;
    Ok(activities::Fields {
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        occurred_at: occurred_at.unwrap_or(now),
        content: content.unwrap_or_default(),
        next_follow_up,
    })
}

/// The follow-ups of a visible lead, most recent first.
pub async fn list(
    core: &Core,
    p: &Principal,
    lead_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<FollowUp>> {
    visible(core, p, lead_id).await?;
    Ok(activities::of_lead(&core.db, lead_id, before, limit).await?)
}

/// Logs a follow-up on a visible, unconverted lead and records the contact on the lead.
pub async fn add(
    core: &Core,
    p: &Principal,
    lead_id: i64,
    input: FollowUpInput,
) -> Result<FollowUp> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let lead = visible_in(&txn, &scope, lead_id).await?;
    if is_converted(&lead) {
        return Err(converted_conflict());
    }
    let now = core.now();
    let fields = parse(&input, now)?;
    let a = activities::insert(&txn, lead_id, Some(p.user_id.0), fields, now).await?;
    if !leads::record_contact(&txn, lead_id, a.occurred_at, a.next_follow_up, now).await? {
        return Err(converted_conflict());
    }
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(json!({"status": lead.status, "next_follow_up": lead.next_follow_up})),
            after: Some(json!({
                "follow_up_id": a.id, "kind": a.kind, "occurred_at": a.occurred_at,
                "next_follow_up": a.next_follow_up,
            })),
            ..entry(Some(p.user_id.0), "follow_up", lead_id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

/// Deletes one's own follow-up `id` of lead `lead_id` (soft). Someone else's is 403
/// `not_author`; one on a lead you cannot see (or of another lead) is 404.
pub async fn delete(core: &Core, p: &Principal, lead_id: i64, id: i64) -> Result<()> {
    p.require(Module::Market, Action::Edit)?;
    let scope = core.scope(p).await?;
    let txn = core.begin_write().await?;
    let a = match activities::find(&txn, id).await? {
        Some(a) if a.lead_id == lead_id => a,
        _ => return Err(ServiceError::NotFound),
    };
    let lead = visible_in(&txn, &scope, a.lead_id).await?;
    if a.author_id != Some(p.user_id.0) {
        return Err(ServiceError::Refused {
            code: "not_author",
            message: "Only its author deletes a follow-up".into(),
        });
    }
    if is_converted(&lead) {
        return Err(converted_conflict());
    }
    let now = core.now();
    if !activities::soft_delete(&txn, id, now).await? {
        return Err(ServiceError::NotFound);
    }
    audit::record(
        &txn,
        now,
        Entry {
            before: Some(json!({"follow_up_id": a.id, "kind": a.kind, "content": a.content})),
            ..entry(Some(p.user_id.0), "delete_follow_up", lead.id)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
