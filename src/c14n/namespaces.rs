//! Which namespace declarations an element renders (C14N 1.0 §2.3 "Namespace Nodes";
//! Exclusive C14N §3 and §4.1).
//!
//! The node-sets sluis canonicalizes are a subtree minus a subtree, so every output element except the apex has its
//! parent in the node-set: "the nearest output ancestor" is always the parent. That turns the specifications' rules
//! into comparisons against two stacks kept during the one traversal:
//!
//! - `in_scope`: the namespace bindings in scope, innermost last (`""` as prefix is the default namespace, `""` as URI
//!   an undeclared default). Inclusive C14N renders, on an element below the apex, exactly its declarations whose value
//!   differs from the binding in scope at the parent; on the apex, every non-empty binding in scope. The default
//!   namespace follows the same rule, which yields `xmlns=""` exactly when the parent had a non-empty default.
//! - `rendered` (exclusive only): the declarations output ancestors rendered. A prefix the element visibly utilizes
//!   (its own, or an attribute's; `""` for an unprefixed element) is rendered when the nearest rendering of that prefix
//!   had another value; for the default namespace "nothing rendered" counts as the empty value, so `xmlns=""` appears
//!   only under a rendered non-empty default. Prefixes of the `InclusiveNamespaces PrefixList` are left to the
//!   inclusive rule above instead.
//!
//! The `xml` prefix is bound by definition and never rendered. Lookups scan the stacks from the top: their size is
//! bounded by the bindings in scope, which the parser limits ([`crate::xml::Limits::max_namespaces_in_scope`]).

use super::PrefixList;
use crate::reason::C14nReason;
use crate::xml::Node;
use std::collections::BTreeMap;

/// The algorithm as far as namespaces are concerned.
#[derive(Clone, Copy)]
pub(super) enum Mode<'p> {
    Inclusive,
    Exclusive(&'p PrefixList),
}

/// The namespace state of one canonicalization.
pub(super) struct Namespaces<'d, 'p> {
    mode: Mode<'p>,
    in_scope: Vec<(&'d str, &'d str)>,
    rendered: Vec<(&'d str, &'d str)>,
    /// For each open element, the lengths of `in_scope` and `rendered` before it.
    marks: Vec<(usize, usize)>,
    /// The declarations (prefix, URI) to render on the element last entered, sorted by prefix (default first).
    out: Vec<(&'d str, &'d str)>,
}

impl<'d, 'p> Namespaces<'d, 'p> {
    pub(super) fn new(mode: Mode<'p>) -> Self {
        Namespaces { mode, in_scope: Vec::new(), rendered: Vec::new(), marks: Vec::new(), out: Vec::new() }
    }

    /// Enters element `el` (the apex of an element subset when `apex`) and computes its declarations to render.
    pub(super) fn enter(
        &mut self,
        el: Node<'d, '_>,
        apex: bool,
    ) -> Result<&[(&'d str, &'d str)], C14nReason> {
        self.marks.push((self.in_scope.len(), self.rendered.len()));
        self.out.clear();
        if apex {
            self.enter_apex(el)?;
        } else {
            for (prefix, uri) in el.namespace_declarations() {
                let prefix = prefix.unwrap_or("");
                if prefix == "xml" {
                    continue;
                }
                check_absolute(uri)?;
                // One element never declares a prefix twice (the parser refuses duplicate attributes), so this finds
                // the binding at the parent even after earlier declarations of `el` were pushed.
                let inherited = self.lookup_in_scope(prefix);
                let changed =
                    if prefix.is_empty() { inherited.unwrap_or("") != uri } else { inherited != Some(uri) };
                if changed && self.inclusive_rule(prefix) {
                    self.out.push((prefix, uri));
                }
                self.in_scope.push((prefix, uri));
            }
        }
        if let Mode::Exclusive(_) = self.mode {
            self.utilize(el.prefix().unwrap_or(""), el.namespace().unwrap_or(""));
            for a in el.attributes() {
                // Unprefixed attributes are in no namespace and utilize nothing (Namespaces in XML §6.2).
                if let Some(prefix) = a.prefix() {
                    self.utilize(prefix, a.namespace().unwrap_or(""));
                }
            }
        }
        self.out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Ok(&self.out)
    }

