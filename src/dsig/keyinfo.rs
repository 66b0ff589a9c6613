//! `KeyInfo` (XML-DSig 1.1 §4.5) against a [`TrustStore`]: what a signer may *say* about its key, and what sluis
//! believes.
//!
//! `KeyInfo` is attacker-controlled, so it never supplies trust on its own:
//! - `X509Data/X509Certificate`: the certificate is trusted only if it is pinned, its key is pinned, or it chains to a
//!   configured CA at the verification time (other certificates in the same `X509Data` may serve as intermediates).
//! - `KeyValue` (`RSAKeyValue`, `dsig11:ECKeyValue`) and `dsig11:DEREncodedKeyValue`: a bare key is trusted only if
//!   it equals a pinned key (or a pinned certificate's key) — an attacker-chosen key never verifies anything.
//! - `RetrievalMethod` and `dsig11:KeyInfoReference` are refused ([`DsigReason::KeyInfoNotAllowed`]): they point
//!   elsewhere (possibly off-document) and have been used for SSRF and confusion attacks.
//! - `KeyName`, `X509IssuerSerial`, `X509SKI`, `X509SubjectName`, `X509Digest` and anything unknown are hints only;
//!   with no key material in `KeyInfo` (or no `KeyInfo` at all), the pinned keys are the candidates.

use super::algorithms::{DSIG_NS, DSIG11_NS};
use super::verify::KeySource;
use crate::clock::DateTime;
use crate::reason::{DsigReason, Reason, TrustReason};
use crate::trust::{Certificate, EcCurve, PublicKey, TrustStore, TrustedKey};
use crate::xml::{Document, Node, NodeId, decode_base64_binary};
use std::sync::Arc;

/// The most certificates sluis reads from one `KeyInfo`: a leaf and a few intermediates.
const MAX_CERTIFICATES: usize = 8;

/// Named-curve URIs of `dsig11:ECKeyValue/NamedCurve` (RFC 5480 OIDs as URNs).
const P256_URN: &str = "urn:oid:1.2.840.10045.3.1.7";
const P384_URN: &str = "urn:oid:1.3.132.0.34";

/// Key material a `KeyInfo` carries.
#[derive(Default)]
pub(crate) struct KeyMaterial {
    /// Certificates from `X509Data/X509Certificate`, in document order.
    pub certificates: Vec<Arc<Certificate>>,
    /// Bare keys from `KeyValue` / `DEREncodedKeyValue`.
    pub keys: Vec<PublicKey>,
}

/// Reads the key material of a `KeyInfo` element, refusing indirections.
pub(crate) fn read_key_material(store: &TrustStore, key_info: Node<'_, '_>) -> Result<KeyMaterial, Reason> {
    let mut out = KeyMaterial::default();
    for child in key_info.element_children() {
        if child.is(DSIG_NS, "RetrievalMethod") || child.is(DSIG11_NS, "KeyInfoReference") {
            return Err(DsigReason::KeyInfoNotAllowed.into());
        }
        if child.is(DSIG_NS, "X509Data") {
            for item in child.element_children().filter(|c| c.is(DSIG_NS, "X509Certificate")) {
                if out.certificates.len() >= MAX_CERTIFICATES {
                    return Err(DsigReason::MalformedSignature("too many certificates in KeyInfo").into());
                }
                let der =
                    decode_base64_binary(&item.text_content()).ok_or(TrustReason::MalformedCertificate)?;
                out.certificates.push(store.parse_certificate(&der)?);
            }
        } else if child.is(DSIG_NS, "KeyValue") {
            out.keys.push(key_value(child)?);
        } else if child.is(DSIG11_NS, "DEREncodedKeyValue") {
            let der = decode_base64_binary(&child.text_content()).ok_or(TrustReason::MalformedKey)?;
            out.keys.push(PublicKey::from_spki_der(&der)?);
        }
    }
    Ok(out)
}

