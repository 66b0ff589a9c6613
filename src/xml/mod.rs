//! The one parse: hostile bytes in, an immutable arena tree out.
//!
//! Everything sluis decides about a message is read from the [`Document`] this module builds, once, from the original
//! bytes. Signature verification, policy and claim extraction walk the same nodes, so there is no second parser whose
//! idea of the document could differ from the first (the parser differentials behind CVE-2017-11427 and the 2024–2025
//! ruby-saml/samael bypasses).
//!
//! What the tree keeps, because canonicalization and splicing need it:
//! - element and attribute names *as written* (prefix and local part) plus the namespace URI each prefix resolved to;
//! - attributes in document order, namespace declarations separately, per element;
//! - text (CDATA sections as separate text nodes), comments and processing instructions, after XML 1.0 end-of-line
//!   and attribute-value normalization (§2.11, §3.3.3) and reference expansion;
//! - the byte range of every node in the input, so the gateway can forward or strip parts without re-serializing.
//!
//! What it refuses (see [`crate::reason::XmlReason`]): any DOCTYPE, entity references other than the five predefined
//! ones, input over [`Limits`], invalid UTF-8 or characters, namespace errors, a second root. Nothing is fetched and
//! nothing recurses on input depth: the parser keeps an explicit stack bounded by [`Limits::max_depth`].
//!
//! Node ids are issued in document order and every node records the id of its last descendant, so "is `a` an
//! ancestor of `b`" and "all descendants of `a`" are constant-time range checks — the primitive the verified view
//! is built on.

mod base64;
mod chars;
mod limits;
mod parse;

pub use base64::decode_base64_binary;
pub use limits::Limits;

pub(crate) use chars::{is_ncname, is_ws};

use crate::reason::XmlReason;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// The namespace bound to the `xml` prefix by definition (Namespaces in XML 1.0 §3).
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes, which may never be declared.
pub const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

/// A parse failure: what was wrong and the byte offset where the parser noticed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XmlError {
    /// What was wrong.
    pub reason: XmlReason,
    /// Byte offset into the input.
    pub offset: usize,
}

impl XmlError {
    /// Line and column (both 1-based, column in characters) of the error in `input`. Computed on demand: only for
    /// humans and audit records, never on the hot path.
    pub fn line_col(&self, input: &[u8]) -> (usize, usize) {
        let upto = input.get(..self.offset.min(input.len())).unwrap_or_default();
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let col = String::from_utf8_lossy(upto.get(line_start..).unwrap_or_default()).chars().count() + 1;
        (line, col)
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for XmlError {}

impl From<XmlError> for crate::reason::Reason {
    fn from(e: XmlError) -> Self {
        crate::reason::Reason::Xml(e.reason)
    }
}

/// Identifies a node of one [`Document`]. Ids follow document order: a parent's id is below its descendants'.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    /// The position of this node in document order (the document node is 0).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeType {
    /// The document (root) node: parent of the root element and of comments/PIs outside it.
    Document,
    /// An element.
    Element,
    /// Character data (a run of text, or one CDATA section).
    Text,
    /// A comment.
    Comment,
    /// A processing instruction.
    ProcessingInstruction,
}

#[derive(Clone, Debug)]
struct AttributeData<'a> {
    prefix: &'a str,
    local: &'a str,
    ns: Option<u32>,
    value: Cow<'a, str>,
    range: (u32, u32),
}

#[derive(Clone, Copy, Debug)]
struct NamespaceDecl<'a> {
    /// "" for the default namespace.
    prefix: &'a str,
    uri: u32,
}

#[derive(Debug)]
struct ElementData<'a> {
    prefix: &'a str,
    local: &'a str,
    ns: Option<u32>,
    attrs: (u32, u32),
    ns_decls: (u32, u32),
    start_tag_end: u32,
}