    /// Leaves the element last entered.
    pub(super) fn leave(&mut self) {
        if let Some((in_scope, rendered)) = self.marks.pop() {
            self.in_scope.truncate(in_scope);
            self.rendered.truncate(rendered);
        }
    }

    /// The apex of an element subset: its parent is not in the node-set, so every binding in scope counts as new.
    /// Walks the apex and its ancestors once; the nearest declaration of each prefix wins.
    fn enter_apex(&mut self, el: Node<'d, '_>) -> Result<(), C14nReason> {
        let mut scope: BTreeMap<&'d str, &'d str> = BTreeMap::new();
        for n in std::iter::once(el).chain(el.ancestors()) {
            for (prefix, uri) in n.namespace_declarations() {
                let prefix = prefix.unwrap_or("");
                if prefix == "xml" {
                    continue;
                }
                check_absolute(uri)?;
                scope.entry(prefix).or_insert(uri);
            }
        }
        for (prefix, uri) in scope {
            self.in_scope.push((prefix, uri));
            if !uri.is_empty() && self.inclusive_rule(prefix) {
                self.out.push((prefix, uri));
            }
        }
        Ok(())
    }

    /// Is `prefix` rendered by the Canonical XML 1.0 rule (always for inclusive C14N; for exclusive C14N when it is in
    /// the PrefixList)?
    fn inclusive_rule(&self, prefix: &str) -> bool {
        match self.mode {
            Mode::Inclusive => true,
            Mode::Exclusive(list) => list.contains(prefix),
        }
    }

    /// Exclusive C14N §3: the element visibly utilizes `prefix`, bound to `uri` (`""`: the default namespace is empty).
    fn utilize(&mut self, prefix: &'d str, uri: &'d str) {
        if prefix == "xml" || self.inclusive_rule(prefix) {
            return;
        }
        let previous = self.rendered.iter().rev().find(|(p, _)| *p == prefix).map(|&(_, u)| u);
        let differs = if prefix.is_empty() { previous.unwrap_or("") != uri } else { previous != Some(uri) };
        if differs {
            self.out.push((prefix, uri));
            self.rendered.push((prefix, uri));
        }
    }

    fn lookup_in_scope(&self, prefix: &str) -> Option<&'d str> {
        self.in_scope.iter().rev().find(|(p, _)| *p == prefix).map(|&(_, u)| u)
    }
}

/// C14N 1.0 §2: "implementations MUST report an operation failure on documents containing relative namespace URIs".
/// A namespace name is absolute when it starts with an RFC 3986 `scheme ":"` (`ALPHA *( ALPHA / DIGIT / "+" / "-" /
/// "." ) ":"`); the empty value of `xmlns=""` is an undeclaration, not a URI.
fn check_absolute(uri: &str) -> Result<(), C14nReason> {
    if uri.is_empty() || has_scheme(uri) { Ok(()) } else { Err(C14nReason::RelativeNamespaceUri) }
}

fn has_scheme(uri: &str) -> bool {
    let mut bytes = uri.bytes();
    if !bytes.next().is_some_and(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    for b in bytes {
        if b == b':' {
            return true;
        }
        if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_means_a_scheme() {
        for ok in ["", "http://x", "urn:a:b", "a:", "x+y-z.1:rest", "HTTP://X", "foo:bar"] {
            assert!(check_absolute(ok).is_ok(), "{ok}");
        }
        for bad in ["../cheating#away", "ns", "#frag", ":x", "1a:b", "a b:c", "/abs/path", "a_b:c", "é:x"] {
            assert_eq!(check_absolute(bad), Err(C14nReason::RelativeNamespaceUri), "{bad}");
        }
    }
}
