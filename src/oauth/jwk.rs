//! Public keys registered for JWT signers — `private_key_jwt` clients and JWT-bearer issuers — from JWKS files
//! (RFC 7517) or PEM, and the key selection rule that keeps the header from choosing how a key is used.
//!
//! A registered key is a [`VerificationKey`]: a [`PublicKey`] of the `trust` layer (parsed once, same [`KeyPolicy`] as
//! XML Signature: RSA under 2048 bits refused), an optional `kid`, and an optional `alg` that pins the one algorithm
//! it may verify. Refused at load time: symmetric keys (`kty: oct`), private key members (`d`, `p`, …: a JWKS that
//! carries them is a leaked private key), `use` other than `sig`, `key_ops` without `verify`, an `alg` that does not fit
//! the key, P-521, duplicate `kid`s.
//!
//! Selection ([`KeySet::select`]): the header's `kid` picks the keys with exactly that `kid` (none → unknown key); with
//! no `kid`, every key is a candidate. Only then is `alg` compared — with each candidate's type and declared `alg` — so a
//! header cannot make an RSA public key an HMAC secret or an EC key verify an RSA signature.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::alg::JwsAlgorithm;
use super::config::{ConfigError, KeyConfig};
use crate::trust::{EcCurve, KeyPolicy, PublicKey};

/// At most this many keys per client or issuer: every candidate may cost one signature verification.
pub const MAX_KEYS_PER_SIGNER: usize = 16;

/// One registered public key.
#[derive(Clone, Debug)]
pub struct VerificationKey {
    kid: Option<String>,
    alg: Option<JwsAlgorithm>,
    key: PublicKey,
}

impl VerificationKey {
    /// A key with its optional `kid` and pinned `alg`; the `alg` must fit the key.
    pub fn new(key: PublicKey, kid: Option<String>, alg: Option<JwsAlgorithm>) -> Result<Self, String> {
        KeyPolicy::default().check_key(&key).map_err(|r| format!("key refused: {r}"))?;
        if let Some(a) = alg
            && !a.fits(key.kind())
        {
            return Err(format!("alg {a} does not fit a {} key", key.kind()));
        }
        Ok(VerificationKey { kid, alg, key })
    }

    /// The `kid`, if registered.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Whether this key may verify a signature made with `alg`: the algorithm fits the key type and, when the key
    /// declares an `alg`, is that one.
    pub fn admits(&self, alg: JwsAlgorithm) -> bool {
        alg.fits(self.key.kind()) && self.alg.is_none_or(|pinned| pinned == alg)
    }
}

/// Why no key was selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// No key has the header's `kid` (or the set is empty).
    UnknownKey,
    /// Keys were found, but none admits the header's `alg`.
    AlgorithmMismatch,
}

/// The keys of one signer.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<VerificationKey>,
}

impl KeySet {
    /// A set from keys already built.
    pub fn from_keys(keys: Vec<VerificationKey>) -> Result<Self, String> {
        if keys.len() > MAX_KEYS_PER_SIGNER {
            return Err(format!("more than {MAX_KEYS_PER_SIGNER} keys"));
        }
        for (i, k) in keys.iter().enumerate() {
            if let Some(kid) = &k.kid
                && keys[..i].iter().any(|o| o.kid.as_deref() == Some(kid))
            {
                return Err(format!("kid {kid:?} appears twice"));
            }
        }
        Ok(KeySet { keys })
    }

    /// Loads a signer's keys from an optional JWKS file and PEM entries; `at` names the config entry for errors.
    pub fn load(jwks: Option<&Path>, pems: &[KeyConfig], base: &Path, at: &str) -> Result<Self, ConfigError> {
        let mut keys = Vec::new();
        if let Some(path) = jwks {
            let full = base.join(path);
            let text = std::fs::read(&full)
                .map_err(|e| ConfigError::new(format!("{at}.jwks"), format!("{}: {e}", full.display())))?;
            keys.extend(parse_jwks(&text).map_err(|m| ConfigError::new(format!("{at}.jwks"), m))?);
        }
        for (i, k) in pems.iter().enumerate() {
            let where_ = format!("{at}.keys[{i}]");
            let full = base.join(&k.pem);
            let text = std::fs::read(&full)
                .map_err(|e| ConfigError::new(&where_, format!("{}: {e}", full.display())))?;
            let key = PublicKey::from_pem(&text).map_err(|r| {
                ConfigError::new(
                    &where_,
                    format!("{}: not a public key or certificate ({r})", full.display()),
                )
            })?;
            keys.push(
                VerificationKey::new(key, k.kid.clone(), k.alg).map_err(|m| ConfigError::new(&where_, m))?,
            );
        }
        KeySet::from_keys(keys).map_err(|m| ConfigError::new(at, m))
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys.
    pub fn keys(&self) -> &[VerificationKey] {
        &self.keys
    }

    /// The keys that may verify a JWS with header `kid` and `alg` (see the module documentation for the order of the
    /// decisions).
    pub fn select(&self, kid: Option<&str>, alg: JwsAlgorithm) -> Result<Vec<&VerificationKey>, Selection> {
        let by_kid: Vec<&VerificationKey> = match kid {
            Some(kid) => self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid)).collect(),
            None => self.keys.iter().collect(),
        };
        if by_kid.is_empty() {
            return Err(Selection::UnknownKey);
        }
        let admitted: Vec<&VerificationKey> = by_kid.into_iter().filter(|k| k.admits(alg)).collect();
        if admitted.is_empty() {
            return Err(Selection::AlgorithmMismatch);
        }
        Ok(admitted)
    }
}

