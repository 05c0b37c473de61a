//! The import report: counts, the failed rows with their reasons and the duplicate rows
//! (the first [`MAX_LISTED`] of each, kept with the job), and the downloadable .xlsx with
//! every failed row and every duplicate, each with its original cells and a reason column.

use super::check::{Checked, Outcome};
use super::file::{column_label, Row};
use super::mapping::{Duplicates, Mode};
use crate::conversion::Match;
use crate::export::neutralize;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Failed and duplicate rows listed in the stored report (the .xlsx has them all).
pub const MAX_LISTED: usize = 1_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub mode: Mode,
    pub duplicates: Duplicates,
    /// Data rows in the file.
    pub total: u64,
    pub imported: u64,
    /// Rows that failed validation.
    pub failed: u64,
    pub duplicates_skipped: u64,
    /// Imported although they match existing records.
    pub duplicates_flagged: u64,
    /// Rows an earlier run of the same file had imported.
    pub already_imported: u64,
    /// False when "all or nothing" found a failed row: nothing was written.
    pub written: bool,
    pub failures: Vec<Failure>,
    pub duplicate_rows: Vec<DuplicateRow>,
    /// More failures or duplicates than listed here.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub row: u32,
    pub errors: Vec<Issue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateRow {
    pub row: u32,
    /// Not imported (policy skip); false: imported and flagged.
    pub skipped: bool,
    pub matches: Vec<MatchNote>,
}

/// A duplicate match as kept in the report: a match outside the importer's scope has no
/// id and no name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchNote {
    pub kind: String,
    pub visible: bool,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub owner_name: Option<String>,
    pub reasons: Vec<String>,
}

impl MatchNote {
    pub fn of(m: &Match) -> Self {
        Self {
            kind: m.kind.as_str().to_string(),
            visible: m.visible,
            id: m.id,
            name: m.name.clone(),
            owner_name: m.owner_name.clone(),
            reasons: m.reasons.iter().map(|r| r.as_str().to_string()).collect(),
        }
    }
}

/// Issues of an invalid row, field by field.
pub fn issues(c: &Checked) -> Vec<Issue> {
    match &c.fields {
        Ok(_) => Vec::new(),
        Err(e) => {
            e.0.iter()
                .map(|(f, v)| Issue {
                    field: f.clone(),
                    code: v.code.to_string(),
                    message: v.message.clone(),
                })
                .collect()
        }
    }
}

impl Report {
    /// Counts and lists the outcome of every row (`written`: whether the good rows were
    /// written; `imported` is what the database took).
    pub fn of(
        checked: &[Checked],
        mode: Mode,
        duplicates: Duplicates,
        written: bool,
        imported: u64,
    ) -> Self {
        let mut r = Report {
            mode,
            duplicates,
            total: checked.len() as u64,
            imported,
            written,
            ..Default::default()
        };
        for c in checked {
            match c.outcome(duplicates) {
                Outcome::Import => {}
                Outcome::AlreadyImported => r.already_imported += 1,
                Outcome::Fail => {
                    r.failed += 1;
                    if r.failures.len() < MAX_LISTED {
                        r.failures.push(Failure {
                            row: c.row,
                            errors: issues(c),
                        });
                    } else {
                        r.truncated = true;
                    }
                }
                o @ (Outcome::SkipDuplicate | Outcome::ImportFlagged) => {
                    let skipped = o == Outcome::SkipDuplicate;
                    if skipped {
                        r.duplicates_skipped += 1;
                    } else if written {
                        r.duplicates_flagged += 1;
                    }
                    if r.duplicate_rows.len() < MAX_LISTED {
                        r.duplicate_rows.push(DuplicateRow {
                            row: c.row,
                            skipped,
                            matches: c.matches.iter().map(MatchNote::of).collect(),
                        });
                    } else {
                        r.truncated = true;
                    }
                }
            }
        }
        r
    }
}

