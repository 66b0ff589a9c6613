//! Reading a `ds:Signature` element into a checked model (XML-DSig 1.1 §4), before any cryptography.
//!
//! The schema is enforced strictly: children in the schema's order, each element where it belongs, exactly one
//! `SignedInfo`, no stray character data. Everything policy can refuse (algorithms, transforms, reference URIs,
//! limits, KeyInfo indirections) is refused here, so the cryptographic steps only ever see a signature sluis is
//! prepared to verify. Limits follow Apache Santuario's secure validation: at most 30 References per SignedInfo and
//! 5 Transforms per Reference.

use super::algorithms::{DSIG_NS, DigestMethod, ENVELOPED_SIGNATURE, EXC_C14N_NS, SignatureMethod};
use crate::c14n;
use crate::reason::DsigReason;
use crate::trust::KeyPolicy;
use crate::xml::{Node, NodeId, NodeType, decode_base64_binary, is_ws};

/// Santuario's `MAXIMUM_REFERENCE_COUNT`: each Reference costs a canonicalization and a digest.
pub const MAX_REFERENCES: usize = 30;
/// Santuario's `MAXIMUM_TRANSFORM_COUNT`.
pub const MAX_TRANSFORMS: usize = 5;

/// The `Type` of a Reference that points at a `Manifest` (XML-DSig §5.1).
const MANIFEST_TYPE: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";

/// What a Reference points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferenceUri {
    /// `URI=""`: the whole document, without comments.
    Document,
    /// `URI="#id"`: the element declaring that ID (resolved through an [`super::IdIndex`]).
    Id(String),
}

/// One checked `Reference`.
#[derive(Clone, Debug)]
pub struct Reference {
    /// The `Reference` element.
    pub node: NodeId,
    /// The target.
    pub uri: ReferenceUri,
    /// Whether the enveloped-signature transform applies.
    pub enveloped: bool,
    /// The canonicalization transform; None means the XML-DSig default (C14N 1.0 without comments, §4.4.3.2).
    pub c14n: Option<c14n::Algorithm>,
    /// The digest method.
    pub digest: DigestMethod,
    /// The decoded `DigestValue`.
    pub digest_value: Vec<u8>,
}

/// One checked `Signature`.
#[derive(Clone, Debug)]
pub struct Signature {
    /// The `Signature` element.
    pub node: NodeId,
    /// The `SignedInfo` element.
    pub signed_info: NodeId,
    /// `SignedInfo/CanonicalizationMethod`.
    pub c14n: c14n::Algorithm,
    /// `SignedInfo/SignatureMethod`.
    pub method: SignatureMethod,
    /// `SignedInfo/Reference`, in order.
    pub references: Vec<Reference>,
    /// The decoded `SignatureValue`.
    pub value: Vec<u8>,
    /// The `KeyInfo` element, if present.
    pub key_info: Option<NodeId>,
}

fn malformed(what: &'static str) -> DsigReason {
    DsigReason::MalformedSignature(what)
}

/// The element children of `node`, refusing non-whitespace character data between them (comments and PIs are
/// allowed: canonicalization without comments drops them, and they carry no meaning).
fn element_children<'d, 'a>(node: Node<'d, 'a>) -> Result<Vec<Node<'d, 'a>>, DsigReason> {
    let mut out = Vec::new();
    for child in node.children() {
        match child.node_type() {
            NodeType::Element => out.push(child),
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => {}
            NodeType::Text => return Err(malformed("character data between elements")),
            _ => {}
        }
    }
    Ok(out)
}

fn is_ds(node: &Node<'_, '_>, local: &str) -> bool {
    node.is(DSIG_NS, local)
}

fn algorithm_attr<'d>(node: &Node<'d, '_>) -> Result<&'d str, DsigReason> {
    node.attribute(None, "Algorithm").ok_or(malformed("Algorithm attribute missing"))
}

