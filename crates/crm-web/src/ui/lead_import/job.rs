//! A started import: its progress (rows done / total, refreshed every second) and, when it
//! ends, its report with the failed rows, the duplicates and the .xlsx download.

use super::map::match_text;
use super::*;
use crm_service::lead_import::report::Report;
use crm_service::lead_import::Import;

pub(super) struct ReportView {
    pub r: Report,
    pub mode: String,
    pub failures: Vec<(u32, String)>,
    pub duplicates: Vec<(u32, String, String)>,
}

pub(super) struct JobView {
    pub id: i64,
    pub status: String,
    pub file_name: String,
    pub done: i64,
    pub total: i64,
    pub percent: i64,
    pub finished: bool,
    pub error: String,
    pub report: Option<ReportView>,
}

impl JobView {
    fn of(tr: Tr, i: Import) -> Self {
        let meta = i.meta.unwrap_or_default();
        let total = i.total.unwrap_or(meta.rows as i64);
        let percent = match i.status.as_str() {
            "done" => 100,
            _ if total > 0 => (i.done * 100 / total).clamp(0, 100),
            _ => 0,
        };
        let t = |k: &str| tr.t(&format!("lead_import.{k}"));
        // The report is written just before the job is marked done.
        let report = meta.report.filter(|_| i.status == "done").map(|r| {
            let failures = r
                .failures
                .iter()
                .map(|f| {
                    let text = f
                        .errors
                        .iter()
                        .map(|e| {
                            format!(
                                "{}: {}",
                                t(&format!("field.{}", e.field)),
                                message(tr, &e.code, &e.message)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    (f.row, text)
                })
                .collect();
            let duplicates = r
                .duplicate_rows
                .iter()
                .map(|d| {
                    let action = if d.skipped {
                        "outcome.skip_duplicate"
                    } else {
                        "outcome.import_flagged"
                    };
                    let text = d
                        .matches
                        .iter()
                        .map(|m| {
                            let reasons: Vec<&str> = m.reasons.iter().map(String::as_str).collect();
                            let name = m.name.as_deref().filter(|_| m.visible);
                            match_text(tr, &m.kind, name, m.owner_name.as_deref(), &reasons)
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    (d.row, t(action), text)
                })
                .collect();
            ReportView {
                mode: t(&format!("mode.{}", r.mode.as_str())),
                r,
                failures,
                duplicates,
            }
        });
        Self {
            id: i.id,
            finished: i.status == "done" || i.status == "failed",
            status: i.status,
            file_name: meta.file_name,
            done: i.done,
            total,
            percent,
            error: i.error.unwrap_or_default(),
            report,
        }
    }
}

#[derive(Template)]
#[template(path = "lead_import_job.html")]
struct JobPage {
    l: Layout,
    tr: Tr,
    v: JobView,
}

#[derive(Template)]
#[template(path = "lead_import_status.html")]
struct StatusFragment {
    tr: Tr,
    v: JobView,
}

pub(super) fn page(s: &UiSession, i: Import) -> Response {
    render(&JobPage {
        l: s.layout("leads"),
        tr: s.tr,
        v: JobView::of(s.tr, i),
    })
}

/// The progress fragment htmx polls until the import ends.
pub async fn status(State(state): State<AppState>, s: UiSession, Path(id): Path<i64>) -> Response {
    match lead_import::get(&state.core, &s.principal, id).await {
        Ok(i) => render(&StatusFragment {
            tr: s.tr,
            v: JobView::of(s.tr, i),
        }),
        Err(e) => fail(s.tr, e),
    }
}
