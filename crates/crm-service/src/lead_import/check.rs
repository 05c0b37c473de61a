//! Checking rows: each row becomes the same [`LeadInput`] a lead typed by hand would be and
//! goes through the same validation ([`leads::validate`]); its import key tells whether an
//! earlier run already imported it; the duplicate finder ([`conversion::find_many`], up to
//! 1,000 probes per call) finds matching customers, contacts and leads as the importer may
//! see them. Leads an earlier run of the same file wrote are not duplicates of its rows;
//! rows of the file that repeat the phone or email of an earlier row are ([`within_file`]).

use super::file::Row;
use super::mapping::{Duplicates, Options};
use crate::conversion::{self, Match, MatchKind, Probe, Reason, MAX_PROBES};
use crate::leads::{self, LeadInput};
use crate::{Core, Result};
use crm_domain::dedupe::{email_key, phone_key};
use crm_domain::{FieldErrors, Principal};
use crm_store::lead_import as store;
use crm_store::leads::Fields;
use std::collections::{HashMap, HashSet};

/// A row after its checks.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The row's number in the file.
    pub row: u32,
    pub fields: std::result::Result<Fields, FieldErrors>,
    /// An earlier run imported this row (its import key exists).
    pub already: bool,
    pub matches: Vec<Match>,
}

/// What becomes of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Import,
    /// Imported although it matches existing records (policy `flag`).
    ImportFlagged,
    /// Not imported: it matches existing records (policy `skip`).
    SkipDuplicate,
    Fail,
    AlreadyImported,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Import => "import",
            Outcome::ImportFlagged => "import_flagged",
            Outcome::SkipDuplicate => "skip_duplicate",
            Outcome::Fail => "fail",
            Outcome::AlreadyImported => "already_imported",
        }
    }
}

impl Checked {
    pub fn outcome(&self, policy: Duplicates) -> Outcome {
        match (&self.fields, self.matches.is_empty()) {
            _ if self.already => Outcome::AlreadyImported,
            (Err(_), _) => Outcome::Fail,
            (Ok(_), true) => Outcome::Import,
            (Ok(_), false) if policy == Duplicates::Flag => Outcome::ImportFlagged,
            (Ok(_), false) => Outcome::SkipDuplicate,
        }
    }
}

/// The import key of a row: `<digest>:<row number>`.
pub fn key(digest: &str, row: u32) -> String {
    format!("{digest}:{row}")
}

/// The lead a row describes, as if typed into the lead form.
pub fn input_of(o: &Options, cells: &[String]) -> LeadInput {
    let mut i = LeadInput {
        campaign_id: Some(o.campaign_id),
        ..Default::default()
    };
    for (col, field) in o.columns.iter().enumerate() {
        let Some(field) = field.as_deref() else {
            continue;
        };
        let v = cells.get(col).cloned().unwrap_or_default();
        let slot = match field {
            "name" => &mut i.name,
            "company" => &mut i.company,
            "title" => &mut i.title,
            "phone" => &mut i.phone,
            "email" => &mut i.email,
            "province" => &mut i.province,
            "city" => &mut i.city,
            "address" => &mut i.address,
            "industry" => &mut i.industry,
            "notes" => &mut i.notes,
            "source" => {
                let word = v.trim().to_lowercase();
                i.source = Some(o.aliases.get(&word).cloned().unwrap_or(v));
                continue;
            }
            _ => continue,
        };
        *slot = Some(v);
    }
    i
}

/// Validates a row exactly as the lead form does; an import without a source of its own
/// gets `import`, as [`leads::Origin::Import`] does.
pub fn validate_row(o: &Options, cells: &[String]) -> std::result::Result<Fields, FieldErrors> {
    let input = input_of(o, cells);
    let mut f = leads::validate(None, &input)?;
    if f.source.is_none() {
        f.source = Some("import".to_string());
    }
    Ok(f)
}

