//! Small readers shared by the SAML 2.0 and 1.1 assertion readers: element-only content, text-only elements and
//! `xs:dateTime` attributes, all through [`SignedNode`]s.
//!
//! The structure is walked on the node (positions are not claims); every value is read from a [`SignedNode`], whose
//! `text()` concatenates all signed text of the element (a comment cannot cut a value short: `a@x.com<!---->.evil`
//! reads `a@x.com.evil`).

use crate::clock::DateTime;
use crate::dsig::{DSIG_NS, SignedNode, VerifiedView};
use crate::reason::{Reason, SamlReason};
use crate::xml::{Node, NodeType, is_ws};

/// The element children of `node` as signed nodes, refusing character data between them (element-only content in
/// the schema). A child the view does not cover can only be the view's own enveloped `ds:Signature`; it is skipped,
/// anything else uncovered is an internal error (a view covers whole subtrees).
pub(crate) fn element_children<'v, 'd, 'a>(
    view: &'v VerifiedView<'d, 'a>,
    node: &SignedNode<'v, 'd, 'a>,
    what: &'static str,
) -> Result<Vec<SignedNode<'v, 'd, 'a>>, Reason> {
    let mut out = Vec::new();
    for child in node.node().children() {
        match child.node_type() {
            NodeType::Element => match view.signed(child.id()) {
                Some(s) => out.push(s),
                None if child.id() == view.signature() => {}
                None => return Err(Reason::Internal("unsigned child of a signed element")),
            },
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => {}
            NodeType::Text => return Err(SamlReason::MalformedAssertion(what).into()),
            _ => {}
        }
    }
    Ok(out)
}

/// Is `node` a `ds:Signature` element?
pub(crate) fn is_signature(node: &Node<'_, '_>) -> bool {
    node.is(DSIG_NS, "Signature")
}

/// The text of a simple-content element: no element children; the concatenated signed text.
pub(crate) fn simple_text(node: &SignedNode<'_, '_, '_>, what: &'static str) -> Result<String, SamlReason> {
    if node.node().children().any(|c| c.is_element()) {
        return Err(SamlReason::MalformedAssertion(what));
    }
    Ok(node.text())
}

/// An `xs:anyURI`-typed value: the schema's white-space facet is `collapse`, so leading and trailing XML white space
/// is not part of the value.
pub(crate) fn uri_text(node: &SignedNode<'_, '_, '_>, what: &'static str) -> Result<String, SamlReason> {
    Ok(trim_ws(&simple_text(node, what)?).to_owned())
}

/// Leading and trailing XML white space removed.
pub(crate) fn trim_ws(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_ws(c as u8))
}

/// An optional `xs:dateTime` attribute (no namespace). A value that does not parse, or lacks a time zone, is refused
/// with `what` as context.
pub(crate) fn time_attr(
    node: &SignedNode<'_, '_, '_>,
    name: &str,
    what: &'static str,
) -> Result<Option<DateTime>, SamlReason> {
    match node.attribute(None, name) {
        None => Ok(None),
        Some(v) => DateTime::parse(v).map(Some).map_err(|_| SamlReason::MalformedAssertion(what)),
    }
}

/// A required `xs:dateTime` attribute.
pub(crate) fn required_time(
    node: &SignedNode<'_, '_, '_>,
    name: &str,
    what: &'static str,
) -> Result<DateTime, SamlReason> {
    time_attr(node, name, what)?.ok_or(SamlReason::MalformedAssertion(what))
}

/// An optional attribute as an owned string.
pub(crate) fn attr(node: &SignedNode<'_, '_, '_>, name: &str) -> Option<String> {
    node.attribute(None, name).map(str::to_owned)
}
