//! SOAP faults in both versions, and the HTTP status that goes with each.
//!
//! **SOAP 1.1** (§4.4): `soap:Fault` with `faultcode` and `faultstring`. A WS-Security refusal puts the WSS fault QName
//! (`wsse:InvalidSecurity`, …) in `faultcode`, as WSS 1.1 §12 shows, with the `wsse` prefix declared on the
//! `Envelope`; `MustUnderstand` and `VersionMismatch` use the SOAP codes; internal errors and upstream failures are
//! `soap:Server`. The HTTP status is always 500 (SOAP 1.1 §6.2: "the SOAP HTTP server MUST issue an HTTP 500").
//!
//! **SOAP 1.2** (Part 1 §5.4): `env:Fault` with `env:Code/env:Value` and `env:Reason/env:Text xml:lang="en"`. A
//! WS-Security refusal is `env:Sender` with `env:Subcode/env:Value` = the WSS QName (WSS 1.1 §12: "the SOAP 1.2
//! Subcode"); `env:MustUnderstand` carries an `env:NotUnderstood` header block naming the block (§5.4.8);
//! `env:Receiver` for internal and upstream failures.
//!
//! **Status for SOAP 1.2 Sender faults: 400.** The brief suggested 500 for every fault; the SOAP 1.2 HTTP binding
//! (Part 2 §7.5.1.2, table 20) maps `env:Sender` to 400 Bad Request and everything else (`env:Receiver`,
//! `env:MustUnderstand`, `env:VersionMismatch`, `env:DataEncodingUnknown`) to 500. A SOAP 1.2 client library uses the
//! status only to know a fault body follows, and 400 tells HTTP intermediaries (and retry logic) that repeating the
//! request will not help, so sluis follows the binding. An unsupported media type is 415 in both versions, as
//! the same table says for SOAP 1.2. Server faults take the status the caller chose (502/503/504 for upstream trouble).
//!
//! Fault strings are fixed texts per code: they never carry input, key material, or which of several checks failed.

use super::SoapVersion;
use crate::reason::{Reason, SoapReason, WsseFault};

/// The WS-Security extension namespace, the `wsse` of the fault QNames.
const WSSE_NS: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// A rendered fault: what the HTTP layer sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header value.
    pub content_type: &'static str,
    /// The SOAP envelope carrying the fault.
    pub body: String,
}

/// The SOAP-level code of a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    VersionMismatch,
    MustUnderstand,
    /// `soap:Client` / `env:Sender`, with a WS-Security code.
    Sender(WsseFault),
    /// `soap:Server` / `env:Receiver`.
    Receiver,
}

/// Renders the fault for a refusal, in `version`. `reason` decides the code through [`Reason::wsse_fault`] (see the
/// module documentation for the SOAP-level exceptions).
pub fn render_fault(version: SoapVersion, reason: &Reason) -> FaultResponse {
    render_fault_for(version, reason, None)
}

/// As [`render_fault`]; for `MustUnderstand` in SOAP 1.2 also names the header block that was not understood
/// (`(namespace, local name)`).
pub(crate) fn render_fault_for(
    version: SoapVersion,
    reason: &Reason,
    not_understood: Option<(&str, &str)>,
) -> FaultResponse {
    let code = match reason {
        Reason::Soap(SoapReason::VersionMismatch) => Code::VersionMismatch,
        Reason::Soap(SoapReason::MustUnderstand) => Code::MustUnderstand,
        other => other.wsse_fault().map_or(Code::Receiver, Code::Sender),
    };
    let status = match (version, code, reason) {
        (_, _, Reason::Soap(SoapReason::UnsupportedMediaType)) => 415,
        (SoapVersion::Soap12, Code::Sender(_), _) => 400,
        _ => 500,
    };
    render(version, code, status, not_understood)
}

/// Renders a server fault (`soap:Server` / `env:Receiver`) with `status` (e.g. 502 when the upstream refused the
/// connection, 504 when it timed out, 500 otherwise). The text says only that the service is unavailable or failed.
pub fn render_server_fault(version: SoapVersion, status: u16) -> FaultResponse {
    render(version, Code::Receiver, status, None)
}