fn probe_of(o: &Options, cells: &[String]) -> Probe {
    let cell = |field: &str| {
        o.column_of(field)
            .and_then(|c| cells.get(c))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Probe {
        phones: cell("phone").into_iter().collect(),
        email: cell("email"),
        company: cell("company"),
        exclude_lead: None,
    }
}

/// Checks `rows`. Invalid rows are probed for duplicates only with `probe_invalid` (the
/// preview shows them; a run need not).
pub async fn rows(
    core: &Core,
    p: &Principal,
    o: &Options,
    digest: &str,
    rows: &[Row],
    probe_invalid: bool,
) -> Result<Vec<Checked>> {
    let keys: Vec<String> = rows.iter().map(|(n, _)| key(digest, *n)).collect();
    let existing: HashSet<String> = store::existing_keys(&core.db, &keys)
        .await?
        .into_iter()
        .collect();
    let mut out: Vec<Checked> = rows
        .iter()
        .zip(&keys)
        .map(|((n, cells), k)| Checked {
            row: *n,
            fields: validate_row(o, cells),
            already: existing.contains(k),
            matches: Vec::new(),
        })
        .collect();
    let probed: Vec<usize> = (0..out.len())
        .filter(|&i| !out[i].already && (probe_invalid || out[i].fields.is_ok()))
        .collect();
    for chunk in probed.chunks(MAX_PROBES) {
        let probes: Vec<Probe> = chunk.iter().map(|&i| probe_of(o, &rows[i].1)).collect();
        let found = conversion::find_many(core, p, &probes).await?;
        for (&i, m) in chunk.iter().zip(found) {
            out[i].matches = m;
        }
    }
    let lead_ids: Vec<i64> = out
        .iter()
        .flat_map(|c| &c.matches)
        .filter(|m| m.kind == MatchKind::Lead)
        .filter_map(|m| m.id)
        .collect();
    if !lead_ids.is_empty() {
        let prefix = format!("{digest}:");
        let own: HashSet<i64> = store::from_file(&core.db, &lead_ids, &prefix)
            .await?
            .into_iter()
            .collect();
        if !own.is_empty() {
            for c in &mut out {
                c.matches.retain(|m| {
                    !(m.kind == MatchKind::Lead && m.id.is_some_and(|id| own.contains(&id)))
                });
            }
        }
    }
    Ok(out)
}

/// The duplicate keys of a row within its file: its phone and email, normalised. Company
/// names are left out: several people of one company in a list are not duplicates.
fn file_keys(f: &Fields) -> Vec<(Reason, String)> {
    let phone = f.phone.as_deref().and_then(phone_key);
    let email = f.email.as_deref().and_then(email_key);
    phone
        .map(|k| (Reason::Phone, k))
        .into_iter()
        .chain(email.map(|k| (Reason::Email, k)))
        .collect()
}

/// Rows that repeat the phone or email of an earlier row of the same file that is (or was,
/// in an earlier run) imported get that row as a match, so the policy skips or flags them
/// like any other duplicate. `seen` carries the keys from batch to batch, in file order.
pub fn within_file(
    checked: &mut [Checked],
    policy: super::Duplicates,
    seen: &mut HashMap<(Reason, String), (u32, String)>,
) {
    for c in checked.iter_mut() {
        let Ok(f) = &c.fields else { continue };
        let keys = file_keys(f);
        // Earlier rows this one repeats, each with the keys it shares.
        let mut earlier: Vec<(u32, String, Vec<Reason>)> = Vec::new();
        for (reason, k) in &keys {
            if let Some((row, name)) = seen.get(&(*reason, k.clone())) {
                match earlier.iter_mut().find(|e| e.0 == *row) {
                    Some(e) => e.2.push(*reason),
                    None => earlier.push((*row, name.clone(), vec![*reason])),
                }
            }
        }
        let notes = earlier.into_iter().map(|(row, name, reasons)| Match {
            kind: MatchKind::ImportRow,
            visible: true,
            id: Some(i64::from(row)),
            name: Some(format!("{row} · {name}")),
            customer_id: None,
            customer_name: None,
            owner_id: None,
            owner_name: None,
            editable: false,
            reasons,
        });
        c.matches.extend(notes);
        if matches!(
            c.outcome(policy),
            Outcome::Import | Outcome::ImportFlagged | Outcome::AlreadyImported
        ) {
            for (reason, k) in keys {
                seen.entry((reason, k)).or_insert((c.row, f.name.clone()));
            }
        }
    }
}
