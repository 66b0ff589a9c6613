//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, over the one parsed [`Document`].
//!
//! # What is implemented
//!
//! - **Canonical XML 1.0** (W3C REC 2001-03-15), with and without comments: §2.1 data model (§2.1: PIs and comments
//!   outside the document element with their `#xA` separators; the XML declaration and white space outside the
//!   document element are not part of the data model), §2.2 document order, §2.3 processing model (namespace nodes
//!   first, the default one first and then by prefix; attributes by namespace URI, then local name, unqualified ones
//!   first; empty elements as start/end tag pairs; CDATA rendered as escaped text; superfluous namespace declarations
//!   suppressed; `xmlns=""` only where the nearest output ancestor had a non-empty default namespace), §2.4 document
//!   subsets (the apex of a subset renders every namespace in scope and inherits the `xml:*` attributes of its omitted
//!   ancestors, nearest first, unless it carries them itself), §4 escaping.
//! - **Exclusive XML Canonicalization 1.0** (W3C REC 2002-07-18), with and without comments: §3 (a namespace
//!   declaration is rendered only on an element that visibly utilizes it — its own prefix or an attribute's — and only
//!   when the nearest output ancestor that rendered that prefix rendered a different value; `xml:*` attributes are not
//!   inherited), §4.1 the `InclusiveNamespaces PrefixList` (NCNames and `#default`; those prefixes are treated as in
//!   Canonical XML 1.0).
//!
//! The node-sets are the ones XML-DSig same-document references produce ([`NodeSet`]): the whole document (`URI=""`)
//! or the subtree of one element (`URI="#id"`), optionally minus one subtree (the `ds:Signature` the
//! enveloped-signature transform removes). Those references yield node-sets *without* comments (XML-DSig §4.4.3.3);
//! the caller expresses that with [`Algorithm::without_comments`]. The input tree has already had XML 1.0 line-end
//! normalization, attribute-value normalization and reference expansion applied ([`crate::xml`]), so a `&#xD;`
//! character reference reaches this module as a CR and comes out as `&#xD;`.
//!
//! # What is refused, and why
//!
//! - **Relative namespace URIs** ([`C14nReason::RelativeNamespaceUri`]). C14N 1.0 §2 says implementations MUST report
//!   failure on them; libxml2 and Apache Santuario do. sluis refuses a declaration whose value is non-empty and does not
//!   start with an RFC 3986 `scheme ":"`, when the declaration is on an element of the node-set or on an ancestor of
//!   the apex (for both algorithms, so the outcome never depends on visible utilization). Declarations elsewhere in the
//!   document are not looked at.
//! - **A node-set that is not one of the above** ([`C14nReason::InvalidNodeSet`]): an apex that is neither the
//!   document node nor an element, or a node id out of range for the document.
//! - **A malformed PrefixList**, or one given to inclusive C14N ([`C14nReason::InvalidPrefixList`]).
//! - XPath-selected node-sets do not exist here at all: sluis refuses XPath transforms by design.
//!
//! # Where sluis and libxml2 differ
//!
//! - A namespace URI containing `&`: C14N 1.0 §2.3 processes a namespace node "in the same way as an attribute node",
//!   so sluis writes `&amp;` (as Santuario does); libxml2 2.9 writes `&#38;`. libxml2 also refuses namespace names that
//!   are not valid RFC 3986 URI references (containing `"`, `<`, white space, non-ASCII characters, a malformed `%`
//!   escape, ...); sluis renders them with attribute escaping, as Santuario does. The canonical form of such a name is
//!   well defined, and refusing it would not make a signature any safer.
//! - PIs and comments after the document element when the document element itself is excluded: §2.3 places them by
//!   document order (preceded by `#xA`); libxml2 decides from the last *visible* element and renders them as if they
//!   came before it. Only reachable with an enveloped signature that is the document element.
//! - A relative namespace URI outside the node-set: libxml2 walks the whole document for any node-set and refuses;
//!   sluis refuses only what is in the node-set or in scope at its apex (see above).
//!
//! Everything else was checked byte for byte against libxml2's node-set canonicalization (`tests/c14n_oracle.rs`,
//! which also pins the three cases above).
//!
//! # Cost
//!
//! One iterative pass over the node-set with an explicit stack of open elements and a stack of namespace bindings; no
//! recursion on input depth. The apex's ancestors are walked once (inclusive: namespaces in scope and `xml:*`
//! attributes). Output is streamed to a [`Sink`]; [`DigestSink`] hashes it without holding the canonical form.