/// The text of a `DigestValue`/`SignatureValue`, base64-decoded. All text nodes are concatenated (a comment inside
/// the value cannot cut it short) and XML white space is ignored; anything else that is not base64 is refused.
fn base64_value(node: &Node<'_, '_>) -> Result<Vec<u8>, DsigReason> {
    if node.children().any(|c| c.is_element()) {
        return Err(malformed("element inside a base64 value"));
    }
    let value = decode_base64_binary(&node.text_content()).ok_or(DsigReason::MalformedValue)?;
    if value.is_empty() {
        return Err(DsigReason::MalformedValue);
    }
    Ok(value)
}

/// Reads `CanonicalizationMethod` or a canonicalization `Transform`: the algorithm URI plus an optional
/// `ec:InclusiveNamespaces PrefixList` child (exclusive C14N only).
fn c14n_algorithm(node: &Node<'_, '_>, uri: &str) -> Result<Option<c14n::Algorithm>, DsigReason> {
    if !matches!(c14n::Algorithm::from_uri(uri, None), Ok(Some(_))) {
        return Ok(None);
    }
    let children = element_children(*node)?;
    let prefix_list = match children.as_slice() {
        [] => None,
        [inc] if inc.is(EXC_C14N_NS, "InclusiveNamespaces") && element_children(*inc)?.is_empty() => {
            Some(inc.attribute(None, "PrefixList").unwrap_or(""))
        }
        _ => return Err(malformed("unexpected child of a canonicalization method")),
    };
    match c14n::Algorithm::from_uri(uri, prefix_list) {
        Ok(Some(alg)) => Ok(Some(alg)),
        Ok(None) => Ok(None),
        Err(_) => Err(malformed("InclusiveNamespaces PrefixList")),
    }
}

/// Reads and checks the `Signature` element `sig`.
pub fn read(sig: Node<'_, '_>, policy: &KeyPolicy) -> Result<Signature, DsigReason> {
    if !is_ds(&sig, "Signature") {
        return Err(malformed("not a ds:Signature element"));
    }
    let children = element_children(sig)?;
    let signed_infos = children.iter().filter(|c| is_ds(c, "SignedInfo")).count();
    if signed_infos != 1 {
        return Err(DsigReason::SignedInfoCount);
    }
    let mut it = children.into_iter();
    let signed_info =
        it.next().filter(|n| is_ds(n, "SignedInfo")).ok_or(malformed("SignedInfo must come first"))?;
    let value_node = it
        .next()
        .filter(|n| is_ds(n, "SignatureValue"))
        .ok_or(malformed("SignatureValue must follow SignedInfo"))?;
    let mut key_info = None;
    for (i, rest) in it.enumerate() {
        match () {
            _ if i == 0 && is_ds(&rest, "KeyInfo") => key_info = Some(rest.id()),
            _ if is_ds(&rest, "Object") => {}
            _ => return Err(malformed("unexpected element in Signature")),
        }
    }
    let value = base64_value(&value_node)?;

    let si = element_children(signed_info)?;
    let [c14n_node, method_node, refs @ ..] = si.as_slice() else {
        return Err(malformed("SignedInfo needs CanonicalizationMethod, SignatureMethod and a Reference"));
    };
    if !is_ds(c14n_node, "CanonicalizationMethod") || !is_ds(method_node, "SignatureMethod") {
        return Err(malformed("SignedInfo children out of order"));
    }
    let c14n = c14n_algorithm(c14n_node, algorithm_attr(c14n_node)?)?
        .ok_or(DsigReason::AlgorithmNotAllowed("canonicalization"))?;
    let method = signature_method(method_node, policy)?;
    if refs.is_empty() {
        return Err(malformed("SignedInfo without Reference"));
    }
    if refs.len() > MAX_REFERENCES {
        return Err(DsigReason::TooManyReferences);
    }
    let references = refs.iter().map(|r| reference(r, policy)).collect::<Result<Vec<_>, _>>()?;
    Ok(Signature { node: sig.id(), signed_info: signed_info.id(), c14n, method, references, value, key_info })
}

