//! Reporting periods in the installation's time zone: day, week (starting on the configured
//! weekday), month, quarter, year. A period is a half-open range of local dates, turned into
//! a half-open range of UTC instants for queries on timestamps.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Installation-wide settings every use-case may need: currency, time zone, week start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub currency: crate::money::Currency,
    pub tz: Tz,
    pub week_start: Weekday,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            currency: crate::money::Currency::default(),
            tz: chrono_tz::Asia::Shanghai,
            week_start: Weekday::Mon,
        }
    }
}

impl Settings {
    /// Today's date in the installation's time zone.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }
    /// The local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }
    /// The UTC instant at which local `date` begins (the first valid local time that day).
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut t = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        // A DST gap at midnight: step forward until the local time exists.
        for _ in 0..4 {
            if let Some(dt) = self.tz.from_local_datetime(&t).earliest() {
                return dt.with_timezone(&Utc);
            }
            t += Duration::hours(1);
        }
        Utc.from_utc_datetime(&t)
    }
    /// `[start, end)` of a period as UTC instants.
    pub fn instants(&self, p: &Period) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.start_of(p.start), self.start_of(p.end))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Year,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A half-open range of local dates `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

fn first_of_month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
}

fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let idx = d.year() * 12 + d.month0() as i32 + months;
    first_of_month(idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
}

impl Period {
    /// The period of `kind` containing local date `d`.
    pub fn containing(kind: PeriodKind, d: NaiveDate, week_start: Weekday) -> Period {
        let (start, end) = match kind {
            PeriodKind::Day => (d, d + Duration::days(1)),
            PeriodKind::Week => {
                let back = (7 + d.weekday().num_days_from_monday()
                    - week_start.num_days_from_monday())
                    % 7;
                let s = d - Duration::days(i64::from(back));
                (s, s + Duration::days(7))
            }
            PeriodKind::Month => {
                let s = first_of_month(d.year(), d.month());
                (s, add_months(s, 1))
            }
            PeriodKind::Quarter => {
                let s = first_of_month(d.year(), d.month0() / 3 * 3 + 1);
                (s, add_months(s, 3))
            }
            PeriodKind::Year => {
                let s = first_of_month(d.year(), 1);
                (s, add_months(s, 12))
            }
        };
        Period { kind, start, end }
    }

    /// The period `n` steps after this one (negative: before).
    pub fn shift(&self, n: i32, week_start: Weekday) -> Period {
        let d = match self.kind {
            PeriodKind::Day => self.start + Duration::days(i64::from(n)),
            PeriodKind::Week => self.start + Duration::days(7 * i64::from(n)),
            PeriodKind::Month => add_months(self.start, n),
            PeriodKind::Quarter => add_months(self.start, 3 * n),
            PeriodKind::Year => add_months(self.start, 12 * n),
        };
        Period::containing(self.kind, d, week_start)
    }

    /// A short label: "2026-03-02", "2026-W10", "2026-03", "2026-Q1", "2026".
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Day => self.start.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => {
                let w = self.start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Month => self.start.format("%Y-%m").to_string(),
            PeriodKind::Quarter => {
                format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1)
            }
            PeriodKind::Year => self.start.year().to_string(),
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn periods_contain_their_date() {
        let day = d(2026, 3, 4); // a Wednesday
        let w = Period::containing(PeriodKind::Week, day, Weekday::Mon);
        assert_eq!((w.start, w.end), (d(2026, 3, 2), d(2026, 3, 9)));
        let ws = Period::containing(PeriodKind::Week, day, Weekday::Sun);
        assert_eq!(ws.start, d(2026, 3, 1));
        let q = Period::containing(PeriodKind::Quarter, day, Weekday::Mon);
        assert_eq!((q.start, q.end), (d(2026, 1, 1), d(2026, 4, 1)));
        assert_eq!(q.label(), "2026-Q1");
        let m = Period::containing(PeriodKind::Month, d(2026, 12, 31), Weekday::Mon);
        assert_eq!((m.start, m.end), (d(2026, 12, 1), d(2027, 1, 1)));
        assert_eq!(m.shift(-12, Weekday::Mon).label(), "2025-12");
        assert_eq!(q.shift(-1, Weekday::Mon).label(), "2025-Q4");
        assert_eq!(w.label(), "2026-W10");
    }

    #[test]
    fn shanghai_midnight_is_utc_sixteen_hundred() {
        let s = Settings::default();
        let (a, b) = s.instants(&Period::containing(
            PeriodKind::Day,
            d(2026, 3, 2),
            Weekday::Mon,
        ));
        assert_eq!(a.to_rfc3339(), "2026-03-01T16:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-03-02T16:00:00+00:00");
        let late = Utc
            .with_ymd_and_hms(2026, 3, 1, 17, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(s.today(late), d(2026, 3, 2));
    }

    #[test]
    fn other_zones_and_daylight_saving() {
        let s = Settings {
            tz: chrono_tz::America::New_York,
            week_start: Weekday::Sun,
            ..Settings::default()
        };
        // 2026-03-08 is the day clocks go forward in New York: a 23-hour day.
        let p = Period::containing(PeriodKind::Day, d(2026, 3, 8), s.week_start);
        let (a, b) = s.instants(&p);
        assert_eq!(a.to_rfc3339(), "2026-03-08T05:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-03-09T04:00:00+00:00");
        let w = Period::containing(PeriodKind::Week, d(2026, 3, 11), s.week_start);
        assert_eq!(w.start, d(2026, 3, 8));
    }
}
