//! Refusals of key and certificate trust ([`crate::trust`]).

use super::outward::WsseFault;
use super::reason_codes;

/// Why a key or certificate is not trusted for verifying a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrustReason {
    /// The key is neither pinned nor certified by a configured CA.
    UntrustedKey,
    /// A certificate could not be parsed (DER/PEM), or has a form sluis does not accept.
    MalformedCertificate,
    /// A public or private key could not be parsed.
    MalformedKey,
    /// The certificate (or one in its path) is not yet valid at the verification time.
    CertificateNotYetValid,
    /// The certificate (or one in its path) has expired at the verification time.
    CertificateExpired,
    /// A CRL lists the certificate (or one in its path).
    CertificateRevoked,
    /// No valid path from the certificate to a configured CA; the context says which check failed.
    ChainInvalid(&'static str),
    /// The certificate's key usage does not allow signatures.
    KeyUsageNotAllowed,
    /// An RSA key below the minimum size (2048 bits by default).
    KeyTooSmall,
    /// A key type or curve sluis does not verify with (DSA, P-521, ...).
    UnsupportedKeyType,
    /// CRLs are configured but the revocation status of a certificate in the path could not be established: no CRL
    /// of its issuer while CRLs are required, or a CRL past its nextUpdate while that is enforced.
    RevocationStatusUnknown,
    /// The certificate (or one in its path) has an extendedKeyUsage that does not include a signing purpose sluis
    /// accepts (see `trust/chain.rs`).
    ExtendedKeyUsageNotAllowed,
    /// A configured CRL could not be parsed, or has a form rustls-webpki does not process (delta, indirect, v1, no
    /// nextUpdate).
    MalformedCrl,
}

reason_codes!(TrustReason {
    UntrustedKey => "untrusted_key",
    MalformedCertificate => "malformed_certificate",
    MalformedKey => "malformed_key",
    CertificateNotYetValid => "certificate_not_yet_valid",
    CertificateExpired => "certificate_expired",
    CertificateRevoked => "certificate_revoked",
    ChainInvalid(ctx) => "certificate_chain_invalid",
    KeyUsageNotAllowed => "key_usage_not_allowed",
    KeyTooSmall => "key_too_small",
    UnsupportedKeyType => "unsupported_key_type",
    RevocationStatusUnknown => "revocation_status_unknown",
    ExtendedKeyUsageNotAllowed => "extended_key_usage_not_allowed",
    MalformedCrl => "malformed_crl",
});

impl std::error::Error for TrustReason {}

impl TrustReason {
    /// The WS-Security fault for this reason: a key nobody vouches for fails authentication; a token that is
    /// malformed, expired, revoked or not meant for signing is an invalid token; a key type sluis does not verify
    /// with is an unsupported algorithm.
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            TrustReason::UntrustedKey
            | TrustReason::ChainInvalid(_)
            | TrustReason::RevocationStatusUnknown => WsseFault::FailedAuthentication,
            TrustReason::MalformedCertificate
            | TrustReason::MalformedKey
            | TrustReason::CertificateNotYetValid
            | TrustReason::CertificateExpired
            | TrustReason::CertificateRevoked
            | TrustReason::KeyUsageNotAllowed
            | TrustReason::ExtendedKeyUsageNotAllowed
            | TrustReason::KeyTooSmall => WsseFault::InvalidSecurityToken,
            TrustReason::UnsupportedKeyType => WsseFault::UnsupportedAlgorithm,
            TrustReason::MalformedCrl => WsseFault::InvalidSecurity,
        }
    }
}
