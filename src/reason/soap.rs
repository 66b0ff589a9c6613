//! Refusals of SOAP envelope handling ([`crate::soap`]).
//!
//! Two of these are rendered with a SOAP-level fault code instead of a WS-Security subcode (see
//! [`crate::soap::render_fault`]): [`SoapReason::VersionMismatch`] (`VersionMismatch`, SOAP 1.1 §4.4.1, SOAP 1.2
//! §5.4.6) and [`SoapReason::MustUnderstand`] (`MustUnderstand`, SOAP 1.1 §4.2.3, SOAP 1.2 §5.4.8). The
//! [`SoapReason::wsse_fault`] table still names one WS-Security fault for each, for audit and for callers that only
//! speak WS-Security.
//!
//! | reason code | WS-Security fault |
//! |---|---|
//! | `not_a_soap_envelope` | `wsse:InvalidSecurity` |
//! | `soap_version_mismatch` | `wsse:InvalidSecurity` |
//! | `malformed_soap_envelope` | `wsse:InvalidSecurity` |
//! | `soap_content_type_mismatch` | `wsse:InvalidSecurity` |
//! | `unsupported_media_type` | `wsse:InvalidSecurity` |
//! | `soap_action_missing` | `wsse:InvalidSecurity` |
//! | `soap_action_mismatch` | `wsse:InvalidSecurity` |
//! | `must_understand` | `wsse:InvalidSecurity` |

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a message is not an acceptable SOAP envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoapReason {
    /// The document element is not a SOAP 1.1 or 1.2 Envelope.
    NotAnEnvelope,
    /// The document element is an `Envelope` in a namespace that is neither SOAP 1.1 nor SOAP 1.2.
    VersionMismatch,
    /// The envelope breaks the structure SOAP (and WS-I Basic Profile) require; the context names what.
    MalformedEnvelope(&'static str),
    /// The HTTP content type does not belong to the envelope's SOAP version (`text/xml` is SOAP 1.1,
    /// `application/soap+xml` is SOAP 1.2).
    ContentTypeMismatch,
    /// The HTTP content type is neither `text/xml` nor `application/soap+xml`, or is malformed.
    UnsupportedMediaType,
    /// A SOAP 1.1 request without the `SOAPAction` HTTP header (SOAP 1.1 §6.1.1: a client MUST send it).
    SoapActionMissing,
    /// A SOAP 1.2 `action` media-type parameter and a `SOAPAction` header that disagree.
    ActionMismatch,
    /// A header block targeted at sluis with `mustUnderstand` set that sluis does not understand.
    MustUnderstand,
}

reason_codes!(SoapReason {
    NotAnEnvelope => "not_a_soap_envelope",
    VersionMismatch => "soap_version_mismatch",
    MalformedEnvelope(ctx) => "malformed_soap_envelope",
    ContentTypeMismatch => "soap_content_type_mismatch",
    UnsupportedMediaType => "unsupported_media_type",
    SoapActionMissing => "soap_action_missing",
    ActionMismatch => "soap_action_mismatch",
    MustUnderstand => "must_understand",
});

impl SoapReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm). A message sluis cannot even read as
    /// SOAP has no usable `wsse:Security` header: `InvalidSecurity` ("an error was discovered processing the
    /// header"), the generic code of WSS 1.1 §12.
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            SoapReason::NotAnEnvelope => WsseFault::InvalidSecurity,
            SoapReason::VersionMismatch => WsseFault::InvalidSecurity,
            SoapReason::MalformedEnvelope(_) => WsseFault::InvalidSecurity,
            SoapReason::ContentTypeMismatch => WsseFault::InvalidSecurity,
            SoapReason::UnsupportedMediaType => WsseFault::InvalidSecurity,
            SoapReason::SoapActionMissing => WsseFault::InvalidSecurity,
            SoapReason::ActionMismatch => WsseFault::InvalidSecurity,
            SoapReason::MustUnderstand => WsseFault::InvalidSecurity,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            SoapReason::NotAnEnvelope => OAuthError::InvalidRequest,
            SoapReason::VersionMismatch => OAuthError::InvalidRequest,
            SoapReason::MalformedEnvelope(_) => OAuthError::InvalidRequest,
            SoapReason::ContentTypeMismatch => OAuthError::InvalidRequest,
            SoapReason::UnsupportedMediaType => OAuthError::InvalidRequest,
            SoapReason::SoapActionMissing => OAuthError::InvalidRequest,
            SoapReason::ActionMismatch => OAuthError::InvalidRequest,
            SoapReason::MustUnderstand => OAuthError::InvalidRequest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in SoapReason::ALL_CODES {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
            assert!(seen.insert(code), "{code}");
        }
    }

    #[test]
    fn the_documented_table_is_the_code() {
        // Every variant's row in the module documentation names its code and its fault: the table cannot drift.
        let all = [
            SoapReason::NotAnEnvelope,
            SoapReason::VersionMismatch,
            SoapReason::MalformedEnvelope("x"),
            SoapReason::ContentTypeMismatch,
            SoapReason::UnsupportedMediaType,
            SoapReason::SoapActionMissing,
            SoapReason::ActionMismatch,
            SoapReason::MustUnderstand,
        ];
        assert_eq!(all.len(), SoapReason::ALL_CODES.len());
        let doc = include_str!("soap.rs");
        for r in all {
            let row = format!("//! | `{}` | `{}` |", r.code(), r.wsse_fault());
            assert!(doc.contains(&row), "missing row {row}");
        }
    }
}