fn text_for(code: Code, status: u16) -> &'static str {
    match code {
        Code::VersionMismatch => "Unsupported SOAP envelope version",
        Code::MustUnderstand => "A mandatory header block was not understood",
        Code::Sender(f) => f.fault_string(),
        Code::Receiver if matches!(status, 502..=504) => "The service is unavailable",
        Code::Receiver => "The request could not be processed",
    }
}

fn render(
    version: SoapVersion,
    code: Code,
    status: u16,
    not_understood: Option<(&str, &str)>,
) -> FaultResponse {
    let text = escape(text_for(code, status));
    let body = match version {
        SoapVersion::Soap11 => {
            let faultcode = match code {
                Code::VersionMismatch => "soap:VersionMismatch".to_owned(),
                Code::MustUnderstand => "soap:MustUnderstand".to_owned(),
                Code::Sender(f) => format!("wsse:{}", f.local_name()),
                Code::Receiver => "soap:Server".to_owned(),
            };
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"{}\" xmlns:wsse=\"{WSSE_NS}\">\
                 <soap:Body><soap:Fault><faultcode>{faultcode}</faultcode><faultstring>{text}</faultstring>\
                 </soap:Fault></soap:Body></soap:Envelope>",
                version.namespace()
            )
        }
        SoapVersion::Soap12 => {
            let (value, subcode) = match code {
                Code::VersionMismatch => ("env:VersionMismatch", None),
                Code::MustUnderstand => ("env:MustUnderstand", None),
                Code::Sender(f) => ("env:Sender", Some(f.local_name())),
                Code::Receiver => ("env:Receiver", None),
            };
            let subcode = subcode
                .map(|s| format!("<env:Subcode><env:Value>wsse:{s}</env:Value></env:Subcode>"))
                .unwrap_or_default();
            let header = match (code, not_understood) {
                (Code::MustUnderstand, Some((ns, local))) => format!(
                    "<env:Header><env:NotUnderstood qname=\"nu:{}\" xmlns:nu=\"{}\"/></env:Header>",
                    escape(local),
                    escape(ns)
                ),
                _ => String::new(),
            };
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<env:Envelope xmlns:env=\"{}\" xmlns:wsse=\"{WSSE_NS}\">\
                 {header}<env:Body><env:Fault><env:Code><env:Value>{value}</env:Value>{subcode}</env:Code>\
                 <env:Reason><env:Text xml:lang=\"en\">{text}</env:Text></env:Reason></env:Fault></env:Body>\
                 </env:Envelope>",
                version.namespace()
            )
        }
    };
    let content_type = match version {
        SoapVersion::Soap11 => "text/xml; charset=utf-8",
        SoapVersion::Soap12 => "application/soap+xml; charset=utf-8",
    };
    FaultResponse { status, content_type, body }
}

/// Escapes text and attribute content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reason::WssReason;

    #[test]
    fn statuses_follow_the_bindings() {
        let r: Reason = WssReason::BodyNotSigned.into();
        assert_eq!(render_fault(SoapVersion::Soap11, &r).status, 500);
        assert_eq!(render_fault(SoapVersion::Soap12, &r).status, 400);
        let mu: Reason = SoapReason::MustUnderstand.into();
        assert_eq!(render_fault(SoapVersion::Soap12, &mu).status, 500);
        let media: Reason = SoapReason::UnsupportedMediaType.into();
        assert_eq!(render_fault(SoapVersion::Soap11, &media).status, 415);
        assert_eq!(render_fault(SoapVersion::Soap12, &Reason::Internal("x")).status, 500);
        assert_eq!(render_server_fault(SoapVersion::Soap12, 504).status, 504);
    }

    #[test]
    fn nothing_but_fixed_text() {
        let f = render_fault_for(
            SoapVersion::Soap12,
            &SoapReason::MustUnderstand.into(),
            Some(("urn:a\"<&", "Evil")),
        );
        assert!(f.body.contains("xmlns:nu=\"urn:a&quot;&lt;&amp;\""), "{}", f.body);
    }
}
