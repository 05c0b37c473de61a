//! Importing leads (线索导入) from .xlsx and .csv files: [`upload`] reads and checks the file
//! (size, zip bomb, encoding, at most 100,000 rows) and keeps it in a `jobs` row; the user
//! maps the columns and [`preview`]s the first rows with their validation errors and
//! duplicates; [`start`] runs the import as a background job (progress on the job, the
//! report and a downloadable .xlsx of failed and duplicate rows when it ends). An import
//! needs `market:create`; each row obeys exactly the rules of a lead typed by hand.
//!
//! The file waits in the job row only until the import starts; while the job runs it is
//! held in memory. Each imported lead carries `<sha-256 of the file, 16 hex>:<row>` as its
//! import key, so running the same file again imports only the rows still missing.

pub mod check;
pub mod file;
pub mod mapping;
pub mod report;
mod run;
mod zipcheck;

pub use check::{Checked, Outcome};
pub use file::{column_label, Format, MAX_BYTES, MAX_ROWS};
pub use mapping::{Duplicates, Mode, Options, OptionsInput, FIELDS, IGNORE};
pub use report::{Report, ReportLabels};

use crate::conversion::Match;
use crate::{Core, Result, ServiceError};
use chrono::{DateTime, Utc};
use crm_domain::{Action, FieldErrors, Module, Principal};
use crm_store::lead_import::{self as store, QUEUED};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Rows shown by the preview.
pub const PREVIEW_ROWS: usize = 20;
/// Uploads nobody started are forgotten after this many hours.
pub const UPLOAD_HOURS: i64 = 24;

/// What is known of an import: the upload, then the options it ran with and its report.
/// Kept as JSON with the job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    pub file_name: String,
    pub format: Option<Format>,
    /// CSV: the detected encoding.
    pub encoding: Option<String>,
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: u64,
    /// The first 16 hex digits of the file's SHA-256.
    pub digest: String,
    /// The column mapping guessed from the headers.
    pub guessed: Vec<Option<String>>,
    pub options: Option<Options>,
    pub report: Option<Report>,
}

/// An import as its owner sees it.
#[derive(Debug, Clone)]
pub struct Import {
    pub id: i64,
    /// queued (waiting for its mapping), running, done, failed.
    pub status: String,
    pub done: i64,
    pub total: Option<i64>,
    /// None only when a failed run left no description.
    pub meta: Option<Meta>,
    /// Why the run failed.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One row of the preview.
#[derive(Debug, Clone)]
pub struct PreviewRow {
    pub row: u32,
    pub cells: Vec<String>,
    pub outcome: Outcome,
    pub errors: FieldErrors,
    pub matches: Vec<Match>,
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub options: Options,
    pub rows: Vec<PreviewRow>,
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(sea_orm::DbErr::Custom(format!("lead import: {e}")))
}

pub(crate) fn file_error(e: file::FileError) -> ServiceError {
    ServiceError::field("file", e.code, e.message)
}

fn import_of(j: store::Model) -> Import {
    let meta: Option<Meta> = j
        .message
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok());
    let error = match (&meta, j.status.as_str()) {
        (None, "failed") => j.message.clone(),
        _ => None,
    };
    Import {
        id: j.id,
        status: j.status,
        done: j.done,
        total: j.total,
        meta,
        error,
        created_at: j.created_at,
        finished_at: j.finished_at,
    }
}

/// A file name fit to show: its last path part, without control characters, ≤ 200 chars.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.trim().is_empty() {
        "import".to_string()
    } else {
        s
    }
}

/// Reads and checks an uploaded file and keeps it for the mapping step.
pub async fn upload(core: &Core, p: &Principal, file_name: &str, bytes: Vec<u8>) -> Result<Import> {
    p.require(Module::Market, Action::Create)?;
    let name = clean_name(file_name);
    let digest = hex::encode(Sha256::digest(&bytes))[..16].to_string();
    let n = name.clone();
    let (table, bytes) = tokio::task::spawn_blocking(move || {
        let t = file::read(&bytes, &n, None, true);
        (t, bytes)
    })
    .await
    .map_err(internal)?;
    let table = table.map_err(file_error)?;
    let meta = Meta {
        file_name: name.clone(),
        format: Some(table.format),
        encoding: table.encoding.map(str::to_string),
        guessed: mapping::guess_all(&table.headers)
            .into_iter()
            .map(|g| g.map(str::to_string))
            .collect(),
        headers: table.headers,
        rows: table.rows.len() as u64,
        digest,
        options: None,
        report: None,
    };
    let now = core.now();
    store::purge_uploads(&core.db, now - chrono::Duration::hours(UPLOAD_HOURS)).await?;
    let text = serde_json::to_string(&meta).map_err(internal)?;
    let job = store::insert_upload(
        &core.db,
        p.user_id.0,
        bytes,
        &name,
        text,
        meta.rows as i64,
        now,
    )
    .await?;
    Ok(import_of(job))
}

