//! Public keys and signature verification with aws-lc-rs.
//!
//! A [`PublicKey`] is parsed once (from a SubjectPublicKeyInfo, a PKCS#1 `RSAPublicKey`, bare components or a
//! certificate), re-encoded as a canonical SubjectPublicKeyInfo (so the same key compares equal however it arrived), and
//! handed to aws-lc-rs as a [`ParsedPublicKey`] per verification algorithm on first use, so a verification costs only
//! the cryptography.
//!
//! Accepted key types: RSA (1024 to 8192 bits; the minimum actually trusted is [`KeyPolicy::min_rsa_bits`], 2048 by
//! default), EC P-256, EC P-384 and Ed25519. DSA, P-521, RSASSA-PSS-restricted keys and every other type are
//! [`TrustReason::UnsupportedKeyType`]: sluis does not verify with them (DSA is withdrawn by FIPS 186-5; P-521 is not
//! used by the peers sluis serves).
//!
//! What the aws-lc-rs backend cannot do is refused as [`VerifyError::Unsupported`] rather than approximated: RSA-PSS
//! with SHA-1, RSA-PSS or PKCS#1 v1.5 with SHA-384 on keys under 2048 bits, and ECDSA P-384 with SHA-1.

use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};

use super::der::{self, Reader};
use crate::reason::TrustReason;

/// A hash function inside a signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1: broken for collisions; only verified when [`KeyPolicy::allow_sha1`] is set.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// A signature algorithm: key type, padding or encoding, and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), e.g. XML-DSig `rsa-sha256`, JWS `RS256`.
    RsaPkcs1(HashAlgorithm),
    /// RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 6931 §2.3.10 `sha256-rsa-MGF1`,
    /// JWS `PS256`).
    RsaPss(HashAlgorithm),
    /// ECDSA with the signature as fixed-width `r || s` (XML-DSig 1.1 §6.4.3, JWS `ES256`). The curve comes from the
    /// key.
    EcdsaFixed(HashAlgorithm),
    /// ECDSA with the signature as a DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3, as in X.509 and CMS).
    EcdsaDer(HashAlgorithm),
    /// Ed25519 (RFC 8032; XML-DSig `eddsa-ed25519` of RFC 9231, JWS `EdDSA`).
    Ed25519,
}

impl SignatureAlgorithm {
    /// The hash this algorithm applies to the message (`None` for Ed25519, which hashes internally with SHA-512).
    pub const fn hash(self) -> Option<HashAlgorithm> {
        match self {
            SignatureAlgorithm::RsaPkcs1(h)
            | SignatureAlgorithm::RsaPss(h)
            | SignatureAlgorithm::EcdsaFixed(h)
            | SignatureAlgorithm::EcdsaDer(h) => Some(h),
            SignatureAlgorithm::Ed25519 => None,
        }
    }
}

/// Which keys and algorithms are acceptable, independent of who the key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyPolicy {
    /// The smallest RSA modulus trusted, in bits. 2048 by default (NIST SP 800-131A rev. 2: 1024-bit RSA is
    /// disallowed for signatures since 2013).
    pub min_rsa_bits: u32,
    /// Verify SHA-1-based signatures. Off by default: SHA-1 collisions are practical (SHAttered, 2017).
    pub allow_sha1: bool,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        KeyPolicy { min_rsa_bits: 2048, allow_sha1: false }
    }
}

impl KeyPolicy {
    /// Whether `key` is strong enough: [`TrustReason::KeyTooSmall`] for an RSA key below [`Self::min_rsa_bits`].
    pub fn check_key(&self, key: &PublicKey) -> Result<(), TrustReason> {
        match key.kind {
            KeyKind::Rsa { bits } if bits < self.min_rsa_bits => Err(TrustReason::KeyTooSmall),
            _ => Ok(()),
        }
    }
}

