//! `wsse:SecurityTokenReference` (WSS 1.1 §7) and the [`KeySource`] that lets [`crate::dsig::verify`] use it.
//!
//! Reference forms resolved, always to a token that is a **child of sluis's Security header** (or, for X.509 key
//! identifiers, a certificate listed in configuration):
//!
//! | form | resolves to | spec |
//! |---|---|---|
//! | `wsse:Reference URI="#id"` | the BST or SAML assertion declaring that ID; a `ValueType`, if given, must fit it | WSS 1.1 §7.2; X.509 TP §3.2; SAML TP §3.3.2 |
//! | `wsse:KeyIdentifier` `#X509SubjectKeyIdentifier` | the certificate with that SubjectKeyIdentifier | X.509 TP §3.2.1 |
//! | `wsse:KeyIdentifier` `#ThumbprintSHA1` | the certificate whose DER has that SHA-1 | WSS 1.1 §7.3; X.509 TP §3.2.1 |
//! | `ds:X509Data/ds:X509IssuerSerial` | the certificate with that issuer and decimal serial | X.509 TP §3.2.3 |
//! | no STR: `ds:KeyInfo/ds:X509Data` with only `X509IssuerSerial` or `X509SKI` | the same lookup (some stacks write it so) | XML-DSig 1.1 §4.5.4 |
//! | `wsse:KeyIdentifier` `#SAMLAssertionID` / `#SAMLID` | the SAML 1.1 / 2.0 assertion with that ID | SAML TP §3.3.1 |
//!
//! An external URI is never fetched ([`WssReason::TokenReferenceUnresolved`], i.e. `SecurityTokenUnavailable`);
//! `wsse:Embedded` and other key identifier types are unsupported. Resolving a reference says nothing about trust:
//! the certificate is then validated by the [`TrustStore`] at the verification time (pinned, or a path to a configured
//! CA, with the PkiPath's other certificates as intermediates), and a SAML assertion supplies a key only when it was
//! validated as holder-of-key beforehand.

use super::token::X509Token;
use super::{BASE64_BINARY, SAML_ASSERTION_ID, SAML_ID, THUMBPRINT_SHA1, WSSE_NS, X509_SKI};
use crate::clock::DateTime;
use crate::dsig::{DSIG_NS, IdIndex, KeySource, SAML1_NS, SAML2_NS};
use crate::principal::TokenType;
use crate::reason::{Reason, WssReason};
use crate::trust::{Certificate, TrustStore, TrustedKey};
use crate::xml::{Document, Node, NodeId, decode_base64_binary};
use std::cell::RefCell;

/// What a reference pointed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The BinarySecurityToken at this index of [`Tokens::bsts`].
    Bst(usize),
    /// The configured certificate at this index of [`Tokens::known`].
    Known(usize),
    /// A SAML assertion child of the Security header.
    Assertion(NodeId),
}

/// The tokens references may resolve to.
pub(crate) struct Tokens<'c> {
    pub security: NodeId,
    pub bsts: Vec<X509Token>,
    pub assertions: Vec<NodeId>,
    pub known: &'c [Certificate],
}

/// How a signature's key was found: for coverage policy and audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signer {
    /// `x509` for certificates and configured keys, `saml11`/`saml20` for a holder-of-key confirmation key.
    pub token_type: TokenType,
    /// The token element (BST or assertion), when the key came from one in the message.
    pub token: Option<NodeId>,
    /// The reference form: `direct`, `ski`, `thumbprint-sha1`, `issuer-serial`, `saml-id`, `key-info`.
    pub reference: &'static str,
}

