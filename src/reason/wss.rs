//! Refusals of the `wsse:Security` header ([`crate::wss`]).

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a WS-Security header was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WssReason {
    /// No `wsse:Security` header for sluis.
    SecurityHeaderMissing,
}

reason_codes!(WssReason {
    SecurityHeaderMissing => "security_header_missing",
});

impl WssReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            WssReason::SecurityHeaderMissing => WsseFault::InvalidSecurity,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            WssReason::SecurityHeaderMissing => OAuthError::InvalidRequest,
        }
    }
}
