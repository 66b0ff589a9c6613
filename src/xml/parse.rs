//! The tokenizer and tree builder, in one pass over the bytes.
//!
//! Grammar: XML 1.0 (Fifth Edition) without a DTD, plus Namespaces in XML 1.0. The parser is a loop with an explicit
//! stack of open elements; limits are checked at the moment a construct would exceed them, so the work done on a
//! refused document is bounded by the work up to the refusal.

use super::chars::{is_name_char, is_name_start_char, is_ws, is_xml_char};
use super::{Document, ElementData, Limits, NodeData, NodeId, NodeKind, XML_NAMESPACE, XmlError};
use crate::reason::XmlReason;
use std::borrow::Cow;

mod markup;
mod namespaces;

/// An element whose end tag has not been seen yet.
struct Open<'a> {
    id: NodeId,
    last_child: Option<NodeId>,
    qname: &'a str,
    bindings_len: usize,
}

/// A namespace binding in scope: `uri` None means the default namespace was undeclared (`xmlns=""`).
struct Binding<'a> {
    prefix: &'a str,
    uri: Option<u32>,
}

/// An attribute of the start tag being read, before namespace resolution.
struct RawAttr<'a> {
    qname: &'a str,
    prefix: &'a str,
    local: &'a str,
    value: Cow<'a, str>,
    range: (u32, u32),
}

struct Parser<'a, 'l> {
    input: &'a str,
    b: &'a [u8],
    pos: usize,
    limits: &'l Limits,
    doc: Document<'a>,
    stack: Vec<Open<'a>>,
    bindings: Vec<Binding<'a>>,
    raw_attrs: Vec<RawAttr<'a>>,
    seen_root: bool,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Byte classes for the hot loops: a byte whose bit is set for a context needs a closer look there; every other byte
/// is ordinary content that the loop skips without branching on it. (Bytes of multi-byte UTF-8 sequences are
/// ordinary except 0xEF, the lead byte of U+FFFE/U+FFFF.)
const IN_TEXT: u8 = 1;
const IN_ATTR: u8 = 2;
const IN_DELIMITED: u8 = 4;
const NAME_ASCII: u8 = 8;

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        // Control characters are invalid everywhere except tab, LF and CR, which each context treats itself.
        t[i] = IN_TEXT | IN_ATTR | IN_DELIMITED;
        i += 1;
    }
    t[b'\t' as usize] = IN_ATTR;
    t[b'\n' as usize] = IN_ATTR;
    t[b'<' as usize] |= IN_TEXT | IN_ATTR;
    t[b'&' as usize] |= IN_TEXT | IN_ATTR;
    t[b']' as usize] |= IN_TEXT | IN_DELIMITED;
    t[b'"' as usize] |= IN_ATTR;
    t[b'\'' as usize] |= IN_ATTR;
    t[b'-' as usize] |= IN_DELIMITED;
    t[b'?' as usize] |= IN_DELIMITED;
    t[0xEF] = IN_TEXT | IN_ATTR | IN_DELIMITED;
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.' || b == b':' {
            t[c] |= NAME_ASCII;
        }
        c += 1;
    }
    t
};

pub(super) fn parse<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Document<'a>, XmlError> {
    // Ranges are u32: refuse anything that would not fit whatever the configured limit says.
    if bytes.len() > limits.max_bytes || bytes.len() >= u32::MAX as usize {
        return Err(XmlError { reason: XmlReason::TooLarge, offset: limits.max_bytes.min(bytes.len()) });
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    // UTF-16/UTF-32 byte-order marks: SOAP and SAML are UTF-8 in practice; refusing the rest removes a whole class of
    // encoding confusion between sluis and the upstream.
    if bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\x00\x00") {
        return Err(XmlError { reason: XmlReason::UnsupportedEncoding, offset: 0 });
    }
    let input = std::str::from_utf8(bytes)
        .map_err(|e| XmlError { reason: XmlReason::InvalidUtf8, offset: e.valid_up_to() })?;
    // SOAP and SAML average one node per 40–70 bytes; a generous first guess saves most regrowth.
    let estimate = (input.len() / 32).min(limits.max_nodes);
    let mut doc = Document {
        input,
        nodes: Vec::with_capacity(estimate),
        attrs: Vec::with_capacity(estimate / 4),
        ns_decls: Vec::new(),
        uris: vec![Cow::Borrowed(XML_NAMESPACE)],
    };
    doc.nodes.push(NodeData {
        kind: NodeKind::Document,
        parent: None,
        next_sibling: None,
        subtree_end: NodeId(0),
        range: (0, input.len() as u32),
    });
    let mut p = Parser {
        input,
        b: input.as_bytes(),
        pos: 0,
        limits,
        doc,
        stack: vec![Open { id: NodeId(0), last_child: None, qname: "", bindings_len: 0 }],
        bindings: Vec::new(),
        raw_attrs: Vec::new(),
        seen_root: false,
    };
    p.run()?;
    let end = NodeId(p.doc.nodes.len() as u32 - 1);
    p.doc.nodes[0].subtree_end = end;
    Ok(p.doc)
}

