//! Carrying a lead's fields over (nothing typed twice): the new customer, its primary
//! contact, the empty fields a merge fills, and the follow-up history copied into the
//! customer's contact history.

use chrono::{DateTime, Utc};
use crm_domain::customer::{self as cv, ActivityKind, Nature, Source, Status};
use crm_domain::dedupe::{email_key, phone_key};
use crm_store::conversion::{LeadActivityModel, LeadModel};
use crm_store::entity::activity;
use crm_store::{contacts, customers};
use sea_orm::Set;

/// The customer source (客户来源) for a lead source (线索来源). A lead that came through a
/// campaign without a more telling source counts as `campaign`.
pub fn source_of(lead_source: Option<&str>, campaign: Option<i64>) -> Option<String> {
    let from_campaign = campaign.map(|_| Source::Campaign);
    let s = match lead_source.map(str::trim) {
        Some("web_form") | Some("website") => Some(Source::Website),
        Some("exhibition") => Some(Source::Exhibition),
        Some("seminar") | Some("email") | Some("campaign") => Some(Source::Campaign),
        Some("referral") => Some(Source::Referral),
        Some("advertisement") | Some("advertising") => Some(Source::Advertising),
        Some("cold_call") => Some(Source::ColdCall),
        Some("partner") => Some(Source::Partner),
        Some("import") | Some("") | None => from_campaign,
        Some(_) => from_campaign.or(Some(Source::Other)),
    };
    s.map(|s| s.as_str().to_string())
}

/// At most `max` characters of a trimmed text; empty is `None`.
fn clip(v: Option<&str>, max: usize) -> Option<String> {
    let t = v?.trim();
    if t.is_empty() {
        return None;
    }
    Some(t.chars().take(max).collect())
}

/// A phone the customer and contact forms would accept, else `None`.
fn usable_phone(v: Option<&str>) -> Option<String> {
    cv::phone(v?).ok().flatten()
}

/// True for a Chinese mobile number (11 digits starting with 1, any format).
fn is_mobile(v: &str) -> bool {
    phone_key(v).is_some_and(|k| k.len() == 11 && k.starts_with('1'))
}

/// The name of the customer a lead becomes: its company, else the person.
pub fn customer_name(l: &LeadModel) -> String {
    clip(l.company.as_deref(), 200).unwrap_or_else(|| l.name.chars().take(200).collect())
}

/// The lead's notes, plus a phone the customer form would not take (kept, not lost).
fn notes_of(l: &LeadModel) -> Option<String> {
    let odd_phone = l
        .phone
        .as_deref()
        .filter(|p| usable_phone(Some(p)).is_none() && !p.trim().is_empty());
    match (clip(l.notes.as_deref(), 5000), odd_phone) {
        (n, None) => n,
        (None, Some(p)) => Some(format!("☎ {}", p.trim())),
        (Some(n), Some(p)) => Some(format!("{n}\n☎ {}", p.trim())),
    }
}

/// A new customer with every field the lead has.
pub fn customer_fields(l: &LeadModel) -> customers::Fields {
    let company = clip(l.company.as_deref(), 200).is_some();
    customers::Fields {
        name: customer_name(l),
        nature: Some(
            if company {
                Nature::Enterprise
            } else {
                Nature::Individual
            }
            .as_str()
            .to_string(),
        ),
        industry: clip(l.industry.as_deref(), 50),
        province: clip(l.province.as_deref(), 50),
        city: clip(l.city.as_deref(), 50),
        street: clip(l.address.as_deref(), 200),
        phone: usable_phone(l.phone.as_deref()),
        source: source_of(l.source.as_deref(), l.campaign_id),
        status: Status::Potential.as_str().to_string(),
        notes: notes_of(l),
        custom: "{}".to_string(),
        ..Default::default()
    }
}

