//! Client secrets: argon2id PHC hashes (RFC 9106; OWASP Password Storage Cheat Sheet parameters), verified in constant
//! time, with the same work for an unknown client as for a wrong secret.
//!
//! * **Stored form**: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`, as `sluis keys hash-secret` writes it. Only argon2id;
//!   memory × passes must be at least OWASP's weakest recommended setting (7 MiB × 5 = 35,840 KiB-passes), checked at
//!   load time.
//! * **Timing**: an unknown client id is checked against a dummy hash made at load time with the default parameters, so
//!   "no such client" and "wrong secret" cost the same (no client-enumeration oracle). The hash comparison inside
//!   argon2 is constant-time.
//! * **Cost bound**: argon2id costs ~20 MiB and tens of milliseconds per check. At most [`Argon2Gate`]'s permits (the
//!   number of CPUs) run at once; other requests wait, so a flood of bad secrets cannot exhaust memory.
//! * **Success cache**: after a secret verified, an HMAC-SHA-256 tag of (client id, stored hash, secret) under a
//!   per-process random key is kept per client, and the next request with the same secret is checked against it in
//!   constant time instead of running argon2 again. Failures are never cached, so guessing always pays full price. The
//!   cache belongs to one loaded configuration: a reload (new hash, disabled client) starts empty. Client secrets must
//!   be high-entropy random strings (`sluis keys hash-secret` makes 256-bit ones), which is what makes a fast tag safe.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use argon2::password_hash::SaltString;
use argon2::{Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _};
use aws_lc_rs::hmac;
use subtle::ConstantTimeEq as _;

/// The least memory × passes accepted (KiB × iterations): OWASP's `m=7168, t=5`.
pub const MIN_ARGON2_WORK: u64 = 7168 * 5;

/// A parsed, checked argon2id PHC string.
#[derive(Clone, Debug)]
pub struct SecretHash {
    phc: String,
}

impl SecretHash {
    /// Parses and checks a PHC string (see the module documentation).
    pub fn parse(phc: &str) -> Result<Self, String> {
        let parsed = PasswordHash::new(phc).map_err(|e| format!("not a PHC string: {e}"))?;
        if parsed.algorithm.as_str() != "argon2id" {
            return Err(format!("algorithm {} is not argon2id", parsed.algorithm.as_str()));
        }
        let params = Params::try_from(&parsed).map_err(|e| format!("bad argon2 parameters: {e}"))?;
        let work = u64::from(params.m_cost()) * u64::from(params.t_cost());
        if work < MIN_ARGON2_WORK {
            return Err(format!(
                "argon2id parameters m={} t={} are weaker than m=7168,t=5 (OWASP minimum)",
                params.m_cost(),
                params.t_cost()
            ));
        }
        if parsed.hash.is_none() || parsed.salt.is_none() {
            return Err("PHC string has no salt or hash".into());
        }
        Ok(SecretHash { phc: phc.to_owned() })
    }

    /// Hashes `secret` with argon2id and the default parameters (m=19456 KiB, t=2, p=1) and a random salt.
    pub fn hash(secret: &[u8]) -> Result<String, String> {
        let mut salt = [0u8; 16];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| "no randomness")?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        Argon2::default().hash_password(secret, &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.phc
    }
}

/// Bounds how many argon2 verifications run at once.
#[derive(Debug)]
pub struct Argon2Gate {
    running: Mutex<usize>,
    freed: Condvar,
    permits: usize,
}

impl Argon2Gate {
    /// A gate with `permits` concurrent verifications.
    pub fn new(permits: usize) -> Self {
        Argon2Gate { running: Mutex::new(0), freed: Condvar::new(), permits: permits.max(1) }
    }

    fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        {
            // A poisoned lock only means a verification panicked; the counter is still meaningful.
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            while *running >= self.permits {
                running = self.freed.wait(running).unwrap_or_else(|p| p.into_inner());
            }
            *running += 1;
        }
        let out = f();
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        *running -= 1;
        self.freed.notify_one();
        out
    }
}

