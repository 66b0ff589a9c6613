//! The built-in validation operation: what a route without upstream answers to an accepted message — the verdict and
//! the principal, in the request's SOAP version. The messages are defined in `schemas/sluis-validation.xsd` (inlined
//! in `wsdl/sluis-validation.wsdl`); a test validates this output against that schema with `xmllint --schema`.

use crate::clock::DateTime;
use crate::principal::Principal;
use crate::soap::SoapVersion;

/// The namespace of the validation messages.
pub const VALIDATION_NS: &str = "urn:sluis:validation:1";

/// What the response reports besides the principal.
#[derive(Clone, Debug)]
pub struct ValidationFacts<'a> {
    /// The request id.
    pub request_id: &'a str,
    /// The route path.
    pub route: &'a str,
    /// The verification time.
    pub at: DateTime,
    /// The request's SOAP version.
    pub version: SoapVersion,
    /// The SOAP action, if any.
    pub action: Option<&'a str>,
    /// The parts the policy required signed (all were).
    pub signed_parts: &'a [String],
}

/// The response envelope (UTF-8 XML) and its content type.
pub(crate) fn render(principal: &Principal, facts: &ValidationFacts<'_>) -> (String, &'static str) {
    let (prefix, content_type) = match facts.version {
        SoapVersion::Soap11 => ("soap", "text/xml; charset=utf-8"),
        SoapVersion::Soap12 => ("env", "application/soap+xml; charset=utf-8"),
    };
    let mut x = String::with_capacity(1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<{prefix}:Envelope xmlns:{prefix}=\"{}\"><{prefix}:Body><v:ValidationResponse xmlns:v=\"{VALIDATION_NS}\">",
        facts.version.namespace()
    ));
    element(&mut x, "Verdict", "accepted");
    element(&mut x, "RequestId", facts.request_id);
    element(&mut x, "Route", facts.route);
    element(&mut x, "ValidatedAt", &facts.at.to_rfc3339());
    element(&mut x, "SoapVersion", facts.version.as_str());
    if let Some(a) = facts.action {
        element(&mut x, "Action", a);
    }
    x.push_str("<v:Principal>");
    element(&mut x, "Subject", principal.subject());
    if let Some(i) = principal.issuer() {
        element(&mut x, "Issuer", i);
    }
    element(&mut x, "TokenType", principal.token_type().as_str());
    element(&mut x, "AuthLevel", &principal.auth_level().to_string());
    for (name, values) in principal.attributes() {
        x.push_str("<v:Attribute Name=\"");
        escape_into(&mut x, name);
        x.push_str("\">");
        for v in values {
            element(&mut x, "Value", v);
        }
        x.push_str("</v:Attribute>");
    }
    x.push_str("</v:Principal>");
    if !facts.signed_parts.is_empty() {
        x.push_str("<v:SignedParts>");
        for p in facts.signed_parts {
            element(&mut x, "Part", p);
        }
        x.push_str("</v:SignedParts>");
    }
    x.push_str(&format!("</v:ValidationResponse></{prefix}:Body></{prefix}:Envelope>"));
    (x, content_type)
}

fn element(x: &mut String, name: &str, text: &str) {
    x.push_str("<v:");
    x.push_str(name);
    x.push('>');
    escape_into(x, text);
    x.push_str("</v:");
    x.push_str(name);
    x.push('>');
}

/// Escapes text for element content and double-quoted attributes. Characters XML 1.0 does not allow (controls other
/// than tab, LF, CR) become U+FFFD; CR, LF and tab are written as character references so they survive attribute
/// normalization and line-end handling.
fn escape_into(x: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => x.push_str("&amp;"),
            '<' => x.push_str("&lt;"),
            '>' => x.push_str("&gt;"),
            '"' => x.push_str("&quot;"),
            '\r' => x.push_str("&#xD;"),
            '\n' => x.push_str("&#xA;"),
            '\t' => x.push_str("&#x9;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => x.push('\u{fffd}'),
            c => x.push(c),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::principal::{AuthLevel, TokenType};

    pub(crate) fn sample_principal() -> Principal {
        Principal::assertion(
            "CN=Jöhn <Test> & Co,\u{1}O=Sluis".into(),
            Some("CN=Sluis Test Intermediate CA".into()),
            TokenType::X509,
            AuthLevel::PUBLIC_KEY,
            vec![("role".into(), vec!["arts".into(), "a\"b\r\n".into()]), ("empty".into(), vec![])],
        )
    }

    pub(crate) fn sample(version: SoapVersion) -> String {
        let parts = ["body".to_owned(), "timestamp".to_owned()];
        let facts = ValidationFacts {
            request_id: "req-1",
            route: "/demo",
            at: DateTime::from_unix_seconds(1_795_608_000),
            version,
            action: Some("urn:sluis:validation:1#Validate"),
            signed_parts: &parts,
        };
        render(&sample_principal(), &facts).0
    }

    #[test]
    fn renders_in_the_request_version_and_parses_back() {
        for v in [SoapVersion::Soap11, SoapVersion::Soap12] {
            let xml = sample(v);
            let doc = roxmltree::Document::parse(&xml).unwrap();
            assert_eq!(doc.root_element().tag_name().namespace(), Some(v.namespace()));
            let subject = doc.descendants().find(|n| n.has_tag_name((VALIDATION_NS, "Subject"))).unwrap();
            assert_eq!(subject.text(), Some("CN=Jöhn <Test> & Co,\u{fffd}O=Sluis"));
            let value =
                doc.descendants().filter(|n| n.has_tag_name((VALIDATION_NS, "Value"))).nth(1).unwrap();
            assert_eq!(value.text(), Some("a\"b\r\n"));
        }
    }
}
