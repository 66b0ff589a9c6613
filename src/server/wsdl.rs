//! Serving a route's WSDL with its service address pointing at sluis.
//!
//! A WSDL 1.1 `wsdl:port` names its endpoint in `soap:address/@location` (SOAP 1.1 binding, WSDL 1.1 §3.8) or
//! `soap12:address/@location` (WSDL 1.1 SOAP 1.2 binding note §3.9). Clients generated from the upstream's WSDL would
//! call the upstream directly; the copy sluis serves points them at sluis's public URL plus the route path instead.
//!
//! The rewrite works on the parsed tree's byte ranges — the same hardened parse every message gets (no DTD, bounded)
//! — and splices the new attribute value into the original bytes; nothing else in the file changes. It is done once,
//! when the server starts.

use crate::xml::{Document, Limits};

/// WSDL 1.1 SOAP 1.1 binding namespace.
pub(crate) const WSDL_SOAP11_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// WSDL 1.1 SOAP 1.2 binding namespace.
pub(crate) const WSDL_SOAP12_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// The built-in validation service's WSDL (served for routes without upstream).
pub const VALIDATION_WSDL: &str = include_str!("../../wsdl/sluis-validation.wsdl");

/// Why a WSDL could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsdlError(pub String);

impl std::fmt::Display for WsdlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Returns `wsdl` with every `soap:address`/`soap12:address` `location` replaced by `location`. Fails if the file is
/// not well-formed XML (within [`Limits::soap`]), or has no such address.
pub fn rewrite_locations(wsdl: &[u8], location: &str) -> Result<Vec<u8>, WsdlError> {
    let doc = Document::parse(wsdl, &Limits::soap()).map_err(|e| {
        let (line, col) = e.line_col(wsdl);
        WsdlError(format!("not well-formed XML at line {line}, column {col}: {}", e.reason))
    })?;
    // The tree's ranges are offsets into `doc.input()`, which excludes a leading byte-order mark.
    let offset = wsdl.len().saturating_sub(doc.input().len());
    let mut ranges = Vec::new();
    for node in doc.descendants() {
        if !(node.is(WSDL_SOAP11_NS, "address") || node.is(WSDL_SOAP12_NS, "address")) {
            continue;
        }
        let Some(attr) = node.attributes().find(|a| a.namespace().is_none() && a.local_name() == "location")
        else {
            continue;
        };
        let r = attr.range();
        let text = doc.input().get(r.clone()).ok_or_else(|| WsdlError("attribute range".into()))?;
        // `name="value"` or `name = 'value'`: the value lies between the first quote and the last byte.
        let open = text.find(['"', '\'']).ok_or_else(|| WsdlError("attribute without quotes".into()))?;
        if text.len() < open + 2 {
            return Err(WsdlError("attribute value range".into()));
        }
        ranges.push((offset + r.start + open + 1, offset + r.end - 1));
    }
    if ranges.is_empty() {
        return Err(WsdlError("no soap:address or soap12:address location to rewrite".into()));
    }
    let escaped = escape_attribute(location);
    let mut out = Vec::with_capacity(wsdl.len() + ranges.len() * escaped.len());
    let mut at = 0;
    for (start, end) in ranges {
        out.extend_from_slice(wsdl.get(at..start).ok_or_else(|| WsdlError("splice range".into()))?);
        out.extend_from_slice(escaped.as_bytes());
        at = end;
    }
    out.extend_from_slice(wsdl.get(at..).ok_or_else(|| WsdlError("splice range".into()))?);
    Ok(out)
}

fn escape_attribute(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_the_locations() {
        let wsdl = "\u{feff}<?xml version=\"1.0\"?>\n<w:definitions xmlns:w=\"http://schemas.xmlsoap.org/wsdl/\" \
                    xmlns:s=\"http://schemas.xmlsoap.org/wsdl/soap/\" xmlns:s12=\"http://schemas.xmlsoap.org/wsdl/soap12/\">\
                    <!-- location=\"http://comment/\" --><w:service><w:port><s:address location=\"http://old:1/x\"/></w:port>\
                    <w:port><s12:address  location = 'http://old:2/y' /></w:port>\
                    <w:port><other location=\"http://keep/\"/></w:port></w:service></w:definitions>";
        let out = String::from_utf8(rewrite_locations(wsdl.as_bytes(), "https://gw.example/a?b&c").unwrap())
            .unwrap();
        assert!(out.starts_with('\u{feff}'));
        assert!(out.contains("<s:address location=\"https://gw.example/a?b&amp;c\"/>"), "{out}");
        assert!(out.contains("<s12:address  location = 'https://gw.example/a?b&amp;c' />"), "{out}");
        assert!(out.contains("http://keep/") && out.contains("http://comment/"), "{out}");
        assert_eq!(out.len(), wsdl.len() + 2 * ("https://gw.example/a?b&amp;c".len()) - 28);
    }

    #[test]
    fn refuses_what_it_cannot_rewrite() {
        assert!(rewrite_locations(b"<a/>", "x").is_err());
        assert!(rewrite_locations(b"<!DOCTYPE a><a/>", "x").is_err());
        assert!(rewrite_locations(VALIDATION_WSDL.as_bytes(), "http://127.0.0.1:8080/demo").is_ok());
    }
}
