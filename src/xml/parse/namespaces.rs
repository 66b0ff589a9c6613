//! Namespaces in XML 1.0 for the start tag just read: declarations into scope (§3, with its constraints on `xml` and
//! `xmlns`), prefixes resolved (§5), and attributes unique by qualified and by expanded name (XML 1.0 §3.1, Namespaces
//! §6.3).

use super::{Binding, Parser, RawAttr};
use crate::reason::XmlReason;
use crate::xml::{AttributeData, Document, NamespaceDecl, XML_NAMESPACE, XMLNS_NAMESPACE, XmlError};

impl<'a> Parser<'a, '_> {
    pub(super) fn is_ns_decl(a: &RawAttr<'_>) -> bool {
        a.prefix == "xmlns" || (a.prefix.is_empty() && a.local == "xmlns")
    }

    /// Records the namespace declarations of the start tag just read and brings them into scope.
    pub(super) fn declare_namespaces(&mut self) -> Result<(), XmlError> {
        for i in 0..self.raw_attrs.len() {
            let a = &self.raw_attrs[i];
            if !Self::is_ns_decl(a) {
                continue;
            }
            let at = a.range.0 as usize;
            let declared = if a.prefix.is_empty() { "" } else { a.local };
            let uri: &str = &a.value;
            // Namespaces in XML 1.0 §3: `xmlns` is never declared, `xml` only to its own namespace, neither namespace
            // to any other prefix, and a prefix cannot be undeclared (that is Namespaces 1.1).
            let bad = declared == "xmlns"
                || (declared == "xml") != (uri == XML_NAMESPACE)
                || uri == XMLNS_NAMESPACE
                || (!declared.is_empty() && uri.is_empty());
            if bad {
                return Err(self.err_at(XmlReason::InvalidNamespaceDecl, at));
            }
            let idx = self.doc.uris.len() as u32;
            let value = a.value.clone();
            self.doc.uris.push(value);
            self.doc.ns_decls.push(NamespaceDecl { prefix: declared, uri: idx });
            self.count_node(at)?;
            if declared != "xml" {
                let bound = (!self.doc.uris[idx as usize].is_empty()).then_some(idx);
                self.bindings.push(Binding { prefix: declared, uri: bound });
                if self.bindings.len() > self.limits.max_namespaces_in_scope {
                    return Err(self.err_at(XmlReason::NamespacesExceeded, at));
                }
            }
        }
        Ok(())
    }

    /// The namespace a prefix is bound to in the current scope (`""` is the default namespace).
    pub(super) fn lookup(&self, prefix: &str, at: usize) -> Result<Option<u32>, XmlError> {
        if prefix == "xml" {
            return Ok(Some(0));
        }
        if prefix == "xmlns" {
            return Err(self.err_at(XmlReason::InvalidNamespaceDecl, at));
        }
        match self.bindings.iter().rev().find(|b| b.prefix == prefix) {
            Some(b) => Ok(b.uri),
            None if prefix.is_empty() => Ok(None),
            None => Err(self.err_at(XmlReason::UnboundPrefix, at)),
        }
    }

    pub(super) fn resolve_element(&self, prefix: &str, at: usize) -> Result<Option<u32>, XmlError> {
        let ns = self.lookup(prefix, at)?;
        if !prefix.is_empty() && ns.is_none() {
            return Err(self.err_at(XmlReason::UnboundPrefix, at));
        }
        Ok(ns)
    }

    /// Moves the ordinary (non-declaration) attributes into the document, resolving their prefixes.
    pub(super) fn push_attributes(&mut self) -> Result<(), XmlError> {
        for i in 0..self.raw_attrs.len() {
            let a = &self.raw_attrs[i];
            if Self::is_ns_decl(a) {
                continue;
            }
            let at = a.range.0 as usize;
            // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 §6.2).
            let ns = if a.prefix.is_empty() {
                None
            } else {
                Some(self.lookup(a.prefix, at)?.ok_or(self.err_at(XmlReason::UnboundPrefix, at))?)
            };
            let data = AttributeData {
                prefix: a.prefix,
                local: a.local,
                ns,
                value: a.value.clone(),
                range: a.range,
            };
            self.doc.attrs.push(data);
            self.count_node(at)?;
        }
        Ok(())
    }

    /// XML 1.0 §3.1 (unique qualified names) and Namespaces §6.3 (unique expanded names) for the tag just read.
    pub(super) fn check_duplicates(&self, tag_start: usize, attrs_start: usize) -> Result<(), XmlError> {
        let attrs = &self.raw_attrs;
        let dup_qname = if attrs.len() <= 16 {
            attrs.iter().enumerate().any(|(i, a)| attrs[..i].iter().any(|b| b.qname == a.qname))
        } else {
            let mut names: Vec<&str> = attrs.iter().map(|a| a.qname).collect();
            names.sort_unstable();
            names.windows(2).any(|w| w[0] == w[1])
        };
        if dup_qname {
            return Err(self.err_at(XmlReason::DuplicateAttribute, tag_start));
        }
        let pushed = self.doc.attrs.get(attrs_start..).unwrap_or_default();
        let doc = &self.doc;
        fn expanded<'x>(doc: &'x Document<'_>, a: &'x AttributeData<'_>) -> (Option<&'x str>, &'x str) {
            (a.ns.map(|i| doc.uri(i)), a.local)
        }
        let expanded = |a| expanded(doc, a);
        let dup_expanded = if pushed.len() <= 16 {
            pushed.iter().enumerate().any(|(i, a)| pushed[..i].iter().any(|b| expanded(a) == expanded(b)))
        } else {
            let mut names: Vec<(Option<&str>, &str)> = pushed.iter().map(expanded).collect();
            names.sort_unstable();
            names.windows(2).any(|w| w[0] == w[1])
        };
        if dup_expanded {
            return Err(self.err_at(XmlReason::DuplicateAttribute, tag_start));
        }
        Ok(())
    }
}
