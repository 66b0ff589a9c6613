//! Private keys and signing with aws-lc-rs, for `sluis sign` (fixtures), JWT minting and tests.
//!
//! Keys load from PKCS#8 (`BEGIN PRIVATE KEY`: RSA, EC P-256/P-384, Ed25519), PKCS#1 (`BEGIN RSA PRIVATE KEY`) and
//! SEC 1 (`BEGIN EC PRIVATE KEY`). Encrypted keys are refused (decrypt them outside sluis). RSA private keys must be
//! 2048 to 8192 bits (aws-lc-rs refuses smaller ones to sign with).
//!
//! Signing supports the algorithms sluis should *produce*: RSA PKCS#1 v1.5 and PSS with SHA-256/384/512, ECDSA P-256
//! with SHA-256 and P-384 with SHA-384 (fixed or DER encoding), and Ed25519. SHA-1 signatures and ECDSA with a hash that
//! does not match the curve are [`SignError::Unsupported`] (aws-lc-rs offers no such signer, and sluis has no reason to
//! make them).
//!
//! A [`SigningKey`] never prints its private part: `Debug` shows the key type and the public key fingerprint only.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};

use super::der::{self, Reader};
use super::key::{EcCurve, HashAlgorithm, KeyKind, PublicKey, SignatureAlgorithm};
use crate::reason::TrustReason;

/// Why a signature could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignError {
    /// The algorithm is for another key type.
    KeyMismatch,
    /// sluis does not produce this algorithm with this key (see the module documentation).
    Unsupported,
    /// The crypto backend failed (should not happen with a key that loaded).
    Backend,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignError::KeyMismatch => "algorithm does not match the key type",
            SignError::Unsupported => "algorithm not supported for signing with this key",
            SignError::Backend => "signing failed in the crypto backend",
        })
    }
}

impl std::error::Error for SignError {}

enum Inner {
    Rsa(RsaKeyPair),
    /// Holds a P-256 key set up for SHA-256 or a P-384 key set up for SHA-384, fixed-width output.
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private key for signing, with its public key.
pub struct SigningKey {
    inner: Inner,
    public: Arc<PublicKey>,
}

impl SigningKey {
    /// Loads an unencrypted PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208, RFC 5958) holding an RSA, EC
    /// P-256/P-384 or Ed25519 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, TrustReason> {
        match pkcs8_algorithm(der)? {
            Pkcs8Kind::Rsa => Self::rsa(RsaKeyPair::from_pkcs8(der).map_err(|_| TrustReason::MalformedKey)?),
            Pkcs8Kind::Ec(curve) => {
                let alg = signing_alg(curve);
                Self::ecdsa(curve, EcdsaKeyPair::from_pkcs8(alg, der).map_err(|_| TrustReason::MalformedKey)?)
            }
            Pkcs8Kind::Ed25519 => {
                // "maybe_unchecked" accepts PKCS#8 v1 (no public key inside, what OpenSSL writes) as well as v2.
                let pair =
                    Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(|_| TrustReason::MalformedKey)?;
                let public = PublicKey::from_ed25519_raw(pair.public_key().as_ref())?;
                Ok(SigningKey { inner: Inner::Ed25519(pair), public: Arc::new(public) })
            }
        }
    }

