//! The traversal: one pass over the node ids of the node-set in document order (C14N 1.0 §2.2), with a stack of open
//! elements whose end tags are written when the traversal leaves their id range.

use super::namespaces::{Mode, Namespaces};
use super::{Algorithm, NodeSet, Sink};
use crate::reason::C14nReason;
use crate::xml::{Document, Node, NodeId, NodeType, XML_NAMESPACE};

/// An attribute as it is sorted and rendered: (namespace URI or `""`, local name, prefix, value).
type AttrRow<'d> = (&'d str, &'d str, Option<&'d str>, &'d str);

pub(super) fn run<S: Sink + ?Sized>(
    doc: &Document<'_>,
    set: &NodeSet,
    alg: &Algorithm,
    out: &mut S,
) -> Result<(), C14nReason> {
    let apex = checked(doc, set.apex)?;
    let exclude = match set.exclude {
        Some(id) => Some(checked(doc, id)?),
        None => None,
    };
    let apex_is_document = match apex.node_type() {
        NodeType::Document => true,
        NodeType::Element => false,
        _ => return Err(C14nReason::InvalidNodeSet),
    };
    if exclude.is_some_and(|x| x.contains(apex.id())) {
        return Ok(());
    }
    let (mode, with_comments) = match alg {
        Algorithm::C14n10 { with_comments } => (Mode::Inclusive, *with_comments),
        Algorithm::ExcC14n10 { with_comments, inclusive_prefixes } => {
            (Mode::Exclusive(inclusive_prefixes), *with_comments)
        }
    };
    let mut r = Renderer {
        out,
        ns: Namespaces::new(mode),
        // C14N 1.0 §2.4: only inclusive C14N imports `xml:*` attributes into an apex whose parent is omitted.
        inherit_xml_attributes: matches!(mode, Mode::Inclusive) && !apex_is_document,
        attrs: Vec::new(),
    };
    let mut open: Vec<Node<'_, '_>> = Vec::new();
    // Before or after the document element is a matter of document order, not of the node-set: the document element
    // may itself be excluded.
    let root_element = doc.root_element().id();
    for node in apex.descendants() {
        if exclude.is_some_and(|x| x.contains(node.id())) {
            continue;
        }
        while let Some(top) = open.last().copied().filter(|top| top.subtree_end() < node.id()) {
            r.end_tag(top);
            open.pop();
        }
        let top_level =
            apex_is_document && node.parent().is_some_and(|p| p.node_type() == NodeType::Document);
        match node.node_type() {
            NodeType::Document => {}
            NodeType::Element => {
                r.start_tag(node, node.id() == apex.id())?;
                open.push(node);
            }
            NodeType::Text => escape_text(r.out, node.text().unwrap_or("")),
            NodeType::Comment if !with_comments => {}
            NodeType::Comment | NodeType::ProcessingInstruction => {
                // C14N 1.0 §2.1: outside the document element, a comment or PI is followed by #xA when it precedes the
                // document element and preceded by #xA when it follows it.
                let after_root = node.id() > root_element;
                if top_level && after_root {
                    r.out.write(b"\n");
                }
                r.comment_or_pi(node);
                if top_level && !after_root {
                    r.out.write(b"\n");
                }
            }
        }
    }
    while let Some(top) = open.pop() {
        r.end_tag(top);
    }
    Ok(())
}

/// The node with id `id`, refusing ids out of range (`Document::node` would silently map them to the document node,
/// i.e. the whole document).
fn checked<'d, 'a>(doc: &'d Document<'a>, id: NodeId) -> Result<Node<'d, 'a>, C14nReason> {
    let node = doc.node(id);
    if node.id() == id { Ok(node) } else { Err(C14nReason::InvalidNodeSet) }
}

struct Renderer<'o, 'd, 'p, S: Sink + ?Sized> {
    out: &'o mut S,
    ns: Namespaces<'d, 'p>,
    inherit_xml_attributes: bool,
    /// Scratch space for sorting one element's attributes.
    attrs: Vec<AttrRow<'d>>,
}

