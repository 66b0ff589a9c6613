//! The verified view: which nodes of the one tree a valid signature covers, and which key signed them.
//!
//! This is the only thing signature verification hands downstream. Code that reads claims (the WS-Security header,
//! SAML assertions) asks the view, never the document: "is *this* node — found by its structural position — signed,
//! and by whom?". A signature-wrapping attack moves the signed element somewhere harmless and puts an unsigned one
//! where the application looks; with a view, the application's node is simply not covered, by construction.
//!
//! A view can only be built by [`super::verify`] (its constructor is `pub(crate)` and named `assertion` so a grep
//! finds every place one is made).

use super::algorithms::{DigestMethod, SignatureMethod};
use crate::trust::TrustedKey;
use crate::xml::{Document, Node, NodeId, NodeType};

/// One verified Reference: the subtree it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedReference {
    /// The Reference `URI` as written (`""` or `#id`).
    pub uri: String,
    /// The covered subtree's root: the referenced element, or the document node for `URI=""`.
    pub apex: NodeId,
    /// A subtree removed from coverage by the enveloped-signature transform (the `Signature` element itself).
    pub excluded: Option<NodeId>,
    /// The digest method the Reference used.
    pub digest: DigestMethod,
}

/// The nodes covered by one valid XML Signature, bound to the document they belong to.
#[derive(Clone)]
pub struct VerifiedView<'d, 'a> {
    doc: &'d Document<'a>,
    signature: NodeId,
    references: Vec<SignedReference>,
    key: TrustedKey,
    method: SignatureMethod,
}

impl std::fmt::Debug for VerifiedView<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedView")
            .field("signature", &self.signature)
            .field("references", &self.references)
            .field("key", &self.key.subject())
            .field("method", &self.method.uri())
            .finish()
    }
}

impl<'d, 'a> VerifiedView<'d, 'a> {
    /// Only [`super::verify`] builds views, after every Reference and the SignatureValue checked out.
    pub(crate) fn assertion(
        doc: &'d Document<'a>,
        signature: NodeId,
        references: Vec<SignedReference>,
        key: TrustedKey,
        method: SignatureMethod,
    ) -> Self {
        VerifiedView { doc, signature, references, key, method }
    }

    /// The document the view belongs to.
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    /// The `Signature` element.
    pub fn signature(&self) -> NodeId {
        self.signature
    }

    /// The verified References.
    pub fn references(&self) -> &[SignedReference] {
        &self.references
    }

    /// The key that produced the signature, with how it came to be trusted.
    pub fn key(&self) -> &TrustedKey {
        &self.key
    }

    /// The signature method used.
    pub fn method(&self) -> SignatureMethod {
        self.method
    }

    /// Is `node` covered by a verified Reference (inside a referenced subtree and not inside its excluded part)?
    ///
    /// References cover whole subtrees, and the only part ever excluded is this view's own `Signature` (the
    /// enveloped-signature transform), so a signed element's descendants are all signed except that `Signature`:
    /// "is the Body signed" is exactly `is_signed(body)`.
    pub fn is_signed(&self, node: NodeId) -> bool {
        self.references.iter().any(|r| {
            self.doc.node(r.apex).contains(node)
                && r.excluded.is_none_or(|x| !self.doc.node(x).contains(node))
        })
    }

    /// The node as a [`SignedNode`], if the view covers it.
    pub fn signed(&self, node: NodeId) -> Option<SignedNode<'_, 'd, 'a>> {
        self.is_signed(node).then_some(SignedNode { view: self, node: self.doc.node(node) })
    }
}

/// A node the view covers: the way claim readers get at text and attributes.
#[derive(Clone, Copy)]
pub struct SignedNode<'v, 'd, 'a> {
    view: &'v VerifiedView<'d, 'a>,
    node: Node<'d, 'a>,
}

impl std::fmt::Debug for SignedNode<'_, '_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignedNode({:?})", self.node)
    }
}

impl<'v, 'd, 'a> SignedNode<'v, 'd, 'a> {
    /// The underlying node (for structure: names, position).
    pub fn node(&self) -> Node<'d, 'a> {
        self.node
    }

    /// The signed text of this node's descendants, concatenated in document order. Comments contribute nothing and
    /// do not cut the text short; text inside an excluded subtree is left out.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in self.node.descendants() {
            if n.node_type() == NodeType::Text && self.view.is_signed(n.id()) {
                out.push_str(n.text().unwrap_or_default());
            }
        }
        out
    }

    /// An attribute value (attributes are signed with their element).
    pub fn attribute(&self, ns: Option<&str>, local: &str) -> Option<&'d str> {
        self.node.attribute(ns, local)
    }

    /// The signed element children.
    pub fn element_children(&self) -> impl Iterator<Item = SignedNode<'v, 'd, 'a>> + '_ {
        let view = self.view;
        self.node.element_children().filter_map(move |c| view.signed(c.id()))
    }

    /// The first signed element child with this name.
    pub fn child(&self, ns: &str, local: &str) -> Option<SignedNode<'v, 'd, 'a>> {
        self.element_children().find(|c| c.node.is(ns, local))
    }
}
