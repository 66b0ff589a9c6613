//! The markup that is not elements or text: the XML declaration, comments, CDATA sections and processing
//! instructions (XML 1.0 §2.8, §2.5, §2.7, §2.6), each read up to its delimiter with line ends normalized.

use super::{IN_DELIMITED, Parser};
use crate::reason::XmlReason;
use crate::xml::NodeKind;
use crate::xml::XmlError;
use crate::xml::chars::is_ws;
use std::borrow::Cow;

impl<'a> Parser<'a, '_> {
    /// `XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>'`, only at the very start.
    pub(super) fn xml_decl(&mut self) -> Result<(), XmlError> {
        if !(self.starts_with(b"<?xml") && self.peek_at(5).is_some_and(is_ws)) {
            return Ok(());
        }
        self.pos += 5;
        let mut seen = 0u8;
        loop {
            let had_ws = self.skip_ws();
            if self.starts_with(b"?>") {
                self.pos += 2;
                break;
            }
            if !had_ws {
                return Err(self.err(XmlReason::InvalidXmlDecl));
            }
            let name_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.pos += 1;
            }
            let name = self.slice(name_start, self.pos)?;
            self.skip_ws();
            self.expect(b"=", "'=' in XML declaration").map_err(|_| self.err(XmlReason::InvalidXmlDecl))?;
            self.skip_ws();
            let quote = match self.peek() {
                Some(q @ (b'"' | b'\'')) => q,
                None => return Err(self.err(XmlReason::UnexpectedEof)),
                _ => return Err(self.err(XmlReason::InvalidXmlDecl)),
            };
            self.pos += 1;
            let value_start = self.pos;
            while self.peek().is_some_and(|c| c != quote && c != b'?' && c != b'<') {
                self.pos += 1;
            }
            let value = self.slice(value_start, self.pos)?;
            if self.peek() != Some(quote) {
                return Err(self.err(XmlReason::InvalidXmlDecl));
            }
            self.pos += 1;
            // Order is fixed: version, then encoding, then standalone.
            match (name, seen) {
                ("version", 0) if value == "1.0" => seen = 1,
                ("encoding", 1) => {
                    if !value.eq_ignore_ascii_case("UTF-8") {
                        return Err(self.err_at(XmlReason::UnsupportedEncoding, value_start));
                    }
                    seen = 2;
                }
                ("standalone", 1 | 2) if value == "yes" || value == "no" => seen = 3,
                _ => return Err(self.err_at(XmlReason::InvalidXmlDecl, name_start)),
            }
        }
        if seen == 0 {
            return Err(self.err(XmlReason::InvalidXmlDecl));
        }
        Ok(())
    }

    /// `Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->'`
    pub(super) fn comment(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        self.pos += 4;
        let content = self.delimited(b"--")?;
        self.pos += 2;
        if self.peek() != Some(b'>') {
            return Err(self.err(XmlReason::Malformed("'--' inside a comment")));
        }
        self.pos += 1;
        self.add_node(NodeKind::Comment(content), start, self.pos)?;
        Ok(())
    }

    /// `CDSect ::= '<![CDATA[' (Char* - (Char* ']]>' Char*)) ']]>'`, kept as a text node marked `cdata`.
    pub(super) fn cdata(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        if self.stack.len() == 1 {
            return Err(self.err(XmlReason::TextOutsideRoot));
        }
        self.pos += 9;
        let text = self.delimited(b"]]>")?;
        self.pos += 3;
        self.add_node(NodeKind::Text { text, cdata: true }, start, self.pos)?;
        Ok(())
    }

    /// `PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>'`
    pub(super) fn pi(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        self.pos += 2;
        let (target, prefix, _) = self.qname()?;
        if !prefix.is_empty() {
            // Namespaces in XML 1.0 §7: PI targets contain no colons.
            return Err(self.err_at(XmlReason::InvalidName, start));
        }
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.err_at(XmlReason::InvalidXmlDecl, start));
        }
        let data = if self.starts_with(b"?>") {
            Cow::Borrowed("")
        } else {
            if !self.skip_ws() {
                return Err(self.err(XmlReason::Malformed("white space after PI target")));
            }
            self.delimited(b"?>")?
        };
        self.pos += 2;
        self.add_node(NodeKind::Pi { target, data }, start, self.pos)?;
        Ok(())
    }

    /// Reads characters up to (not including) `end`, normalizing line ends and checking characters; the cursor is left
    /// on `end`.
    fn delimited(&mut self, end: &[u8]) -> Result<Cow<'a, str>, XmlError> {
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut seg = start;
        loop {
            self.skip_ordinary(IN_DELIMITED);
            if self.starts_with(end) {
                break;
            }
            match self.peek() {
                None => return Err(self.err(XmlReason::UnexpectedEof)),
                Some(b'\r') => {
                    let buf = owned.get_or_insert_with(String::new);
                    buf.push_str(self.slice(seg, self.pos)?);
                    buf.push('\n');
                    self.pos += 1;
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    seg = self.pos;
                }
                Some(0xEF) => {
                    self.check_ef()?;
                    self.pos += 1;
                }
                Some(c) if c < 0x20 && c != b'\t' && c != b'\n' => {
                    return Err(self.err(XmlReason::InvalidChar));
                }
                Some(_) => self.pos += 1,
            }
        }
        Ok(match owned {
            Some(mut buf) => {
                buf.push_str(self.slice(seg, self.pos)?);
                Cow::Owned(buf)
            }
            None => Cow::Borrowed(self.slice(start, self.pos)?),
        })
    }
}