fn collapse(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Resolves the `SecurityTokenReference` element `str_node`; returns the target and the form's name.
pub(crate) fn resolve(
    doc: &Document<'_>,
    ids: &IdIndex,
    str_node: Node<'_, '_>,
    tokens: &Tokens<'_>,
) -> Result<(Target, &'static str), Reason> {
    let mut kids = str_node.element_children();
    let (Some(r), None) = (kids.next(), kids.next()) else {
        return Err(WssReason::MalformedToken("SecurityTokenReference must hold one reference").into());
    };
    if r.is(WSSE_NS, "Reference") {
        let uri = r.attribute(None, "URI").ok_or(WssReason::MalformedToken("Reference without URI"))?;
        let id = collapse(uri).strip_prefix('#').ok_or(WssReason::TokenReferenceUnresolved)?;
        let target = ids.get(id).ok_or(WssReason::TokenReferenceUnresolved)?;
        let node = doc.node(target);
        if node.parent().map(|p| p.id()) != Some(tokens.security) {
            return Err(WssReason::TokenReferenceUnresolved.into());
        }
        let value_type = r.attribute(None, "ValueType");
        if let Some(i) = tokens.bsts.iter().position(|t| t.node == target) {
            let fits =
                tokens.bsts.get(i).is_some_and(|t| value_type.is_none_or(|v| v == t.form.value_type()));
            return if fits {
                Ok((Target::Bst(i), "direct"))
            } else {
                Err(WssReason::TokenReferenceMismatch.into())
            };
        }
        if tokens.assertions.contains(&target) {
            let fits = match value_type {
                None => true,
                Some(SAML_ID) => node.is(SAML2_NS, "Assertion"),
                Some(SAML_ASSERTION_ID) => node.is(SAML1_NS, "Assertion"),
                Some(_) => false,
            };
            return if fits {
                Ok((Target::Assertion(target), "direct"))
            } else {
                Err(WssReason::TokenReferenceMismatch.into())
            };
        }
        return Err(WssReason::UnsupportedToken("reference to a token that carries no key").into());
    }
    if r.is(WSSE_NS, "KeyIdentifier") {
        let value_type = r
            .attribute(None, "ValueType")
            .ok_or(WssReason::MalformedToken("KeyIdentifier without ValueType"))?;
        let text = r.text_content();
        let value = collapse(&text);
        match value_type {
            X509_SKI | THUMBPRINT_SHA1 => {
                match r.attribute(None, "EncodingType") {
                    None | Some(BASE64_BINARY) => {}
                    Some(_) => return Err(WssReason::UnsupportedToken("KeyIdentifier EncodingType").into()),
                }
                let wanted =
                    decode_base64_binary(value).ok_or(WssReason::MalformedToken("KeyIdentifier base64"))?;
                let form = if value_type == X509_SKI { "ski" } else { "thumbprint-sha1" };
                let matches = |c: &Certificate| {
                    if value_type == X509_SKI {
                        c.subject_key_id() == Some(wanted.as_slice())
                    } else {
                        c.sha1_thumbprint().as_slice() == wanted.as_slice()
                    }
                };
                find_certificate(tokens, matches).map(|t| (t, form))
            }
            SAML_ASSERTION_ID | SAML_ID => {
                let (ns, attr) =
                    if value_type == SAML_ID { (SAML2_NS, "ID") } else { (SAML1_NS, "AssertionID") };
                let found = tokens.assertions.iter().copied().find(|a| {
                    let n = doc.node(*a);
                    n.is(ns, "Assertion") && n.attribute(None, attr) == Some(value)
                });
                found
                    .map(|a| (Target::Assertion(a), "saml-id"))
                    .ok_or(WssReason::TokenReferenceUnresolved.into())
            }
            _ => Err(WssReason::UnsupportedToken("KeyIdentifier ValueType").into()),
        }
    } else if r.is(DSIG_NS, "X509Data") {
        let mut items = r.element_children();
        let (Some(is), None) = (items.next(), items.next()) else {
            return Err(WssReason::UnsupportedToken("X509Data reference form").into());
        };
        if !is.is(DSIG_NS, "X509IssuerSerial") {
            return Err(WssReason::UnsupportedToken("X509Data reference form").into());
        }
        issuer_serial(is, tokens).map(|t| (t, "issuer-serial"))
    } else {
        Err(WssReason::UnsupportedToken("SecurityTokenReference form").into())
    }
}

/// The certificate an `X509IssuerSerial` names: issuer name (compared as RFC 4514 attributes) and decimal serial.
fn issuer_serial(is: Node<'_, '_>, tokens: &Tokens<'_>) -> Result<Target, Reason> {
    let issuer = is.element_children().find(|c| c.is(DSIG_NS, "X509IssuerName")).map(|n| n.text_content());
    let serial = is.element_children().find(|c| c.is(DSIG_NS, "X509SerialNumber")).map(|n| n.text_content());
    let (Some(issuer), Some(serial)) = (issuer, serial) else {
        return Err(WssReason::MalformedToken("X509IssuerSerial").into());
    };
    let wanted_issuer = dn_components(&issuer).ok_or(WssReason::MalformedToken("X509IssuerName"))?;
    let serial = collapse(&serial).to_owned();
    find_certificate(tokens, |c| {
        c.serial_decimal() == serial
            && dn_components(c.issuer()).is_some_and(|n| same_name(&n, &wanted_issuer))
    })
}

/// The first certificate matching `f`: the message's tokens first, then configured certificates.
fn find_certificate(tokens: &Tokens<'_>, f: impl Fn(&Certificate) -> bool) -> Result<Target, Reason> {
    if let Some(i) = tokens.bsts.iter().position(|t| f(&t.leaf)) {
        return Ok(Target::Bst(i));
    }
    if let Some(i) = tokens.known.iter().position(f) {
        return Ok(Target::Known(i));
    }
    Err(WssReason::TokenReferenceUnresolved.into())
}

/// An RFC 4514 name as (TYPE, value) pairs, types upper-cased (common OIDs mapped to their short names), values with
/// surrounding spaces removed. `None` when the string is not a name.
fn dn_components(s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut part = String::new();
    let mut escaped = false;
    let mut parts = Vec::new();
    for c in s.chars() {
        match c {
            _ if escaped => {
                part.push(c);
                escaped = false;
            }
            '\\' => {
                part.push(c);
                escaped = true;
            }
            ',' | '+' | ';' => parts.push(std::mem::take(&mut part)),
            c => part.push(c),
        }
    }
    parts.push(part);
    for p in parts {
        let (t, v) = p.split_once('=')?;
        let t = t.trim().to_ascii_uppercase();
        let t = match t.as_str() {
            "2.5.4.3" | "OID.2.5.4.3" => "CN".to_owned(),
            "2.5.4.6" => "C".to_owned(),
            "2.5.4.10" => "O".to_owned(),
            "2.5.4.11" => "OU".to_owned(),
            "2.5.4.7" => "L".to_owned(),
            "2.5.4.8" | "S" => "ST".to_owned(),
            "EMAILADDRESS" | "E" | "1.2.840.113549.1.9.1" => "EMAIL".to_owned(),
            _ => t,
        };
        if t.is_empty() {
            return None;
        }
        out.push((t, v.trim().to_owned()));
    }
    Some(out)
}

/// Names are equal when their attributes are, in RFC 4514 order or in X.500 order (OpenSSL's default print order),
/// values compared without regard to ASCII case (RFC 5280 §7.1 caseIgnoreMatch).
fn same_name(a: &[(String, String)], b: &[(String, String)]) -> bool {
    let eq = |x: &(String, String), y: &(String, String)| x.0 == y.0 && x.1.eq_ignore_ascii_case(&y.1);
    a.len() == b.len()
        && (a.iter().zip(b).all(|(x, y)| eq(x, y)) || a.iter().zip(b.iter().rev()).all(|(x, y)| eq(x, y)))
}

/// A holder-of-key confirmation key, validated with its assertion before signatures are verified.
#[derive(Clone, Debug)]
pub(crate) struct HolderOfKey {
    pub assertion: NodeId,
    pub key: TrustedKey,
    pub token_type: TokenType,
}

/// What step 1 of SAML token processing learned about the header's assertions, for key resolution.
#[derive(Clone, Copy)]
pub(crate) struct AssertionKeys<'x> {
    /// The holder-of-key keys of the assertions that validated.
    pub holder_of_key: &'x [HolderOfKey],
    /// The assertions that did not, with why.
    pub refused: &'x [(NodeId, Reason)],
}