/// `KeyValue`: exactly one of `RSAKeyValue`, `dsig11:ECKeyValue` (named curve only) or an unsupported kind.
fn key_value(node: Node<'_, '_>) -> Result<PublicKey, Reason> {
    let mut kids = node.element_children();
    let (Some(inner), None) = (kids.next(), kids.next()) else {
        return Err(DsigReason::MalformedSignature("KeyValue must hold one key").into());
    };
    let b64 = |n: Option<Node<'_, '_>>| -> Result<Vec<u8>, Reason> {
        let n = n.ok_or(DsigReason::MalformedSignature("incomplete KeyValue"))?;
        Ok(decode_base64_binary(&n.text_content()).ok_or(TrustReason::MalformedKey)?)
    };
    if inner.is(DSIG_NS, "RSAKeyValue") {
        let modulus = b64(inner.element_children().find(|c| c.is(DSIG_NS, "Modulus")))?;
        let exponent = b64(inner.element_children().find(|c| c.is(DSIG_NS, "Exponent")))?;
        return Ok(PublicKey::from_rsa_components(&modulus, &exponent)?);
    }
    if inner.is(DSIG11_NS, "ECKeyValue") {
        let curve = inner
            .element_children()
            .find(|c| c.is(DSIG11_NS, "NamedCurve"))
            .and_then(|c| c.attribute(None, "URI"))
            .ok_or(TrustReason::UnsupportedKeyType)?;
        let curve = match curve {
            P256_URN => EcCurve::P256,
            P384_URN => EcCurve::P384,
            _ => return Err(TrustReason::UnsupportedKeyType.into()),
        };
        let point = b64(inner.element_children().find(|c| c.is(DSIG11_NS, "PublicKey")))?;
        return Ok(PublicKey::from_ec_point(curve, &point)?);
    }
    Err(TrustReason::UnsupportedKeyType.into())
}

/// Trusts one of `certs` as the signer. A certificate that is pinned (or whose key is) is used as is, whatever its
/// basic constraints say (test and interop certificates are often marked CA); otherwise each non-CA certificate is
/// tried as the leaf of a path to a configured CA, the others serving as presented intermediates. Returns the
/// trusted keys, or the most specific refusal (a validity or revocation failure says more than "untrusted").
pub(crate) fn trust_certificates(
    store: &TrustStore,
    certs: &[Arc<Certificate>],
    at: DateTime,
) -> Result<Vec<TrustedKey>, Reason> {
    let mut refusals = Refusals::default();
    let mut trusted = Vec::new();
    for cert in certs {
        match cert.public_key().and_then(|k| store.trust_key(k, at)) {
            Ok(_) => match store.trust_certificate(cert, &[], at) {
                Ok(key) => trusted.push(key),
                Err(e) => refusals.add(e),
            },
            Err(e) => refusals.add(e),
        }
    }
    if !trusted.is_empty() {
        return Ok(trusted);
    }
    let any_leaf = certs.iter().any(|c| !c.is_ca());
    for (i, leaf) in certs.iter().enumerate().filter(|(_, c)| !any_leaf || !c.is_ca()) {
        let others: Vec<Certificate> =
            certs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| Certificate::clone(c)).collect();
        match store.trust_certificate(leaf, &others, at) {
            Ok(key) => trusted.push(key),
            Err(e) => refusals.add(e),
        }
    }
    if trusted.is_empty() { Err(refusals.best().into()) } else { Ok(trusted) }
}

/// The refusals met while looking for a trusted key; the first specific one wins over `untrusted_key`.
#[derive(Default)]
struct Refusals(Option<TrustReason>);

impl Refusals {
    fn add(&mut self, r: TrustReason) {
        match self.0 {
            None | Some(TrustReason::UntrustedKey) => self.0 = Some(r),
            Some(_) => {}
        }
    }

    fn best(&self) -> TrustReason {
        self.0.unwrap_or(TrustReason::UntrustedKey)
    }
}

impl KeySource for TrustStore {
    fn candidates(
        &self,
        doc: &Document<'_>,
        key_info: Option<NodeId>,
        at: DateTime,
    ) -> Result<Vec<TrustedKey>, Reason> {
        let material = match key_info {
            Some(ki) => read_key_material(self, doc.node(ki))?,
            None => KeyMaterial::default(),
        };
        if !material.certificates.is_empty() {
            return trust_certificates(self, &material.certificates, at);
        }
        if !material.keys.is_empty() {
            let mut refusals = Refusals::default();
            let mut trusted = Vec::new();
            for key in &material.keys {
                match self.trust_key(key, at) {
                    Ok(k) => trusted.push(k),
                    Err(e) => refusals.add(e),
                }
            }
            return if trusted.is_empty() { Err(refusals.best().into()) } else { Ok(trusted) };
        }
        let pinned: Vec<TrustedKey> = self.pinned(at).collect();
        if pinned.is_empty() {
            return Err(TrustReason::UntrustedKey.into());
        }
        Ok(pinned)
    }
}
