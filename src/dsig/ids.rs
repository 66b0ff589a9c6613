//! Explicit, strict ID resolution for same-document references (`URI="#id"`).
//!
//! Without a DTD or schema nothing in a document is an ID, so every profile says which attributes it treats as IDs
//! ([`IdPolicy`]): `wsu:Id` for WS-Security, `ID` on SAML 2.0 protocol/assertion elements, `AssertionID` (and
//! `ResponseID`/`RequestID`) for SAML 1.1, `Id` on XML-DSig/XML-Encryption elements. Resolution looks only there.
//!
//! The index is built once per document, and a document in which one ID value is declared twice is refused outright
//! ([`DsigReason::DuplicateId`]): with two candidates, a verifier and the code reading claims can pick different ones,
//! which is how the duplicate-ID signature-wrapping attacks work.

use crate::reason::DsigReason;
use crate::xml::{Document, NodeId};
use std::collections::HashMap;

/// The WS-Security utility namespace (`wsu:Id`).
pub const WSU_NS: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// SAML 2.0 assertion namespace.
pub const SAML2_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol namespace.
pub const SAML2P_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// SAML 1.x assertion namespace.
pub const SAML1_NS: &str = "urn:oasis:names:tc:SAML:1.0:assertion";
/// SAML 1.x protocol namespace.
pub const SAML1P_NS: &str = "urn:oasis:names:tc:SAML:1.0:protocol";
/// XML Encryption namespace.
pub const XENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";

/// One attribute that declares an ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdAttribute {
    /// Namespace of the elements it is an ID on; `None` means any element.
    pub element_ns: Option<&'static str>,
    /// Namespace of the attribute itself; `None` for an unqualified attribute.
    pub attr_ns: Option<&'static str>,
    /// The attribute's local name.
    pub local: &'static str,
}

/// Which attributes are IDs in a profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdPolicy {
    attributes: Vec<IdAttribute>,
}

impl IdPolicy {
    /// A policy with exactly these ID attributes.
    pub fn new(attributes: Vec<IdAttribute>) -> Self {
        IdPolicy { attributes }
    }

    /// The IDs of WS-Security and SAML messages: `wsu:Id` anywhere, SAML 2.0 `ID` and SAML 1.1
    /// `AssertionID`/`ResponseID`/`RequestID` on SAML elements, `Id` on XML-DSig and XML-Encryption elements.
    pub fn wss_saml() -> Self {
        let a = |element_ns, attr_ns, local| IdAttribute { element_ns, attr_ns, local };
        IdPolicy::new(vec![
            a(None, Some(WSU_NS), "Id"),
            a(Some(SAML2_NS), None, "ID"),
            a(Some(SAML2P_NS), None, "ID"),
            a(Some(SAML1_NS), None, "AssertionID"),
            a(Some(SAML1P_NS), None, "ResponseID"),
            a(Some(SAML1P_NS), None, "RequestID"),
            a(Some(super::DSIG_NS), None, "Id"),
            a(Some(XENC_NS), None, "Id"),
        ])
    }

    /// For generic XML-DSig documents (interop vectors, arbitrary signed XML): the [`wss_saml`](Self::wss_saml) set
    /// plus unqualified `Id` and `ID` on any element.
    pub fn generic() -> Self {
        let mut p = Self::wss_saml();
        p.attributes.push(IdAttribute { element_ns: None, attr_ns: None, local: "Id" });
        p.attributes.push(IdAttribute { element_ns: None, attr_ns: None, local: "ID" });
        p
    }

    fn is_id(&self, element_ns: Option<&str>, attr_ns: Option<&str>, local: &str) -> bool {
        self.attributes.iter().any(|a| {
            a.local == local && a.attr_ns == attr_ns && a.element_ns.is_none_or(|ns| Some(ns) == element_ns)
        })
    }
}

/// Every ID value in one document, each declared exactly once.
#[derive(Debug)]
pub struct IdIndex {
    ids: HashMap<String, NodeId>,
}

impl IdIndex {
    /// Scans `doc` once. Fails with [`DsigReason::DuplicateId`] if a value is declared on two elements (or twice on
    /// one element through two different ID attributes with the same value — harmless, so allowed).
    pub fn build(doc: &Document<'_>, policy: &IdPolicy) -> Result<Self, DsigReason> {
        let mut ids: HashMap<String, NodeId> = HashMap::new();
        for node in doc.descendants().filter(|n| n.is_element()) {
            let element_ns = node.namespace();
            for attr in node.attributes() {
                if !policy.is_id(element_ns, attr.namespace(), attr.local_name()) {
                    continue;
                }
                // Compared exactly, with no whitespace collapsing: a Reference `#a` never matches `ID=" a"`.
                let value = attr.value();
                match ids.get(value) {
                    Some(&other) if other != node.id() => return Err(DsigReason::DuplicateId),
                    Some(_) => {}
                    None => {
                        ids.insert(value.to_owned(), node.id());
                    }
                }
            }
        }
        Ok(IdIndex { ids })
    }

    /// The element declaring `id`, if any.
    pub fn get(&self, id: &str) -> Option<NodeId> {
        self.ids.get(id).copied()
    }

    /// Number of IDs.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the document declares no IDs.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Limits;

    fn index<'s>(src: &'s str, policy: &IdPolicy) -> Result<(Document<'s>, IdIndex), DsigReason> {
        let doc = Document::parse_str(src, &Limits::default()).unwrap();
        let idx = IdIndex::build(&doc, policy)?;
        Ok((doc, idx))
    }

    #[test]
    fn resolves_only_declared_attributes() {
        let src = format!(
            r#"<r xmlns:wsu="{WSU_NS}" xmlns:s="{SAML2_NS}"><a wsu:Id="w"/><s:Assertion ID="s"/><b ID="x"/><c Id="y"/><d id="z"/></r>"#
        );
        let (doc, idx) = index(&src, &IdPolicy::wss_saml()).unwrap();
        assert_eq!(doc.node(idx.get("w").unwrap()).local_name(), "a");
        assert_eq!(doc.node(idx.get("s").unwrap()).local_name(), "Assertion");
        assert_eq!(
            idx.get("x"),
            None,
            "ID on a non-SAML element is not an ID in the WS-Security/SAML profile"
        );
        assert_eq!(idx.get("y"), None);
        assert_eq!(idx.get("z"), None, "lower-case id is never an ID");
        let (_, idx) = index(&src, &IdPolicy::generic()).unwrap();
        assert!(idx.get("x").is_some() && idx.get("y").is_some() && idx.get("z").is_none());
    }

    #[test]
    fn refuses_duplicate_values() {
        let src = format!(r#"<r xmlns:wsu="{WSU_NS}"><a wsu:Id="Body"/><b wsu:Id="Body"/></r>"#);
        assert_eq!(index(&src, &IdPolicy::wss_saml()).unwrap_err(), DsigReason::DuplicateId);
        let src = format!(r#"<r xmlns:wsu="{WSU_NS}" xmlns:s="{SAML2_NS}"><s:A ID="x"/><b wsu:Id="x"/></r>"#);
        assert_eq!(index(&src, &IdPolicy::wss_saml()).unwrap_err(), DsigReason::DuplicateId);
        let same = format!(r#"<r xmlns:wsu="{WSU_NS}"><a wsu:Id="x" Id="x"/></r>"#);
        assert!(index(&same, &IdPolicy::generic()).is_ok());
    }
}
