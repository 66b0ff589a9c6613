//! Inbound JWTs — JWT-bearer grant assertions (RFC 7523 §2.1) and `private_key_jwt` client assertions (§2.2) —
//! verified in a fixed order (RFC 7523 §3, RFC 8725 §3):
//!
//! 1. **Shape**: compact JWS, three base64url parts without padding, JSON object header and claims
//!    ([`Unverified::parse`]). JWE and the JSON serializations are not accepted.
//! 2. **Header**: `alg` must be an accepted asymmetric algorithm ([`JwsAlgorithm::parse`]: `none` and HMAC refused);
//!    `crit` is refused (RFC 7515 §4.1.11: no extension is understood); `typ: at+jwt` is refused so an access token can
//!    never be replayed as an assertion (RFC 8725 §3.11). `jku`, `x5u`, `jwk` and `x5c` are ignored: keys come only
//!    from configuration.
//! 3. **Key**: the caller picks the signer's [`KeySet`] from the (still unverified) `iss`/`sub`, then
//!    [`KeySet::select`] picks keys by `kid` and only afterwards checks `alg` against each key's type and pinned `alg`.
//! 4. **Signature**, by the `trust` layer ([`crate::trust::PublicKey::verify`], RSA ≥ 2048 bits).
//! 5. **Claims** ([`Verified::check`]): `exp` required; `nbf`, `iat` checked with skew; lifetime bounded; `aud` must name
//!    this server; `jti` required (the caller records it in the replay cache after every other check passed).
//!
//! Failures are [`JwtFault`]s, which the caller turns into a grant reason (`invalid_grant`) or a client-assertion reason
//! (`invalid_client`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::alg::JwsAlgorithm;
use super::jwk::{KeySet, Selection};
use crate::clock::DateTime;
use crate::reason::OAuthReason;
use crate::trust::KeyPolicy;

/// What is wrong with an inbound JWT, before it is known whether it was a grant or a client assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtFault {
    /// Not a compact JWS with JSON header and claims.
    Malformed,
    /// `alg` is none, HMAC or unknown.
    Algorithm,
    /// `alg` does not fit the selected key.
    AlgorithmKeyMismatch,
    /// `crit` present.
    Critical,
    /// No key with that `kid`.
    KeyUnknown,
    /// Bad signature.
    Signature,
    /// A claim missing or mistyped.
    Claim(&'static str),
    /// `aud` does not name this server.
    Audience,
    /// Expired.
    Expired,
    /// Not yet valid.
    NotYetValid,
    /// Lives too long.
    Lifetime,
}

impl JwtFault {
    /// The reason when the JWT was a JWT-bearer grant assertion (`invalid_grant`).
    pub fn grant(self) -> OAuthReason {
        match self {
            JwtFault::Malformed => OAuthReason::JwtMalformed,
            JwtFault::Algorithm => OAuthReason::JwtAlgorithmNotAllowed,
            JwtFault::AlgorithmKeyMismatch => OAuthReason::JwtAlgorithmKeyMismatch,
            JwtFault::Critical => OAuthReason::JwtCritical,
            JwtFault::KeyUnknown => OAuthReason::JwtKeyUnknown,
            JwtFault::Signature => OAuthReason::JwtSignatureInvalid,
            JwtFault::Claim(c) => OAuthReason::JwtClaimInvalid(c),
            JwtFault::Audience => OAuthReason::JwtAudienceMismatch,
            JwtFault::Expired => OAuthReason::JwtExpired,
            JwtFault::NotYetValid => OAuthReason::JwtNotYetValid,
            JwtFault::Lifetime => OAuthReason::JwtLifetimeTooLong,
        }
    }

    /// The reason when the JWT was a client assertion (`invalid_client`).
    pub fn client(self) -> OAuthReason {
        match self {
            JwtFault::Malformed | JwtFault::Critical => OAuthReason::ClientAssertionMalformed,
            JwtFault::Algorithm | JwtFault::AlgorithmKeyMismatch => OAuthReason::ClientAssertionAlgorithm,
            JwtFault::KeyUnknown => OAuthReason::ClientAssertionKeyUnknown,
            JwtFault::Signature => OAuthReason::ClientAssertionSignature,
            JwtFault::Claim(c) => OAuthReason::ClientAssertionClaim(c),
            JwtFault::Audience => OAuthReason::ClientAssertionAudience,
            JwtFault::Expired => OAuthReason::ClientAssertionExpired,
            JwtFault::NotYetValid => OAuthReason::ClientAssertionNotYetValid,
            JwtFault::Lifetime => OAuthReason::ClientAssertionLifetime,
        }
    }
}

