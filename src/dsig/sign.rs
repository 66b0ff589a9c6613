//! Making XML Signatures, for fixtures (`sluis sign`), tests and interop — never on the request path.
//!
//! The signer works on the original text: it digests the referenced nodes of a parsed document, splices a complete
//! `Signature` element (with an empty `SignatureValue`) into the bytes at the requested place, parses the result to
//! canonicalize `SignedInfo` in its final namespace context, signs, and splices the value in. Inserting an element
//! changes the canonical form of nothing else, so the digests taken before insertion hold afterwards — also for
//! enveloped references, whose transform removes exactly the inserted element.

use super::algorithms::{DSIG_NS, DigestMethod, ENVELOPED_SIGNATURE, EXC_C14N_NS, SignatureMethod};
use super::ids::{IdIndex, IdPolicy};
use crate::c14n::{self, DigestSink, NodeSet};
use crate::reason::{DsigReason, Reason};
use crate::trust::SigningKey;
use crate::xml::{Document, Limits, NodeId};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// Where the `Signature` element goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// As the last child of this element.
    LastChildOf(NodeId),
    /// As the first child of this element.
    FirstChildOf(NodeId),
    /// Right after this node (e.g. after a SAML `Issuer`, as SAML Core's schema requires).
    After(NodeId),
}

/// What `KeyInfo` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyInfoSpec {
    /// No `KeyInfo`.
    None,
    /// `X509Data/X509Certificate` with these DER certificates (leaf first).
    X509Certificates(Vec<Vec<u8>>),
    /// `KeyInfo` with this literal content (e.g. a `wsse:SecurityTokenReference`), already well-formed XML that
    /// declares the namespaces it uses.
    Raw(String),
}

/// One Reference to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceSpec {
    /// `""` for the whole document or `#id`.
    pub uri: String,
    /// Add the enveloped-signature transform.
    pub enveloped: bool,
}

/// Everything a signature needs besides the document.
#[derive(Clone, Debug)]
pub struct SignSpec<'k> {
    /// The private key.
    pub key: &'k SigningKey,
    /// The signature method.
    pub method: SignatureMethod,
    /// Digest method for every Reference.
    pub digest: DigestMethod,
    /// Canonicalization for `SignedInfo` and each Reference transform.
    pub c14n: c14n::Algorithm,
    /// The References, in order.
    pub references: Vec<ReferenceSpec>,
    /// What `KeyInfo` holds.
    pub key_info: KeyInfoSpec,
    /// Where the `Signature` goes.
    pub placement: Placement,
    /// Which attributes are IDs.
    pub ids: IdPolicy,
}