#[derive(Debug)]
enum NodeKind<'a> {
    Document,
    Element(ElementData<'a>),
    Text { text: Cow<'a, str>, cdata: bool },
    Comment(Cow<'a, str>),
    Pi { target: &'a str, data: Cow<'a, str> },
}

#[derive(Debug)]
struct NodeData<'a> {
    kind: NodeKind<'a>,
    parent: Option<NodeId>,
    next_sibling: Option<NodeId>,
    subtree_end: NodeId,
    range: (u32, u32),
}

/// An immutable, parsed XML document borrowing its input.
pub struct Document<'a> {
    input: &'a str,
    nodes: Vec<NodeData<'a>>,
    attrs: Vec<AttributeData<'a>>,
    ns_decls: Vec<NamespaceDecl<'a>>,
    /// Namespace URIs, one per declaration (index 0 is the implicit `xml` binding).
    uris: Vec<Cow<'a, str>>,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("bytes", &self.input.len())
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

impl<'a> Document<'a> {
    /// Parses `input` (raw bytes; UTF-8 with or without a byte-order mark) under `limits`.
    pub fn parse(input: &'a [u8], limits: &Limits) -> Result<Document<'a>, XmlError> {
        parse::parse(input, limits)
    }

    /// Parses a string under `limits`.
    pub fn parse_str(input: &'a str, limits: &Limits) -> Result<Document<'a>, XmlError> {
        parse::parse(input.as_bytes(), limits)
    }

    /// The input text the tree was parsed from (without a leading byte-order mark). Node ranges index into it.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The document node.
    pub fn root(&self) -> Node<'_, 'a> {
        self.node(NodeId(0))
    }

    /// The document element.
    pub fn root_element(&self) -> Node<'_, 'a> {
        // The parser guarantees exactly one element child of the document node; NodeId(0) as a fallback keeps this
        // total without a panic path (it is the document node, never an element, so callers' checks fail closed).
        self.root().children().find(|n| n.is_element()).unwrap_or_else(|| self.node(NodeId(0)))
    }

    /// The node with id `id`. Ids come from this document; an id from elsewhere that is out of range yields the
    /// document node rather than panicking.
    pub fn node(&self, id: NodeId) -> Node<'_, 'a> {
        let id = if id.index() < self.nodes.len() { id } else { NodeId(0) };
        Node { doc: self, id }
    }

    /// Number of nodes (document, elements, text, comments, PIs; attributes are not nodes here).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has only the document node (never true for a parsed document).
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Every node in document order.
    pub fn descendants(&self) -> impl Iterator<Item = Node<'_, 'a>> + '_ {
        (0..self.nodes.len()).map(move |i| Node { doc: self, id: NodeId(i as u32) })
    }

    fn data(&self, id: NodeId) -> &NodeData<'a> {
        // `Node` only holds ids checked by `node()` or produced by the parser, so the index is in range.
        &self.nodes[id.index()]
    }

    fn uri(&self, idx: u32) -> &str {
        self.uris.get(idx as usize).map_or("", |u| u.as_ref())
    }
}

/// A node of a [`Document`]: a cheap, copyable handle.
#[derive(Clone, Copy)]
pub struct Node<'d, 'a> {
    doc: &'d Document<'a>,
    id: NodeId,
}

impl fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.node_type() {
            NodeType::Element => write!(
                f,
                "Element({}{}{}, {:?})",
                self.prefix().unwrap_or(""),
                if self.prefix().is_some() { ":" } else { "" },
                self.local_name(),
                self.id
            ),
            t => write!(f, "{t:?}({:?})", self.id),
        }
    }
}

impl PartialEq for Node<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}

impl Eq for Node<'_, '_> {}

impl<'d, 'a> Node<'d, 'a> {
    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The document this node belongs to.
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    fn data(&self) -> &'d NodeData<'a> {
        self.doc.data(self.id)
    }