mod namespaces;
mod render;

use crate::reason::C14nReason;
use crate::xml::{Document, NodeId, is_ncname};
use aws_lc_rs::digest;
use std::fmt;

/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments`
pub const C14N_10_WITH_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// `http://www.w3.org/2001/10/xml-exc-c14n#`
pub const EXC_C14N_10: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// `http://www.w3.org/2001/10/xml-exc-c14n#WithComments`
pub const EXC_C14N_10_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

/// A canonicalization algorithm with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Canonical XML 1.0.
    C14n10 {
        /// Whether comments in the node-set are rendered.
        with_comments: bool,
    },
    /// Exclusive XML Canonicalization 1.0.
    ExcC14n10 {
        /// Whether comments in the node-set are rendered.
        with_comments: bool,
        /// The `InclusiveNamespaces PrefixList`: prefixes handled as in Canonical XML 1.0.
        inclusive_prefixes: PrefixList,
    },
}

impl Default for Algorithm {
    /// Canonical XML 1.0 without comments: what XML-DSig §4.4.3.2 applies when a node-set must become octets and no
    /// canonicalization transform says otherwise.
    fn default() -> Self {
        Algorithm::C14n10 { with_comments: false }
    }
}

impl Algorithm {
    /// The algorithm named by `uri`, with the `PrefixList` of an `InclusiveNamespaces` element if there is one.
    ///
    /// `Ok(None)`: `uri` is not one of the four algorithms (the caller decides what that means: XML-DSig refuses the
    /// signature). `Err(InvalidPrefixList)`: the list is not NCNames and `#default` separated by white space, or a list
    /// was given for inclusive C14N, which takes no parameters (refused rather than ignored, so a signer and sluis
    /// cannot disagree about what was meant).
    ///
    /// ```
    /// use sluis::c14n::Algorithm;
    /// let alg = Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", Some("#default soap")).unwrap().unwrap();
    /// assert_eq!(alg.uri(), "http://www.w3.org/2001/10/xml-exc-c14n#");
    /// assert!(Algorithm::from_uri("http://www.w3.org/TR/1999/REC-xpath-19991116", None).unwrap().is_none());
    /// ```
    pub fn from_uri(uri: &str, prefix_list: Option<&str>) -> Result<Option<Self>, C14nReason> {
        let alg = match uri {
            C14N_10 | C14N_10_WITH_COMMENTS => {
                if prefix_list.is_some() {
                    return Err(C14nReason::InvalidPrefixList);
                }
                Algorithm::C14n10 { with_comments: uri == C14N_10_WITH_COMMENTS }
            }
            EXC_C14N_10 | EXC_C14N_10_WITH_COMMENTS => Algorithm::ExcC14n10 {
                with_comments: uri == EXC_C14N_10_WITH_COMMENTS,
                inclusive_prefixes: PrefixList::parse(prefix_list.unwrap_or(""))?,
            },
            _ => return Ok(None),
        };
        Ok(Some(alg))
    }

    /// The algorithm's URI (the `#WithComments` form when comments are rendered).
    pub fn uri(&self) -> &'static str {
        match self {
            Algorithm::C14n10 { with_comments: false } => C14N_10,
            Algorithm::C14n10 { with_comments: true } => C14N_10_WITH_COMMENTS,
            Algorithm::ExcC14n10 { with_comments: false, .. } => EXC_C14N_10,
            Algorithm::ExcC14n10 { with_comments: true, .. } => EXC_C14N_10_WITH_COMMENTS,
        }
    }

    /// Whether comments are rendered.
    pub fn with_comments(&self) -> bool {
        match self {
            Algorithm::C14n10 { with_comments } | Algorithm::ExcC14n10 { with_comments, .. } => {
                *with_comments
            }
        }
    }

    /// The same algorithm without comments: what a same-document XML-DSig reference (`URI=""`, `#id`) yields, since
    /// its node-set never contains comments (XML-DSig §4.4.3.3).
    pub fn without_comments(self) -> Self {
        match self {
            Algorithm::C14n10 { .. } => Algorithm::C14n10 { with_comments: false },
            Algorithm::ExcC14n10 { inclusive_prefixes, .. } => {
                Algorithm::ExcC14n10 { with_comments: false, inclusive_prefixes }
            }
        }
    }
}

