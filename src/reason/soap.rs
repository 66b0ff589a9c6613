//! Refusals of SOAP envelope handling ([`crate::soap`]).

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a message is not an acceptable SOAP envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoapReason {
    /// The document element is not a SOAP 1.1 or 1.2 Envelope.
    NotAnEnvelope,
}

reason_codes!(SoapReason {
    NotAnEnvelope => "not_a_soap_envelope",
});

impl SoapReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            SoapReason::NotAnEnvelope => WsseFault::InvalidSecurity,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            SoapReason::NotAnEnvelope => OAuthError::InvalidRequest,
        }
    }
}
