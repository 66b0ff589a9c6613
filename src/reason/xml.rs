//! Refusals of the hardened XML parser ([`crate::xml`]).

use super::outward::WsseFault;
use super::reason_codes;

/// Why a document was not accepted by the parser. Carried with a byte offset in [`crate::xml::XmlError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XmlReason {
    /// The input is larger than [`crate::xml::Limits::max_bytes`].
    TooLarge,
    /// Elements are nested deeper than [`crate::xml::Limits::max_depth`].
    DepthExceeded,
    /// More nodes (elements, attributes, text, comments, PIs) than [`crate::xml::Limits::max_nodes`].
    NodesExceeded,
    /// More attributes on one element than [`crate::xml::Limits::max_attributes`].
    AttributesExceeded,
    /// Too many namespace declarations on one element or in scope.
    NamespacesExceeded,
    /// A name longer than [`crate::xml::Limits::max_name_len`].
    NameTooLong,
    /// A `<!DOCTYPE` (and with it any DTD, entity declaration or external subset). SOAP 1.1/1.2 forbid them.
    DtdForbidden,
    /// An entity reference other than the five predefined ones (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`).
    EntityForbidden,
    /// The bytes are not valid UTF-8.
    InvalidUtf8,
    /// A byte-order mark or `encoding` declaration for anything but UTF-8.
    UnsupportedEncoding,
    /// A character outside the XML 1.0 `Char` production.
    InvalidChar,
    /// A malformed character reference, or one to a character outside `Char`.
    InvalidCharRef,
    /// A second element at the top level.
    MultipleRoots,
    /// No root element at all.
    NoRoot,
    /// The input ended inside markup or with elements still open.
    UnexpectedEof,
    /// An end tag that does not match the open element.
    MismatchedEndTag,
    /// A name that is not an XML `Name` / Namespaces `QName`.
    InvalidName,
    /// An attribute given twice (by qualified name or by namespace and local name).
    DuplicateAttribute,
    /// A prefix with no in-scope namespace declaration.
    UnboundPrefix,
    /// A namespace declaration Namespaces in XML 1.0 forbids (binding `xmlns`, rebinding `xml`, undeclaring a prefix).
    InvalidNamespaceDecl,
    /// A malformed or misplaced `<?xml ...?>` declaration, or an XML version other than 1.0.
    InvalidXmlDecl,
    /// Non-whitespace character data outside the root element.
    TextOutsideRoot,
    /// Any other violation of the XML 1.0 grammar; the context names the construct.
    Malformed(&'static str),
}

reason_codes!(XmlReason {
    TooLarge => "document_too_large",
    DepthExceeded => "depth_limit_exceeded",
    NodesExceeded => "node_limit_exceeded",
    AttributesExceeded => "attribute_limit_exceeded",
    NamespacesExceeded => "namespace_limit_exceeded",
    NameTooLong => "name_too_long",
    DtdForbidden => "dtd_forbidden",
    EntityForbidden => "entity_reference_forbidden",
    InvalidUtf8 => "invalid_utf8",
    UnsupportedEncoding => "unsupported_encoding",
    InvalidChar => "invalid_character",
    InvalidCharRef => "invalid_character_reference",
    MultipleRoots => "multiple_root_elements",
    NoRoot => "no_root_element",
    UnexpectedEof => "unexpected_end_of_input",
    MismatchedEndTag => "mismatched_end_tag",
    InvalidName => "invalid_name",
    DuplicateAttribute => "duplicate_attribute",
    UnboundPrefix => "unbound_namespace_prefix",
    InvalidNamespaceDecl => "invalid_namespace_declaration",
    InvalidXmlDecl => "invalid_xml_declaration",
    TextOutsideRoot => "text_outside_root",
    Malformed(ctx) => "malformed_xml",
});

impl XmlReason {
    /// A document sluis cannot read safely is a `wsse:InvalidSecurity` fault: the security header could not be
    /// processed (SOAP itself has no finer code for a hostile document).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            XmlReason::TooLarge
            | XmlReason::DepthExceeded
            | XmlReason::NodesExceeded
            | XmlReason::AttributesExceeded
            | XmlReason::NamespacesExceeded
            | XmlReason::NameTooLong
            | XmlReason::DtdForbidden
            | XmlReason::EntityForbidden
            | XmlReason::InvalidUtf8
            | XmlReason::UnsupportedEncoding
            | XmlReason::InvalidChar
            | XmlReason::InvalidCharRef
            | XmlReason::MultipleRoots
            | XmlReason::NoRoot
            | XmlReason::UnexpectedEof
            | XmlReason::MismatchedEndTag
            | XmlReason::InvalidName
            | XmlReason::DuplicateAttribute
            | XmlReason::UnboundPrefix
            | XmlReason::InvalidNamespaceDecl
            | XmlReason::InvalidXmlDecl
            | XmlReason::TextOutsideRoot
            | XmlReason::Malformed(_) => WsseFault::InvalidSecurity,
        }
    }
}