/// Signs `input` per `spec` and returns the signed document text.
pub fn sign(input: &str, spec: &SignSpec<'_>) -> Result<String, Reason> {
    let limits = Limits { max_bytes: usize::MAX / 2, ..Limits::default() };
    let doc = Document::parse_str(input, &limits)?;
    let ids = IdIndex::build(&doc, &spec.ids)?;
    let mut references = String::new();
    for r in &spec.references {
        let apex = match r.uri.strip_prefix('#') {
            None if r.uri.is_empty() => doc.root().id(),
            Some(id) => ids.get(id).ok_or(DsigReason::ReferenceNotFound)?,
            None => return Err(DsigReason::ExternalReference.into()),
        };
        let mut sink = DigestSink::new(spec.digest.algorithm());
        let alg = spec.c14n.clone().without_comments();
        c14n::canonicalize(&doc, &NodeSet::subtree(apex), &alg, &mut sink)?;
        let digest = B64.encode(sink.finish().as_ref());
        let mut transforms = String::new();
        if r.enveloped {
            transforms.push_str(&format!("<ds:Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>"));
        }
        transforms.push_str(&transform_element("ds:Transform", &spec.c14n));
        references.push_str(&format!(
            "<ds:Reference URI=\"{}\"><ds:Transforms>{transforms}</ds:Transforms>\
             <ds:DigestMethod Algorithm=\"{}\"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>",
            escape_attr(&r.uri),
            spec.digest.uri()
        ));
    }
    let key_info = match &spec.key_info {
        KeyInfoSpec::None => String::new(),
        KeyInfoSpec::X509Certificates(certs) => {
            let certs: String = certs
                .iter()
                .map(|c| format!("<ds:X509Certificate>{}</ds:X509Certificate>", B64.encode(c)))
                .collect();
            format!("<ds:KeyInfo><ds:X509Data>{certs}</ds:X509Data></ds:KeyInfo>")
        }
        KeyInfoSpec::Raw(xml) => format!("<ds:KeyInfo>{xml}</ds:KeyInfo>"),
    };
    let signature = format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\"><ds:SignedInfo>{}<ds:SignatureMethod Algorithm=\"{}\"/>{references}\
         </ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>{key_info}</ds:Signature>",
        transform_element("ds:CanonicalizationMethod", &spec.c14n),
        spec.method.uri()
    );
    let at = match spec.placement {
        Placement::LastChildOf(n) => {
            let node = doc.node(n);
            let tag = node.start_tag_range();
            if input.get(tag.clone()).is_some_and(|t| t.ends_with("/>")) {
                return Err(DsigReason::MalformedSignature(
                    "cannot place a signature in an empty-element tag",
                )
                .into());
            }
            let end = node.range().end;
            input.get(..end).and_then(|s| s.rfind("</")).ok_or(Reason::Internal("end tag"))?
        }
        Placement::FirstChildOf(n) => doc.node(n).start_tag_range().end,
        Placement::After(n) => doc.node(n).range().end,
    };
    let mut staged = String::with_capacity(input.len() + signature.len() + 512);
    staged.push_str(input.get(..at).ok_or(Reason::Internal("splice"))?);
    staged.push_str(&signature);
    staged.push_str(input.get(at..).ok_or(Reason::Internal("splice"))?);

    let doc = Document::parse_str(&staged, &limits)?;
    let sig_node = doc
        .descendants()
        .find(|n| n.is(DSIG_NS, "Signature") && n.range().start == at)
        .ok_or(Reason::Internal("inserted Signature not found"))?;
    let signed_info = sig_node.first_child().ok_or(Reason::Internal("SignedInfo"))?;
    let value_node = signed_info.next_sibling().ok_or(Reason::Internal("SignatureValue"))?;
    let bytes = c14n::to_vec(&doc, &NodeSet::subtree(signed_info.id()), &spec.c14n)?;
    let value =
        spec.key.sign(spec.method.algorithm, &bytes).map_err(|_| Reason::Internal("signing failed"))?;
    let insert_value_at = value_node.start_tag_range().end;
    let mut out = String::with_capacity(staged.len() + value.len() * 2);
    out.push_str(staged.get(..insert_value_at).ok_or(Reason::Internal("splice"))?);
    out.push_str(&B64.encode(&value));
    out.push_str(staged.get(insert_value_at..).ok_or(Reason::Internal("splice"))?);
    Ok(out)
}

fn transform_element(name: &str, alg: &c14n::Algorithm) -> String {
    let list = match alg {
        c14n::Algorithm::ExcC14n10 { inclusive_prefixes, .. } => {
            let mut items: Vec<&str> = inclusive_prefixes.prefixes().collect();
            if inclusive_prefixes.contains_default() {
                items.insert(0, "#default");
            }
            Some(items.join(" "))
        }
        c14n::Algorithm::C14n10 { .. } => None,
    };
    match list {
        Some(list) if !list.is_empty() => format!(
            "<{name} Algorithm=\"{}\"><ec:InclusiveNamespaces xmlns:ec=\"{EXC_C14N_NS}\" PrefixList=\"{}\"/></{name}>",
            alg.uri(),
            escape_attr(&list)
        ),
        _ => format!("<{name} Algorithm=\"{}\"/>", alg.uri()),
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
}