/// An `InclusiveNamespaces PrefixList` (Exclusive C14N §4.1): prefixes whose namespace declarations exclusive
/// canonicalization renders as Canonical XML 1.0 would.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefixList {
    /// `#default` was listed.
    default: bool,
    /// The listed prefixes, sorted and without duplicates.
    prefixes: Vec<String>,
}

impl PrefixList {
    /// Parses a white-space separated list of NCNames and `#default` (XML Schema `NMTOKENS`-style separators: space,
    /// tab, CR, LF). An empty list is valid.
    ///
    /// ```
    /// use sluis::c14n::PrefixList;
    /// let list = PrefixList::parse(" #default  wsse ds ").unwrap();
    /// assert!(list.contains_default() && list.contains("ds") && !list.contains("xsi"));
    /// assert!(PrefixList::parse("a:b").is_err());
    /// ```
    pub fn parse(list: &str) -> Result<Self, C14nReason> {
        let mut out = PrefixList::default();
        for token in list.split([' ', '\t', '\r', '\n']).filter(|t| !t.is_empty()) {
            if token == "#default" {
                out.default = true;
            } else if is_ncname(token) {
                out.prefixes.push(token.to_owned());
            } else {
                return Err(C14nReason::InvalidPrefixList);
            }
        }
        out.prefixes.sort_unstable();
        out.prefixes.dedup();
        Ok(out)
    }

    /// Whether `#default` is listed.
    pub fn contains_default(&self) -> bool {
        self.default
    }

    /// Whether the prefix is listed (`""` asks about `#default`).
    pub fn contains(&self, prefix: &str) -> bool {
        if prefix.is_empty() {
            self.default
        } else {
            self.prefixes.binary_search_by(|p| p.as_str().cmp(prefix)).is_ok()
        }
    }

    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        !self.default && self.prefixes.is_empty()
    }

    /// The listed prefixes, sorted (without `#default`).
    pub fn prefixes(&self) -> impl Iterator<Item = &str> {
        self.prefixes.iter().map(String::as_str)
    }
}

/// The node-set to canonicalize, as an XML-DSig same-document reference defines it: every node of the subtree rooted
/// at `apex` (its attributes and namespace nodes included), minus the subtree rooted at `exclude`.
///
/// `apex` is the document node for the whole document (`URI=""`) or an element (`URI="#id"`; its ancestors are not in
/// the node-set). `exclude` is what the enveloped-signature transform removes: the `ds:Signature` element and all its
/// descendants; if it lies outside the apex subtree it removes nothing, if it contains the apex the output is empty.
/// Node ids must come from the document being canonicalized (an id of another, larger document is refused only when it
/// is out of range).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSet {
    /// The root of the subtree: the document node or an element.
    pub apex: NodeId,
    /// A subtree left out of the node-set.
    pub exclude: Option<NodeId>,
}

impl NodeSet {
    /// The whole document (`URI=""`).
    pub fn document(doc: &Document<'_>) -> Self {
        NodeSet { apex: doc.root().id(), exclude: None }
    }

    /// The subtree of `apex` (an element, or the document node).
    pub fn subtree(apex: NodeId) -> Self {
        NodeSet { apex, exclude: None }
    }

    /// The same node-set without the subtree of `node` (the enveloped-signature transform).
    pub fn excluding(self, node: NodeId) -> Self {
        NodeSet { exclude: Some(node), ..self }
    }
}

/// Canonicalizes the node-set `set` of `doc` with `alg`, writing the canonical form to `out`.
///
/// On error, `out` may hold a prefix of the output: discard it.
///
/// ```
/// use sluis::c14n::{self, Algorithm, NodeSet};
/// use sluis::xml::{Document, Limits};
/// let doc = Document::parse_str("<?xml version='1.0'?><a b='1'  a='2'/>", &Limits::default()).unwrap();
/// let mut out = Vec::new();
/// c14n::canonicalize(&doc, &NodeSet::document(&doc), &Algorithm::default(), &mut out).unwrap();
/// assert_eq!(out, br#"<a a="2" b="1"></a>"#);
/// ```
pub fn canonicalize<S: Sink + ?Sized>(
    doc: &Document<'_>,
    set: &NodeSet,
    alg: &Algorithm,
    out: &mut S,
) -> Result<(), C14nReason> {
    // The renderer writes many small pieces (`<`, a name, `="`); collecting them in a local buffer keeps each write an
    // inlined copy, and the sink sees a few large writes.
    let mut buffered = Buffered { buf: Vec::with_capacity(RENDER_BUFFER), out };
    let result = render::run(doc, set, alg, &mut buffered);
    buffered.flush();
    result
}