    fn element(&self) -> Option<&'d ElementData<'a>> {
        match &self.data().kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// What kind of node this is.
    pub fn node_type(&self) -> NodeType {
        match self.data().kind {
            NodeKind::Document => NodeType::Document,
            NodeKind::Element(_) => NodeType::Element,
            NodeKind::Text { .. } => NodeType::Text,
            NodeKind::Comment(_) => NodeType::Comment,
            NodeKind::Pi { .. } => NodeType::ProcessingInstruction,
        }
    }

    /// Is this an element?
    pub fn is_element(&self) -> bool {
        matches!(self.data().kind, NodeKind::Element(_))
    }

    /// Is this an element with namespace URI `ns` and local name `local`?
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.element().is_some_and(|e| e.local == local && e.ns.map(|i| self.doc.uri(i)) == Some(ns))
    }

    /// The element's local name ("" for other nodes; the target for a PI).
    pub fn local_name(&self) -> &'a str {
        match &self.data().kind {
            NodeKind::Element(e) => e.local,
            NodeKind::Pi { target, .. } => target,
            _ => "",
        }
    }

    /// The element's prefix as written, if any.
    pub fn prefix(&self) -> Option<&'a str> {
        self.element().map(|e| e.prefix).filter(|p| !p.is_empty())
    }

    /// The element's namespace URI, if it is in one.
    pub fn namespace(&self) -> Option<&'d str> {
        self.element().and_then(|e| e.ns).map(|i| self.doc.uri(i))
    }

    /// The element's attributes in document order (namespace declarations excluded).
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'d, 'a>> + 'd {
        let doc = self.doc;
        let data = match self.element() {
            Some(e) => doc.attrs.get(e.attrs.0 as usize..e.attrs.1 as usize).unwrap_or_default(),
            None => &[],
        };
        data.iter().map(move |data| Attribute { doc, data })
    }

    /// The value of the attribute with namespace `ns` (None: no namespace) and local name `local`.
    pub fn attribute(&self, ns: Option<&str>, local: &str) -> Option<&'d str> {
        self.attributes().find(|a| a.local_name() == local && a.namespace() == ns).map(|a| a.value())
    }

    /// The namespace declarations written on this element, in document order.
    pub fn namespace_declarations(&self) -> impl Iterator<Item = (Option<&'a str>, &'d str)> + 'd {
        let doc = self.doc;
        let decls = match self.element() {
            Some(e) => doc.ns_decls.get(e.ns_decls.0 as usize..e.ns_decls.1 as usize).unwrap_or_default(),
            None => &[],
        };
        decls.iter().map(move |d| ((!d.prefix.is_empty()).then_some(d.prefix), doc.uri(d.uri)))
    }

    /// The namespace URI `prefix` (None: the default namespace) is bound to at this element, if any. An undeclared
    /// default namespace (`xmlns=""`) yields None. `xml` is always bound.
    pub fn lookup_namespace(&self, prefix: Option<&str>) -> Option<&'d str> {
        if prefix == Some("xml") {
            return Some(XML_NAMESPACE);
        }
        let mut cur = Some(*self);
        while let Some(n) = cur {
            if let Some((_, uri)) = n.namespace_declarations().find(|(p, _)| *p == prefix) {
                return (!uri.is_empty()).then_some(uri);
            }
            cur = n.parent();
        }
        None
    }

    /// The text of a text node, the content of a comment, or the data of a PI; None for elements and the document.
    pub fn text(&self) -> Option<&'d str> {
        match &self.data().kind {
            NodeKind::Text { text, .. } | NodeKind::Comment(text) | NodeKind::Pi { data: text, .. } => {
                Some(text)
            }
            _ => None,
        }
    }

    /// Whether a text node came from a CDATA section.
    pub fn is_cdata(&self) -> bool {
        matches!(self.data().kind, NodeKind::Text { cdata: true, .. })
    }

    /// The concatenated text of all descendant text nodes, in document order (comments and PIs contribute nothing,
    /// so `a@x.com<!---->.evil` reads as `a@x.com.evil`, never as `a@x.com`).
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        for n in self.descendants() {
            if let NodeKind::Text { text, .. } = &n.data().kind {
                out.push_str(text);
            }
        }
        out
    }

    /// The parent node (None for the document node).
    pub fn parent(&self) -> Option<Node<'d, 'a>> {
        self.data().parent.map(|id| Node { doc: self.doc, id })
    }

    /// The parent if it is an element.
    pub fn parent_element(&self) -> Option<Node<'d, 'a>> {
        self.parent().filter(|p| p.is_element())
    }

    /// Ancestors from the parent up to the document node.
    pub fn ancestors(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        std::iter::successors(self.parent(), |n| n.parent())
    }

    /// The next sibling.
    pub fn next_sibling(&self) -> Option<Node<'d, 'a>> {
        self.data().next_sibling.map(|id| Node { doc: self.doc, id })
    }

    /// The first child.
    pub fn first_child(&self) -> Option<Node<'d, 'a>> {
        (self.data().subtree_end > self.id).then(|| Node { doc: self.doc, id: NodeId(self.id.0 + 1) })
    }

    /// The children in document order.
    pub fn children(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        std::iter::successors(self.first_child(), |n| n.next_sibling())
    }

    /// The element children in document order.
    pub fn element_children(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        self.children().filter(|n| n.is_element())
    }

    /// This node and all its descendants, in document order.
    pub fn descendants(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        let doc = self.doc;
        (self.id.0..=self.data().subtree_end.0).map(move |i| Node { doc, id: NodeId(i) })
    }

    /// The id of the last node in this node's subtree (itself when it has no children).
    pub fn subtree_end(&self) -> NodeId {
        self.data().subtree_end
    }

    /// Is `self` a proper ancestor of `other`? Constant time.
    pub fn is_ancestor_of(&self, other: NodeId) -> bool {
        self.id < other && other <= self.data().subtree_end
    }

    /// Is `other` this node or one of its descendants? Constant time.
    pub fn contains(&self, other: NodeId) -> bool {
        self.id <= other && other <= self.data().subtree_end
    }

    /// The byte range of the node in [`Document::input`]: for an element from its `<` to the end of its end tag.
    pub fn range(&self) -> Range<usize> {
        let (s, e) = self.data().range;
        s as usize..e as usize
    }

    /// For an element, the byte range of its start tag (`<` to `>`); otherwise the node's range.
    pub fn start_tag_range(&self) -> Range<usize> {
        match self.element() {
            Some(e) => self.data().range.0 as usize..e.start_tag_end as usize,
            None => self.range(),
        }
    }

    /// Depth below the document node (the root element has depth 1).
    pub fn depth(&self) -> usize {
        self.ancestors().count()
    }
}

