//! Bodies and answers of the lead import API.

use crate::api::conversion::MatchDto;
use crate::error::{ApiError, FieldMessage};
use chrono::{DateTime, Utc};
use crm_domain::FieldErrors;
use crm_service::lead_import::report::{DuplicateRow, Failure, MatchNote};
use crm_service::lead_import::{Import, OptionsInput, Preview, Report};
use crm_service::ServiceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The options of a preview or a run; anything left out takes its default.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsBody {
    /// One entry per column of the file: name, company, title, phone, email, province,
    /// city, address, industry, source, notes, or ignore. Left out: the guessed mapping.
    pub columns: Option<Vec<String>>,
    pub campaign_id: Option<i64>,
    /// `me` (default), `pool`, or the id of an active user in your scope.
    #[schema(value_type = Option<String>, example = "pool")]
    pub owner: Option<serde_json::Value>,
    /// skip (default): rows matching an existing customer, contact or lead are not
    /// imported; flag: they are imported and listed in the report.
    pub duplicates: Option<String>,
    /// good_rows (default): import the rows that pass; all_or_nothing: import nothing
    /// unless every row passes.
    pub mode: Option<String>,
}

impl OptionsBody {
    pub fn input(self, aliases: Vec<(String, String)>) -> Result<OptionsInput, ApiError> {
        let owner = match self.owner {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                return Err(ServiceError::field(
                    "owner",
                    "invalid",
                    "Use \"me\", \"pool\" or a user id",
                )
                .into())
            }
        };
        Ok(OptionsInput {
            columns: self.columns.unwrap_or_default(),
            campaign_id: self.campaign_id,
            owner,
            duplicates: self.duplicates,
            mode: self.mode,
            source_aliases: aliases,
        })
    }
}

/// The options an import ran with.
#[derive(Debug, Serialize, ToSchema)]
pub struct OptionsDto {
    pub campaign_id: Option<i64>,
    /// null: the shared pool.
    pub owner_id: Option<i64>,
    pub duplicates: &'static str,
    pub mode: &'static str,
}

fn messages(e: &FieldErrors) -> BTreeMap<String, FieldMessage> {
    e.0.iter()
        .map(|(k, v)| {
            let m = FieldMessage {
                code: v.code.to_string(),
                message: v.message.clone(),
            };
            (k.clone(), m)
        })
        .collect()
}

/// A failed row: field → error.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailureDto {
    pub row: u32,
    pub errors: BTreeMap<String, FieldMessage>,
}

impl FailureDto {
    fn of(f: &Failure) -> Self {
        let errors = f
            .errors
            .iter()
            .map(|i| {
                let m = FieldMessage {
                    code: i.code.clone(),
                    message: i.message.clone(),
                };
                (i.field.clone(), m)
            })
            .collect();
        Self { row: f.row, errors }
    }
}

/// A match kept in the report (one outside your scope has no id and no name).
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchNoteDto {
    /// customer, contact or lead
    pub kind: String,
    pub visible: bool,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub owner_name: Option<String>,
    /// phone, email, company
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateRowDto {
    pub row: u32,
    /// true: not imported; false: imported and flagged.
    pub skipped: bool,
    pub matches: Vec<MatchNoteDto>,
}

impl DuplicateRowDto {
    fn of(d: &DuplicateRow) -> Self {
        let note = |m: &MatchNote| MatchNoteDto {
            kind: m.kind.clone(),
            visible: m.visible,
            id: m.id,
            name: m.name.clone(),
            owner_name: m.owner_name.clone(),
            reasons: m.reasons.clone(),
        };
        Self {
            row: d.row,
            skipped: d.skipped,
            matches: d.matches.iter().map(note).collect(),
        }
    }
}

/// The outcome of a finished import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub mode: &'static str,
    pub duplicates: &'static str,
    /// Data rows in the file.
    pub total: u64,
    pub imported: u64,
    pub failed: u64,
    pub duplicates_skipped: u64,
    pub duplicates_flagged: u64,
    /// Rows an earlier run of the same file had imported (not imported again).
    pub already_imported: u64,
    /// false: all_or_nothing found failed rows and wrote nothing.
    pub written: bool,
    /// The first 1,000 failed rows (the .xlsx report has all).
    pub failures: Vec<FailureDto>,
    /// The first 1,000 duplicate rows.
    pub duplicate_rows: Vec<DuplicateRowDto>,
    pub truncated: bool,
}

