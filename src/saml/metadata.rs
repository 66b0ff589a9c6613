//! Issuer keys from SAML 2.0 metadata (SAML 2.0 Metadata §2.3–2.4).
//!
//! Metadata is configuration — trusted — but it is still parsed with the hardened parser under limits, and read
//! strictly: an `EntityDescriptor` (or an `EntitiesDescriptor` of them, nested to any depth the parser allows) whose
//! `IDPSSODescriptor` and `AttributeAuthorityDescriptor` roles list `KeyDescriptor`s. A `KeyDescriptor` with
//! `use="signing"` or without `use` contributes the first `ds:X509Certificate` of each of its `ds:X509Data`; one with
//! `use="encryption"` contributes nothing. Entities without such a role or key are skipped; metadata that yields no
//! issuer at all is refused.
//!
//! **Key-based trust.** Following the SAML V2.0 Metadata Interoperability Profile, a certificate in metadata is a
//! container for a key: its validity period, issuer and extensions are not evaluated (IdPs commonly publish
//! long-expired self-signed certificates, and the metadata's own `validUntil` is what bounds the key's life). Set
//! [`MetadataOptions::check_certificate_validity`] to evaluate the dates anyway.
//!
//! **validUntil.** The earliest `validUntil` on the path from the root to the role is the issuer's
//! [`super::IssuerTrust::valid_until`]; metadata already expired at load time is refused
//! ([`SamlReason::MetadataExpired`]), and assertions are refused once it passes.
//!
//! **Signed metadata.** With [`MetadataOptions::signature`], the document element must carry an enveloped signature on
//! itself, verified with [`crate::dsig::verify`] against that trust store (metadata fetched from a federation).

use super::issuer::IssuerTrust;
use super::signature::signature_child;
use crate::clock::DateTime;
use crate::dsig::{self, DSIG_NS, IdAttribute, IdIndex, IdPolicy, VerifyOptions};
use crate::reason::{Reason, SamlReason, TrustReason};
use crate::trust::{Certificate, KeyPolicy, TrustStore};
use crate::xml::{Document, Limits, Node, decode_base64_binary};

/// The SAML 2.0 metadata namespace.
pub const MD_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// The roles whose signing keys sign assertions sluis consumes.
const ISSUING_ROLES: [&str; 2] = ["IDPSSODescriptor", "AttributeAuthorityDescriptor"];

/// The most keys taken from one entity (a current and a next key, and a margin).
const MAX_KEYS_PER_ENTITY: usize = 16;

/// How to read a metadata document.
#[derive(Clone, Copy, Debug)]
pub struct MetadataOptions<'t> {
    /// The policy for the issuers' keys and signature algorithms.
    pub key_policy: KeyPolicy,
    /// The load time: metadata past its `validUntil` at this instant is refused.
    pub at: DateTime,
    /// Evaluate the validity dates of metadata certificates at verification time (off: key-based trust).
    pub check_certificate_validity: bool,
    /// Require and verify an enveloped signature on the document element with these keys.
    pub signature: Option<&'t TrustStore>,
    /// Parser limits (metadata aggregates are larger than messages: 16 MiB by default).
    pub limits: Limits,
}

impl MetadataOptions<'_> {
    /// Options for unsigned, locally configured metadata loaded at `at`.
    pub fn new(at: DateTime) -> Self {
        MetadataOptions {
            key_policy: KeyPolicy::default(),
            at,
            check_certificate_validity: false,
            signature: None,
            limits: Limits { max_bytes: 16 * 1024 * 1024, max_nodes: 2_000_000, ..Limits::soap() },
        }
    }
}

fn malformed(what: &'static str) -> SamlReason {
    SamlReason::MalformedMetadata(what)
}

/// The issuers a metadata document describes.
pub(crate) fn issuers_from_metadata(
    xml: &[u8],
    options: &MetadataOptions<'_>,
) -> Result<Vec<IssuerTrust>, Reason> {
    let doc = Document::parse(xml, &options.limits)?;
    let root = doc.root_element();
    if !(root.is(MD_NS, "EntityDescriptor") || root.is(MD_NS, "EntitiesDescriptor")) {
        return Err(malformed("root is not EntityDescriptor or EntitiesDescriptor").into());
    }
    if let Some(store) = options.signature {
        verify_signature(&doc, root, store, options.at)?;
    }
    let mut out = Vec::new();
    // Explicit stack of (EntitiesDescriptor or EntityDescriptor, validUntil inherited from above).
    let mut stack = vec![(root, None::<DateTime>)];
    while let Some((node, inherited)) = stack.pop() {
        let until = earliest(inherited, valid_until(node)?);
        if node.is(MD_NS, "EntitiesDescriptor") {
            for child in node.element_children() {
                if child.is(MD_NS, "EntitiesDescriptor") || child.is(MD_NS, "EntityDescriptor") {
                    stack.push((child, until));
                }
            }
        } else if let Some(issuer) = entity(node, until, options)? {
            out.push(issuer);
        }
    }
    if out.is_empty() {
        return Err(malformed("no identity provider or attribute authority with a signing key").into());
    }
    Ok(out)
}