    /// Loads a PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2; `BEGIN RSA PRIVATE KEY`).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, TrustReason> {
        Self::rsa(RsaKeyPair::from_der(der).map_err(|_| TrustReason::MalformedKey)?)
    }

    /// Loads a SEC 1 `ECPrivateKey` (RFC 5915; `BEGIN EC PRIVATE KEY`) on P-256 or P-384.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, TrustReason> {
        for curve in [EcCurve::P256, EcCurve::P384] {
            if let Ok(pair) = EcdsaKeyPair::from_private_key_der(signing_alg(curve), der) {
                return Self::ecdsa(curve, pair);
            }
        }
        Err(TrustReason::MalformedKey)
    }

    /// Loads the first private key block of PEM text (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    /// `ENCRYPTED PRIVATE KEY` and RFC 1421 encrypted blocks are refused.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TrustReason> {
        let blocks = super::pem::parse(pem).map_err(|_| TrustReason::MalformedKey)?;
        for block in blocks {
            match block.label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8_der(&block.der),
                "RSA PRIVATE KEY" => return Self::from_pkcs1_der(&block.der),
                "EC PRIVATE KEY" => return Self::from_sec1_der(&block.der),
                "ENCRYPTED PRIVATE KEY" => return Err(TrustReason::MalformedKey),
                _ => {}
            }
        }
        Err(TrustReason::MalformedKey)
    }

    /// Generates a fresh key of `kind` (RSA 2048, 3072, 4096 or 8192 bits; EC P-256/P-384; Ed25519), for tests and
    /// `sluis keys`.
    pub fn generate(kind: KeyKind) -> Result<Self, SignError> {
        use aws_lc_rs::rsa::KeySize;
        match kind {
            KeyKind::Rsa { bits } => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    8192 => KeySize::Rsa8192,
                    _ => return Err(SignError::Unsupported),
                };
                Self::rsa(RsaKeyPair::generate(size).map_err(|_| SignError::Backend)?)
                    .map_err(|_| SignError::Backend)
            }
            KeyKind::EcP256 | KeyKind::EcP384 => {
                let curve = if kind == KeyKind::EcP256 { EcCurve::P256 } else { EcCurve::P384 };
                let pair = EcdsaKeyPair::generate(signing_alg(curve)).map_err(|_| SignError::Backend)?;
                Self::ecdsa(curve, pair).map_err(|_| SignError::Backend)
            }
            KeyKind::Ed25519 => {
                let pair = Ed25519KeyPair::generate().map_err(|_| SignError::Backend)?;
                let public = PublicKey::from_ed25519_raw(pair.public_key().as_ref())
                    .map_err(|_| SignError::Backend)?;
                Ok(SigningKey { inner: Inner::Ed25519(pair), public: Arc::new(public) })
            }
        }
    }

    fn rsa(pair: RsaKeyPair) -> Result<Self, TrustReason> {
        let public = PublicKey::from_pkcs1_der(pair.public_key().as_ref())?;
        Ok(SigningKey { inner: Inner::Rsa(pair), public: Arc::new(public) })
    }

    fn ecdsa(curve: EcCurve, pair: EcdsaKeyPair) -> Result<Self, TrustReason> {
        // aws-lc-rs gives the public key as the uncompressed SEC 1 point.
        let public = PublicKey::from_ec_point(curve, pair.public_key().as_ref())?;
        Ok(SigningKey { inner: Inner::Ecdsa(pair), public: Arc::new(public) })
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The public key, shared.
    pub fn public_key_arc(&self) -> &Arc<PublicKey> {
        &self.public
    }

    /// The algorithm to use when the caller has no preference: RSA PKCS#1 v1.5 with SHA-256, ECDSA with the curve's
    /// own hash (fixed encoding), Ed25519.
    pub fn default_algorithm(&self) -> SignatureAlgorithm {
        match self.public.kind() {
            KeyKind::Rsa { .. } => SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256),
            KeyKind::EcP256 => SignatureAlgorithm::EcdsaFixed(HashAlgorithm::Sha256),
            KeyKind::EcP384 => SignatureAlgorithm::EcdsaFixed(HashAlgorithm::Sha384),
            KeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
        }
    }

    /// Signs `message` with `alg`.
    pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>, SignError> {
        use HashAlgorithm::*;
        use SignatureAlgorithm::*;
        match (&self.inner, alg) {
            (Inner::Rsa(pair), RsaPkcs1(h) | RsaPss(h)) => {
                let encoding: &'static dyn sig::RsaEncoding = match (alg, h) {
                    (RsaPkcs1(_), Sha256) => &sig::RSA_PKCS1_SHA256,
                    (RsaPkcs1(_), Sha384) => &sig::RSA_PKCS1_SHA384,
                    (RsaPkcs1(_), Sha512) => &sig::RSA_PKCS1_SHA512,
                    (RsaPss(_), Sha256) => &sig::RSA_PSS_SHA256,
                    (RsaPss(_), Sha384) => &sig::RSA_PSS_SHA384,
                    (RsaPss(_), Sha512) => &sig::RSA_PSS_SHA512,
                    _ => return Err(SignError::Unsupported),
                };
                let mut out = vec![0u8; pair.public_modulus_len()];
                let rng = aws_lc_rs::rand::SystemRandom::new();
                pair.sign(encoding, &rng, message, &mut out).map_err(|_| SignError::Backend)?;
                Ok(out)
            }
            (Inner::Ecdsa(pair), EcdsaFixed(h) | EcdsaDer(h)) => {
                let (own_hash, scalar_len) = match self.public.kind() {
                    KeyKind::EcP256 => (Sha256, 32),
                    _ => (Sha384, 48),
                };
                if h != own_hash {
                    return Err(SignError::Unsupported);
                }
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let fixed = pair.sign(&rng, message).map_err(|_| SignError::Backend)?;
                match alg {
                    EcdsaDer(_) => {
                        der::ecdsa_fixed_to_der(fixed.as_ref(), scalar_len).ok_or(SignError::Backend)
                    }
                    _ => Ok(fixed.as_ref().to_vec()),
                }
            }
            (Inner::Ed25519(pair), Ed25519) => {
                pair.try_sign(message).map(|s| s.as_ref().to_vec()).map_err(|_| SignError::Backend)
            }
            _ => Err(SignError::KeyMismatch),
        }
    }

    /// The private key as unencrypted PKCS#8 DER, for writing generated keys to disk (tests, `sluis keys`).
    /// The caller owns keeping it secret.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, SignError> {
        match &self.inner {
            Inner::Rsa(pair) => {
                let doc: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
                    pair.as_der().map_err(|_| SignError::Backend)?;
                Ok(doc.as_ref().to_vec())
            }
            Inner::Ecdsa(pair) => {
                pair.to_pkcs8v1().map(|d| d.as_ref().to_vec()).map_err(|_| SignError::Backend)
            }
            Inner::Ed25519(pair) => {
                pair.to_pkcs8v1().map(|d| d.as_ref().to_vec()).map_err(|_| SignError::Backend)
            }
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kind", &self.public.kind())
            .field("public_sha256", &self.public.fingerprint_hex())
            .field("private", &"<redacted>")
            .finish()
    }
}

