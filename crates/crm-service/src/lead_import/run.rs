//! The import job. First every row is checked, [`BATCH`] rows at a time (validation, the
//! import keys of earlier runs, one duplicate-finder call per batch, earlier rows of the
//! file with the same phone or email), so duplicates are judged against what existed
//! before the import and against the file itself. Then the rows to import are written:
//! "good rows" in transactions of [`BATCH`] rows, "all or nothing" in one transaction and
//! only when no row failed. Every lead carries its import key and is inserted with
//! `ON CONFLICT DO NOTHING`: a re-run after a crash inserts only what is missing. One audit
//! entry per run records the counts. Progress counts a row half when it was checked and
//! half when its outcome is final.

use super::check::{self, Checked, Outcome};
use super::file;
use super::mapping::{Mode, Options};
use super::report::{self, Report, ReportLabels};
use super::{file_error, internal, Meta};
use crate::{Core, Result};
use crm_domain::Principal;
use crm_store::audit::{self, Entry};
use crm_store::lead_import as store;
use crm_store::leads::NewLead;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Rows checked per duplicate-finder call and written per transaction.
pub const BATCH: usize = 1_000;

pub(super) struct Job {
    pub core: Core,
    pub p: Principal,
    pub id: i64,
    pub meta: Meta,
    pub options: Options,
    pub labels: ReportLabels,
    pub bytes: Vec<u8>,
}

fn progress(counter: &AtomicU64, checked: usize, finished: usize) {
    counter.store(((checked + finished) / 2) as u64, Ordering::Relaxed);
}

pub(super) async fn run(job: Job, counter: Arc<AtomicU64>) -> Result<Vec<u8>> {
    let Job {
        core,
        p,
        id,
        mut meta,
        options: o,
        labels,
        bytes,
    } = job;
    let name = meta.file_name.clone();
    let table = tokio::task::spawn_blocking(move || file::read(&bytes, &name, None, false))
        .await
        .map_err(internal)?
        .map_err(file_error)?;
    let total = table.rows.len();
    let mut checked: Vec<Checked> = Vec::with_capacity(total);
    let mut finished = 0;
    let mut seen = HashMap::new();
    for chunk in table.rows.chunks(BATCH) {
        let mut batch = check::rows(&core, &p, &o, &meta.digest, chunk, false).await?;
        check::within_file(&mut batch, o.duplicates, &mut seen);
        finished += batch
            .iter()
            .filter(|c| {
                !matches!(
                    c.outcome(o.duplicates),
                    Outcome::Import | Outcome::ImportFlagged
                )
            })
            .count();
        checked.extend(batch);
        progress(&counter, checked.len(), finished);
    }
    let failed = checked
        .iter()
        .any(|c| c.outcome(o.duplicates) == Outcome::Fail);
    let written = o.mode == Mode::GoodRows || !failed;
    let mut imported = 0;
    if written {
        let mut to_write: Vec<NewLead> = Vec::new();
        for (c, (number, _)) in checked.iter().zip(&table.rows) {
            if let (Outcome::Import | Outcome::ImportFlagged, Ok(f)) =
                (c.outcome(o.duplicates), &c.fields)
            {
                to_write.push(NewLead {
                    fields: f.clone(),
                    owner_id: o.owner_id,
                    created_by: Some(p.user_id.0),
                    import_key: Some(check::key(&meta.digest, *number)),
                });
            }
        }
        let size = match o.mode {
            Mode::GoodRows => BATCH,
            Mode::AllOrNothing => to_write.len().max(1),
        };
        let mut rest = to_write.into_iter().peekable();
        while rest.peek().is_some() {
            let batch: Vec<NewLead> = rest.by_ref().take(size).collect();
            let n = batch.len();
            let txn = core.begin_write().await?;
            imported += store::insert_leads(&txn, batch, core.now()).await?;
            txn.commit().await?;
            finished += n;
            progress(&counter, total, finished);
        }
    }
    let mut rep = Report::of(&checked, o.mode, o.duplicates, written, imported);
    // Rows another run of the same file inserted meanwhile were not inserted twice.
    let attempted = checked
        .iter()
        .filter(|c| {
            written
                && matches!(
                    c.outcome(o.duplicates),
                    Outcome::Import | Outcome::ImportFlagged
                )
        })
        .count() as u64;
    rep.already_imported += attempted.saturating_sub(imported);
    let now = core.now();
    let txn = core.begin_write().await?;
    audit::record(
        &txn,
        now,
        Entry {
            actor_id: Some(p.user_id.0),
            action: "import",
            entity_type: store::KIND,
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({
                "file": meta.file_name, "rows": rep.total, "imported": rep.imported,
                "failed": rep.failed, "duplicates_skipped": rep.duplicates_skipped,
                "duplicates_flagged": rep.duplicates_flagged,
                "already_imported": rep.already_imported, "written": rep.written,
                "mode": o.mode.as_str(), "owner_id": o.owner_id, "campaign_id": o.campaign_id,
            })),
        },
    )
    .await?;
    meta.report = Some(rep);
    let text = serde_json::to_string(&meta).map_err(internal)?;
    store::set_message(&txn, id, &text).await?;
    txn.commit().await?;
    progress(&counter, total, total);
    let policy = o.duplicates;
    tokio::task::spawn_blocking(move || {
        report::workbook(&table.headers, &table.rows, &checked, policy, &labels)
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}
