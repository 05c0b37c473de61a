//! The rate limit of public web-form submissions, kept in memory (per app server): at most
//! [`PER_ADDRESS`] submissions per client address and form in [`ADDRESS_WINDOW`], and
//! [`PER_FORM`] per form in [`FORM_WINDOW`]. The maps are bounded ([`MAX_KEYS`]): expired
//! entries go first, then the longest idle ones.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

pub const PER_ADDRESS: usize = 5;
pub const ADDRESS_WINDOW: Duration = Duration::minutes(10);
pub const PER_FORM: usize = 200;
pub const FORM_WINDOW: Duration = Duration::hours(1);
/// Most (address, form) pairs and forms remembered at once.
pub const MAX_KEYS: usize = 10_000;
/// Longest client address kept as a key.
const MAX_ADDRESS_LEN: usize = 64;

type Hits = VecDeque<DateTime<Utc>>;

#[derive(Debug, Default)]
struct Inner {
    by_address: HashMap<(i64, String), Hits>,
    by_form: HashMap<i64, Hits>,
}

#[derive(Debug, Default)]
pub struct FormLimiter {
    inner: Mutex<Inner>,
}

fn prune(hits: &mut Hits, now: DateTime<Utc>, window: Duration) {
    while hits.front().is_some_and(|t| *t <= now - window) {
        hits.pop_front();
    }
}

/// Whole seconds until the oldest hit leaves the window (rounded up, at least 1).
fn retry_after(hits: &Hits, now: DateTime<Utc>, window: Duration) -> u64 {
    let ms = hits
        .front()
        .map_or(0, |t| (*t + window - now).num_milliseconds());
    u64::try_from(((ms + 999) / 1000).max(1)).unwrap_or(1)
}

/// Makes room for one more key: drops expired entries, then the longest idle one.
fn bound<K: Clone + Eq + std::hash::Hash>(
    map: &mut HashMap<K, Hits>,
    key: &K,
    now: DateTime<Utc>,
    window: Duration,
) {
    if map.len() < MAX_KEYS || map.contains_key(key) {
        return;
    }
    map.retain(|_, hits| {
        prune(hits, now, window);
        !hits.is_empty()
    });
    while map.len() >= MAX_KEYS {
        let idle = map
            .iter()
            .min_by_key(|(_, hits)| hits.back().copied())
            .map(|(k, _)| k.clone());
        match idle {
            Some(k) => {
                map.remove(&k);
            }
            None => break,
        }
    }
}

impl FormLimiter {
    /// Counts one submission to `form` from `address` at `now`, or refuses it with the
    /// seconds to wait (a refused submission is not counted).
    pub fn check(&self, form: i64, address: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut inner = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let address: String = address.chars().take(MAX_ADDRESS_LEN).collect();
        let key = (form, address);
        bound(&mut inner.by_address, &key, now, ADDRESS_WINDOW);
        bound(&mut inner.by_form, &form, now, FORM_WINDOW);
        let per_form = inner.by_form.entry(form).or_default();
        prune(per_form, now, FORM_WINDOW);
        if per_form.len() >= PER_FORM {
            return Err(retry_after(per_form, now, FORM_WINDOW));
        }
        let per_address = inner.by_address.entry(key.clone()).or_default();
        prune(per_address, now, ADDRESS_WINDOW);
        if per_address.len() >= PER_ADDRESS {
            return Err(retry_after(per_address, now, ADDRESS_WINDOW));
        }
        per_address.push_back(now);
        inner.by_form.entry(form).or_default().push_back(now);
        Ok(())
    }

    /// How many (address, form) pairs are remembered.
    pub fn tracked(&self) -> usize {
        match self.inner.lock() {
            Ok(g) => g.by_address.len(),
            Err(poisoned) => poisoned.into_inner().by_address.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn five_per_address_then_wait_for_the_oldest() {
        let l = FormLimiter::default();
        for i in 0..5 {
            assert_eq!(l.check(1, "10.0.0.1", t0() + Duration::seconds(i)), Ok(()));
        }
        // The sixth waits until the first leaves the ten-minute window.
        assert_eq!(
            l.check(1, "10.0.0.1", t0() + Duration::seconds(10)),
            Err(590)
        );
        // Another address and another form are counted apart.
        assert_eq!(l.check(1, "10.0.0.2", t0()), Ok(()));
        assert_eq!(l.check(2, "10.0.0.1", t0()), Ok(()));
        assert_eq!(l.check(1, "10.0.0.1", t0() + Duration::minutes(10)), Ok(()));
    }

    #[test]
    fn two_hundred_per_form_and_hour() {
        let l = FormLimiter::default();
        for i in 0..200 {
            assert_eq!(l.check(7, &format!("a{i}"), t0()), Ok(()));
        }
        assert_eq!(l.check(7, "fresh", t0() + Duration::minutes(5)), Err(3300));
        assert_eq!(l.check(7, "fresh", t0() + Duration::hours(1)), Ok(()));
    }

    #[test]
    fn memory_stays_bounded() {
        let l = FormLimiter::default();
        for i in 0..(MAX_KEYS + 50) {
            let _ = l.check(i as i64, &format!("addr{i}"), t0());
        }
        assert!(l.tracked() <= MAX_KEYS, "{}", l.tracked());
    }
}