impl ReportDto {
    fn of(r: &Report) -> Self {
        Self {
            mode: r.mode.as_str(),
            duplicates: r.duplicates.as_str(),
            total: r.total,
            imported: r.imported,
            failed: r.failed,
            duplicates_skipped: r.duplicates_skipped,
            duplicates_flagged: r.duplicates_flagged,
            already_imported: r.already_imported,
            written: r.written,
            failures: r.failures.iter().map(FailureDto::of).collect(),
            duplicate_rows: r.duplicate_rows.iter().map(DuplicateRowDto::of).collect(),
            truncated: r.truncated,
        }
    }
}

/// An import: the upload, its progress and, once done, its report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDto {
    pub id: i64,
    /// queued (uploaded, waiting to be started), running, done, failed
    pub status: String,
    /// Rows done so far (of `total`).
    pub done: i64,
    pub total: Option<i64>,
    pub file_name: Option<String>,
    /// xlsx or csv
    pub format: Option<&'static str>,
    /// CSV: the detected encoding (UTF-8, UTF-8 (BOM), GB18030 (GBK), UTF-16LE…).
    pub encoding: Option<String>,
    pub headers: Vec<String>,
    /// Data rows in the file.
    pub rows: u64,
    /// The field of each column: guessed until the import starts, then the one it ran
    /// with (`ignore`: not imported).
    pub columns: Vec<String>,
    pub options: Option<OptionsDto>,
    pub report: Option<ReportDto>,
    /// The .xlsx of failed and duplicate rows, once done.
    pub report_url: Option<String>,
    /// Why the run failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn fields(cols: &[Option<String>]) -> Vec<String> {
    cols.iter()
        .map(|c| c.clone().unwrap_or_else(|| "ignore".into()))
        .collect()
}

impl ImportDto {
    pub fn of(i: Import) -> Self {
        let meta = i.meta.unwrap_or_default();
        let done = i.status == "done";
        let columns = match &meta.options {
            Some(o) => fields(&o.columns),
            None => fields(&meta.guessed),
        };
        Self {
            id: i.id,
            report_url: done.then(|| format!("/api/v1/leads/imports/{}/report.xlsx", i.id)),
            status: i.status,
            done: i.done,
            total: i.total,
            file_name: Some(meta.file_name).filter(|n| !n.is_empty()),
            format: meta.format.map(|f| f.as_str()),
            encoding: meta.encoding,
            headers: meta.headers,
            rows: meta.rows,
            columns,
            options: meta.options.map(|o| OptionsDto {
                campaign_id: o.campaign_id,
                owner_id: o.owner_id,
                duplicates: o.duplicates.as_str(),
                mode: o.mode.as_str(),
            }),
            report: meta.report.as_ref().filter(|_| done).map(ReportDto::of),
            error: i.error,
            created_at: i.created_at,
            finished_at: i.finished_at,
        }
    }
}

/// One row of the preview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewRowDto {
    /// The row's number in the file (the header is row 1 when it is the first).
    pub row: u32,
    pub cells: Vec<String>,
    /// Mapped field → the cell's text.
    pub values: BTreeMap<String, String>,
    /// import, import_flagged, skip_duplicate, fail, already_imported
    pub outcome: &'static str,
    pub errors: BTreeMap<String, FieldMessage>,
    pub duplicates: Vec<MatchDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewDto {
    pub columns: Vec<String>,
    /// The first 20 data rows.
    pub rows: Vec<PreviewRowDto>,
}

impl PreviewDto {
    pub fn of(p: Preview) -> Self {
        let columns = fields(&p.options.columns);
        let rows = p
            .rows
            .into_iter()
            .map(|r| {
                let values = p
                    .options
                    .columns
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| {
                        let f = f.clone()?;
                        Some((f, r.cells.get(i).cloned().unwrap_or_default()))
                    })
                    .collect();
                PreviewRowDto {
                    row: r.row,
                    values,
                    outcome: r.outcome.as_str(),
                    errors: messages(&r.errors),
                    duplicates: r.matches.into_iter().map(MatchDto::of).collect(),
                    cells: r.cells,
                }
            })
            .collect();
        Self { columns, rows }
    }
}
