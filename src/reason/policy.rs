//! Refusals of route security policy ([`crate::policy`]).

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a message that authenticated is still not allowed on a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyReason {
    /// The caller authenticated below the route's minimum authentication level.
    AuthLevelTooLow,
}

reason_codes!(PolicyReason {
    AuthLevelTooLow => "auth_level_too_low",
});

impl PolicyReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            PolicyReason::AuthLevelTooLow => WsseFault::FailedAuthentication,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            PolicyReason::AuthLevelTooLow => OAuthError::InvalidGrant,
        }
    }
}
