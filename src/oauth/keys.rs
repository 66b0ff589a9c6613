//! The authorization server's own signing keys: rotation states, the published JWK Set, and signing.
//!
//! Several keys may be configured, each `active`, `next` or `retiring` ([`KeyState`]); exactly one is active and signs
//! every new access token. The JWKS publishes all of them with `kid`, `alg` and `use: sig`, so a rotation
//! (`next` → `active`, `active` → `retiring`) never leaves a verifier with a token it cannot check: the next key was
//! published before it signed anything, and the retiring one stays published while tokens it signed may still be alive.
//!
//! Private keys are read once, when the configuration is loaded, and never printed: [`SigningKeys`]' `Debug` shows
//! `kid`, algorithm, state and the public key fingerprint only.
//!
//! **Signing** uses the `trust` layer's [`SigningKey`] — aws-lc-rs, the same backend `jsonwebtoken`'s `aws_lc_rs`
//! feature uses — with the key parsed once at load. `jsonwebtoken::encode` re-parses the private key on every call
//! (`RsaKeyPair::from_der` per signature); measured on the 2-core dev machine (`cargo bench --bench oauth_mint`), RS256
//! costs 0.75–1.1 ms per token through it and 0.26–0.34 ms with the pre-parsed key (ES256 30–42 µs vs 17–25 µs, EdDSA
//! 18–29 µs vs 13–14 µs), and the token endpoint's latency target cannot afford the difference. The compact serialization is the few lines of RFC 7515 §7.1;
//! tests decode every issued token with `jsonwebtoken` against the JWKS to hold the two to the same format. The JWKS is
//! computed by `jsonwebtoken` ([`Jwk::from_encoding_key`]) from the same key material.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use serde::Serialize;

use super::alg::JwsAlgorithm;
use super::config::{ConfigError, KeyState, SigningKeyConfig};
use crate::trust::{KeyKind, KeyPolicy, PublicKey, SigningKey};

/// The JOSE `typ` of an access token (RFC 9068 §2.1).
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// One loaded signing key.
pub struct LoadedKey {
    kid: String,
    alg: JwsAlgorithm,
    state: KeyState,
    public: PublicKey,
    signer: SigningKey,
    /// `base64url(header) "."`, made once: `{"typ":"at+jwt","alg":…,"kid":…}`.
    header_dot: String,
}

impl LoadedKey {
    /// The `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm it signs with.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// Its rotation state.
    pub fn state(&self) -> KeyState {
        self.state
    }

    /// The public key (for verifying tokens at introspection).
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

impl fmt::Debug for LoadedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("state", &self.state)
            .field("public_sha256", &self.public.fingerprint_hex())
            .field("private", &"<redacted>")
            .finish()
    }
}

/// The configured signing keys.
#[derive(Debug)]
pub struct SigningKeys {
    keys: Vec<LoadedKey>,
    active: usize,
    jwks: String,
}

impl SigningKeys {
    /// Loads `[[oauth.signing_keys]]` (paths relative to `base`).
    pub fn load(configs: &[SigningKeyConfig], base: &Path) -> Result<Self, ConfigError> {
        let mut keys = Vec::with_capacity(configs.len());
        for (i, c) in configs.iter().enumerate() {
            let at = format!("oauth.signing_keys[{i}]");
            let path = base.join(&c.private_key);
            let pem = std::fs::read(&path).map_err(|e| {
                ConfigError::new(format!("{at}.private_key"), format!("{}: {e}", path.display()))
            })?;
            let key = SigningKey::from_pem(&pem).map_err(|r| {
                ConfigError::new(
                    format!("{at}.private_key"),
                    format!("{}: not a usable private key ({r})", path.display()),
                )
            })?;
            keys.push((c.kid.clone(), c.alg, c.state, key));
        }
        Self::from_keys(keys).map_err(|m| ConfigError::new("oauth.signing_keys", m))
    }

    /// Builds the set from keys in memory (tests, and [`Self::load`]).
    pub fn from_keys(keys: Vec<(String, JwsAlgorithm, KeyState, SigningKey)>) -> Result<Self, String> {
        let mut loaded = Vec::with_capacity(keys.len());
        for (kid, alg, state, key) in keys {
            if kid.is_empty() {
                return Err("a signing key has an empty kid".into());
            }
            if loaded.iter().any(|k: &LoadedKey| k.kid == kid) {
                return Err(format!("kid {kid:?} appears twice"));
            }
            let public = key.public_key().clone();
            if !alg.fits(public.kind()) {
                return Err(format!("key {kid:?}: alg {alg} does not fit a {} key", public.kind()));
            }
            KeyPolicy::default().check_key(&public).map_err(|r| format!("key {kid:?}: {r}"))?;
            let header = serde_json::json!({"typ": ACCESS_TOKEN_TYP, "alg": alg.as_str(), "kid": kid});
            let header_dot = format!("{}.", URL_SAFE_NO_PAD.encode(header.to_string()));
            loaded.push(LoadedKey { kid, alg, state, public, signer: key, header_dot });
        }
        let mut active =
            loaded.iter().enumerate().filter(|(_, k)| k.state == KeyState::Active).map(|(i, _)| i);
        let (Some(first), None) = (active.next(), active.next()) else {
            return Err("exactly one signing key must be active".into());
        };
        let jwks = publish(&loaded)?;
        Ok(SigningKeys { keys: loaded, active: first, jwks })
    }