/// The [`KeySource`] of sluis's Security header: `KeyInfo` with a `SecurityTokenReference` resolves through it;
/// any other `KeyInfo` follows the plain XML-DSig rules of the [`TrustStore`]. Records how the key was found.
pub(crate) struct StrKeySource<'x> {
    pub store: &'x TrustStore,
    pub ids: &'x IdIndex,
    pub tokens: &'x Tokens<'x>,
    pub holder_of_key: &'x [HolderOfKey],
    /// Assertions of the header that failed their own validation, with the reason.
    pub refused_assertions: &'x [(NodeId, Reason)],
    pub signer: RefCell<Option<Signer>>,
}

impl KeySource for StrKeySource<'_> {
    fn candidates(
        &self,
        doc: &Document<'_>,
        key_info: Option<NodeId>,
        at: DateTime,
    ) -> Result<Vec<TrustedKey>, Reason> {
        let children: Vec<Node<'_, '_>> =
            key_info.map(|ki| doc.node(ki).element_children().collect()).unwrap_or_default();
        let strs = children.iter().filter(|c| c.is(WSSE_NS, "SecurityTokenReference")).count();
        if strs == 0 {
            if let Some(found) = x509data_hint(&children, self.tokens)? {
                return self.trust_target(found, "x509data", at);
            }
            let keys = <TrustStore as KeySource>::candidates(self.store, doc, key_info, at)?;
            self.signer.replace(Some(Signer {
                token_type: TokenType::X509,
                token: None,
                reference: "key-info",
            }));
            return Ok(keys);
        }
        let [str_node] = children.as_slice() else {
            return Err(
                WssReason::MalformedSecurityHeader("KeyInfo must hold one SecurityTokenReference").into()
            );
        };
        let (target, form) = resolve(doc, self.ids, *str_node, self.tokens)?;
        if let Target::Assertion(a) = target {
            if let Some((_, why)) = self.refused_assertions.iter().find(|(n, _)| *n == a) {
                return Err(*why);
            }
            let keys: Vec<TrustedKey> =
                self.holder_of_key.iter().filter(|h| h.assertion == a).map(|h| h.key.clone()).collect();
            let token_type = self.holder_of_key.iter().find(|h| h.assertion == a).map(|h| h.token_type);
            let token_type = token_type.ok_or(WssReason::HolderOfKeyNotProven)?;
            self.signer.replace(Some(Signer { token_type, token: Some(a), reference: form }));
            return Ok(keys);
        }
        self.trust_target(target, form, at)
    }
}