/// The words of the .xlsx report in the reader's language (English by default).
#[derive(Debug, Clone)]
pub struct ReportLabels {
    pub failed_sheet: String,
    pub duplicates_sheet: String,
    pub row: String,
    pub reason: String,
    pub matches: String,
    pub skipped: String,
    pub flagged: String,
    /// A match the importer may not see: `{owner}` is replaced by the owner's name.
    pub hidden: String,
    /// Field → label, error code → message, match kind / reason → label.
    pub words: HashMap<String, String>,
}

impl Default for ReportLabels {
    fn default() -> Self {
        Self {
            failed_sheet: "Failed rows".into(),
            duplicates_sheet: "Duplicates".into(),
            row: "Row".into(),
            reason: "Reason".into(),
            matches: "Matches".into(),
            skipped: "Skipped".into(),
            flagged: "Imported, flagged".into(),
            hidden: "not visible to you, owner {owner}".into(),
            words: HashMap::new(),
        }
    }
}

impl ReportLabels {
    fn word<'a>(&'a self, key: &'a str) -> &'a str {
        self.words.get(key).map_or(key, String::as_str)
    }

    pub fn reason(&self, issues: &[Issue]) -> String {
        issues
            .iter()
            .map(|i| {
                let msg = self
                    .words
                    .get(&format!("error.{}", i.code))
                    .map_or(i.message.as_str(), String::as_str);
                format!("{}: {msg}", self.word(&i.field))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn match_text(&self, m: &MatchNote) -> String {
        let reasons: Vec<&str> = m.reasons.iter().map(|r| self.word(r)).collect();
        let who = match (&m.name, m.visible) {
            (Some(n), true) => n.clone(),
            _ => self
                .hidden
                .replace("{owner}", m.owner_name.as_deref().unwrap_or("-")),
        };
        format!("{} {who} ({})", self.word(&m.kind), reasons.join(", "))
    }
}

/// The .xlsx report: one sheet of failed rows, one of duplicate rows.
pub fn workbook(
    headers: &[String],
    rows: &[Row],
    checked: &[Checked],
    policy: Duplicates,
    labels: &ReportLabels,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DDEBF7");
    let mut heads = vec![labels.row.clone()];
    heads.extend(headers.iter().enumerate().map(|(i, h)| column_label(i, h)));
    let n = heads.len() as u16;
    let failed = wb.add_worksheet_with_constant_memory()?;
    failed.set_name(&labels.failed_sheet)?;
    for (c, h) in heads.iter().chain([&labels.reason]).enumerate() {
        failed.write_string_with_format(0, c as u16, h, &head)?;
    }
    let mut at = 1;
    for ((number, cells), c) in rows.iter().zip(checked) {
        if c.outcome(policy) == Outcome::Fail {
            failed.write_number(at, 0, *number)?;
            for (i, v) in cells.iter().enumerate().take(headers.len()) {
                failed.write_string(at, i as u16 + 1, neutralize(v))?;
            }
            failed.write_string(at, n, neutralize(&labels.reason(&issues(c))))?;
            at += 1;
        }
    }
    let dups = wb.add_worksheet_with_constant_memory()?;
    dups.set_name(&labels.duplicates_sheet)?;
    for (c, h) in heads
        .iter()
        .chain([&labels.reason, &labels.matches])
        .enumerate()
    {
        dups.write_string_with_format(0, c as u16, h, &head)?;
    }
    let mut at = 1;
    for ((number, cells), c) in rows.iter().zip(checked) {
        let o = c.outcome(policy);
        if matches!(o, Outcome::SkipDuplicate | Outcome::ImportFlagged) {
            dups.write_number(at, 0, *number)?;
            for (i, v) in cells.iter().enumerate().take(headers.len()) {
                dups.write_string(at, i as u16 + 1, neutralize(v))?;
            }
            let action = if o == Outcome::SkipDuplicate {
                &labels.skipped
            } else {
                &labels.flagged
            };
            dups.write_string(at, n, action)?;
            let text: Vec<String> = c
                .matches
                .iter()
                .map(|m| labels.match_text(&MatchNote::of(m)))
                .collect();
            dups.write_string(at, n + 1, neutralize(&text.join("; ")))?;
            at += 1;
        }
    }
    wb.save_to_buffer()
}