/// Why a signature did not verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerifyError {
    /// The signature is not a valid signature of the message with this key (including a value of the wrong length).
    BadSignature,
    /// The algorithm does not fit the key type (an ECDSA algorithm with an RSA key, Ed25519 with a P-256 key, ...).
    KeyMismatch,
    /// The algorithm is refused by [`KeyPolicy`] (SHA-1 unless [`KeyPolicy::allow_sha1`]).
    AlgorithmNotAllowed,
    /// The key is refused by [`KeyPolicy`]; carries [`TrustReason::KeyTooSmall`].
    Policy(TrustReason),
    /// The crypto backend has no implementation of this algorithm for this key (see the module documentation).
    Unsupported,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::BadSignature => f.write_str("signature does not verify"),
            VerifyError::KeyMismatch => f.write_str("algorithm does not match the key type"),
            VerifyError::AlgorithmNotAllowed => f.write_str("algorithm not allowed by policy"),
            VerifyError::Policy(r) => write!(f, "key refused by policy: {r}"),
            VerifyError::Unsupported => f.write_str("algorithm not supported for this key"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// The type of a [`PublicKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// The exact bit length of the modulus.
        bits: u32,
    },
    /// ECDSA over NIST P-256 (secp256r1).
    EcP256,
    /// ECDSA over NIST P-384 (secp384r1).
    EcP384,
    /// Ed25519.
    Ed25519,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "RSA-{bits}"),
            KeyKind::EcP256 => f.write_str("EC P-256"),
            KeyKind::EcP384 => f.write_str("EC P-384"),
            KeyKind::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// A named curve for [`PublicKey::from_ec_point`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
}

/// The largest RSA modulus accepted, in bits: aws-lc-rs verifies up to 8192, and bigger keys only make verification
/// slower for an attacker's benefit.
const MAX_RSA_BITS: u32 = 8192;
/// The smallest RSA modulus aws-lc-rs verifies with at all.
const MIN_BACKEND_RSA_BITS: u32 = 1024;
/// The most aws-lc-rs algorithm objects one key type needs (RSA: four PKCS#1 v1.5 hashes and three PSS ones).
const SLOTS: usize = 7;