fn signing_alg(curve: EcCurve) -> &'static sig::EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
}

enum Pkcs8Kind {
    Rsa,
    Ec(EcCurve),
    Ed25519,
}

/// Reads the `privateKeyAlgorithm` of a PKCS#8 structure: `SEQUENCE { version, AlgorithmIdentifier, ... }`.
fn pkcs8_algorithm(der: &[u8]) -> Result<Pkcs8Kind, TrustReason> {
    let mut outer = Reader::new(der);
    let body = outer.expect(der::TAG_SEQUENCE).ok_or(TrustReason::MalformedKey)?;
    if !outer.is_empty() {
        return Err(TrustReason::MalformedKey);
    }
    let mut fields = Reader::new(body);
    fields.expect(der::TAG_INTEGER).ok_or(TrustReason::MalformedKey)?;
    let alg = fields.expect(der::TAG_SEQUENCE).ok_or(TrustReason::MalformedKey)?;
    let mut alg_fields = Reader::new(alg);
    let oid = alg_fields.expect(der::TAG_OID).ok_or(TrustReason::MalformedKey)?;
    match oid {
        der::OID_RSA_ENCRYPTION => Ok(Pkcs8Kind::Rsa),
        der::OID_ED25519 => Ok(Pkcs8Kind::Ed25519),
        der::OID_EC_PUBLIC_KEY => match alg_fields.expect(der::TAG_OID) {
            Some(der::OID_P256) => Ok(Pkcs8Kind::Ec(EcCurve::P256)),
            Some(der::OID_P384) => Ok(Pkcs8Kind::Ec(EcCurve::P384)),
            _ => Err(TrustReason::UnsupportedKeyType),
        },
        _ => Err(TrustReason::UnsupportedKeyType),
    }
}
