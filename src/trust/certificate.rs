//! X.509 certificates, parsed once with x509-parser.
//!
//! A [`Certificate`] keeps its DER and the fields the rest of sluis asks about: subject and issuer (RFC 4514 strings and
//! DER), serial, validity, public key, SubjectKeyIdentifier, SHA-1 and SHA-256 of the DER (WS-Security `ThumbprintSHA1`
//! and the usual fingerprint), basicConstraints and keyUsage. Parsing a certificate says nothing about trusting it:
//! that is [`super::TrustStore`]'s job.
//!
//! A certificate whose key sluis cannot verify with (DSA, P-521, ...) still parses; [`Certificate::public_key`] then
//! reports [`TrustReason::UnsupportedKeyType`], so such a certificate can sit in a PEM bundle or a chain (as a CA) but
//! never be the key of a signature.

use std::fmt;
use std::sync::Arc;

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::der;
use super::key::{PublicKey, sha256};
use crate::clock::DateTime;
use crate::reason::TrustReason;

/// The keyUsage bits of a certificate (RFC 5280 §4.2.1.3); bit `n` of [`Self::bits`] is `KeyUsage` bit `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyUsage(u16);

impl KeyUsage {
    /// The raw bits (bit 0 = digitalSignature, ..., bit 8 = decipherOnly).
    pub fn bits(self) -> u16 {
        self.0
    }
    /// digitalSignature (bit 0).
    pub fn digital_signature(self) -> bool {
        self.0 & 1 != 0
    }
    /// nonRepudiation, renamed contentCommitment in X.509 (2008) (bit 1).
    pub fn non_repudiation(self) -> bool {
        self.0 & (1 << 1) != 0
    }
    /// keyEncipherment (bit 2).
    pub fn key_encipherment(self) -> bool {
        self.0 & (1 << 2) != 0
    }
    /// dataEncipherment (bit 3).
    pub fn data_encipherment(self) -> bool {
        self.0 & (1 << 3) != 0
    }
    /// keyAgreement (bit 4).
    pub fn key_agreement(self) -> bool {
        self.0 & (1 << 4) != 0
    }
    /// keyCertSign (bit 5).
    pub fn key_cert_sign(self) -> bool {
        self.0 & (1 << 5) != 0
    }
    /// cRLSign (bit 6).
    pub fn crl_sign(self) -> bool {
        self.0 & (1 << 6) != 0
    }
}

/// A parsed X.509 certificate.
#[derive(Clone)]
pub struct Certificate {
    der: Box<[u8]>,
    subject: String,
    issuer: String,
    subject_der: Box<[u8]>,
    issuer_der: Box<[u8]>,
    serial: Box<[u8]>,
    serial_decimal: String,
    not_before: DateTime,
    not_after: DateTime,
    key: Result<Arc<PublicKey>, TrustReason>,
    subject_key_id: Option<Box<[u8]>>,
    sha1: [u8; 20],
    sha256: [u8; 32],
    basic_constraints_ca: Option<bool>,
    key_usage: Option<KeyUsage>,
}