/// An attribute as written (namespace declarations are kept apart, see [`Node::namespace_declarations`]).
#[derive(Clone, Copy)]
pub struct Attribute<'d, 'a> {
    doc: &'d Document<'a>,
    data: &'d AttributeData<'a>,
}

impl fmt::Debug for Attribute<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Attribute({:?}:{} = {:?})", self.namespace(), self.local_name(), self.value())
    }
}

impl<'d, 'a> Attribute<'d, 'a> {
    /// The prefix as written, if any.
    pub fn prefix(&self) -> Option<&'a str> {
        (!self.data.prefix.is_empty()).then_some(self.data.prefix)
    }

    /// The local name.
    pub fn local_name(&self) -> &'a str {
        self.data.local
    }

    /// The namespace URI (unprefixed attributes are in no namespace).
    pub fn namespace(&self) -> Option<&'d str> {
        self.data.ns.map(|i| self.doc.uri(i))
    }

    /// The normalized value (references expanded, white space per XML 1.0 §3.3.3 for CDATA attributes).
    pub fn value(&self) -> &'d str {
        &self.data.value
    }

    /// The byte range of `name="value"` in the input.
    pub fn range(&self) -> Range<usize> {
        self.data.range.0 as usize..self.data.range.1 as usize
    }
}

#[cfg(test)]
mod tests;
