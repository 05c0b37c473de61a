//! Win/loss against a competitor: every linked opportunity that is won counts as a win
//! against that competitor, lost as a loss, open as open. Only opportunities whose owner is
//! in the viewer's scope count (the grouped queries filter in SQL).

use chrono::NaiveDate;
use crm_domain::period::{Period, PeriodKind};
use crm_domain::Money;
use crm_store::competitors::{ClosedDay, StatusTally};
use std::collections::BTreeMap;

/// How many opportunities and their amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    pub amount: Money,
}

impl Tally {
    fn add(&mut self, count: i64, amount: i64) {
        self.count += count;
        self.amount = Money(self.amount.0.saturating_add(amount));
    }
}

/// The record against one competitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Record {
    pub open: Tally,
    pub won: Tally,
    pub lost: Tally,
}

impl Record {
    fn add(&mut self, status: &str, count: i64, amount: i64) {
        match status {
            "won" => self.won.add(count, amount),
            "lost" => self.lost.add(count, amount),
            _ => self.open.add(count, amount),
        }
    }

    /// Linked opportunities in scope, whatever their status.
    pub fn opportunities(&self) -> i64 {
        self.open.count + self.won.count + self.lost.count
    }

    /// won / (won + lost) in tenths of a percent, rounded half up; `None` while nothing is
    /// decided.
    pub fn win_rate_permille(&self) -> Option<i64> {
        let decided = self.won.count + self.lost.count;
        if decided == 0 {
            return None;
        }
        Some((self.won.count * 2000 + decided) / (2 * decided))
    }

    /// The win rate as a percent with one decimal ("66.7"); `None` while nothing is decided.
    pub fn win_rate_text(&self) -> Option<String> {
        self.win_rate_permille()
            .map(|p| format!("{}.{}", p / 10, p % 10))
    }
}

/// Records per competitor from the grouped tallies; every id in `ids` gets one (zero when it
/// has no linked opportunity in scope).
pub fn records(ids: &[i64], tallies: &[StatusTally]) -> BTreeMap<i64, Record> {
    let mut out: BTreeMap<i64, Record> = ids.iter().map(|id| (*id, Record::default())).collect();
    for t in tallies {
        out.entry(t.competitor_id)
            .or_default()
            .add(&t.status, t.count, t.amount);
    }
    out
}

/// Won and lost in one quarter (by closing date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarterRecord {
    /// "2026-Q1".
    pub label: String,
    pub start: NaiveDate,
    pub won: Tally,
    pub lost: Tally,
}

/// Buckets closed days into calendar quarters, oldest first, with the empty quarters in
/// between (so a chart's axis is continuous).
pub fn quarters(days: &[ClosedDay]) -> Vec<QuarterRecord> {
    let mut by_start: BTreeMap<NaiveDate, QuarterRecord> = BTreeMap::new();
    for d in days {
        let q = quarter_of(d.closed_on);
        let e = by_start.entry(q.start).or_insert_with(|| empty(&q));
        match d.status.as_str() {
            "won" => e.won.add(d.count, d.amount),
            _ => e.lost.add(d.count, d.amount),
        }
    }
    let (Some(first), Some(last)) = (
        by_start.keys().next().copied(),
        by_start.keys().next_back().copied(),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut q = quarter_of(first);
    // At most 200 quarters (50 years) on one chart.
    while q.start <= last && out.len() < 200 {
        out.push(by_start.remove(&q.start).unwrap_or_else(|| empty(&q)));
        q = quarter_of(q.end);
    }
    out
}

fn quarter_of(d: NaiveDate) -> Period {
    Period::containing(PeriodKind::Quarter, d, chrono::Weekday::Mon)
}

fn empty(q: &Period) -> QuarterRecord {
    QuarterRecord {
        label: q.label(),
        start: q.start,
        won: Tally::default(),
        lost: Tally::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(id: i64, status: &str, count: i64, amount: i64) -> StatusTally {
        StatusTally {
            competitor_id: id,
            status: status.into(),
            count,
            amount,
        }
    }

    #[test]
    fn win_rate_is_won_over_decided_rounded_half_up() {
        let r = records(
            &[1, 2, 3],
            &[
                tally(1, "won", 2, 300),
                tally(1, "lost", 1, 50),
                tally(1, "open", 4, 10),
                tally(2, "open", 1, 5),
            ],
        );
        let one = r[&1];
        assert_eq!(one.opportunities(), 7);
        assert_eq!(one.win_rate_permille(), Some(667));
        assert_eq!(one.win_rate_text().as_deref(), Some("66.7"));
        assert_eq!(one.won.amount, Money(300));
        assert_eq!(r[&2].win_rate_permille(), None, "nothing decided yet");
        assert_eq!(r[&3], Record::default());
        let mut x = Record::default();
        x.add("won", 1, 0);
        x.add("lost", 7, 0);
        assert_eq!(x.win_rate_text().as_deref(), Some("12.5"));
    }

    #[test]
    fn quarters_are_continuous() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let days = vec![
            ClosedDay {
                closed_on: d("2025-11-03"),
                status: "won".into(),
                count: 1,
                amount: 100,
            },
            ClosedDay {
                closed_on: d("2026-04-01"),
                status: "lost".into(),
                count: 2,
                amount: 70,
            },
        ];
        let q = quarters(&days);
        let labels: Vec<&str> = q.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(labels, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(q[0].won.count, 1);
        assert_eq!(q[1].won, Tally::default());
        assert_eq!(q[2].lost.amount, Money(70));
    }
}
