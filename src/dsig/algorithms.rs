//! The algorithm allowlist: every URI sluis accepts, and for the well-known ones it refuses, why.
//!
//! XML-DSig identifies algorithms by URI (XML-DSig 1.1 §6, RFC 6931 for the `xmldsig-more` ones). Anything not listed
//! here is refused. SHA-1 (as digest or inside a signature method) is accepted only when [`KeyPolicy::allow_sha1`]
//! is set, which is off by default (SHA-1 collisions are practical since 2017; NIST disallows it for signatures).
//! HMAC is refused outright: sluis verifies public-key signatures only, and an HMAC "signature" verified with a public
//! key as the secret is the classic key-confusion attack; `HMACOutputLength` truncation (CVE-2009-0217) cannot arise.

use crate::reason::DsigReason;
use crate::trust::{HashAlgorithm, KeyPolicy, SignatureAlgorithm};

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The XML-DSig 1.1 namespace (for `DEREncodedKeyValue`, `KeyInfoReference`, `ECKeyValue`).
pub const DSIG11_NS: &str = "http://www.w3.org/2009/xmldsig11#";
/// The Exclusive C14N namespace (for `InclusiveNamespaces`).
pub const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// The enveloped-signature transform (XML-DSig §6.6.4).
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// A `DigestMethod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestMethod {
    /// SHA-1 (`xmldsig#sha1`), only when policy allows.
    Sha1,
    /// SHA-256 (`xmlenc#sha256`).
    Sha256,
    /// SHA-384 (`xmldsig-more#sha384`).
    Sha384,
    /// SHA-512 (`xmlenc#sha512`).
    Sha512,
}

impl DigestMethod {
    /// Maps a `DigestMethod/@Algorithm` URI, applying `policy`.
    pub fn from_uri(uri: &str, policy: &KeyPolicy) -> Result<Self, DsigReason> {
        let m = match uri {
            "http://www.w3.org/2000/09/xmldsig#sha1" => DigestMethod::Sha1,
            "http://www.w3.org/2001/04/xmlenc#sha256" => DigestMethod::Sha256,
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => DigestMethod::Sha384,
            "http://www.w3.org/2001/04/xmlenc#sha512" => DigestMethod::Sha512,
            _ => return Err(DsigReason::AlgorithmNotAllowed("digest")),
        };
        if m == DigestMethod::Sha1 && !policy.allow_sha1 {
            return Err(DsigReason::AlgorithmNotAllowed("digest"));
        }
        Ok(m)
    }

    /// The URI of this method.
    pub fn uri(self) -> &'static str {
        match self {
            DigestMethod::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            DigestMethod::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            DigestMethod::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            DigestMethod::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// The aws-lc-rs digest algorithm.
    pub fn algorithm(self) -> &'static aws_lc_rs::digest::Algorithm {
        match self {
            DigestMethod::Sha1 => &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            DigestMethod::Sha256 => &aws_lc_rs::digest::SHA256,
            DigestMethod::Sha384 => &aws_lc_rs::digest::SHA384,
            DigestMethod::Sha512 => &aws_lc_rs::digest::SHA512,
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        self.algorithm().output_len()
    }
}

/// A `SignatureMethod` sluis verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureMethod {
    /// The key/padding/hash combination handed to [`crate::trust`].
    pub algorithm: SignatureAlgorithm,
    uri: &'static str,
}

/// Shorthand for the table below.
const fn sm(algorithm: SignatureAlgorithm, uri: &'static str) -> SignatureMethod {
    SignatureMethod { algorithm, uri }
}