fn signature_method(node: &Node<'_, '_>, policy: &KeyPolicy) -> Result<SignatureMethod, DsigReason> {
    if let Some(child) = element_children(*node)?.first() {
        // HMACOutputLength is how CVE-2009-0217 truncated HMACs to a few bits; refuse it by name whatever the URI.
        if is_ds(child, "HMACOutputLength") {
            return Err(DsigReason::HmacNotAllowed);
        }
        return Err(malformed("unexpected child of SignatureMethod"));
    }
    SignatureMethod::from_uri(algorithm_attr(node)?, policy)
}

fn reference(node: &Node<'_, '_>, policy: &KeyPolicy) -> Result<Reference, DsigReason> {
    if !is_ds(node, "Reference") {
        return Err(malformed("unexpected element in SignedInfo"));
    }
    if node.attribute(None, "Type") == Some(MANIFEST_TYPE) {
        return Err(DsigReason::ManifestNotAllowed);
    }
    let uri = match node.attribute(None, "URI") {
        // Without a URI "the application is expected to know the identity of the object" (§4.4.3.1): sluis does not.
        None => return Err(DsigReason::ReferenceNotFound),
        Some("") => ReferenceUri::Document,
        Some(u) if u.starts_with("#xpointer(") => return Err(DsigReason::TransformNotAllowed),
        Some(u) => match u.strip_prefix('#') {
            Some(id) if crate::xml::is_ncname(id) => ReferenceUri::Id(id.to_owned()),
            Some(_) => return Err(DsigReason::ReferenceNotFound),
            None => return Err(DsigReason::ExternalReference),
        },
    };
    let children = element_children(*node)?;
    let (transforms, rest) = match children.split_first() {
        Some((t, rest)) if is_ds(t, "Transforms") => (Some(*t), rest),
        _ => (None, children.as_slice()),
    };
    let [digest_method, digest_value] = rest else {
        return Err(malformed("Reference needs DigestMethod and DigestValue"));
    };
    if !is_ds(digest_method, "DigestMethod") || !is_ds(digest_value, "DigestValue") {
        return Err(malformed("Reference children out of order"));
    }
    let (enveloped, c14n) = match transforms {
        Some(t) => read_transforms(&t)?,
        None => (false, None),
    };
    if !element_children(*digest_method)?.is_empty() {
        return Err(malformed("unexpected child of DigestMethod"));
    }
    let digest = DigestMethod::from_uri(algorithm_attr(digest_method)?, policy)?;
    let digest_value = base64_value(digest_value)?;
    if digest_value.len() != digest.output_len() {
        return Err(DsigReason::MalformedValue);
    }
    Ok(Reference { node: node.id(), uri, enveloped, c14n, digest, digest_value })
}

/// The only transform chains sluis runs: an optional enveloped-signature transform followed by an optional
/// canonicalization. Anything after a canonicalization would need its octets re-parsed; XPath, XPath Filter 2,
/// XPointer, XSLT, Base64 and unknown transforms are refused.
fn read_transforms(node: &Node<'_, '_>) -> Result<(bool, Option<c14n::Algorithm>), DsigReason> {
    let list = element_children(*node)?;
    if list.is_empty() {
        return Err(malformed("empty Transforms"));
    }
    if list.len() > MAX_TRANSFORMS {
        return Err(DsigReason::TooManyTransforms);
    }
    let mut enveloped = false;
    let mut c14n = None;
    for t in list {
        if !is_ds(&t, "Transform") {
            return Err(malformed("unexpected element in Transforms"));
        }
        let uri = algorithm_attr(&t)?;
        if c14n.is_some() {
            return Err(DsigReason::TransformNotAllowed);
        }
        if uri == ENVELOPED_SIGNATURE {
            if enveloped || !element_children(t)?.is_empty() {
                return Err(DsigReason::TransformNotAllowed);
            }
            enveloped = true;
            continue;
        }
        match c14n_algorithm(&t, uri)? {
            Some(alg) => c14n = Some(alg),
            None => return Err(DsigReason::TransformNotAllowed),
        }
    }
    Ok((enveloped, c14n))
}