impl Certificate {
    /// Parses one DER certificate. Trailing data, duplicate extensions and unreadable names are
    /// [`TrustReason::MalformedCertificate`].
    pub fn from_der(der: &[u8]) -> Result<Self, TrustReason> {
        const BAD: TrustReason = TrustReason::MalformedCertificate;
        let (rest, x) = X509Certificate::from_der(der).map_err(|_| BAD)?;
        if !rest.is_empty() {
            return Err(BAD);
        }
        let tbs = &x.tbs_certificate;
        let subject_der = tbs.subject.as_raw();
        let issuer_der = tbs.issuer.as_raw();
        let basic = tbs.basic_constraints().map_err(|_| BAD)?;
        let key_usage = tbs.key_usage().map_err(|_| BAD)?.map(|ku| KeyUsage(ku.value.flags));
        let mut subject_key_id = None;
        for ext in tbs.extensions() {
            if let ParsedExtension::SubjectKeyIdentifier(id) = ext.parsed_extension() {
                subject_key_id = Some(id.0.to_vec().into_boxed_slice());
            }
        }
        let key = match PublicKey::from_spki_der(tbs.subject_pki.raw) {
            Ok(k) => Ok(Arc::new(k)),
            Err(TrustReason::UnsupportedKeyType) => Err(TrustReason::UnsupportedKeyType),
            Err(_) => return Err(BAD),
        };
        let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der);
        let mut sha1_out = [0u8; 20];
        sha1_out.copy_from_slice(sha1.as_ref()); // SHA-1 output is always 20 octets
        Ok(Certificate {
            der: der.to_vec().into_boxed_slice(),
            subject: super::name::rfc4514(subject_der).ok_or(BAD)?,
            issuer: super::name::rfc4514(issuer_der).ok_or(BAD)?,
            subject_der: subject_der.to_vec().into_boxed_slice(),
            issuer_der: issuer_der.to_vec().into_boxed_slice(),
            serial: tbs.raw_serial().to_vec().into_boxed_slice(),
            serial_decimal: tbs.serial.to_string(),
            not_before: DateTime::from_unix_seconds(tbs.validity.not_before.timestamp()),
            not_after: DateTime::from_unix_seconds(tbs.validity.not_after.timestamp()),
            key,
            subject_key_id,
            sha1: sha1_out,
            sha256: sha256(der),
            basic_constraints_ca: basic.map(|b| b.value.ca),
            key_usage,
        })
    }

    /// Parses the first `CERTIFICATE` block of PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TrustReason> {
        let blocks = super::pem::parse(pem).map_err(|_| TrustReason::MalformedCertificate)?;
        let block =
            blocks.iter().find(|b| b.label == "CERTIFICATE").ok_or(TrustReason::MalformedCertificate)?;
        Self::from_der(&block.der)
    }

    /// Parses every `CERTIFICATE` block of a PEM bundle, in order (other blocks are skipped). An empty result is
    /// [`TrustReason::MalformedCertificate`].
    pub fn all_from_pem(pem: &[u8]) -> Result<Vec<Self>, TrustReason> {
        let blocks = super::pem::parse(pem).map_err(|_| TrustReason::MalformedCertificate)?;
        let certs = blocks
            .iter()
            .filter(|b| b.label == "CERTIFICATE")
            .map(|b| Self::from_der(&b.der))
            .collect::<Result<Vec<_>, _>>()?;
        if certs.is_empty() {
            return Err(TrustReason::MalformedCertificate);
        }
        Ok(certs)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The subject as an RFC 4514 string: RDNs last to first, short names only for the RFC 4514 §3 types, other
    /// types as `OID=#hex` (as Java's `X500Principal.getName(RFC2253)` writes them).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The subject `Name`, DER (compare names by this, not by their strings).
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }

    /// The issuer `Name`, DER.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    /// The serial number's content octets as encoded (two's complement, big-endian).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The serial number in decimal, as WS-Security `X509SerialNumber` and XML-DSig `X509IssuerSerial` write it.
    pub fn serial_decimal(&self) -> &str {
        &self.serial_decimal
    }

    /// Start of the validity period (inclusive).
    pub fn not_before(&self) -> DateTime {
        self.not_before
    }

    /// End of the validity period (inclusive, RFC 5280 §4.1.2.5).
    pub fn not_after(&self) -> DateTime {
        self.not_after
    }

    /// The subject public key, or [`TrustReason::UnsupportedKeyType`] when sluis cannot verify with it.
    pub fn public_key(&self) -> Result<&Arc<PublicKey>, TrustReason> {
        self.key.as_ref().map_err(|e| *e)
    }

    /// The SubjectKeyIdentifier extension's value, if present (WS-Security `X509SubjectKeyIdentifier`).
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// SHA-1 of the DER (WS-Security `ThumbprintSHA1`, XML-DSig 1.1 `X509Digest` with SHA-1).
    pub fn sha1_thumbprint(&self) -> [u8; 20] {
        self.sha1
    }

    /// SHA-256 of the DER.
    pub fn sha256_fingerprint(&self) -> [u8; 32] {
        self.sha256
    }

    /// Whether basicConstraints says this is a CA.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints_ca == Some(true)
    }

    /// The cA flag of basicConstraints, `None` when the extension is absent.
    pub(crate) fn basic_constraints_ca(&self) -> Option<bool> {
        self.basic_constraints_ca
    }

    /// The keyUsage extension, if present.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.key_usage
    }

    /// Whether the key may make signatures on data: keyUsage absent, or it has digitalSignature or nonRepudiation
    /// (RFC 5280 §4.2.1.3: either bit covers signatures on content other than certificates and CRLs).
    pub fn allows_signing(&self) -> bool {
        self.key_usage.is_none_or(|ku| ku.digital_signature() || ku.non_repudiation())
    }

    /// Checks that `at` is inside the validity period, to the second (the resolution of X.509 times, and how
    /// rustls-webpki compares them): before notBefore is [`TrustReason::CertificateNotYetValid`], after notAfter is
    /// [`TrustReason::CertificateExpired`].
    pub fn check_validity(&self, at: DateTime) -> Result<(), TrustReason> {
        let t = at.unix_seconds();
        if t < self.not_before.unix_seconds() {
            Err(TrustReason::CertificateNotYetValid)
        } else if t > self.not_after.unix_seconds() {
            Err(TrustReason::CertificateExpired)
        } else {
            Ok(())
        }
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial_decimal)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("sha256", &der::hex(&self.sha256))
            .finish()
    }
}
