//! Keys, certificates and trust: which key may sign, and checking what it signed. Knows nothing of XML.
//!
//! One crypto stack for everything: **aws-lc-rs** verifies and makes signatures, **rustls-webpki** validates
//! certificate paths (with CRLs), **x509-parser** reads certificate fields.
//!
//! | file | holds |
//! |---|---|
//! | `key.rs` | [`PublicKey`], [`SignatureAlgorithm`], [`KeyPolicy`], [`VerifyError`] |
//! | `signing.rs` | [`SigningKey`] (PKCS#8, PKCS#1, SEC 1), [`SignError`] |
//! | `certificate.rs`, `name.rs` | [`Certificate`], [`KeyUsage`], RFC 4514 names |
//! | `store.rs`, `chain.rs` | [`TrustStore`], [`TrustStoreBuilder`], [`TrustedKey`], [`TrustPath`], the path cache; webpki glue |
//! | [`pem`] | PEM parsing and the file loaders of the CLI |
//! | `der.rs` | the little DER sluis reads and writes itself |
//!
//! # What is implemented
//!
//! * Verification of RSA PKCS#1 v1.5 and RSA-PSS (MGF1 with the same hash, salt = hash length) with SHA-1/256/384/512,
//!   ECDSA on P-256 and P-384 with SHA-1/256/384/512 in fixed `r || s` or DER encoding, and Ed25519, with the key
//!   parsed once. SHA-1 only when [`KeyPolicy::allow_sha1`]; RSA keys below [`KeyPolicy::min_rsa_bits`] (2048) never.
//! * Trust by pinned key, pinned certificate, or path validation to a configured CA with CRLs, at a caller-given
//!   time; see [`TrustStore`] for the exact rules, the EKU rule in `chain.rs`, and the cache.
//!
//! # What is refused, and why
//!
//! * DSA, P-521, RSASSA-PSS-restricted keys and unknown key types: [`crate::reason::TrustReason::UnsupportedKeyType`] (DSA is
//!   withdrawn by FIPS 186-5; the others are not used by the peers sluis serves and are not in aws-lc-rs's verified
//!   set for XML-DSig).
//! * Combinations aws-lc-rs does not implement: RSA-PSS with SHA-1, SHA-384 (PKCS#1 v1.5 or PSS) and any PSS with RSA
//!   keys under 2048 bits, ECDSA P-384 with SHA-1: [`VerifyError::Unsupported`], never an approximation.
//! * A certificate that is only *presented* (self-signed or chained to an unconfigured CA) is never trusted.
//! * Encrypted private keys (decrypt them outside sluis).
//!
//! Nothing here reads the clock: validity takes a [`crate::clock::DateTime`] from the caller.
//!
//! # Example
//!
//! ```
//! use sluis::clock::DateTime;
//! use sluis::trust::{KeyKind, KeyPolicy, SigningKey, TrustPath, TrustStore};
//!
//! let signer = SigningKey::generate(KeyKind::EcP256)?;
//! let alg = signer.default_algorithm();
//! let signature = signer.sign(alg, b"canonical SignedInfo")?;
//!
//! let mut builder = TrustStore::builder(KeyPolicy::default());
//! builder.pin_key(signer.public_key().clone())?;
//! let store = builder.build();
//!
//! let at = DateTime::parse("2026-11-25T12:00:00Z")?;
//! let trusted = store.trust_key(signer.public_key(), at)?;
//! assert_eq!(trusted.trust_path(), TrustPath::PinnedKey);
//! trusted.public_key().verify(alg, b"canonical SignedInfo", &signature, store.policy())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod certificate;
mod chain;
mod der;
/// Lowercase hexadecimal (fingerprints, ids, store keys).
pub(crate) use der::hex;
mod key;
mod name;
pub mod pem;
mod signing;
mod store;

#[cfg(test)]
mod tests;

pub use certificate::{Certificate, KeyUsage};
pub use key::{EcCurve, HashAlgorithm, KeyKind, KeyPolicy, PublicKey, SignatureAlgorithm, VerifyError};
pub use signing::{SignError, SigningKey};
pub use store::{
    CacheStats, DEFAULT_CACHE_CAPACITY, MAX_PRESENTED_INTERMEDIATES, TrustPath, TrustStore,
    TrustStoreBuilder, TrustedKey,
};
