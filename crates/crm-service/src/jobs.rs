//! Background jobs with progress: exports now, imports and mass sends later. A job runs on
//! the server that started it, reports progress into the database every half second (the
//! heartbeat), and leaves its result file in the database so any server can hand it out.

use crate::customers::scope_of;
use crate::export::{self, Labels, XlsxFile};
use crate::{Core, Result, ServiceError};
use crm_domain::{Action, Module, Principal};
use crm_store::{contacts, customers, jobs};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use jobs::Model as Job;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Runs `work` in the background, recording progress and the outcome on job `id`.
pub(crate) fn spawn<F, Fut>(core: Core, id: i64, file_name: String, work: F)
where
    F: FnOnce(Arc<AtomicU64>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<u8>>> + Send + 'static,
{
    tokio::spawn(async move {
        let counter = Arc::new(AtomicU64::new(0));
        let beat = {
            let core = core.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(500));
                loop {
                    tick.tick().await;
                    let done = counter.load(Ordering::Relaxed) as i64;
                    if let Err(e) = jobs::progress(&core.db, id, done, core.now()).await {
                        tracing::warn!(job = id, error = %e, "job heartbeat failed");
                    }
                }
            })
        };
        let outcome = work(counter.clone()).await;
        beat.abort();
        let done = counter.load(Ordering::Relaxed) as i64;
        let now = core.now();
        let saved = match outcome {
            Ok(bytes) => jobs::finish(&core.db, id, done, bytes, &file_name, XLSX, now).await,
            Err(e) => {
                tracing::error!(job = id, error = %e, "job failed");
                jobs::fail(&core.db, id, &e.to_string(), now).await
            }
        };
        if let Err(e) = saved {
            tracing::error!(job = id, error = %e, "could not record the job's outcome");
        }
    });
}

/// An export's file as a job's result, read on a blocking thread.
async fn kept(file: Result<XlsxFile>) -> Result<Vec<u8>> {
    let file = file?;
    tokio::task::spawn_blocking(move || file.into_bytes())
        .await
        .map_err(export::internal)?
        .map_err(export::internal)
}

fn stamp(core: &Core) -> String {
    core.now().format("%Y%m%d-%H%M").to_string()
}

/// Starts an export of the customers the principal sees (same filter as the list).
pub async fn export_customers(
    core: &Core,
    p: &Principal,
    filter: customers::Filter,
    labels: Labels,
) -> Result<Job> {
    p.require(Module::Customers, Action::Export)?;
    let scope = scope_of(core, p).await?;
    let total = customers::count(&core.db, &scope, &filter).await? as i64;
    let job = jobs::insert(
        &core.db,
        "customer_export",
        p.user_id.0,
        Some(total),
        core.now(),
    )
    .await?;
    let (c, principal) = (core.clone(), p.clone());
    let name = format!("customers-{}.xlsx", stamp(core));
    spawn(core.clone(), job.id, name, move |counter| async move {
        kept(
            export::customers_xlsx(&c, &principal, &filter, &labels, &|n| {
                counter.store(n as u64, Ordering::Relaxed)
            })
            .await,
        )
        .await
    });
    Ok(job)
}

/// Starts an export of the contacts the principal sees.
pub async fn export_contacts(
    core: &Core,
    p: &Principal,
    filter: contacts::Filter,
    labels: Labels,
) -> Result<Job> {
    p.require(Module::Customers, Action::Export)?;
    let job = jobs::insert(&core.db, "contact_export", p.user_id.0, None, core.now()).await?;
    let (c, principal) = (core.clone(), p.clone());
    let name = format!("contacts-{}.xlsx", stamp(core));
    spawn(core.clone(), job.id, name, move |counter| async move {
        kept(
            export::contacts_xlsx(&c, &principal, &filter, &labels, &|n| {
                counter.store(n as u64, Ordering::Relaxed)
            })
            .await,
        )
        .await
    });
    Ok(job)
}

/// One of the principal's own jobs (others' are 404), without its result bytes.
pub async fn get(core: &Core, p: &Principal, id: i64) -> Result<Job> {
    match jobs::find(&core.db, id).await? {
        Some(j) if j.user_id == p.user_id.0 => Ok(j),
        _ => Err(ServiceError::NotFound),
    }
}

/// The finished result of one of the principal's jobs: (bytes, file name, content type).
pub async fn result(core: &Core, p: &Principal, id: i64) -> Result<(Vec<u8>, String, String)> {
    match jobs::find_with_result(&core.db, id).await? {
        Some(j) if j.user_id == p.user_id.0 && j.status == "done" => Ok((
            j.result.unwrap_or_default(),
            j.result_name.unwrap_or_else(|| "export.xlsx".into()),
            j.result_type.unwrap_or_else(|| XLSX.into()),
        )),
        _ => Err(ServiceError::NotFound),
    }
}
