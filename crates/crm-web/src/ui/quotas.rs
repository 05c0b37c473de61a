//! Quotas (销售定额): the ranking of everyone in scope against their targets with progress
//! bars, department roll-ups, a target-vs-actual chart and the bulk-entry grid (page.rs),
//! and the "My quota" card of the home page (card.rs).

use super::customers::param;
use crate::i18n::Tr;
use crate::AppState;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use crm_domain::{Period, PeriodKind};
use crm_service::quotas::{self, Metric};

mod card;
mod page;

pub use card::*;
pub use page::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/quotas", get(page::page).post(page::save))
}

/// A Bootstrap progress bar for a percent in tenths: green from 100 %, amber from 60 %,
/// red below; grey without a target.
pub struct Bar {
    /// 0–100, the filled width.
    pub width: i64,
    pub class: &'static str,
    /// "87.5 %" or "—".
    pub label: String,
}

impl Bar {
    pub fn of(percent: Option<i64>) -> Self {
        match percent {
            None => Bar {
                width: 0,
                class: "bg-secondary",
                label: "—".into(),
            },
            Some(t) => Bar {
                width: (t / 10).clamp(0, 100),
                class: if t >= 1000 {
                    "bg-success"
                } else if t >= 600 {
                    "bg-warning"
                } else {
                    "bg-danger"
                },
                label: format!("{} %", quotas::percent_text(t)),
            },
        }
    }
}

pub fn metric_label(tr: Tr, m: Metric) -> String {
    tr.t(&format!("quotas.metric.{}", m.as_str()))
}

/// A row's error message: `quotas.error.<code>`, then the shared `error.<code>`.
pub fn row_message(tr: Tr, code: &str, fallback: &str) -> String {
    let key = format!("quotas.error.{code}");
    let text = tr.t(&key);
    if text == key {
        tr.field_error(code, fallback)
    } else {
        text
    }
}

/// The period, date and metric a page shows (from its query or form).
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub kind: PeriodKind,
    pub date: Option<NaiveDate>,
    pub metric: Metric,
}

impl Selection {
    pub fn of(pairs: &[(String, String)]) -> Self {
        Self {
            kind: param(pairs, "period")
                .and_then(quotas::parse_kind)
                .unwrap_or(PeriodKind::Month),
            date: param(pairs, "date").and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()),
            metric: param(pairs, "metric")
                .and_then(Metric::parse)
                .unwrap_or(Metric::SalesAmount),
        }
    }

    /// `/quotas?…` for this selection at `date`.
    pub fn href(&self, date: NaiveDate) -> String {
        format!(
            "/quotas?period={}&date={}&metric={}",
            self.kind.as_str(),
            date.format("%Y-%m-%d"),
            self.metric.as_str()
        )
    }
}

/// "2026-01-01 – 2026-03-31".
pub fn range_label(p: &Period) -> String {
    let last = p.end.pred_opt().unwrap_or(p.end);
    format!(
        "{} – {}",
        p.start.format("%Y-%m-%d"),
        last.format("%Y-%m-%d")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_coloured_by_percent() {
        assert_eq!(Bar::of(Some(1000)).class, "bg-success");
        assert_eq!(Bar::of(Some(2500)).width, 100);
        assert_eq!(Bar::of(Some(999)).class, "bg-warning");
        assert_eq!(Bar::of(Some(600)).class, "bg-warning");
        assert_eq!(Bar::of(Some(599)).class, "bg-danger");
        assert_eq!(Bar::of(Some(599)).label, "59.9 %");
        assert_eq!(Bar::of(None).label, "—");
    }
}
