//! The JWS algorithms sluis accepts and produces (RFC 7518 §3.1, RFC 8037 §3.1): asymmetric only.
//!
//! `none` (RFC 7518 §3.6) and the HMAC family (`HS256/384/512`) are not representable: a symmetric algorithm verified
//! with a public key is the classic key-confusion attack (the PEM bytes of the public key used as the HMAC secret),
//! and `none` is no signature at all. ES512 (P-521) is refused like everywhere else in sluis (`trust` does not load
//! P-521 keys).
//!
//! Each algorithm fixes the key type it may be used with ([`JwsAlgorithm::fits`]): RS*/PS* need RSA, ES256 needs P-256,
//! ES384 needs P-384, EdDSA needs Ed25519. That check runs on the key *selected for the issuer*, so the header's `alg`
//! can never choose how a key is interpreted.

use std::fmt;

use serde::Deserialize;

use crate::trust::{HashAlgorithm, KeyKind, SignatureAlgorithm};

/// An accepted JWS `alg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
pub enum JwsAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256, salt 32).
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// Ed25519 (RFC 8037).
    EdDSA,
}

/// Every accepted algorithm, in the order metadata lists them.
pub const ALL: [JwsAlgorithm; 9] = [
    JwsAlgorithm::RS256,
    JwsAlgorithm::RS384,
    JwsAlgorithm::RS512,
    JwsAlgorithm::PS256,
    JwsAlgorithm::PS384,
    JwsAlgorithm::PS512,
    JwsAlgorithm::ES256,
    JwsAlgorithm::ES384,
    JwsAlgorithm::EdDSA,
];

impl JwsAlgorithm {
    /// The `alg` value.
    pub fn as_str(self) -> &'static str {
        match self {
            JwsAlgorithm::RS256 => "RS256",
            JwsAlgorithm::RS384 => "RS384",
            JwsAlgorithm::RS512 => "RS512",
            JwsAlgorithm::PS256 => "PS256",
            JwsAlgorithm::PS384 => "PS384",
            JwsAlgorithm::PS512 => "PS512",
            JwsAlgorithm::ES256 => "ES256",
            JwsAlgorithm::ES384 => "ES384",
            JwsAlgorithm::EdDSA => "EdDSA",
        }
    }

    /// Parses an `alg` header value; `None` for `none`, HMAC and everything else not accepted. Case-sensitive (RFC
    /// 7515 §4.1.1).
    pub fn parse(s: &str) -> Option<JwsAlgorithm> {
        ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether this algorithm may be used with a key of `kind`.
    pub fn fits(self, kind: KeyKind) -> bool {
        matches!(
            (self, kind),
            (
                JwsAlgorithm::RS256
                    | JwsAlgorithm::RS384
                    | JwsAlgorithm::RS512
                    | JwsAlgorithm::PS256
                    | JwsAlgorithm::PS384
                    | JwsAlgorithm::PS512,
                KeyKind::Rsa { .. }
            ) | (JwsAlgorithm::ES256, KeyKind::EcP256)
                | (JwsAlgorithm::ES384, KeyKind::EcP384)
                | (JwsAlgorithm::EdDSA, KeyKind::Ed25519)
        )
    }

    /// The algorithms a key of `kind` admits when its registration names none.
    pub fn for_kind(kind: KeyKind) -> impl Iterator<Item = JwsAlgorithm> {
        ALL.into_iter().filter(move |a| a.fits(kind))
    }

    /// The signature algorithm of the `trust` layer that verifies and makes this JWS algorithm.
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            JwsAlgorithm::RS256 => SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256),
            JwsAlgorithm::RS384 => SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha384),
            JwsAlgorithm::RS512 => SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha512),
            JwsAlgorithm::PS256 => SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256),
            JwsAlgorithm::PS384 => SignatureAlgorithm::RsaPss(HashAlgorithm::Sha384),
            JwsAlgorithm::PS512 => SignatureAlgorithm::RsaPss(HashAlgorithm::Sha512),
            JwsAlgorithm::ES256 => SignatureAlgorithm::EcdsaFixed(HashAlgorithm::Sha256),
            JwsAlgorithm::ES384 => SignatureAlgorithm::EcdsaFixed(HashAlgorithm::Sha384),
            JwsAlgorithm::EdDSA => SignatureAlgorithm::Ed25519,
        }
    }

    /// The same algorithm in `jsonwebtoken`.
    pub fn to_jsonwebtoken(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as A;
        match self {
            JwsAlgorithm::RS256 => A::RS256,
            JwsAlgorithm::RS384 => A::RS384,
            JwsAlgorithm::RS512 => A::RS512,
            JwsAlgorithm::PS256 => A::PS256,
            JwsAlgorithm::PS384 => A::PS384,
            JwsAlgorithm::PS512 => A::PS512,
            JwsAlgorithm::ES256 => A::ES256,
            JwsAlgorithm::ES384 => A::ES384,
            JwsAlgorithm::EdDSA => A::EdDSA,
        }
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_and_none_are_not_representable() {
        for bad in ["none", "None", "HS256", "HS384", "HS512", "ES512", "rs256", "", "RS256 "] {
            assert_eq!(JwsAlgorithm::parse(bad), None, "{bad}");
        }
        for a in ALL {
            assert_eq!(JwsAlgorithm::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn key_types_fix_algorithms() {
        assert!(JwsAlgorithm::ES256.fits(KeyKind::EcP256));
        assert!(!JwsAlgorithm::ES256.fits(KeyKind::EcP384));
        assert!(!JwsAlgorithm::RS256.fits(KeyKind::EcP256));
        assert!(!JwsAlgorithm::EdDSA.fits(KeyKind::Rsa { bits: 2048 }));
        assert_eq!(JwsAlgorithm::for_kind(KeyKind::Rsa { bits: 2048 }).count(), 6);
        assert_eq!(JwsAlgorithm::for_kind(KeyKind::Ed25519).collect::<Vec<_>>(), [JwsAlgorithm::EdDSA]);
    }
}
