//! Refusals of SAML assertion validation ([`crate::saml`]).

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a SAML assertion (or Response) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SamlReason {
    /// No SAML assertion where one was required.
    AssertionMissing,
}

reason_codes!(SamlReason {
    AssertionMissing => "saml_assertion_missing",
});

impl SamlReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            SamlReason::AssertionMissing => WsseFault::InvalidSecurityToken,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            SamlReason::AssertionMissing => OAuthError::InvalidGrant,
        }
    }
}