    /// The key that signs new tokens.
    pub fn active(&self) -> &LoadedKey {
        // `from_keys` guarantees `active` indexes `keys`.
        &self.keys[self.active]
    }

    /// The key with this `kid`, in any state.
    pub fn find(&self, kid: &str) -> Option<&LoadedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Every key.
    pub fn all(&self) -> &[LoadedKey] {
        &self.keys
    }

    /// The JWK Set document served at `GET /oauth2/jwks`.
    pub fn jwks_json(&self) -> &str {
        &self.jwks
    }

    /// Signs `claims` as a JWT with the active key: header `{"typ":"at+jwt","alg":…,"kid":…}`, compact serialization
    /// (RFC 7515 §7.1).
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, SignFailed> {
        let key = self.active();
        let payload = serde_json::to_vec(claims).map_err(|_| SignFailed)?;
        let mut token = String::with_capacity(key.header_dot.len() + payload.len() * 4 / 3 + 400);
        token.push_str(&key.header_dot);
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let signature =
            key.signer.sign(key.alg.signature_algorithm(), token.as_bytes()).map_err(|_| SignFailed)?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(token)
    }
}

/// Serializing or signing an access token failed (the crypto backend refused; does not happen with a key that loaded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignFailed;

/// The `jsonwebtoken` encoding key for `key` (its PEM loaders accept PKCS#8 for every key type).
fn encoding_key(key: &SigningKey) -> Result<EncodingKey, String> {
    let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    let pem = pem_encode("PRIVATE KEY", &der);
    let made = match key.public_key().kind() {
        KeyKind::Rsa { .. } => EncodingKey::from_rsa_pem(pem.as_bytes()),
        KeyKind::EcP256 | KeyKind::EcP384 => EncodingKey::from_ec_pem(pem.as_bytes()),
        KeyKind::Ed25519 => EncodingKey::from_ed_pem(pem.as_bytes()),
    };
    made.map_err(|e| format!("jsonwebtoken refused the key: {e}"))
}

/// PEM armor with 64-character lines (RFC 7468 §2).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The public JWK of a signing key: `kty` and key members, `kid`, `alg`, `use: sig` (RFC 7517 §4).
pub fn public_jwk(key: &SigningKey, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, String> {
    let encoding = encoding_key(key)?;
    let mut jwk = Jwk::from_encoding_key(&encoding, alg.to_jsonwebtoken()).map_err(|e| e.to_string())?;
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    Ok(jwk)
}

fn publish(keys: &[LoadedKey]) -> Result<String, String> {
    let set =
        JwkSet { keys: keys.iter().map(|k| public_jwk(&k.signer, &k.kid, k.alg)).collect::<Result<_, _>>()? };
    serde_json::to_string(&set).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: KeyKind) -> SigningKey {
        SigningKey::generate(kind).unwrap()
    }

    #[test]
    fn exactly_one_active() {
        let none = SigningKeys::from_keys(vec![(
            "a".into(),
            JwsAlgorithm::ES256,
            KeyState::Next,
            key(KeyKind::EcP256),
        )]);
        assert!(none.is_err());
        let two = SigningKeys::from_keys(vec![
            ("a".into(), JwsAlgorithm::ES256, KeyState::Active, key(KeyKind::EcP256)),
            ("b".into(), JwsAlgorithm::EdDSA, KeyState::Active, key(KeyKind::Ed25519)),
        ]);
        assert!(two.is_err());
        let mismatch = SigningKeys::from_keys(vec![(
            "a".into(),
            JwsAlgorithm::RS256,
            KeyState::Active,
            key(KeyKind::EcP256),
        )]);
        assert!(mismatch.unwrap_err().contains("does not fit"));
    }

    #[test]
    fn jwks_publishes_every_state_with_kid_alg_use() {
        let set = SigningKeys::from_keys(vec![
            ("old".into(), JwsAlgorithm::ES256, KeyState::Retiring, key(KeyKind::EcP256)),
            ("cur".into(), JwsAlgorithm::EdDSA, KeyState::Active, key(KeyKind::Ed25519)),
            ("new".into(), JwsAlgorithm::ES256, KeyState::Next, key(KeyKind::EcP256)),
        ])
        .unwrap();
        let doc: serde_json::Value = serde_json::from_str(set.jwks_json()).unwrap();
        let keys = doc["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 3);
        for k in keys {
            assert_eq!(k["use"], "sig");
            assert!(k.get("d").is_none());
        }
        assert_eq!(keys[1]["kid"], "cur");
        assert_eq!(keys[1]["alg"], "EdDSA");
        assert_eq!(keys[1]["kty"], "OKP");
        assert_eq!(set.active().kid(), "cur");
        assert!(!format!("{set:?}").contains("BEGIN"));
    }
}