impl StrKeySource<'_> {
    /// Trusts the certificate a reference resolved to, through the trust store, and records the signer.
    fn trust_target(
        &self,
        target: Target,
        form: &'static str,
        at: DateTime,
    ) -> Result<Vec<TrustedKey>, Reason> {
        let (key, token) = match target {
            Target::Bst(i) => {
                let t = self.tokens.bsts.get(i).ok_or(Reason::Internal("token index"))?;
                (self.store.trust_certificate(&t.leaf, &t.intermediates, at)?, Some(t.node))
            }
            Target::Known(i) => {
                let c = self.tokens.known.get(i).ok_or(Reason::Internal("certificate index"))?;
                (self.store.trust_certificate(c, &[], at)?, None)
            }
            Target::Assertion(_) => return Err(Reason::Internal("assertion as certificate")),
        };
        self.signer.replace(Some(Signer { token_type: TokenType::X509, token, reference: form }));
        Ok(vec![key])
    }
}

/// A plain XML-DSig `KeyInfo` that names a certificate without carrying it — one `ds:X509Data` with
/// `ds:X509IssuerSerial` or `ds:X509SKI` and no `ds:X509Certificate`, as some WS-Security stacks write instead of an
/// STR — resolved like the corresponding STR forms (the message's BSTs, then configured certificates). `None` when
/// the `KeyInfo` has another shape (the trust store's XML-DSig rules then apply).
fn x509data_hint(children: &[Node<'_, '_>], tokens: &Tokens<'_>) -> Result<Option<Target>, Reason> {
    let [data] = children else { return Ok(None) };
    if !data.is(DSIG_NS, "X509Data") || data.element_children().any(|c| c.is(DSIG_NS, "X509Certificate")) {
        return Ok(None);
    }
    for item in data.element_children() {
        if item.is(DSIG_NS, "X509SKI") {
            let ski =
                decode_base64_binary(&item.text_content()).ok_or(WssReason::MalformedToken("X509SKI"))?;
            return find_certificate(tokens, |c| c.subject_key_id() == Some(ski.as_slice())).map(Some);
        }
        if item.is(DSIG_NS, "X509IssuerSerial") {
            return issuer_serial(item, tokens).map(Some);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_in_either_order() {
        let a = dn_components(
            "CN=Sluis Test Intermediate CA,O=Sluis Test PKI (public test keys - do not trust),C=NL",
        )
        .unwrap();
        let b = dn_components(
            "C = NL, O = Sluis Test PKI (public test keys - do not trust), CN = sluis test intermediate ca",
        )
        .unwrap();
        assert!(same_name(&a, &b));
        let c = dn_components(
            "2.5.4.3=Sluis Test Intermediate CA, O=Sluis Test PKI (public test keys - do not trust), C=NL",
        )
        .unwrap();
        assert!(same_name(&a, &c));
        let d = dn_components("CN=Other,O=Sluis Test PKI (public test keys - do not trust),C=NL").unwrap();
        assert!(!same_name(&a, &d));
        assert!(dn_components("no equals sign").is_none());
    }
}
