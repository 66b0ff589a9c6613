//! Refusals of route security policy ([`crate::policy`]).
//!
//! | reason code | WS-Security fault |
//! |---|---|
//! | `auth_level_too_low` | `wsse:FailedAuthentication` |
//! | `token_type_not_accepted` | `wsse:UnsupportedSecurityToken` |

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a message that authenticated is still not allowed on a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyReason {
    /// The caller authenticated below the route's minimum authentication level.
    AuthLevelTooLow,
    /// The caller authenticated with a token type the route does not accept.
    TokenTypeNotAccepted,
}

reason_codes!(PolicyReason {
    AuthLevelTooLow => "auth_level_too_low",
    TokenTypeNotAccepted => "token_type_not_accepted",
});

impl PolicyReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm): too weak an authentication means the
    /// token "could not be authenticated or authorized"; a token type the route does not take is "unsupported".
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            PolicyReason::AuthLevelTooLow => WsseFault::FailedAuthentication,
            PolicyReason::TokenTypeNotAccepted => WsseFault::UnsupportedSecurityToken,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            PolicyReason::AuthLevelTooLow => OAuthError::InvalidGrant,
            PolicyReason::TokenTypeNotAccepted => OAuthError::InvalidGrant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in PolicyReason::ALL_CODES {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
            assert!(seen.insert(code), "{code}");
        }
    }

    #[test]
    fn the_documented_table_is_the_code() {
        // Every variant's row in the module documentation names its code and its fault: the table cannot drift.
        let all = [PolicyReason::AuthLevelTooLow, PolicyReason::TokenTypeNotAccepted];
        assert_eq!(all.len(), PolicyReason::ALL_CODES.len());
        let doc = include_str!("policy.rs");
        for r in all {
            let row = format!("//! | `{}` | `{}` |", r.code(), r.wsse_fault());
            assert!(doc.contains(&row), "missing row {row}");
        }
    }
}