/// A public key sluis can verify with, parsed once.
///
/// Equality and hashing are by the canonical SubjectPublicKeyInfo ([`Self::spki_der`]).
pub struct PublicKey {
    kind: KeyKind,
    spki: Box<[u8]>,
    sha256: [u8; 32],
    /// One aws-lc-rs parse per verification algorithm, made on first use (see [`PublicKey::slot`]).
    parsed: Box<[OnceLock<Option<ParsedPublicKey>>; SLOTS]>,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; `BEGIN PUBLIC KEY` in PEM). Trailing data is refused.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, TrustReason> {
        let mut outer = Reader::new(der);
        let body = outer.expect(der::TAG_SEQUENCE).ok_or(TrustReason::MalformedKey)?;
        if !outer.is_empty() {
            return Err(TrustReason::MalformedKey);
        }
        let mut fields = Reader::new(body);
        let alg = fields.expect(der::TAG_SEQUENCE).ok_or(TrustReason::MalformedKey)?;
        let bits = fields.expect(der::TAG_BIT_STRING).ok_or(TrustReason::MalformedKey)?;
        if !fields.is_empty() {
            return Err(TrustReason::MalformedKey);
        }
        let key = match bits.split_first() {
            Some((0, key)) => key,
            _ => return Err(TrustReason::MalformedKey), // a key is whole octets
        };
        let mut alg_fields = Reader::new(alg);
        let oid = alg_fields.expect(der::TAG_OID).ok_or(TrustReason::MalformedKey)?;
        let params = if alg_fields.is_empty() {
            None
        } else {
            Some(alg_fields.any().ok_or(TrustReason::MalformedKey)?)
        };
        if !alg_fields.is_empty() {
            return Err(TrustReason::MalformedKey);
        }
        match oid {
            der::OID_RSA_ENCRYPTION => {
                // RFC 8017 Appendix C: parameters NULL; absent is tolerated (some encoders omit it).
                if params.is_some_and(|p| p.tag != der::TAG_NULL || !p.content.is_empty()) {
                    return Err(TrustReason::MalformedKey);
                }
                Self::from_pkcs1_der(key)
            }
            der::OID_EC_PUBLIC_KEY => {
                // RFC 5480 §2.1.1: namedCurve only; implicit and specified curves are refused.
                let curve = match params {
                    Some(p) if p.tag == der::TAG_OID => p.content,
                    Some(_) => return Err(TrustReason::UnsupportedKeyType),
                    None => return Err(TrustReason::MalformedKey),
                };
                match curve {
                    der::OID_P256 => Self::from_ec_point(EcCurve::P256, key),
                    der::OID_P384 => Self::from_ec_point(EcCurve::P384, key),
                    _ => Err(TrustReason::UnsupportedKeyType),
                }
            }
            der::OID_ED25519 => {
                // RFC 8410 §3: parameters MUST be absent.
                if params.is_some() {
                    return Err(TrustReason::MalformedKey);
                }
                Self::from_ed25519_raw(key)
            }
            _ => Err(TrustReason::UnsupportedKeyType),
        }
    }

    /// Parses a PKCS#1 `RSAPublicKey` (RFC 8017 Appendix A.1.1; `BEGIN RSA PUBLIC KEY` in PEM).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, TrustReason> {
        let mut outer = Reader::new(der);
        let body = outer.expect(der::TAG_SEQUENCE).ok_or(TrustReason::MalformedKey)?;
        let mut fields = Reader::new(body);
        let n = fields.expect(der::TAG_INTEGER).ok_or(TrustReason::MalformedKey)?;
        let e = fields.expect(der::TAG_INTEGER).ok_or(TrustReason::MalformedKey)?;
        if !outer.is_empty() || !fields.is_empty() {
            return Err(TrustReason::MalformedKey);
        }
        let n = der::positive_integer(n).ok_or(TrustReason::MalformedKey)?;
        let e = der::positive_integer(e).ok_or(TrustReason::MalformedKey)?;
        Self::from_rsa_components(n, e)
    }

    /// An RSA key from its big-endian modulus and public exponent (leading zero octets are ignored), as XML-DSig
    /// `RSAKeyValue` and JWK `n`/`e` carry them.
    pub fn from_rsa_components(modulus: &[u8], exponent: &[u8]) -> Result<Self, TrustReason> {
        let n = strip_zeros(modulus);
        let e = strip_zeros(exponent);
        let Some(&top) = n.first() else { return Err(TrustReason::MalformedKey) };
        if e.is_empty() {
            return Err(TrustReason::MalformedKey);
        }
        let bits = u32::try_from(n.len())
            .ok()
            .and_then(|len| len.checked_mul(8))
            .map(|b| b - top.leading_zeros())
            .ok_or(TrustReason::UnsupportedKeyType)?;
        if bits > MAX_RSA_BITS {
            return Err(TrustReason::UnsupportedKeyType);
        }
        let mut null = Vec::new();
        der::push_tlv(&mut null, der::TAG_NULL, &[]);
        let spki = der::spki(der::OID_RSA_ENCRYPTION, &null, &der::rsa_public_key(n, e));
        Self::build(KeyKind::Rsa { bits }, spki)
    }

    /// An EC key from its SEC 1 point encoding (`04 || x || y`, or compressed) on `curve`, as XML-DSig 1.1
    /// `ECKeyValue/PublicKey` carries it.
    pub fn from_ec_point(curve: EcCurve, point: &[u8]) -> Result<Self, TrustReason> {
        let (kind, oid) = match curve {
            EcCurve::P256 => (KeyKind::EcP256, der::OID_P256),
            EcCurve::P384 => (KeyKind::EcP384, der::OID_P384),
        };
        let spki = der::spki(der::OID_EC_PUBLIC_KEY, &der::tlv(der::TAG_OID, oid), point);
        Self::build(kind, spki)
    }

    /// An Ed25519 key from its 32 raw octets (RFC 8032 §5.1.5).
    pub fn from_ed25519_raw(key: &[u8]) -> Result<Self, TrustReason> {
        if key.len() != sig::ED25519_PUBLIC_KEY_LEN {
            return Err(TrustReason::MalformedKey);
        }
        Self::build(KeyKind::Ed25519, der::spki(der::OID_ED25519, &[], key))
    }

    /// The subject public key of a DER certificate (without checking anything else about the certificate).
    pub fn from_certificate_der(der: &[u8]) -> Result<Self, TrustReason> {
        use x509_parser::prelude::{FromDer, X509Certificate};
        let (rest, cert) = X509Certificate::from_der(der).map_err(|_| TrustReason::MalformedCertificate)?;
        if !rest.is_empty() {
            return Err(TrustReason::MalformedCertificate);
        }
        Self::from_spki_der(cert.tbs_certificate.subject_pki.raw)
    }

    /// Parses the first `PUBLIC KEY`, `RSA PUBLIC KEY` or `CERTIFICATE` block of PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TrustReason> {
        let blocks = super::pem::parse(pem).map_err(|_| TrustReason::MalformedKey)?;
        for block in blocks {
            match block.label.as_str() {
                "PUBLIC KEY" => return Self::from_spki_der(&block.der),
                "RSA PUBLIC KEY" => return Self::from_pkcs1_der(&block.der),
                "CERTIFICATE" => return Self::from_certificate_der(&block.der),
                _ => {}
            }
        }
        Err(TrustReason::MalformedKey)
    }

    /// Validates the key material with aws-lc-rs and keeps the parse for the algorithm most likely to be used.
    fn build(kind: KeyKind, spki: Vec<u8>) -> Result<Self, TrustReason> {
        let sha256 = sha256(&spki);
        let key = PublicKey { kind, spki: spki.into_boxed_slice(), sha256, parsed: Default::default() };
        let (slot, alg) = match kind {
            KeyKind::Rsa { .. } => (
                1,
                &sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY as &'static dyn VerificationAlgorithm,
            ),
            KeyKind::EcP256 => (1, &sig::ECDSA_P256_SHA256_ASN1 as &'static dyn VerificationAlgorithm),
            KeyKind::EcP384 => (1, &sig::ECDSA_P384_SHA384_ASN1 as &'static dyn VerificationAlgorithm),
            KeyKind::Ed25519 => (0, &sig::ED25519 as &'static dyn VerificationAlgorithm),
        };
        // The curve, point and RSA parameters are checked here (aws-lc validates EC points on the curve).
        let parsed = ParsedPublicKey::new(alg, &key.spki[..]).map_err(|_| TrustReason::MalformedKey)?;
        if let Some(cell) = key.parsed.get(slot) {
            let _ = cell.set(Some(parsed));
        }
        Ok(key)
    }

    /// The key type.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The RSA modulus size in bits, for RSA keys.
    pub fn rsa_bits(&self) -> Option<u32> {
        match self.kind {
            KeyKind::Rsa { bits } => Some(bits),
            _ => None,
        }
    }

    /// The canonical DER SubjectPublicKeyInfo: RSA with NULL parameters and minimal integers, EC with the named curve
    /// and the point as given, Ed25519 without parameters.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// SHA-256 of [`Self::spki_der`] (the usual "SPKI pin").
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        self.sha256
    }

    /// [`Self::sha256_fingerprint`] as lowercase hex.
    pub fn fingerprint_hex(&self) -> String {
        der::hex(&self.sha256)
    }

    /// Verifies `signature` over `message` with `alg`, applying `policy` first.
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
        policy: &KeyPolicy,
    ) -> Result<(), VerifyError> {
        let (slot, params) = self.slot(alg)?;
        if alg.hash() == Some(HashAlgorithm::Sha1) && !policy.allow_sha1 {
            return Err(VerifyError::AlgorithmNotAllowed);
        }
        policy.check_key(self).map_err(VerifyError::Policy)?;
        let params = params.ok_or(VerifyError::Unsupported)?;
        let converted;
        let signature = match (alg, self.kind) {
            (SignatureAlgorithm::EcdsaFixed(_), KeyKind::EcP256) => {
                converted = der::ecdsa_fixed_to_der(signature, 32).ok_or(VerifyError::BadSignature)?;
                &converted[..]
            }
            (SignatureAlgorithm::EcdsaFixed(_), KeyKind::EcP384) => {
                converted = der::ecdsa_fixed_to_der(signature, 48).ok_or(VerifyError::BadSignature)?;
                &converted[..]
            }
            _ => signature,
        };
        let cell = self.parsed.get(slot).ok_or(VerifyError::Unsupported)?;
        let parsed = cell.get_or_init(|| ParsedPublicKey::new(params, &self.spki[..]).ok());
        let parsed = parsed.as_ref().ok_or(VerifyError::Unsupported)?;
        parsed.verify_sig(message, signature).map_err(|_| VerifyError::BadSignature)
    }

    /// Which parse slot and aws-lc-rs algorithm serve `alg` for this key: `Err(KeyMismatch)` when the algorithm is for
    /// another key type, `Ok((_, None))` when aws-lc-rs has no implementation of the combination.
    fn slot(
        &self,
        alg: SignatureAlgorithm,
    ) -> Result<(usize, Option<&'static dyn VerificationAlgorithm>), VerifyError> {
        use HashAlgorithm::*;
        use SignatureAlgorithm::*;
        let fits = matches!(
            (self.kind, alg),
            (KeyKind::Rsa { .. }, RsaPkcs1(_) | RsaPss(_))
                | (KeyKind::EcP256 | KeyKind::EcP384, EcdsaFixed(_) | EcdsaDer(_))
                | (KeyKind::Ed25519, Ed25519)
        );
        if !fits {
            return Err(VerifyError::KeyMismatch);
        }
        let rsa_small = matches!(self.kind, KeyKind::Rsa { bits } if bits < 2048);
        let rsa_tiny = matches!(self.kind, KeyKind::Rsa { bits } if bits < MIN_BACKEND_RSA_BITS);
        // The aws-lc-rs constants' size ranges only bound what the backend can do; which sizes are *trusted* is
        // decided by KeyPolicy, explicitly, before this is used.
        let found: (usize, Option<&'static dyn VerificationAlgorithm>) = match (self.kind, alg) {
            (KeyKind::Rsa { .. }, _) if rsa_tiny => (0, None),
            (KeyKind::Rsa { .. }, RsaPkcs1(Sha1)) => {
                (0, Some(&sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY))
            }
            (KeyKind::Rsa { .. }, RsaPkcs1(Sha256)) => {
                (1, Some(&sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY))
            }
            (KeyKind::Rsa { .. }, RsaPkcs1(Sha384)) if rsa_small => (2, None),
            (KeyKind::Rsa { .. }, RsaPkcs1(Sha384)) => (2, Some(&sig::RSA_PKCS1_2048_8192_SHA384)),
            (KeyKind::Rsa { .. }, RsaPkcs1(Sha512)) => {
                (3, Some(&sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY))
            }
            (KeyKind::Rsa { .. }, RsaPss(Sha1)) => (0, None),
            (KeyKind::Rsa { .. }, RsaPss(_)) if rsa_small => (0, None),
            (KeyKind::Rsa { .. }, RsaPss(Sha256)) => (4, Some(&sig::RSA_PSS_2048_8192_SHA256)),
            (KeyKind::Rsa { .. }, RsaPss(Sha384)) => (5, Some(&sig::RSA_PSS_2048_8192_SHA384)),
            (KeyKind::Rsa { .. }, RsaPss(Sha512)) => (6, Some(&sig::RSA_PSS_2048_8192_SHA512)),
            // Fixed-width ECDSA is converted to DER first, so both encodings share one parse per hash.
            (KeyKind::EcP256, EcdsaFixed(h) | EcdsaDer(h)) => match h {
                Sha1 => (0, Some(&sig::ECDSA_P256_SHA1_ASN1)),
                Sha256 => (1, Some(&sig::ECDSA_P256_SHA256_ASN1)),
                Sha384 => (2, Some(&sig::ECDSA_P256_SHA384_ASN1)),
                Sha512 => (3, Some(&sig::ECDSA_P256_SHA512_ASN1)),
            },
            (KeyKind::EcP384, EcdsaFixed(h) | EcdsaDer(h)) => match h {
                Sha1 => (0, None),
                Sha256 => (0, Some(&sig::ECDSA_P384_SHA256_ASN1)),
                Sha384 => (1, Some(&sig::ECDSA_P384_SHA384_ASN1)),
                Sha512 => (2, Some(&sig::ECDSA_P384_SHA512_ASN1)),
            },
            (KeyKind::Ed25519, Ed25519) => (0, Some(&sig::ED25519)),
            _ => return Err(VerifyError::KeyMismatch),
        };
        Ok(found)
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(skip..).unwrap_or(&[])
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref()); // SHA-256 output is always 32 octets
    out
}

impl Clone for PublicKey {
    fn clone(&self) -> Self {
        PublicKey {
            kind: self.kind,
            spki: self.spki.clone(),
            sha256: self.sha256,
            parsed: self.parsed.clone(),
        }
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki == other.spki
    }
}

impl Eq for PublicKey {}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.spki.hash(state);
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.kind)
            .field("sha256", &self.fingerprint_hex())
            .finish()
    }
}