/// Members that only a private (or symmetric) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Parses a JWK Set document into verification keys (see the module documentation for what is refused).
pub fn parse_jwks(bytes: &[u8]) -> Result<Vec<VerificationKey>, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let keys = doc.get("keys").and_then(Value::as_array).ok_or("not a JWK Set (no \"keys\" array)")?;
    keys.iter().enumerate().map(|(i, k)| parse_jwk(k).map_err(|m| format!("keys[{i}]: {m}"))).collect()
}

/// Parses one public JWK.
pub fn parse_jwk(jwk: &Value) -> Result<VerificationKey, String> {
    let obj = jwk.as_object().ok_or("not a JSON object")?;
    if let Some(m) = PRIVATE_MEMBERS.iter().find(|m| obj.contains_key(**m)) {
        return Err(format!("has private or symmetric member {m:?}: publish public keys only"));
    }
    let text = |name: &str| -> Result<Option<&str>, String> {
        match obj.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(format!("{name:?} is not a string")),
        }
    };
    let bytes = |name: &str| -> Result<Vec<u8>, String> {
        let s = text(name)?.ok_or_else(|| format!("missing {name:?}"))?;
        URL_SAFE_NO_PAD.decode(s).map_err(|_| format!("{name:?} is not base64url without padding"))
    };
    if let Some(u) = text("use")?
        && u != "sig"
    {
        return Err(format!("use {u:?} is not \"sig\""));
    }
    if let Some(ops) = obj.get("key_ops") {
        let ops = ops.as_array().ok_or("key_ops is not an array")?;
        if !ops.iter().any(|o| o.as_str() == Some("verify")) {
            return Err("key_ops does not include \"verify\"".into());
        }
    }
    let alg = match text("alg")? {
        None => None,
        Some(a) => Some(
            JwsAlgorithm::parse(a)
                .ok_or_else(|| format!("alg {a:?} is not an accepted asymmetric algorithm"))?,
        ),
    };
    let kid = text("kid")?.map(str::to_owned);
    let key = match text("kty")? {
        Some("RSA") => PublicKey::from_rsa_components(&bytes("n")?, &bytes("e")?),
        Some("EC") => {
            let curve = match text("crv")? {
                Some("P-256") => EcCurve::P256,
                Some("P-384") => EcCurve::P384,
                other => return Err(format!("EC curve {other:?} is not P-256 or P-384")),
            };
            let (x, y) = (bytes("x")?, bytes("y")?);
            let len = if curve == EcCurve::P256 { 32 } else { 48 };
            if x.len() != len || y.len() != len {
                return Err("EC coordinates have the wrong length".into());
            }
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            PublicKey::from_ec_point(curve, &point)
        }
        Some("OKP") => match text("crv")? {
            Some("Ed25519") => PublicKey::from_ed25519_raw(&bytes("x")?),
            other => return Err(format!("OKP curve {other:?} is not Ed25519")),
        },
        Some("oct") => return Err("symmetric keys (kty \"oct\") are refused".into()),
        other => return Err(format!("kty {other:?} is not RSA, EC or OKP")),
    }
    .map_err(|r| format!("invalid key: {r}"))?;
    VerificationKey::new(key, kid, alg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::{KeyKind, SigningKey};
    use serde_json::json;

    fn ec_jwk(key: &SigningKey) -> Value {
        let spki = key.public_key().spki_der();
        let point = &spki[spki.len() - 65..];
        json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..])})
    }

    #[test]
    fn parses_ec_and_refuses_private_or_symmetric() {
        let k = SigningKey::generate(KeyKind::EcP256).unwrap();
        let mut j = ec_jwk(&k);
        let v = parse_jwk(&j).unwrap();
        assert_eq!(v.public_key(), k.public_key());
        j["d"] = json!("AAAA");
        assert!(parse_jwk(&j).unwrap_err().contains("private"));
        assert!(parse_jwk(&json!({"kty": "oct", "kid": "x"})).is_err());
        let mut j = ec_jwk(&k);
        j["alg"] = json!("HS256");
        assert!(parse_jwk(&j).is_err());
        j["alg"] = json!("RS256");
        assert!(parse_jwk(&j).unwrap_err().contains("does not fit"));
        j["alg"] = json!("ES256");
        j["use"] = json!("enc");
        assert!(parse_jwk(&j).is_err());
    }

    #[test]
    fn selection_decides_key_before_alg() {
        let ec = SigningKey::generate(KeyKind::EcP256).unwrap();
        let ed = SigningKey::generate(KeyKind::Ed25519).unwrap();
        let set = KeySet::from_keys(vec![
            VerificationKey::new(ec.public_key().clone(), Some("ec".into()), None).unwrap(),
            VerificationKey::new(ed.public_key().clone(), Some("ed".into()), Some(JwsAlgorithm::EdDSA))
                .unwrap(),
        ])
        .unwrap();
        assert_eq!(set.select(Some("nope"), JwsAlgorithm::ES256).unwrap_err(), Selection::UnknownKey);
        assert_eq!(set.select(Some("ec"), JwsAlgorithm::RS256).unwrap_err(), Selection::AlgorithmMismatch);
        assert_eq!(set.select(Some("ec"), JwsAlgorithm::ES256).unwrap().len(), 1);
        assert_eq!(set.select(None, JwsAlgorithm::EdDSA).unwrap()[0].kid(), Some("ed"));
        assert!(
            KeySet::from_keys(vec![
                VerificationKey::new(ec.public_key().clone(), Some("a".into()), None).unwrap(),
                VerificationKey::new(ed.public_key().clone(), Some("a".into()), None).unwrap(),
            ])
            .is_err()
        );
    }
}