/// The principal's own import job (anyone else's is 404), without its bytes.
async fn own(core: &Core, p: &Principal, id: i64) -> Result<store::Model> {
    p.require(Module::Market, Action::Create)?;
    mine(p, store::find(&core.db, id).await?)
}

fn mine(p: &Principal, job: Option<store::Model>) -> Result<store::Model> {
    match job {
        Some(j) if j.user_id == p.user_id.0 => Ok(j),
        _ => Err(ServiceError::NotFound),
    }
}

fn started() -> ServiceError {
    ServiceError::conflict("already_started", "This import has already been started")
}

/// A queued upload: its description and bytes.
async fn queued(core: &Core, p: &Principal, id: i64) -> Result<(Meta, Vec<u8>)> {
    p.require(Module::Market, Action::Create)?;
    let j = mine(p, store::find_with_upload(&core.db, id).await?)?;
    if j.status != QUEUED {
        return Err(started());
    }
    let meta = import_of(j.clone())
        .meta
        .ok_or_else(|| internal("no description"))?;
    Ok((meta, j.result.unwrap_or_default()))
}

/// One of the principal's imports.
pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Import> {
    own(core, p, id).await.map(import_of)
}

/// The first [`PREVIEW_ROWS`] rows as the options would import them.
pub async fn preview(core: &Core, p: &Principal, id: i64, input: &OptionsInput) -> Result<Preview> {
    let (meta, bytes) = queued(core, p, id).await?;
    let scope = core.scope(p).await?;
    let options = mapping::check(&core.db, p, &scope, &meta.headers, input).await?;
    let name = meta.file_name.clone();
    let table =
        tokio::task::spawn_blocking(move || file::read(&bytes, &name, Some(PREVIEW_ROWS), false))
            .await
            .map_err(internal)?
            .map_err(file_error)?;
    let mut checked = check::rows(core, p, &options, &meta.digest, &table.rows, true).await?;
    check::within_file(
        &mut checked,
        options.duplicates,
        &mut std::collections::HashMap::new(),
    );
    let rows = table
        .rows
        .into_iter()
        .zip(checked)
        .map(|((row, cells), c)| PreviewRow {
            row,
            cells,
            outcome: c.outcome(options.duplicates),
            errors: c.fields.err().unwrap_or_default(),
            matches: c.matches,
        })
        .collect();
    Ok(Preview { options, rows })
}

/// Starts the import of a queued upload with `input`'s options (422 with field errors
/// before anything starts; 409 `already_started` when it was started before).
pub async fn start(
    core: &Core,
    p: &Principal,
    id: i64,
    input: &OptionsInput,
    labels: ReportLabels,
) -> Result<Import> {
    let (mut meta, bytes) = queued(core, p, id).await?;
    let scope = core.scope(p).await?;
    let options = mapping::check(&core.db, p, &scope, &meta.headers, input).await?;
    if !store::claim(&core.db, id, core.now()).await? {
        return Err(started());
    }
    meta.options = Some(options.clone());
    let text = serde_json::to_string(&meta).map_err(internal)?;
    store::set_message(&core.db, id, &text).await?;
    let report_name = format!("lead-import-{id}-report.xlsx");
    let job = run::Job {
        core: core.clone(),
        p: p.clone(),
        id,
        meta,
        options,
        labels,
        bytes,
    };
    // The answer is the import as started: read before the job runs, a small file could
    // otherwise be done (or failed) by the time it is read back.
    let started = get(core, p, id).await?;
    crate::jobs::spawn(core.clone(), id, report_name, move |counter| {
        run::run(job, counter)
    });
    Ok(started)
}

/// The .xlsx report of a finished import: (bytes, file name, content type).
pub async fn report_file(core: &Core, p: &Principal, id: i64) -> Result<(Vec<u8>, String, String)> {
    own(core, p, id).await?;
    crate::jobs::result(core, p, id).await
}