/// Every signature method sluis accepts (subject to the SHA-1 policy).
const SIGNATURE_METHODS: &[SignatureMethod] = {
    use HashAlgorithm::*;
    use SignatureAlgorithm::*;
    &[
        sm(RsaPkcs1(Sha1), "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
        sm(RsaPkcs1(Sha256), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
        sm(RsaPkcs1(Sha384), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"),
        sm(RsaPkcs1(Sha512), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"),
        // RFC 6931 §2.3.10: RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash.
        sm(RsaPss(Sha1), "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1"),
        sm(RsaPss(Sha256), "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"),
        sm(RsaPss(Sha384), "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"),
        sm(RsaPss(Sha512), "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"),
        // RFC 6931 §2.3.6 / XML-DSig 1.1 §6.4.3: the value is r || s, each as long as the curve order.
        sm(EcdsaFixed(Sha1), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"),
        sm(EcdsaFixed(Sha256), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"),
        sm(EcdsaFixed(Sha384), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"),
        sm(EcdsaFixed(Sha512), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"),
        // RFC 9231 §2.3.12.
        sm(Ed25519, "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519"),
    ]
};

impl SignatureMethod {
    /// Maps a `SignatureMethod/@Algorithm` URI, applying `policy`. HMAC methods are [`DsigReason::HmacNotAllowed`];
    /// DSA, MD5, SHA-224 and unknown methods are [`DsigReason::AlgorithmNotAllowed`].
    pub fn from_uri(uri: &str, policy: &KeyPolicy) -> Result<Self, DsigReason> {
        if is_hmac(uri) {
            return Err(DsigReason::HmacNotAllowed);
        }
        let m = SIGNATURE_METHODS
            .iter()
            .find(|m| m.uri == uri)
            .copied()
            .ok_or(DsigReason::AlgorithmNotAllowed("signature method"))?;
        if m.algorithm.hash() == Some(HashAlgorithm::Sha1) && !policy.allow_sha1 {
            return Err(DsigReason::AlgorithmNotAllowed("signature method"));
        }
        Ok(m)
    }

    /// The URI of this method.
    pub fn uri(&self) -> &'static str {
        self.uri
    }

    /// The method for `algorithm`, if XML-DSig has a URI for it (used when signing fixtures).
    pub fn for_algorithm(algorithm: SignatureAlgorithm) -> Option<Self> {
        SIGNATURE_METHODS.iter().find(|m| m.algorithm == algorithm).copied()
    }
}

/// HMAC signature methods (XML-DSig §6.3, RFC 6931 §2.2). Listed so the refusal is specific.
fn is_hmac(uri: &str) -> bool {
    matches!(
        uri,
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-md5"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-ripemd160"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-sha224"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384"
            | "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_only_by_policy() {
        let strict = KeyPolicy::default();
        let legacy = KeyPolicy { allow_sha1: true, ..KeyPolicy::default() };
        let sha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
        assert_eq!(DigestMethod::from_uri(sha1, &strict), Err(DsigReason::AlgorithmNotAllowed("digest")));
        assert_eq!(DigestMethod::from_uri(sha1, &legacy), Ok(DigestMethod::Sha1));
        let rsa_sha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
        assert!(SignatureMethod::from_uri(rsa_sha1, &strict).is_err());
        assert!(SignatureMethod::from_uri(rsa_sha1, &legacy).is_ok());
        let pss_sha1 = "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1";
        assert!(SignatureMethod::from_uri(pss_sha1, &strict).is_err());
    }

    #[test]
    fn refuses_hmac_dsa_md5_unknown() {
        let p = KeyPolicy { allow_sha1: true, ..KeyPolicy::default() };
        for hmac in [
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        ] {
            assert_eq!(SignatureMethod::from_uri(hmac, &p), Err(DsigReason::HmacNotAllowed));
        }
        for bad in [
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            "http://www.w3.org/2009/xmldsig11#dsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224",
            "",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 ",
        ] {
            assert_eq!(
                SignatureMethod::from_uri(bad, &p),
                Err(DsigReason::AlgorithmNotAllowed("signature method"))
            );
        }
        assert!(DigestMethod::from_uri("http://www.w3.org/2001/04/xmldsig-more#md5", &p).is_err());
    }

    #[test]
    fn uris_round_trip() {
        let p = KeyPolicy { allow_sha1: true, ..KeyPolicy::default() };
        for m in SIGNATURE_METHODS {
            assert_eq!(SignatureMethod::from_uri(m.uri(), &p), Ok(*m));
            assert_eq!(SignatureMethod::for_algorithm(m.algorithm), Some(*m));
        }
        for d in [DigestMethod::Sha1, DigestMethod::Sha256, DigestMethod::Sha384, DigestMethod::Sha512] {
            assert_eq!(DigestMethod::from_uri(d.uri(), &p), Ok(d));
        }
    }
}
