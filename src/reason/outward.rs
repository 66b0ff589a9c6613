//! What a client is told: the two outward vocabularies a [`super::Reason`] maps to.
//!
//! Each reason sub-enum maps its variants in its own file (one exhaustive table per stage, no `_` arm, so a new
//! variant forces a decision); [`super::Reason::wsse_fault`] and [`super::Reason::oauth_error`] only delegate. Clients
//! get the coarse code; the fine reason goes to the audit record.

use std::fmt;

/// The WS-Security 1.1 fault codes (OASIS WSS: SOAP Message Security 1.1 §12, table of fault codes), in the `wsse`
/// namespace `http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WsseFault {
    /// "An unsupported token was provided".
    UnsupportedSecurityToken,
    /// "An unsupported signature or encryption algorithm was used".
    UnsupportedAlgorithm,
    /// "An error was discovered processing the `<wsse:Security>` header".
    InvalidSecurity,
    /// "An invalid security token was provided".
    InvalidSecurityToken,
    /// "The security token could not be authenticated or authorized".
    FailedAuthentication,
    /// "The signature or decryption was invalid".
    FailedCheck,
    /// "Referenced security token could not be retrieved".
    SecurityTokenUnavailable,
    /// "The message has expired".
    MessageExpired,
}

impl WsseFault {
    /// The local part of the fault code QName (`wsse:<local>`).
    pub fn local_name(self) -> &'static str {
        match self {
            WsseFault::UnsupportedSecurityToken => "UnsupportedSecurityToken",
            WsseFault::UnsupportedAlgorithm => "UnsupportedAlgorithm",
            WsseFault::InvalidSecurity => "InvalidSecurity",
            WsseFault::InvalidSecurityToken => "InvalidSecurityToken",
            WsseFault::FailedAuthentication => "FailedAuthentication",
            WsseFault::FailedCheck => "FailedCheck",
            WsseFault::SecurityTokenUnavailable => "SecurityTokenUnavailable",
            WsseFault::MessageExpired => "MessageExpired",
        }
    }

    /// The fault string WSS suggests, short and free of detail.
    pub fn fault_string(self) -> &'static str {
        match self {
            WsseFault::UnsupportedSecurityToken => "An unsupported token was provided",
            WsseFault::UnsupportedAlgorithm => "An unsupported signature or encryption algorithm was used",
            WsseFault::InvalidSecurity => "An error was discovered processing the <wsse:Security> header",
            WsseFault::InvalidSecurityToken => "An invalid security token was provided",
            WsseFault::FailedAuthentication => "The security token could not be authenticated or authorized",
            WsseFault::FailedCheck => "The signature or decryption was invalid",
            WsseFault::SecurityTokenUnavailable => "Referenced security token could not be retrieved",
            WsseFault::MessageExpired => "The message has expired",
        }
    }
}

impl fmt::Display for WsseFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wsse:{}", self.local_name())
    }
}

/// OAuth 2.0 error codes (RFC 6749 §5.2, RFC 7009 §2.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OAuthError {
    /// The request is missing a parameter, repeats one, or is otherwise malformed.
    InvalidRequest,
    /// Client authentication failed (401 with `WWW-Authenticate`).
    InvalidClient,
    /// The grant (assertion) is invalid, expired, revoked, or was issued to another client.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The requested scope is invalid or exceeds what the client may have.
    InvalidScope,
    /// The token type is not supported (revocation, RFC 7009).
    UnsupportedTokenType,
    /// An unexpected condition on the server (RFC 6749 §4.1.2.1 `server_error`).
    ServerError,
}

impl OAuthError {
    /// The `error` value.
    pub fn code(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::UnsupportedTokenType => "unsupported_token_type",
            OAuthError::ServerError => "server_error",
        }
    }

    /// The HTTP status RFC 6749 §5.2 prescribes.
    pub fn status(self) -> u16 {
        match self {
            OAuthError::InvalidClient => 401,
            OAuthError::ServerError => 500,
            _ => 400,
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