/// Fills the customer's empty fields from the lead (a merge); the names of the fields
/// filled. The name, status and owner are never changed.
pub fn fill_customer(f: &mut customers::Fields, l: &LeadModel) -> Vec<&'static str> {
    let from = customer_fields(l);
    let mut filled = Vec::new();
    let mut fill = |name: &'static str, cur: &mut Option<String>, new: Option<String>| {
        if cur.as_deref().is_none_or(|c| c.trim().is_empty()) && new.is_some() {
            *cur = new;
            filled.push(name);
        }
    };
    fill("nature", &mut f.nature, from.nature);
    fill("industry", &mut f.industry, from.industry);
    fill("province", &mut f.province, from.province);
    fill("city", &mut f.city, from.city);
    fill("street", &mut f.street, from.street);
    fill("phone", &mut f.phone, from.phone);
    fill("source", &mut f.source, from.source);
    fill("notes", &mut f.notes, from.notes);
    filled
}

/// The lead's person as a contact: name, title, mobile or phone, email.
pub fn contact_fields(l: &LeadModel, primary: bool) -> contacts::Fields {
    let phone = usable_phone(l.phone.as_deref());
    let (mobile, phone) = match phone {
        Some(p) if is_mobile(&p) => (Some(p), None),
        other => (None, other),
    };
    contacts::Fields {
        name: l.name.chars().take(100).collect(),
        title: clip(l.title.as_deref(), 100),
        mobile,
        phone,
        email: l.email.as_deref().and_then(|e| cv::email(e).ok().flatten()),
        is_primary: primary,
        custom: "{}".to_string(),
        ..Default::default()
    }
}

/// Fills a contact's empty title, mobile, phone and email from the lead; true when
/// something changed.
pub fn fill_contact(f: &mut contacts::Fields, l: &LeadModel) -> bool {
    let from = contact_fields(l, f.is_primary);
    let mut changed = false;
    for (cur, new) in [
        (&mut f.title, from.title),
        (&mut f.mobile, from.mobile),
        (&mut f.phone, from.phone),
        (&mut f.email, from.email),
    ] {
        if cur.is_none() && new.is_some() {
            *cur = new;
            changed = true;
        }
    }
    changed
}

/// Whether an existing contact is the lead's person: the same phone or email key.
pub fn same_person(c: &contacts::Model, l: &LeadModel) -> bool {
    let lead_phone = l.phone.as_deref().and_then(phone_key);
    let lead_email = l.email.as_deref().and_then(email_key);
    let phone_hit = lead_phone.is_some()
        && [c.mobile.as_deref(), c.phone.as_deref()]
            .into_iter()
            .flatten()
            .any(|p| phone_key(p) == lead_phone);
    let email_hit = lead_email.is_some() && c.email.as_deref().and_then(email_key) == lead_email;
    phone_hit || email_hit
}

/// The lead's follow-ups as contact history of the customer (and the contact), so the
/// customer's timeline shows them. Entries without an author are the converter's.
pub fn history_rows(
    history: &[LeadActivityModel],
    customer_id: i64,
    contact_id: i64,
    owner_id: i64,
    converter: i64,
    now: DateTime<Utc>,
) -> Vec<activity::ActiveModel> {
    history
        .iter()
        .map(|a| activity::ActiveModel {
            customer_id: Set(customer_id),
            contact_id: Set(Some(contact_id)),
            kind: Set(ActivityKind::parse(&a.kind)
                .unwrap_or(ActivityKind::Note)
                .as_str()
                .to_string()),
            occurred_at: Set(a.occurred_at),
            author_id: Set(a.author_id.unwrap_or(converter)),
            owner_id: Set(owner_id),
            content: Set(a.content.clone()),
            next_follow_up: Set(a.next_follow_up),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            deleted_at: Set(None),
            ..Default::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_sources_map_onto_customer_sources() {
        assert_eq!(
            source_of(Some("web_form"), None).as_deref(),
            Some("website")
        );
        assert_eq!(
            source_of(Some("advertisement"), None).as_deref(),
            Some("advertising")
        );
        assert_eq!(
            source_of(Some("seminar"), None).as_deref(),
            Some("campaign")
        );
        assert_eq!(
            source_of(Some("import"), Some(3)).as_deref(),
            Some("campaign")
        );
        assert_eq!(source_of(Some("import"), None), None);
        assert_eq!(source_of(Some("xyz"), None).as_deref(), Some("other"));
        for s in ["referral", "exhibition", "cold_call", "partner", "other"] {
            assert_eq!(source_of(Some(s), None).as_deref(), Some(s));
        }
        assert!(is_mobile("+86 138-1234-5678"));
        assert!(!is_mobile("010-8888 6666"));
    }
}