impl<'a> Parser<'a, '_> {
    fn err(&self, reason: XmlReason) -> XmlError {
        XmlError { reason, offset: self.pos }
    }

    fn err_at(&self, reason: XmlReason, offset: usize) -> XmlError {
        XmlError { reason, offset }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.b.get(self.pos..).is_some_and(|rest| rest.starts_with(s))
    }

    fn slice(&self, start: usize, end: usize) -> Result<&'a str, XmlError> {
        self.input
            .get(start..end)
            .ok_or(XmlError { reason: XmlReason::Malformed("character boundary"), offset: start })
    }

    fn expect(&mut self, s: &[u8], what: &'static str) -> Result<(), XmlError> {
        if self.starts_with(s) {
            self.pos += s.len();
            Ok(())
        } else if self.pos + s.len() > self.b.len()
            && s.starts_with(self.b.get(self.pos..).unwrap_or_default())
        {
            Err(self.err(XmlReason::UnexpectedEof))
        } else {
            Err(self.err(XmlReason::Malformed(what)))
        }
    }

    /// Advances over ordinary bytes of the context `class`.
    #[inline(always)]
    fn skip_ordinary(&mut self, class: u8) {
        while let Some(&c) = self.b.get(self.pos) {
            if CLASSES[c as usize] & class != 0 {
                break;
            }
            self.pos += 1;
        }
    }

    /// Skips white space; returns whether there was any.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn run(&mut self) -> Result<(), XmlError> {
        self.xml_decl()?;
        while let Some(c) = self.peek() {
            if c != b'<' {
                self.text()?;
                continue;
            }
            match self.peek_at(1) {
                Some(b'/') => self.end_tag()?,
                Some(b'?') => self.pi()?,
                Some(b'!') => {
                    if self.starts_with(b"<!--") {
                        self.comment()?;
                    } else if self.starts_with(b"<![CDATA[") {
                        self.cdata()?;
                    } else if is_dtd_markup(self.b.get(self.pos + 2..).unwrap_or_default()) {
                        return Err(self.err(XmlReason::DtdForbidden));
                    } else {
                        return Err(self.err(XmlReason::Malformed("markup declaration")));
                    }
                }
                _ => self.start_tag()?,
            }
        }
        if self.stack.len() > 1 {
            return Err(self.err(XmlReason::UnexpectedEof));
        }
        if !self.seen_root {
            return Err(self.err(XmlReason::NoRoot));
        }
        Ok(())
    }

    /// Reads a `QName` at the cursor and returns (whole, prefix, local); prefix is "" when absent.
    fn qname(&mut self) -> Result<(&'a str, &'a str, &'a str), XmlError> {
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        let mut colon = None;
        while let Some(&c) = b.get(i) {
            if CLASSES[c as usize] & NAME_ASCII != 0 {
                if c == b':' {
                    if colon.is_some() {
                        return Err(self.err_at(XmlReason::InvalidName, i));
                    }
                    colon = Some(i);
                }
                i += 1;
            } else if c < 0x80 {
                break;
            } else {
                match self.input.get(i..).and_then(|s| s.chars().next()) {
                    Some(ch) if is_name_char(ch) => i += ch.len_utf8(),
                    _ => break,
                }
            }
        }
        self.pos = i;
        // Checked once after the scan: the scan itself is bounded by the input, which is bounded by `max_bytes`.
        if i - start > self.limits.max_name_len {
            return Err(self.err_at(XmlReason::NameTooLong, start));
        }
        if i == start {
            return Err(if i >= b.len() {
                self.err(XmlReason::UnexpectedEof)
            } else {
                self.err(XmlReason::InvalidName)
            });
        }
        let whole = self.slice(start, i)?;
        let (prefix, local) = match colon {
            Some(at) => (self.slice(start, at)?, self.slice(at + 1, i)?),
            None => ("", whole),
        };
        if !starts_name(local) || (colon.is_some() && !starts_name(prefix)) {
            return Err(self.err_at(XmlReason::InvalidName, start));
        }
        Ok((whole, prefix, local))
    }

    /// Checks the code point starting at the cursor when its first byte is 0xEF: U+FFFE and U+FFFF are the only
    /// non-characters valid UTF-8 can encode above U+D7FF that XML's `Char` excludes (surrogates cannot occur in a `str`).
    fn check_ef(&self) -> Result<(), XmlError> {
        if self.peek_at(1) == Some(0xBF) && matches!(self.peek_at(2), Some(0xBE | 0xBF)) {
            return Err(self.err(XmlReason::InvalidChar));
        }
        Ok(())
    }

    /// Character data up to the next `<` (or the end of input).
    fn text(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut seg = start;
        loop {
            self.skip_ordinary(IN_TEXT);
            let Some(c) = self.peek() else { break };
            match c {
                b'<' => break,
                b'&' => {
                    let buf = owned.get_or_insert_with(String::new);
                    buf.push_str(self.slice(seg, self.pos)?);
                    let ch = self.reference()?;
                    owned.get_or_insert_with(String::new).push(ch);
                    seg = self.pos;
                }
                b'\r' => {
                    let buf = owned.get_or_insert_with(String::new);
                    buf.push_str(self.slice(seg, self.pos)?);
                    buf.push('\n');
                    self.pos += 1;
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    seg = self.pos;
                }
                b']' if self.starts_with(b"]]>") => {
                    return Err(self.err(XmlReason::Malformed("']]>' in character data")));
                }
                0xEF => {
                    self.check_ef()?;
                    self.pos += 1;
                }
                c if c < 0x20 && c != b'\t' && c != b'\n' => return Err(self.err(XmlReason::InvalidChar)),
                _ => self.pos += 1,
            }
        }
        if self.stack.len() == 1 {
            // Outside the root element only white space may appear (and is not part of the data model).
            return if self.b.get(start..self.pos).unwrap_or_default().iter().all(|&c| is_ws(c)) {
                Ok(())
            } else {
                Err(self.err_at(XmlReason::TextOutsideRoot, start))
            };
        }
        let text = match owned {
            Some(mut buf) => {
                buf.push_str(self.slice(seg, self.pos)?);
                Cow::Owned(buf)
            }
            None => Cow::Borrowed(self.slice(start, self.pos)?),
        };
        self.add_node(NodeKind::Text { text, cdata: false }, start, self.pos)?;
        Ok(())
    }

    /// A reference at the cursor (`&...;`): one of the five predefined entities or a character reference.
    fn reference(&mut self) -> Result<char, XmlError> {
        let start = self.pos;
        self.pos += 1;
        if self.peek() == Some(b'#') {
            self.pos += 1;
            let hex = self.peek() == Some(b'x');
            if hex {
                self.pos += 1;
            }
            let digits_start = self.pos;
            let mut value: u32 = 0;
            while let Some(c) = self.peek() {
                let d = match c {
                    b'0'..=b'9' => u32::from(c - b'0'),
                    b'a'..=b'f' if hex => u32::from(c - b'a' + 10),
                    b'A'..=b'F' if hex => u32::from(c - b'A' + 10),
                    _ => break,
                };
                value = value
                    .checked_mul(if hex { 16 } else { 10 })
                    .and_then(|v| v.checked_add(d))
                    .ok_or(self.err_at(XmlReason::InvalidCharRef, start))?;
                self.pos += 1;
            }
            if self.pos == digits_start || self.peek() != Some(b';') {
                return Err(self.err_at(XmlReason::InvalidCharRef, start));
            }
            self.pos += 1;
            return char::from_u32(value)
                .filter(|&c| is_xml_char(c))
                .ok_or(self.err_at(XmlReason::InvalidCharRef, start));
        }
        let name_start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c != b';' && !is_ws(c) && c != b'<' && c != b'&' && self.pos - name_start < 64)
        {
            self.pos += 1;
        }
        let name = self.slice(name_start, self.pos)?;
        if self.peek() != Some(b';') || name.is_empty() {
            return Err(self.err_at(XmlReason::Malformed("'&' that does not start a reference"), start));
        }
        self.pos += 1;
        match name {
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "amp" => Ok('&'),
            "apos" => Ok('\''),
            "quot" => Ok('"'),
            // Any other entity could only be declared in a DTD, which sluis refuses: this is an external or
            // undeclared entity (XXE, billion laughs without their declarations).
            _ => Err(self.err_at(XmlReason::EntityForbidden, start)),
        }
    }

    fn start_tag(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        if self.stack.len() == 1 && self.seen_root {
            return Err(self.err(XmlReason::MultipleRoots));
        }
        // The stack holds the document node plus the open elements, so its length is the new element's depth.
        if self.stack.len() > self.limits.max_depth {
            return Err(self.err(XmlReason::DepthExceeded));
        }
        self.pos += 1;
        let (qname, prefix, local) = self.qname()?;
        self.raw_attrs.clear();
        let empty = loop {
            let had_ws = self.skip_ws();
            match self.peek() {
                Some(b'>') => {
                    self.pos += 1;
                    break false;
                }
                Some(b'/') => {
                    self.expect(b"/>", "'/>'")?;
                    break true;
                }
                None => return Err(self.err(XmlReason::UnexpectedEof)),
                Some(_) if !had_ws => {
                    return Err(self.err(XmlReason::Malformed("white space before attribute")));
                }
                Some(_) => self.attribute()?,
            }
        };
        let start_tag_end = self.pos;
        let bindings_len = self.bindings.len();
        let ns_start = self.doc.ns_decls.len();
        self.declare_namespaces()?;
        let ns_end = self.doc.ns_decls.len();
        let ns = self.resolve_element(prefix, start)?;
        let attrs_start = self.doc.attrs.len();
        self.push_attributes()?;
        let attrs_end = self.doc.attrs.len();
        self.check_duplicates(start, attrs_start)?;
        let kind = NodeKind::Element(ElementData {
            prefix,
            local,
            ns,
            attrs: (attrs_start as u32, attrs_end as u32),
            ns_decls: (ns_start as u32, ns_end as u32),
            start_tag_end: start_tag_end as u32,
        });
        let id = self.add_node(kind, start, self.pos)?;
        if self.stack.len() == 1 {
            self.seen_root = true;
        }
        if empty {
            self.bindings.truncate(bindings_len);
        } else {
            self.stack.push(Open { id, last_child: None, qname, bindings_len });
        }
        Ok(())
    }

    /// `Attribute ::= Name Eq AttValue` at the cursor, appended to `raw_attrs`.
    fn attribute(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        if self.raw_attrs.len() >= self.limits.max_attributes {
            return Err(self.err(XmlReason::AttributesExceeded));
        }
        let (qname, prefix, local) = self.qname()?;
        self.skip_ws();
        self.expect(b"=", "'=' after attribute name")?;
        self.skip_ws();
        let quote = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            None => return Err(self.err(XmlReason::UnexpectedEof)),
            _ => return Err(self.err(XmlReason::Malformed("attribute value not quoted"))),
        };
        self.pos += 1;
        let value = self.attribute_value(quote)?;
        self.raw_attrs.push(RawAttr { qname, prefix, local, value, range: (start as u32, self.pos as u32) });
        Ok(())
    }

    /// An attribute value up to the closing `quote`, normalized per XML 1.0 §3.3.3 for CDATA attributes (there is no
    /// DTD, so every attribute is CDATA): literal white space becomes #x20, references are expanded as is.
    fn attribute_value(&mut self, quote: u8) -> Result<Cow<'a, str>, XmlError> {
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut seg = start;
        loop {
            self.skip_ordinary(IN_ATTR);
            match self.peek() {
                None => return Err(self.err(XmlReason::UnexpectedEof)),
                Some(c) if c == quote => break,
                Some(b'<') => return Err(self.err(XmlReason::Malformed("'<' in attribute value"))),
                Some(b'&') => {
                    let buf = owned.get_or_insert_with(String::new);
                    buf.push_str(self.slice(seg, self.pos)?);
                    let ch = self.reference()?;
                    owned.get_or_insert_with(String::new).push(ch);
                    seg = self.pos;
                }
                Some(c @ (b'\r' | b'\n' | b'\t')) => {
                    let buf = owned.get_or_insert_with(String::new);
                    buf.push_str(self.slice(seg, self.pos)?);
                    buf.push(' ');
                    self.pos += 1;
                    if c == b'\r' && self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    seg = self.pos;
                }
                Some(0xEF) => {
                    self.check_ef()?;
                    self.pos += 1;
                }
                Some(c) if c < 0x20 => return Err(self.err(XmlReason::InvalidChar)),
                Some(_) => self.pos += 1,
            }
        }
        let value = match owned {
            Some(mut buf) => {
                buf.push_str(self.slice(seg, self.pos)?);
                Cow::Owned(buf)
            }
            None => Cow::Borrowed(self.slice(start, self.pos)?),
        };
        self.pos += 1;
        Ok(value)
    }

    fn end_tag(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        self.pos += 2;
        let (qname, _, _) = self.qname()?;
        self.skip_ws();
        self.expect(b">", "'>' closing an end tag")?;
        if self.stack.len() == 1 {
            return Err(self.err_at(XmlReason::Malformed("end tag without start tag"), start));
        }
        let Some(open) = self.stack.pop() else {
            return Err(self.err_at(XmlReason::Malformed("end tag without start tag"), start));
        };
        if open.qname != qname {
            return Err(self.err_at(XmlReason::MismatchedEndTag, start));
        }
        let last = NodeId(self.doc.nodes.len() as u32 - 1);
        let node = &mut self.doc.nodes[open.id.index()];
        node.range.1 = self.pos as u32;
        node.subtree_end = last;
        self.bindings.truncate(open.bindings_len);
        Ok(())
    }

    fn count_node(&self, at: usize) -> Result<(), XmlError> {
        if self.doc.nodes.len() + self.doc.attrs.len() + self.doc.ns_decls.len() > self.limits.max_nodes {
            return Err(self.err_at(XmlReason::NodesExceeded, at));
        }
        Ok(())
    }

    /// Appends a node as the last child of the innermost open element (or of the document node).
    fn add_node(&mut self, kind: NodeKind<'a>, start: usize, end: usize) -> Result<NodeId, XmlError> {
        self.count_node(start)?;
        let id = NodeId(self.doc.nodes.len() as u32);
        let Some(parent) = self.stack.last_mut() else {
            return Err(self.err_at(XmlReason::Malformed("no open parent"), start));
        };
        if let Some(prev) = parent.last_child {
            self.doc.nodes[prev.index()].next_sibling = Some(id);
        }
        parent.last_child = Some(id);
        let parent_id = parent.id;
        self.doc.nodes.push(NodeData {
            kind,
            parent: Some(parent_id),
            next_sibling: None,
            subtree_end: id,
            range: (start as u32, end as u32),
        });
        Ok(id)
    }
}

/// Does `s` start with a `NameStartChar` (colon excluded)? ASCII is decided by the byte.
#[inline]
fn starts_name(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(&c) if c.is_ascii() => c.is_ascii_alphabetic() || c == b'_',
        Some(_) => s.chars().next().is_some_and(is_name_start_char),
        None => false,
    }
}

/// Does `rest` (what follows `<!`) start a DTD construct? Matched case-insensitively so that `<!doctype` is reported
/// for what it is rather than as a generic syntax error.
fn is_dtd_markup(rest: &[u8]) -> bool {
    ["DOCTYPE", "ENTITY", "ELEMENT", "ATTLIST", "NOTATION"]
        .iter()
        .any(|kw| rest.get(..kw.len()).is_some_and(|p| p.eq_ignore_ascii_case(kw.as_bytes())))
}
