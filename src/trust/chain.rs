//! Certificate path validation with rustls-webpki: the extended-key-usage rule for signing certificates and the
//! mapping of webpki's errors to [`TrustReason`]s.
//!
//! # Extended key usage
//!
//! webpki checks an EKU rule on every certificate of the path (end entity and intermediates, as Mozilla's mozilla::pkix
//! does). XML and JWT signing certificates usually carry no EKU at all, or one made for people and clients, so sluis
//! accepts a certificate when its extendedKeyUsage extension is **absent**, or lists at least one of:
//!
//! | purpose | OID | why |
//! |---|---|---|
//! | anyExtendedKeyUsage | 2.5.29.37.0 | RFC 5280 §4.2.1.12: any purpose |
//! | clientAuth | 1.3.6.1.5.5.7.3.2 | WS-Security clients sign with their client certificate |
//! | emailProtection | 1.3.6.1.5.5.7.3.4 | S/MIME-style personal signing certificates |
//! | codeSigning | 1.3.6.1.5.5.7.3.3 | document-signing profiles that predate documentSigning |
//! | documentSigning | 1.3.6.1.5.5.7.3.36 | RFC 9336, made for exactly this |
//!
//! An EKU with only serverAuth (a TLS server certificate), timeStamping, OCSPSigning or other purposes is
//! [`TrustReason::ExtendedKeyUsageNotAllowed`]: a key certified for those should not be vouching for messages (pin it
//! explicitly if a peer really signs with its TLS key). An empty EKU extension is refused as well.

use webpki::{
    Error, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter, KeyUsage, RequiredEkuNotFoundContext,
};

use crate::reason::TrustReason;

/// The EKU purposes accepted for a signing certificate (DER content octets of the OIDs).
const ACCEPTED_EKUS: &[&[u8]] = &[
    &[0x55, 0x1d, 0x25, 0x00],                         // anyExtendedKeyUsage 2.5.29.37.0
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02], // clientAuth
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04], // emailProtection
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03], // codeSigning
    &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24], // documentSigning (RFC 9336)
];

/// The EKU rule above, for [`webpki::EndEntityCert::verify_for_usage`].
pub(crate) struct SigningEku;

impl ExtendedKeyUsageValidator for SigningEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), Error> {
        let mut present = Vec::new();
        for id in iter {
            let id = id?;
            if ACCEPTED_EKUS.iter().any(|ok| KeyPurposeId::new(ok) == id) {
                return Ok(());
            }
            present.push(id.to_decoded_oid());
        }
        if present.is_empty() {
            return Ok(()); // no EKU extension (webpki reports an empty extension as EmptyEkuExtension itself)
        }
        Err(Error::RequiredEkuNotFoundContext(RequiredEkuNotFoundContext {
            // webpki's error type wants one "required" purpose; documentSigning is the one this rule is about.
            required: KeyUsage::required(&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x24]),
            present,
        }))
    }
}

/// The [`TrustReason`] for a webpki path-validation error.
pub(crate) fn map_error(e: &Error) -> TrustReason {
    #[allow(deprecated)] // the deprecated variants still exist and must map somewhere
    match e {
        Error::CertExpired { .. } => TrustReason::CertificateExpired,
        Error::CertNotValidYet { .. } => TrustReason::CertificateNotYetValid,
        Error::CertRevoked => TrustReason::CertificateRevoked,
        Error::UnknownRevocationStatus | Error::CrlExpired { .. } => TrustReason::RevocationStatusUnknown,
        Error::UnknownIssuer | Error::CertDistrusted => TrustReason::UntrustedKey,
        Error::RequiredEkuNotFound | Error::RequiredEkuNotFoundContext(_) | Error::EmptyEkuExtension => {
            TrustReason::ExtendedKeyUsageNotAllowed
        }
        Error::InvalidSignatureForPublicKey => TrustReason::ChainInvalid("certificate signature invalid"),
        Error::SignatureAlgorithmMismatch => {
            TrustReason::ChainInvalid("certificate signature algorithm mismatch")
        }
        Error::UnsupportedSignatureAlgorithm
        | Error::UnsupportedSignatureAlgorithmContext(_)
        | Error::UnsupportedSignatureAlgorithmForPublicKey
        | Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            TrustReason::ChainInvalid("unsupported certificate signature algorithm")
        }
        Error::InvalidCrlSignatureForPublicKey
        | Error::UnsupportedCrlSignatureAlgorithm
        | Error::UnsupportedCrlSignatureAlgorithmContext(_)
        | Error::UnsupportedCrlSignatureAlgorithmForPublicKey
        | Error::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => {
            TrustReason::ChainInvalid("CRL signature invalid")
        }
        Error::IssuerNotCrlSigner => TrustReason::ChainInvalid("CRL issuer lacks cRLSign"),
        Error::CaUsedAsEndEntity => TrustReason::ChainInvalid("CA certificate used as end entity"),
        Error::EndEntityUsedAsCa => TrustReason::ChainInvalid("end-entity certificate used as CA"),
        Error::PathLenConstraintViolated => TrustReason::ChainInvalid("path length constraint violated"),
        Error::NameConstraintViolation => TrustReason::ChainInvalid("name constraints violated"),
        Error::UnsupportedCriticalExtension => TrustReason::ChainInvalid("unsupported critical extension"),
        Error::UnsupportedCertVersion => TrustReason::ChainInvalid("not an X.509 v3 certificate"),
        Error::MaximumPathBuildCallsExceeded
        | Error::MaximumSignatureChecksExceeded
        | Error::MaximumPathDepthExceeded
        | Error::MaximumNameConstraintComparisonsExceeded => {
            TrustReason::ChainInvalid("path building limit exceeded")
        }
        Error::BadDer
        | Error::BadDerTime
        | Error::TrailingData(_)
        | Error::MalformedExtensions
        | Error::ExtensionValueInvalid
        | Error::InvalidCertValidity
        | Error::InvalidSerialNumber => TrustReason::MalformedCertificate,
        _ => TrustReason::ChainInvalid("certificate path rejected"),
    }
}
