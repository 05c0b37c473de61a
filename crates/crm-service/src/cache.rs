//! Read caches that are never stale with respect to this server's own writes.
//!
//! Every write transaction (`Core::begin_write`) moves the write generation when it starts
//! and again when it commits; a cached value is served only while the generation is the one
//! it was computed under, and for at most its time to live (which bounds staleness against
//! writes made by other processes, e.g. `crm demo` or a second app server).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts write transactions begun and committed on this server.
#[derive(Debug, Default)]
pub struct WriteGeneration(AtomicU64);

impl WriteGeneration {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

struct Entry<V> {
    born: Instant,
    generation: u64,
    value: V,
}

/// Values per key, valid for one write generation and at most `ttl`.
pub struct ReadCache<V> {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<String, Entry<V>>>,
}

impl<V> std::fmt::Debug for ReadCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache").field("ttl", &self.ttl).finish()
    }
}

impl<V: Clone> ReadCache<V> {
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value of `key` computed under `generation` less than `ttl` ago.
    pub fn get(&self, key: &str, generation: u64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        (e.generation == generation && e.born.elapsed() < self.ttl).then(|| e.value.clone())
    }

    /// Keeps `value`, computed while the write generation was `generation` (read it
    /// before computing: a write that starts meanwhile then invalidates the value).
    pub fn put(&self, key: String, generation: u64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max_entries {
                let ttl = self.ttl;
                entries.retain(|_, e| e.generation == generation && e.born.elapsed() < ttl);
                if entries.len() >= self.max_entries {
                    entries.clear();
                }
            }
            entries.insert(
                key,
                Entry {
                    born: Instant::now(),
                    generation,
                    value,
                },
            );
        }
    }
}

/// A shared cache handle.
pub type Shared<V> = Arc<ReadCache<V>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_or_the_ttl_ends_a_cached_value() {
        let g = WriteGeneration::default();
        let c = ReadCache::new(Duration::from_secs(60), 4);
        let at = g.current();
        c.put("k".into(), at, 1);
        assert_eq!(c.get("k", g.current()), Some(1));
        g.bump();
        assert_eq!(c.get("k", g.current()), None);

        let short = ReadCache::new(Duration::from_millis(0), 4);
        short.put("k".into(), g.current(), 2);
        assert_eq!(short.get("k", g.current()), None);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let c = ReadCache::new(Duration::from_secs(60), 3);
        for i in 0..10 {
            c.put(format!("k{i}"), 0, i);
        }
        let n = c.entries.lock().map(|e| e.len()).unwrap_or(usize::MAX);
        assert!(n <= 3, "{n}");
        assert_eq!(c.get("k9", 0), Some(9));
    }
}