fn earliest(a: Option<DateTime>, b: Option<DateTime>) -> Option<DateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn valid_until(node: Node<'_, '_>) -> Result<Option<DateTime>, SamlReason> {
    match node.attribute(None, "validUntil") {
        None => Ok(None),
        Some(v) => DateTime::parse(v).map(Some).map_err(|_| malformed("validUntil")),
    }
}

/// One `EntityDescriptor`: its issuing roles' signing certificates, or None if it has none.
fn entity(
    node: Node<'_, '_>,
    until: Option<DateTime>,
    options: &MetadataOptions<'_>,
) -> Result<Option<IssuerTrust>, Reason> {
    let entity_id = node.attribute(None, "entityID").ok_or(malformed("EntityDescriptor/@entityID"))?;
    let mut certs: Vec<Certificate> = Vec::new();
    let mut role_until = None;
    for role in node.element_children().filter(|r| ISSUING_ROLES.iter().any(|l| r.is(MD_NS, l))) {
        let role_valid = valid_until(role)?;
        role_until = earliest(role_until, role_valid);
        for kd in role.element_children().filter(|k| k.is(MD_NS, "KeyDescriptor")) {
            match kd.attribute(None, "use") {
                None | Some("signing") => {}
                Some("encryption") => continue,
                Some(_) => return Err(malformed("KeyDescriptor/@use").into()),
            }
            let key_info = kd
                .element_children()
                .find(|k| k.is(DSIG_NS, "KeyInfo"))
                .ok_or(malformed("KeyDescriptor/KeyInfo"))?;
            for data in key_info.element_children().filter(|d| d.is(DSIG_NS, "X509Data")) {
                let Some(c) = data.element_children().find(|c| c.is(DSIG_NS, "X509Certificate")) else {
                    continue;
                };
                let der = decode_base64_binary(&c.text_content()).ok_or(TrustReason::MalformedCertificate)?;
                let cert = Certificate::from_der(&der)?;
                if !certs.contains(&cert) {
                    if certs.len() >= MAX_KEYS_PER_ENTITY {
                        return Err(malformed("too many keys for one entity").into());
                    }
                    certs.push(cert);
                }
            }
        }
    }
    if certs.is_empty() {
        return Ok(None);
    }
    let until = earliest(until, role_until);
    if until.is_some_and(|u| options.at >= u) {
        return Err(SamlReason::MetadataExpired.into());
    }
    let mut builder = IssuerTrust::builder(entity_id, options.key_policy);
    builder.check_certificate_validity(options.check_certificate_validity);
    if let Some(u) = until {
        builder.valid_until(u);
    }
    for cert in certs {
        builder.pin_certificate(cert)?;
    }
    Ok(Some(builder.build()))
}

/// Verifies the enveloped signature on the metadata's document element.
fn verify_signature(
    doc: &Document<'_>,
    root: Node<'_, '_>,
    store: &TrustStore,
    at: DateTime,
) -> Result<(), Reason> {
    let policy = IdPolicy::new(vec![
        IdAttribute { element_ns: Some(MD_NS), attr_ns: None, local: "ID" },
        IdAttribute { element_ns: Some(DSIG_NS), attr_ns: None, local: "Id" },
    ]);
    let ids = IdIndex::build(doc, &policy)?;
    let sig = signature_child(root).map_err(|_| malformed("more than one signature"))?;
    let sig = sig.ok_or(crate::reason::DsigReason::SignatureMissing)?;
    let view = dsig::verify(doc, &ids, sig, store, &VerifyOptions { policy: *store.policy(), at })?;
    let covers_root = view.references().iter().all(|r| r.apex == root.id() || r.apex == doc.root().id());
    if !covers_root || !view.is_signed(root.id()) {
        return Err(malformed("signature does not cover the metadata").into());
    }
    Ok(())
}
