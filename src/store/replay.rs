//! A bounded, thread-safe set of "already used" identifiers with expiry: UsernameToken nonces (WSS UsernameToken
//! Profile 1.1 §3.1), SAML assertion IDs (SAML Profiles §4.1.4.5 one-time use of bearer assertions), JWT `jti` values
//! (RFC 7523 §3 item 7).
//!
//! Keys are hashed (SHA-256 of namespace and value) so an entry costs the same whatever the attacker sent. In memory
//! (the default) the map is split into shards to keep lock hold times short under concurrency; with a
//! [`SharedStore`] (Redis) every instance of a deployment sees the same entries, so a nonce or assertion used at one
//! instance is refused at the others.

use super::shared::SharedStore;
use crate::clock::DateTime;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const SHARDS: usize = 16;

/// Why an identifier was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// Seen before and not yet expired: a replay.
    Replayed,
    /// The cache is full of unexpired entries; refusing is the only safe answer.
    Full,
    /// The shared store could not be asked or could not record (unreachable, timed out, out of memory); refusing is
    /// the only safe answer.
    Unavailable,
}

#[derive(Default)]
struct Shard {
    entries: HashMap<[u8; 32], i64>,
    /// The earliest expiry in `entries` (a lower bound), so a full shard with nothing expired is detected without a
    /// sweep.
    earliest: i64,
}

/// The replay cache: in this process's memory, or in a store every instance shares. Cloning shares it.
#[derive(Clone)]
pub struct ReplayCache {
    backend: Arc<Backend>,
}

enum Backend {
    Memory(Memory),
    Shared(Box<SharedStore>),
}

struct Memory {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
}

impl std::fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.backend {
            Backend::Memory(m) => {
                f.debug_struct("ReplayCache").field("capacity", &(m.per_shard * SHARDS)).finish()
            }
            Backend::Shared(s) => f.debug_struct("ReplayCache").field("shared", s).finish(),
        }
    }
}

impl ReplayCache {
    /// A cache in this process's memory holding at most `capacity` unexpired identifiers (rounded up to a multiple of
    /// 16).
    pub fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        let memory =
            Memory { shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(), per_shard };
        ReplayCache { backend: Arc::new(Backend::Memory(memory)) }
    }

    /// A cache kept in `store`, shared by every instance that uses the same store and key prefix.
    pub fn shared(store: SharedStore) -> Self {
        ReplayCache { backend: Arc::new(Backend::Shared(Box::new(store))) }
    }

    /// Whether the cache can record now: always for memory; a round trip for a shared store (for `/readyz`).
    pub fn is_reachable(&self) -> bool {
        match &*self.backend {
            Backend::Memory(_) => true,
            Backend::Shared(s) => s.ping(),
        }
    }

    /// Whether entries live in a shared store.
    pub fn is_shared(&self) -> bool {
        self.shared_store().is_some()
    }

    /// The shared store, when entries live in one (for other state every instance must see, e.g. revocations).
    pub fn shared_store(&self) -> Option<&SharedStore> {
        match &*self.backend {
            Backend::Shared(s) => Some(s),
            Backend::Memory(_) => None,
        }
    }

    /// Records `value` (in `namespace`, e.g. `"wss-nonce"` or an issuer) as used until `expires`. Fails with
    /// [`ReplayError::Replayed`] if it was recorded before and has not expired at `now`.
    pub fn check_and_insert(
        &self,
        namespace: &str,
        value: &str,
        expires: DateTime,
        now: DateTime,
    ) -> Result<(), ReplayError> {
        let key = hash(namespace, value);
        match &*self.backend {
            Backend::Memory(m) => m.check_and_insert(key, expires, now),
            Backend::Shared(s) => {
                let ttl_millis = expires.unix_millis().saturating_sub(now.unix_millis());
                // Already expired: a memory cache would keep it only to drop it; nothing to record.
                if ttl_millis <= 0 {
                    return Ok(());
                }
                match s.set_once(&key, ttl_millis) {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(ReplayError::Replayed),
                    Err(_) => Err(ReplayError::Unavailable),
                }
            }
        }
    }

    /// Number of entries held in memory (expired ones included until swept); 0 for a shared store.
    pub fn len(&self) -> usize {
        match &*self.backend {
            Backend::Memory(m) => {
                m.shards.iter().map(|s| s.lock().map(|s| s.entries.len()).unwrap_or(0)).sum()
            }
            Backend::Shared(_) => 0,
        }
    }

    /// Whether the cache holds nothing (in memory).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Memory {
    fn check_and_insert(&self, key: [u8; 32], expires: DateTime, now: DateTime) -> Result<(), ReplayError> {
        let shard = &self.shards[usize::from(key[0]) % SHARDS];
        // A poisoned lock means another thread panicked mid-update; the map is still a valid map, so keep serving.
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        let now = now.unix_millis();
        if let Some(&until) = shard.entries.get(&key)
            && until >= now
        {
            return Err(ReplayError::Replayed);
        }
        if shard.entries.len() >= self.per_shard && !shard.entries.contains_key(&key) {
            if shard.earliest >= now {
                return Err(ReplayError::Full);
            }
            shard.entries.retain(|_, until| *until >= now);
            shard.earliest = shard.entries.values().copied().min().unwrap_or(i64::MAX);
            if shard.entries.len() >= self.per_shard {
                return Err(ReplayError::Full);
            }
        }
        let until = expires.unix_millis();
        if shard.entries.is_empty() || until < shard.earliest {
            shard.earliest = until;
        }
        shard.entries.insert(key, until);
        Ok(())
    }
}

/// The key of `value` in `namespace`: SHA-256 over the namespace's length, the namespace and the value, so no two
/// (namespace, value) pairs share a key and nothing a client sent is kept in clear.
pub fn hash(namespace: &str, value: &str) -> [u8; 32] {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(&(namespace.len() as u64).to_be_bytes());
    ctx.update(namespace.as_bytes());
    ctx.update(value.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime {
        DateTime::from_unix_seconds(s)
    }

    #[test]
    fn refuses_replays_until_expiry() {
        let c = ReplayCache::new(100);
        assert_eq!(c.check_and_insert("n", "a", t(100), t(0)), Ok(()));
        assert_eq!(c.check_and_insert("n", "a", t(100), t(50)), Err(ReplayError::Replayed));
        assert_eq!(c.check_and_insert("n", "a", t(100), t(100)), Err(ReplayError::Replayed));
        assert_eq!(c.check_and_insert("other", "a", t(100), t(50)), Ok(()), "namespaces are separate");
        assert_eq!(c.check_and_insert("n", "a", t(200), t(101)), Ok(()), "usable again once expired");
    }

    #[test]
    fn full_cache_refuses_instead_of_forgetting() {
        let c = ReplayCache::new(16);
        let mut refused = 0;
        for i in 0..200 {
            if c.check_and_insert("n", &i.to_string(), t(1000), t(0)) == Err(ReplayError::Full) {
                refused += 1;
            }
        }
        assert!(refused > 0);
        assert!(c.len() <= 16);
        // Once entries expire, room is made again.
        assert_eq!(c.check_and_insert("n", "late", t(3000), t(2000)), Ok(()));
    }

    #[test]
    fn namespace_and_value_do_not_collide() {
        let c = ReplayCache::new(100);
        assert_eq!(c.check_and_insert("ab", "c", t(10), t(0)), Ok(()));
        assert_eq!(c.check_and_insert("a", "bc", t(10), t(0)), Ok(()));
    }
}
