//! Revoked access tokens (RFC 7009): the `jti`s of revoked tokens, each kept until its token's `exp` and no longer,
//! so the list is bounded by the tokens alive at once. A full list refuses the revocation
//! ([`crate::reason::OAuthReason::RevocationListFull`]) rather than forgetting an earlier one. With a shared replay
//! store ([`crate::store::SharedStore`]) revocations live there, so every instance's introspection sees them; a store
//! that does not answer is an error, never "not revoked".

use std::collections::HashMap;
use std::sync::RwLock;

use crate::clock::DateTime;
use crate::store::ReplayCache;

/// The namespace of revocations in a shared store.
const NAMESPACE: &str = "oauth-revoked-jti";

/// The revocation list.
#[derive(Debug)]
pub struct RevocationList {
    revoked: RwLock<HashMap<String, i64>>,
    capacity: usize,
    /// The shared store (held through the replay cache that owns it), when revocations live there.
    shared: Option<ReplayCache>,
}

/// Why a revocation could not be recorded or checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationError {
    /// The list is full of unexpired revocations.
    Full,
    /// The shared store did not answer.
    Unavailable,
}

impl RevocationList {
    /// An empty list in memory holding at most `capacity` unexpired revocations.
    pub fn new(capacity: usize) -> Self {
        RevocationList { revoked: RwLock::new(HashMap::new()), capacity: capacity.max(1), shared: None }
    }

    /// A list kept in the shared store of `cache` when it has one, else in memory.
    pub fn with_store(capacity: usize, cache: &ReplayCache) -> Self {
        let shared = cache.is_shared().then(|| cache.clone());
        RevocationList { shared, ..RevocationList::new(capacity) }
    }

    /// Revokes `jti` until `expires` (the token's `exp`, seconds).
    pub fn revoke(&self, jti: &str, expires: i64, now: DateTime) -> Result<(), RevocationError> {
        let now = now.unix_seconds();
        if expires <= now {
            return Ok(()); // already dead
        }
        if let Some(store) = self.shared.as_ref().and_then(ReplayCache::shared_store) {
            let ttl_millis = (expires - now).saturating_mul(1000);
            return store
                .set(&crate::store::hash(NAMESPACE, jti), ttl_millis)
                .map_err(|_| RevocationError::Unavailable);
        }
        // A poisoned lock means a panic mid-insert; the map is still a valid map.
        let mut map = self.revoked.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.capacity && !map.contains_key(jti) {
            map.retain(|_, exp| *exp > now);
            if map.len() >= self.capacity {
                return Err(RevocationError::Full);
            }
        }
        map.insert(jti.to_owned(), expires);
        Ok(())
    }

    /// Whether `jti` is revoked; an error when the shared store does not answer.
    pub fn is_revoked(&self, jti: &str) -> Result<bool, RevocationError> {
        if let Some(store) = self.shared.as_ref().and_then(ReplayCache::shared_store) {
            return store
                .exists(&crate::store::hash(NAMESPACE, jti))
                .map_err(|_| RevocationError::Unavailable);
        }
        let map = self.revoked.read().unwrap_or_else(|p| p.into_inner());
        Ok(map.contains_key(jti))
    }

    /// Revocations held (expired ones included until swept).
    pub fn len(&self) -> usize {
        self.revoked.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_expiring() {
        let l = RevocationList::new(2);
        let t = DateTime::from_unix_seconds;
        assert_eq!(l.revoke("a", 100, t(0)), Ok(()));
        assert_eq!(l.revoke("b", 200, t(0)), Ok(()));
        assert_eq!(l.revoke("c", 200, t(50)), Err(RevocationError::Full));
        assert_eq!(l.is_revoked("a"), Ok(true));
        assert_eq!(l.revoke("c", 200, t(150)), Ok(()), "a expired and was swept");
        assert_eq!(l.is_revoked("a"), Ok(false));
        assert_eq!(l.revoke("old", 10, t(150)), Ok(()));
        assert_eq!(l.is_revoked("old"), Ok(false), "an expired token needs no entry");
    }
}
