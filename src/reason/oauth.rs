//! Refusals of the OAuth 2.0 authorization server ([`crate::oauth`]).

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a token, introspection or revocation request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OAuthReason {
    /// A `grant_type` sluis does not serve.
    UnsupportedGrantType,
}

reason_codes!(OAuthReason {
    UnsupportedGrantType => "unsupported_grant_type",
});

impl OAuthReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            OAuthReason::UnsupportedGrantType => WsseFault::FailedAuthentication,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            OAuthReason::UnsupportedGrantType => OAuthError::UnsupportedGrantType,
        }
    }
}
