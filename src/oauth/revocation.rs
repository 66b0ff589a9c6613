//! Revoked access tokens (RFC 7009): the `jti`s of revoked tokens, each kept until its token's `exp` and no longer,
//! so the list is bounded by the tokens alive at once. A full list refuses the revocation
//! ([`crate::reason::OAuthReason::RevocationListFull`]) rather than forgetting an earlier one.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::clock::DateTime;

/// The revocation list.
#[derive(Debug)]
pub struct RevocationList {
    revoked: RwLock<HashMap<String, i64>>,
    capacity: usize,
}

/// The list is full of unexpired revocations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl RevocationList {
    /// An empty list holding at most `capacity` unexpired revocations.
    pub fn new(capacity: usize) -> Self {
        RevocationList { revoked: RwLock::new(HashMap::new()), capacity: capacity.max(1) }
    }

    /// Revokes `jti` until `expires` (the token's `exp`, seconds).
    pub fn revoke(&self, jti: &str, expires: i64, now: DateTime) -> Result<(), Full> {
        let now = now.unix_seconds();
        if expires <= now {
            return Ok(()); // already dead
        }
        // A poisoned lock means a panic mid-insert; the map is still a valid map.
        let mut map = self.revoked.write().unwrap_or_else(|p| p.into_inner());
        if map.len() >= self.capacity && !map.contains_key(jti) {
            map.retain(|_, exp| *exp > now);
            if map.len() >= self.capacity {
                return Err(Full);
            }
        }
        map.insert(jti.to_owned(), expires);
        Ok(())
    }

    /// Whether `jti` is revoked.
    pub fn is_revoked(&self, jti: &str) -> bool {
        let map = self.revoked.read().unwrap_or_else(|p| p.into_inner());
        map.contains_key(jti)
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
        assert_eq!(l.revoke("c", 200, t(50)), Err(Full));
        assert!(l.is_revoked("a"));
        assert_eq!(l.revoke("c", 200, t(150)), Ok(()), "a expired and was swept");
        assert!(!l.is_revoked("a"));
        assert_eq!(l.revoke("old", 10, t(150)), Ok(()));
        assert!(!l.is_revoked("old"), "an expired token needs no entry");
    }
}