impl<'d, S: Sink + ?Sized> Renderer<'_, 'd, '_, S> {
    fn start_tag(&mut self, el: Node<'d, '_>, apex: bool) -> Result<(), C14nReason> {
        self.out.write(b"<");
        write_qname(self.out, el.prefix(), el.local_name());
        for &(prefix, uri) in self.ns.enter(el, apex)? {
            if prefix.is_empty() {
                self.out.write(b" xmlns=\"");
            } else {
                self.out.write(b" xmlns:");
                self.out.write(prefix.as_bytes());
                self.out.write(b"=\"");
            }
            escape_attribute(self.out, uri);
            self.out.write(b"\"");
        }
        self.attrs.clear();
        self.attrs.extend(
            el.attributes().map(|a| (a.namespace().unwrap_or(""), a.local_name(), a.prefix(), a.value())),
        );
        if apex && self.inherit_xml_attributes {
            // Nearest ancestor first, so the first occurrence of a name wins; the apex's own attributes win over all.
            for ancestor in el.ancestors() {
                for a in ancestor.attributes() {
                    if a.namespace() == Some(XML_NAMESPACE)
                        && !self
                            .attrs
                            .iter()
                            .any(|&(ns, local, ..)| ns == XML_NAMESPACE && local == a.local_name())
                    {
                        self.attrs.push((XML_NAMESPACE, a.local_name(), a.prefix(), a.value()));
                    }
                }
            }
        }
        // C14N 1.0 §2.3: by namespace URI, then local name; an unqualified attribute has the empty URI and sorts first.
        // Most elements have zero or one attribute, or already list them in order: check before sorting.
        if !self.attrs.is_sorted_by(|a, b| attr_order(a, b).is_le()) {
            self.attrs.sort_unstable_by(attr_order);
        }
        for &(_, local, prefix, value) in &self.attrs {
            self.out.write(b" ");
            write_qname(self.out, prefix, local);
            self.out.write(b"=\"");
            escape_attribute(self.out, value);
            self.out.write(b"\"");
        }
        self.out.write(b">");
        Ok(())
    }

    fn end_tag(&mut self, el: Node<'_, '_>) {
        self.out.write(b"</");
        write_qname(self.out, el.prefix(), el.local_name());
        self.out.write(b">");
        self.ns.leave();
    }

    /// Comments and PIs are rendered as they are: the parser already normalized their line ends, and neither can
    /// contain a character reference, so there is nothing to escape.
    fn comment_or_pi(&mut self, node: Node<'_, '_>) {
        let data = node.text().unwrap_or("");
        if node.node_type() == NodeType::Comment {
            self.out.write(b"<!--");
            self.out.write(data.as_bytes());
            self.out.write(b"-->");
        } else {
            // "the PI target name of the node, a leading space and the string value if it is not empty"
            self.out.write(b"<?");
            self.out.write(node.local_name().as_bytes());
            if !data.is_empty() {
                self.out.write(b" ");
                self.out.write(data.as_bytes());
            }
            self.out.write(b"?>");
        }
    }
}

/// C14N 1.0 §2.3 attribute order: by namespace URI (the empty URI of unqualified attributes first), then local name.
fn attr_order(a: &AttrRow<'_>, b: &AttrRow<'_>) -> std::cmp::Ordering {
    match (a.0.is_empty(), b.0.is_empty()) {
        (true, true) => a.1.cmp(b.1),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => (a.0, a.1).cmp(&(b.0, b.1)),
    }
}

fn write_qname<S: Sink + ?Sized>(out: &mut S, prefix: Option<&str>, local: &str) {
    if let Some(prefix) = prefix {
        out.write(prefix.as_bytes());
        out.write(b":");
    }
    out.write(local.as_bytes());
}

// ---- Character escaping (C14N 1.0 §2.3; runs needing no escape are written as one slice, and every byte looked
// for is ASCII, so scanning bytes is safe on UTF-8) ----

/// Text nodes (C14N 1.0 §2.3, and §4 on why): `&` `<` `>` and CR (`&#xD;`, the only way a CR can reach the tree is a character reference).
fn escape_text<S: Sink + ?Sized>(out: &mut S, s: &str) {
    escape(out, s, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

/// Attribute values (and namespace URIs, which §2.3 processes like attributes): `&` `<` `"` and the white space
/// characters that attribute-value normalization would otherwise turn into spaces on re-parsing: TAB, LF, CR.
fn escape_attribute<S: Sink + ?Sized>(out: &mut S, s: &str) {
    escape(out, s, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

fn escape<S: Sink + ?Sized>(out: &mut S, s: &str, replace: impl Fn(u8) -> Option<&'static [u8]>) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Every byte that may need escaping is one of `" & < > TAB LF CR`; skip the rest without the match.
        if !matches!(b, b'"' | b'&' | b'<' | b'>' | b'\t' | b'\n' | b'\r') {
            continue;
        }
        if let Some(rep) = replace(b) {
            if start < i {
                out.write(&bytes[start..i]);
            }
            out.write(rep);
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.write(&bytes[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        let mut v = Vec::new();
        escape_text(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    fn a(s: &str) -> String {
        let mut v = Vec::new();
        escape_attribute(&mut v, s);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn text_escapes_amp_lt_gt_cr_only() {
        assert_eq!(t(""), "");
        assert_eq!(t("plain é 中"), "plain é 中");
        assert_eq!(t("a&b<c>d\re\"f'g\th\ni"), "a&amp;b&lt;c&gt;d&#xD;e\"f'g\th\ni");
        assert_eq!(t("&&"), "&amp;&amp;");
    }

    #[test]
    fn attribute_escapes_amp_lt_quot_and_white_space() {
        assert_eq!(a("x>y'z"), "x>y'z");
        assert_eq!(a("a&b<c\"d\te\nf\rg"), "a&amp;b&lt;c&quot;d&#x9;e&#xA;f&#xD;g");
        assert_eq!(a("\"é\""), "&quot;é&quot;");
    }
}
