//! SOAP 1.1 and 1.2 envelopes, their HTTP bindings, and faults in both versions.
//!
//! | file | holds | spec |
//! |---|---|---|
//! | `envelope` | [`Envelope`]: the version and the *positions* of the Header entries and the Body in the one [`Document`] | SOAP 1.1 §4, SOAP 1.2 Part 1 §5, WS-I Basic Profile 1.1 R1008/R1009/R1011 |
//! | `binding` | [`check_http_binding`]: the version a content type announces, `SOAPAction` / `action` | SOAP 1.1 §6.1, SOAP 1.2 Part 2 §7 and RFC 3902 |
//! | `fault` | [`render_fault`], [`render_server_fault`]: `soap:Fault` / `env:Fault` bodies and HTTP statuses | SOAP 1.1 §4.4, §6.2; SOAP 1.2 Part 1 §5.4, Part 2 §7.5.1.2 |
//!
//! Nothing here reads a claim: an [`Envelope`] holds node ids found by structural position (the Header and Body
//! children of *the* Envelope, the element children of *that* Header), never elements looked up by name across the
//! document. Everything the gateway decides about a message starts from these positions.
//!
//! What is refused (each a [`SoapReason`]): a document element that is not a 1.1/1.2 `Envelope` (an `Envelope` in
//! another namespace is `VersionMismatch`); processing instructions anywhere (SOAP 1.2 §5, BP R1009); character data
//! directly in `Envelope` or `Header`; anything but an optional `Header` followed by exactly one `Body`; any element
//! after the `Body` in *both* versions (SOAP 1.1 §4.3 allows trailers, WS-I BP 1.1 R1011 forbids them, and a trailer
//! is only somewhere to hide a signed element); unqualified header blocks (SOAP 1.1 §4.2, SOAP 1.2 §5.2.1); a
//! `mustUnderstand` that is not a boolean of the version's lexical space. DTDs were already refused by the parser.
//!
//! [`Document`]: crate::xml::Document
//! [`SoapReason`]: crate::reason::SoapReason

pub(crate) mod binding;
mod envelope;
pub(crate) mod fault;

pub use binding::{HttpBinding, check_http_binding};
pub use envelope::{Envelope, HeaderBlock, Role};
pub use fault::{FaultResponse, render_fault, render_server_fault};

use std::fmt;

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 `actor` URI meaning "the next SOAP node" (SOAP 1.1 §4.2.2).
pub const SOAP11_ACTOR_NEXT: &str = "http://schemas.xmlsoap.org/soap/actor/next";
/// SOAP 1.2 role "next" (SOAP 1.2 Part 1 §2.2).
pub const SOAP12_ROLE_NEXT: &str = "http://www.w3.org/2003/05/soap-envelope/role/next";
/// SOAP 1.2 role "none": no node processes the block.
pub const SOAP12_ROLE_NONE: &str = "http://www.w3.org/2003/05/soap-envelope/role/none";
/// SOAP 1.2 role "ultimateReceiver" (the same as no role).
pub const SOAP12_ROLE_ULTIMATE_RECEIVER: &str =
    "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";

/// A SOAP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SoapVersion {
    /// SOAP 1.1 (W3C Note, 2000).
    #[serde(rename = "1.1")]
    Soap11,
    /// SOAP 1.2 (W3C Recommendation, 2007).
    #[serde(rename = "1.2")]
    Soap12,
}

impl SoapVersion {
    /// The envelope namespace.
    pub fn namespace(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NS,
            SoapVersion::Soap12 => SOAP12_NS,
        }
    }

    /// The version whose envelope namespace is `ns`.
    pub fn from_namespace(ns: &str) -> Option<Self> {
        match ns {
            SOAP11_NS => Some(SoapVersion::Soap11),
            SOAP12_NS => Some(SoapVersion::Soap12),
            _ => None,
        }
    }

    /// The media type of the version's HTTP binding (`text/xml` for 1.1, `application/soap+xml` for 1.2).
    pub fn media_type(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "text/xml",
            SoapVersion::Soap12 => "application/soap+xml",
        }
    }

    /// `"1.1"` or `"1.2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "1.1",
            SoapVersion::Soap12 => "1.2",
        }
    }
}

impl fmt::Display for SoapVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SOAP {}", self.as_str())
    }
}