/// The dummy hash unknown clients are checked against: default parameters, a random secret nobody knows, made once per
/// process (so a reload does not pay for it again).
fn dummy_hash() -> Result<&'static str, String> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(d) = DUMMY.get() {
        return Ok(d);
    }
    let mut random = [0u8; 32];
    aws_lc_rs::rand::fill(&mut random).map_err(|_| "no randomness")?;
    let made = SecretHash::hash(&random)?;
    Ok(DUMMY.get_or_init(|| made))
}

/// Verifies client secrets for one loaded configuration.
pub struct SecretVerifier {
    dummy: &'static str,
    tag_key: hmac::Key,
    verified: Mutex<HashMap<String, [u8; 32]>>,
}

impl std::fmt::Debug for SecretVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretVerifier").finish_non_exhaustive()
    }
}

impl SecretVerifier {
    /// A verifier with a fresh dummy hash and tag key.
    pub fn new() -> Result<Self, String> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let dummy = dummy_hash()?;
        let tag_key = hmac::Key::generate(hmac::HMAC_SHA256, &rng).map_err(|_| "no randomness")?;
        Ok(SecretVerifier { dummy, tag_key, verified: Mutex::new(HashMap::new()) })
    }

    /// Whether `secret` matches `stored` for `client_id`; with `stored == None` (unknown client, or a client without a
    /// secret) the dummy hash is checked and the answer is always `false`.
    pub fn verify(
        &self,
        gate: &Argon2Gate,
        client_id: &str,
        stored: Option<&SecretHash>,
        secret: &str,
    ) -> bool {
        let Some(stored) = stored else {
            gate.run(|| {
                if let Ok(dummy) = PasswordHash::new(self.dummy) {
                    let _ = Argon2::default().verify_password(secret.as_bytes(), &dummy);
                }
            });
            return false;
        };
        let tag = self.tag(client_id, stored, secret);
        let cached = {
            let map = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            map.get(client_id).copied()
        };
        if let Some(known) = cached
            && bool::from(known.ct_eq(&tag))
        {
            return true;
        }
        let ok = gate.run(|| {
            PasswordHash::new(stored.as_str())
                .is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
        });
        if ok {
            let mut map = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            map.insert(client_id.to_owned(), tag);
        }
        ok
    }

    fn tag(&self, client_id: &str, stored: &SecretHash, secret: &str) -> [u8; 32] {
        let mut ctx = hmac::Context::with_key(&self.tag_key);
        for part in [client_id.as_bytes(), stored.as_str().as_bytes(), secret.as_bytes()] {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref()); // HMAC-SHA-256 output is 32 octets
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_caches_and_refuses() {
        let phc = SecretHash::hash(b"s3cret-s3cret").unwrap();
        let stored = SecretHash::parse(&phc).unwrap();
        let v = SecretVerifier::new().unwrap();
        let gate = Argon2Gate::new(2);
        assert!(!v.verify(&gate, "c", Some(&stored), "wrong"));
        assert!(v.verify(&gate, "c", Some(&stored), "s3cret-s3cret"));
        assert!(v.verify(&gate, "c", Some(&stored), "s3cret-s3cret"), "cached");
        assert!(!v.verify(&gate, "c", Some(&stored), "s3cret-s3cret "), "cache does not widen");
        assert!(!v.verify(&gate, "other", None, "s3cret-s3cret"));
    }

    #[test]
    fn refuses_weak_or_other_hashes() {
        assert!(SecretHash::parse("plaintext").is_err());
        let weak = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"x", &SaltString::encode_b64(b"0123456789abcdef").unwrap())
        .unwrap()
        .to_string();
        assert!(SecretHash::parse(&weak).unwrap_err().contains("weaker"));
        let argon2i = Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, Params::default())
            .hash_password(b"x", &SaltString::encode_b64(b"0123456789abcdef").unwrap())
            .unwrap()
            .to_string();
        assert!(SecretHash::parse(&argon2i).unwrap_err().contains("not argon2id"));
    }
}