/// How many bytes the renderer collects before passing them to the sink.
const RENDER_BUFFER: usize = 8 * 1024;

/// A [`Sink`] collecting small writes for another sink.
struct Buffered<'s, S: Sink + ?Sized> {
    buf: Vec<u8>,
    out: &'s mut S,
}

impl<S: Sink + ?Sized> Buffered<'_, S> {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.out.write(&self.buf);
            self.buf.clear();
        }
    }
}

impl<S: Sink + ?Sized> Sink for Buffered<'_, S> {
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > RENDER_BUFFER {
            self.flush();
            if bytes.len() >= RENDER_BUFFER {
                self.out.write(bytes);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }
}

/// [`canonicalize`] into a new vector.
///
/// ```
/// use sluis::c14n::{self, Algorithm, NodeSet};
/// use sluis::xml::{Document, Limits};
/// let doc = Document::parse_str(r#"<a xmlns:p="urn:p"><b/></a>"#, &Limits::default()).unwrap();
/// let b = doc.root_element().first_child().unwrap();
/// let alg = Algorithm::from_uri(c14n::EXC_C14N_10, None).unwrap().unwrap();
/// assert_eq!(c14n::to_vec(&doc, &NodeSet::subtree(b.id()), &alg).unwrap(), b"<b></b>");
/// assert_eq!(c14n::to_vec(&doc, &NodeSet::subtree(b.id()), &Algorithm::default()).unwrap(),
///            br#"<b xmlns:p="urn:p"></b>"#);
/// ```
pub fn to_vec(doc: &Document<'_>, set: &NodeSet, alg: &Algorithm) -> Result<Vec<u8>, C14nReason> {
    let mut out = Vec::with_capacity(doc.input().len() / 2);
    canonicalize(doc, set, alg, &mut out)?;
    Ok(out)
}

/// Receives the canonical form piece by piece, in order. Writing cannot fail: a sink that can (a socket) should buffer
/// or record the error itself.
pub trait Sink {
    /// Appends `bytes` to the output.
    fn write(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// How many bytes [`DigestSink`] collects before updating the digest, for callers that write small pieces directly
/// ([`canonicalize`] already hands it 8 KiB chunks, which pass straight through).
const DIGEST_BUFFER: usize = 8 * 1024;

/// A [`Sink`] that hashes the canonical form as it is produced, so a Reference's digest never needs the whole canonical
/// string in memory.
///
/// ```
/// use sluis::c14n::{DigestSink, Sink};
/// let mut sink = DigestSink::new(&aws_lc_rs::digest::SHA256);
/// sink.write(b"<a>");
/// sink.write(b"</a>");
/// assert_eq!(sink.finish().as_ref(), aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"<a></a>").as_ref());
/// ```
pub struct DigestSink {
    ctx: digest::Context,
    buf: Vec<u8>,
    total: u64,
}

impl fmt::Debug for DigestSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestSink")
            .field("algorithm", self.ctx.algorithm())
            .field("bytes", &self.total)
            .finish()
    }
}

impl DigestSink {
    /// A sink hashing with `algorithm`.
    pub fn new(algorithm: &'static digest::Algorithm) -> Self {
        DigestSink { ctx: digest::Context::new(algorithm), buf: Vec::new(), total: 0 }
    }

    /// How many bytes were written so far.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The digest of everything written.
    pub fn finish(mut self) -> digest::Digest {
        self.flush();
        self.ctx.finish()
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.ctx.update(&self.buf);
            self.buf.clear();
        }
    }
}

impl Sink for DigestSink {
    fn write(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.buf.is_empty() && bytes.len() >= DIGEST_BUFFER / 2 {
            self.ctx.update(bytes);
            return;
        }
        if self.buf.len() + bytes.len() > DIGEST_BUFFER {
            self.flush();
            if bytes.len() >= DIGEST_BUFFER {
                self.ctx.update(bytes);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests;