/// A parsed, not yet verified, JWS.
#[derive(Debug)]
pub struct Unverified<'t> {
    alg: JwsAlgorithm,
    kid: Option<String>,
    typ: Option<String>,
    claims: Map<String, Value>,
    signing_input: &'t str,
    signature: Vec<u8>,
}

impl<'t> Unverified<'t> {
    /// Steps 1 and 2 of the module documentation.
    pub fn parse(token: &'t str) -> Result<Self, JwtFault> {
        let Compact { header, claims, signing_input, signature } = Compact::parse(token)?;
        let alg = match header.get("alg") {
            Some(Value::String(a)) => JwsAlgorithm::parse(a).ok_or(JwtFault::Algorithm)?,
            _ => return Err(JwtFault::Malformed),
        };
        if header.contains_key("crit") {
            return Err(JwtFault::Critical);
        }
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => return Err(JwtFault::Malformed),
        };
        let typ = match header.get("typ") {
            None => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(_) => return Err(JwtFault::Malformed),
        };
        if typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt"))
        {
            return Err(JwtFault::Claim("typ"));
        }
        Ok(Unverified { alg, kid, typ, claims, signing_input, signature })
    }

    /// An unverified string claim: only for choosing whose keys to verify with.
    pub fn unverified_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// The header `alg`.
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The header `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Steps 3 and 4: select keys from `keys` and verify the signature with them.
    pub fn verify(self, keys: &KeySet) -> Result<Verified, JwtFault> {
        let candidates = keys.select(self.kid.as_deref(), self.alg).map_err(|s| match s {
            Selection::UnknownKey => JwtFault::KeyUnknown,
            Selection::AlgorithmMismatch => JwtFault::AlgorithmKeyMismatch,
        })?;
        let policy = KeyPolicy::default();
        let alg = self.alg.signature_algorithm();
        for key in candidates {
            if key.public_key().verify(alg, self.signing_input.as_bytes(), &self.signature, &policy).is_ok() {
                return Ok(Verified { claims: self.claims, typ: self.typ });
            }
        }
        Err(JwtFault::Signature)
    }
}

/// The three parts of a compact JWS, decoded (step 1 of the module documentation).
#[derive(Debug)]
pub struct Compact<'t> {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// `base64url(header) . base64url(claims)`, what the signature covers.
    pub signing_input: &'t str,
    /// The signature bytes (never empty).
    pub signature: Vec<u8>,
}

impl<'t> Compact<'t> {
    /// Splits and decodes a compact JWS.
    pub fn parse(token: &'t str) -> Result<Self, JwtFault> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtFault::Malformed);
        };
        let signing_input = token.get(..h.len() + 1 + c.len()).ok_or(JwtFault::Malformed)?;
        let header = json_object(h)?;
        let claims = json_object(c)?;
        let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtFault::Malformed)?;
        if signature.is_empty() {
            return Err(JwtFault::Malformed);
        }
        Ok(Compact { header, claims, signing_input, signature })
    }
}

fn json_object(part: &str) -> Result<Map<String, Value>, JwtFault> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| JwtFault::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtFault::Malformed),
    }
}

/// The claim rules of RFC 7523 §3 with this server's configuration.
#[derive(Clone, Copy, Debug)]
pub struct ClaimRules<'a> {
    /// Values that name this server (issuer identifier, token endpoint, aliases); `aud` must contain one.
    pub audiences: &'a [String],
    /// When set, `aud` must be exactly this string, not an array (draft-ietf-oauth-rfc7523bis client assertions).
    pub single_audience: Option<&'a str>,
    /// Now.
    pub now: DateTime,
    /// Tolerated clock skew, seconds.
    pub skew: i64,
    /// Maximum lifetime: `exp - iat` (or `exp - now` without `iat`), and the oldest acceptable `iat`, seconds.
    pub max_lifetime: i64,
}

/// A JWT whose signature verified; its claims may now be read.
#[derive(Debug)]
pub struct Verified {
    claims: Map<String, Value>,
    #[allow(dead_code)] // kept for audit and future typ rules
    typ: Option<String>,
}

/// The registered claims of a verified JWT that passed [`Verified::check`].
#[derive(Clone, Debug)]
pub struct CheckedClaims {
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// `jti`.
    pub jti: String,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `iat`, if present.
    pub iat: Option<i64>,
}

impl Verified {
    /// Step 5 of the module documentation.
    pub fn check(&self, rules: &ClaimRules<'_>) -> Result<CheckedClaims, JwtFault> {
        let iss = self.string("iss")?;
        let sub = self.string("sub")?;
        match (self.claims.get("aud"), rules.single_audience) {
            (Some(Value::String(a)), Some(only)) if a == only => {}
            (_, Some(_)) => return Err(JwtFault::Audience),
            (Some(Value::String(a)), None) if rules.audiences.iter().any(|o| o == a) => {}
            (Some(Value::Array(list)), None)
                if list
                    .iter()
                    .any(|v| v.as_str().is_some_and(|a| rules.audiences.iter().any(|o| o == a))) => {}
            (None, None) => return Err(JwtFault::Claim("aud")),
            (Some(_), None) => return Err(JwtFault::Audience),
        }
        let now = rules.now.unix_seconds();
        let exp = self.numeric_date("exp")?.ok_or(JwtFault::Claim("exp"))?;
        if now >= exp.saturating_add(rules.skew) {
            return Err(JwtFault::Expired);
        }
        if let Some(nbf) = self.numeric_date("nbf")?
            && nbf > now.saturating_add(rules.skew)
        {
            return Err(JwtFault::NotYetValid);
        }
        let iat = self.numeric_date("iat")?;
        if let Some(iat) = iat {
            if iat > now.saturating_add(rules.skew) {
                return Err(JwtFault::NotYetValid);
            }
            if now.saturating_sub(iat) > rules.max_lifetime.saturating_add(rules.skew) {
                return Err(JwtFault::Lifetime);
            }
        }
        let start = iat.unwrap_or(now);
        if exp.saturating_sub(start) > rules.max_lifetime {
            return Err(JwtFault::Lifetime);
        }
        let jti = self.string("jti")?;
        Ok(CheckedClaims { iss, sub, jti, exp, iat })
    }

    /// A non-empty string claim.
    fn string(&self, name: &'static str) -> Result<String, JwtFault> {
        match self.claims.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(JwtFault::Claim(name)),
        }
    }

    /// A NumericDate (RFC 7519 §2: seconds, possibly fractional); fractions are truncated towards the past.
    fn numeric_date(&self, name: &'static str) -> Result<Option<i64>, JwtFault> {
        match self.claims.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    Ok(Some(i))
                } else {
                    match n.as_f64() {
                        Some(f) if f.is_finite() && f.abs() < 1e15 => Ok(Some(f.floor() as i64)),
                        _ => Err(JwtFault::Claim(name)),
                    }
                }
            }
            Some(_) => Err(JwtFault::Claim(name)),
        }
    }

    /// Every claim, for attribute mapping.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}

/// The claims that are JWT mechanics, not attributes of the subject: not offered to scope mapping.
pub const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// A claim's values as attribute strings: a string, each string of an array, or a number or boolean as text. Objects
/// and nulls give nothing.
pub fn claim_values(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Array(items) => items.iter().flat_map(claim_values).collect(),
        Value::Null | Value::Object(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::jwk::VerificationKey;
    use crate::trust::{KeyKind, SigningKey};
    use serde_json::json;

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    }

    fn sign(key: &SigningKey, alg: JwsAlgorithm, header: Value, claims: Value) -> String {
        let input = format!("{}.{}", b64(&header), b64(&claims));
        let sig = key.sign(alg.signature_algorithm(), input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn rules(aud: &[String]) -> ClaimRules<'_> {
        ClaimRules {
            audiences: aud,
            single_audience: None,
            now: DateTime::from_unix_seconds(1000),
            skew: 60,
            max_lifetime: 600,
        }
    }

    #[test]
    fn verifies_and_checks() {
        let key = SigningKey::generate(KeyKind::EcP256).unwrap();
        let set = KeySet::from_keys(vec![
            VerificationKey::new(key.public_key().clone(), Some("k".into()), None).unwrap(),
        ])
        .unwrap();
        let aud = vec!["https://as".to_owned()];
        let claims =
            json!({"iss": "i", "sub": "s", "aud": ["x", "https://as"], "exp": 1100, "iat": 990, "jti": "j"});
        let t = sign(&key, JwsAlgorithm::ES256, json!({"alg": "ES256", "kid": "k"}), claims.clone());
        let v = Unverified::parse(&t).unwrap().verify(&set).unwrap();
        let c = v.check(&rules(&aud)).unwrap();
        assert_eq!((c.iss.as_str(), c.sub.as_str(), c.jti.as_str(), c.exp), ("i", "s", "j", 1100));

        let mut r = rules(&aud);
        r.now = DateTime::from_unix_seconds(1160);
        assert_eq!(v.check(&r).unwrap_err(), JwtFault::Expired);
        r.single_audience = Some("https://as");
        r.now = DateTime::from_unix_seconds(1000);
        assert_eq!(v.check(&r).unwrap_err(), JwtFault::Audience, "array aud refused in strict mode");

        // Tampered claims.
        let mut parts: Vec<&str> = t.split('.').collect();
        let other = b64(&json!({"iss": "i", "sub": "admin", "aud": "https://as", "exp": 1100, "jti": "j"}));
        parts[1] = &other;
        assert_eq!(
            Unverified::parse(&parts.join(".")).unwrap().verify(&set).unwrap_err(),
            JwtFault::Signature
        );
    }

    #[test]
    fn refuses_none_hmac_crit_and_access_tokens() {
        let none = format!("{}.{}.", b64(&json!({"alg": "none"})), b64(&json!({})));
        assert_eq!(Unverified::parse(&none).unwrap_err(), JwtFault::Malformed, "empty signature");
        let none = format!("{}.{}.AA", b64(&json!({"alg": "none"})), b64(&json!({})));
        assert_eq!(Unverified::parse(&none).unwrap_err(), JwtFault::Algorithm);
        let hs = format!("{}.{}.AA", b64(&json!({"alg": "HS256"})), b64(&json!({})));
        assert_eq!(Unverified::parse(&hs).unwrap_err(), JwtFault::Algorithm);
        let crit = format!(
            "{}.{}.AA",
            b64(&json!({"alg": "RS256", "crit": ["b64"], "b64": false})),
            b64(&json!({}))
        );
        assert_eq!(Unverified::parse(&crit).unwrap_err(), JwtFault::Critical);
        let at = format!("{}.{}.AA", b64(&json!({"alg": "RS256", "typ": "at+jwt"})), b64(&json!({})));
        assert_eq!(Unverified::parse(&at).unwrap_err(), JwtFault::Claim("typ"));
        for bad in ["", "a.b", "a.b.c.d", "e30.e30.AA=", "W10.e30.AA"] {
            assert_eq!(Unverified::parse(bad).unwrap_err(), JwtFault::Malformed, "{bad}");
        }
    }

    #[test]
    fn lifetime_and_times() {
        let key = SigningKey::generate(KeyKind::Ed25519).unwrap();
        let set =
            KeySet::from_keys(vec![VerificationKey::new(key.public_key().clone(), None, None).unwrap()])
                .unwrap();
        let aud = vec!["a".to_owned()];
        let check = |claims: Value| {
            let t = sign(&key, JwsAlgorithm::EdDSA, json!({"alg": "EdDSA"}), claims);
            Unverified::parse(&t).unwrap().verify(&set).unwrap().check(&rules(&aud))
        };
        let base = json!({"iss": "i", "sub": "s", "aud": "a", "jti": "j"});
        let with = |extra: Value| {
            let mut c = base.clone();
            c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            c
        };
        assert_eq!(check(base.clone()).unwrap_err(), JwtFault::Claim("exp"));
        assert_eq!(check(with(json!({"exp": 5000}))).unwrap_err(), JwtFault::Lifetime);
        assert_eq!(check(with(json!({"exp": 1100, "iat": 200}))).unwrap_err(), JwtFault::Lifetime);
        assert_eq!(check(with(json!({"exp": 1100, "iat": 1100}))).unwrap_err(), JwtFault::NotYetValid);
        assert_eq!(check(with(json!({"exp": 1100, "nbf": 1061}))).unwrap_err(), JwtFault::NotYetValid);
        assert!(check(with(json!({"exp": 1100.9, "nbf": 1059}))).is_ok());
        assert_eq!(check(with(json!({"exp": "1100"}))).unwrap_err(), JwtFault::Claim("exp"));
        assert_eq!(check(with(json!({"exp": 1100, "aud": "b"}))).unwrap_err(), JwtFault::Audience);
        assert_eq!(check(with(json!({"exp": 1100, "jti": ""}))).unwrap_err(), JwtFault::Claim("jti"));
    }
}
