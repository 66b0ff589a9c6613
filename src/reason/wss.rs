//! Refusals of the `wsse:Security` header ([`crate::wss`]).
//!
//! The fault table follows OASIS WSS: SOAP Message Security 1.1 §12: a token sluis does not process is
//! `UnsupportedSecurityToken`, a token it cannot parse or believe is `InvalidSecurityToken`, a reference it cannot
//! resolve is `SecurityTokenUnavailable`, a stale message is `MessageExpired`, a wrong password (or replay) is
//! `FailedAuthentication`, and everything structural — including a signature that does not cover what the route
//! requires — is `InvalidSecurity`. Clients only see the code; the fine reason goes to audit.
//!
//! | reason code | WS-Security fault |
//! |---|---|
//! | `security_header_missing` | `wsse:InvalidSecurity` |
//! | `security_header_duplicate` | `wsse:InvalidSecurity` |
//! | `malformed_security_header` | `wsse:InvalidSecurity` |
//! | `too_many_security_elements` | `wsse:InvalidSecurity` |
//! | `encryption_not_supported` | `wsse:UnsupportedAlgorithm` |
//! | `unsupported_security_token` | `wsse:UnsupportedSecurityToken` |
//! | `malformed_security_token` | `wsse:InvalidSecurityToken` |
//! | `token_reference_unresolved` | `wsse:SecurityTokenUnavailable` |
//! | `token_reference_mismatch` | `wsse:InvalidSecurityToken` |
//! | `timestamp_missing` | `wsse:InvalidSecurity` |
//! | `malformed_timestamp` | `wsse:InvalidSecurity` |
//! | `timestamp_expired` | `wsse:MessageExpired` |
//! | `timestamp_in_future` | `wsse:MessageExpired` |
//! | `timestamp_ttl_too_long` | `wsse:InvalidSecurity` |
//! | `authentication_failed` | `wsse:FailedAuthentication` |
//! | `password_text_not_allowed` | `wsse:UnsupportedSecurityToken` |
//! | `username_token_expired` | `wsse:MessageExpired` |
//! | `username_token_in_future` | `wsse:MessageExpired` |
//! | `nonce_replayed` | `wsse:FailedAuthentication` |
//! | `replay_cache_full` | `wsse:InvalidSecurity` |
//! | `replay_store_unavailable` | `wsse:InvalidSecurity` |
//! | `message_replayed` | `wsse:InvalidSecurity` |
//! | `authentication_token_missing` | `wsse:InvalidSecurity` |
//! | `body_not_signed` | `wsse:InvalidSecurity` |
//! | `timestamp_not_signed` | `wsse:InvalidSecurity` |
//! | `header_not_signed` | `wsse:InvalidSecurity` |
//! | `signing_token_not_accepted` | `wsse:UnsupportedSecurityToken` |
//! | `saml_not_available` | `wsse:UnsupportedSecurityToken` |
//! | `sender_vouches_not_covered` | `wsse:InvalidSecurity` |
//! | `holder_of_key_not_proven` | `wsse:FailedAuthentication` |
//! | `confirmation_method_unsupported` | `wsse:UnsupportedSecurityToken` |

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a WS-Security header was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WssReason {
    /// No `wsse:Security` header for sluis.
    SecurityHeaderMissing,
    /// More than one `wsse:Security` header targeted at sluis (WSS 1.1 §6.1: one per actor/role).
    SecurityHeaderDuplicate,
    /// The `wsse:Security` header (or an element in it) is not structured as WSS 1.1 requires; the context says what.
    MalformedSecurityHeader(&'static str),
    /// More elements of one kind in the header than sluis processes; the context names the kind.
    TooManyElements(&'static str),
    /// XML Encryption in the header (`xenc:EncryptedKey`, `ReferenceList`, `EncryptedData`, `EncryptedHeader`).
    EncryptionUnsupported,
    /// A token type, value type, encoding or reference form sluis does not process; the context names it.
    UnsupportedToken(&'static str),
    /// A token that cannot be parsed (bad base64, bad DER, missing children); the context names it.
    MalformedToken(&'static str),
    /// A `SecurityTokenReference` that points at no token of this header.
    TokenReferenceUnresolved,
    /// A `SecurityTokenReference` whose `ValueType` does not match the token it points at.
    TokenReferenceMismatch,
    /// The route requires a `wsu:Timestamp` and there is none.
    TimestampMissing,
    /// The `wsu:Timestamp` is malformed or repeated; the context says how.
    MalformedTimestamp(&'static str),
    /// The `wsu:Timestamp` has expired (Expires ≤ now − skew, or Created too old without Expires).
    TimestampExpired,
    /// The `wsu:Timestamp` was created in the future (Created > now + skew).
    TimestampInFuture,
    /// The `wsu:Timestamp` claims a lifetime longer than the route's maximum.
    TimestampTtlTooLong,
    /// Unknown user, wrong password or wrong digest (never says which).
    AuthenticationFailed,
    /// A `PasswordText` UsernameToken on a route or transport that does not allow clear-text passwords.
    PasswordTextNotAllowed,
    /// A UsernameToken `Created` older than the freshness window.
    UsernameTokenExpired,
    /// A UsernameToken `Created` in the future (beyond the clock skew).
    UsernameTokenInFuture,
    /// A UsernameToken nonce seen before for this user within the window (UsernameToken Profile 1.1 §3.1).
    NonceReplayed,
    /// The nonce cache is full of unexpired entries: refusing is the only safe answer.
    ReplayCacheFull,
    /// The shared replay store did not answer or could not record: refusing is the only safe answer.
    ReplayStoreUnavailable,
    /// A signed message (the same signature over the same signed Timestamp) seen before within its lifetime.
    MessageReplayed,
    /// The header holds no token that authenticates the caller.
    AuthenticationTokenMissing,
    /// The SOAP Body (found by position: the Body child of the Envelope) is not covered by a verified signature.
    BodyNotSigned,
    /// The `wsu:Timestamp` of sluis's Security header is not covered by a verified signature.
    TimestampNotSigned,
    /// A header block the route requires signed is not covered by a verified signature.
    HeaderNotSigned,
    /// The required parts are signed, but not with a token kind the route accepts for signing.
    SigningTokenNotAccepted,
    /// A SAML assertion token, and SAML validation is not available (no issuers configured).
    SamlNotAvailable,
    /// A sender-vouches assertion not covered, together with the Body, by one signature of a trusted attesting entity
    /// (WSS SAML Token Profile 1.1 §3.5.2).
    SenderVouchesNotCovered,
    /// A holder-of-key assertion whose confirmation key did not sign the Body (WSS SAML Token Profile 1.1 §3.5.1).
    HolderOfKeyNotProven,
    /// A SAML subject confirmation method sluis does not accept here.
    ConfirmationMethodUnsupported,
}

reason_codes!(WssReason {
    SecurityHeaderMissing => "security_header_missing",
    SecurityHeaderDuplicate => "security_header_duplicate",
    MalformedSecurityHeader(ctx) => "malformed_security_header",
    TooManyElements(ctx) => "too_many_security_elements",
    EncryptionUnsupported => "encryption_not_supported",
    UnsupportedToken(ctx) => "unsupported_security_token",
    MalformedToken(ctx) => "malformed_security_token",
    TokenReferenceUnresolved => "token_reference_unresolved",
    TokenReferenceMismatch => "token_reference_mismatch",
    TimestampMissing => "timestamp_missing",
    MalformedTimestamp(ctx) => "malformed_timestamp",
    TimestampExpired => "timestamp_expired",
    TimestampInFuture => "timestamp_in_future",
    TimestampTtlTooLong => "timestamp_ttl_too_long",
    AuthenticationFailed => "authentication_failed",
    PasswordTextNotAllowed => "password_text_not_allowed",
    UsernameTokenExpired => "username_token_expired",
    UsernameTokenInFuture => "username_token_in_future",
    NonceReplayed => "nonce_replayed",
    ReplayCacheFull => "replay_cache_full",
    ReplayStoreUnavailable => "replay_store_unavailable",
    MessageReplayed => "message_replayed",
    AuthenticationTokenMissing => "authentication_token_missing",
    BodyNotSigned => "body_not_signed",
    TimestampNotSigned => "timestamp_not_signed",
    HeaderNotSigned => "header_not_signed",
    SigningTokenNotAccepted => "signing_token_not_accepted",
    SamlNotAvailable => "saml_not_available",
    SenderVouchesNotCovered => "sender_vouches_not_covered",
    HolderOfKeyNotProven => "holder_of_key_not_proven",
    ConfirmationMethodUnsupported => "confirmation_method_unsupported",
});

impl WssReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        use WsseFault::*;
        match self {
            WssReason::SecurityHeaderMissing => InvalidSecurity,
            WssReason::SecurityHeaderDuplicate => InvalidSecurity,
            WssReason::MalformedSecurityHeader(_) => InvalidSecurity,
            WssReason::TooManyElements(_) => InvalidSecurity,
            WssReason::EncryptionUnsupported => UnsupportedAlgorithm,
            WssReason::UnsupportedToken(_) => UnsupportedSecurityToken,
            WssReason::MalformedToken(_) => InvalidSecurityToken,
            WssReason::TokenReferenceUnresolved => SecurityTokenUnavailable,
            WssReason::TokenReferenceMismatch => InvalidSecurityToken,
            WssReason::TimestampMissing => InvalidSecurity,
            WssReason::MalformedTimestamp(_) => InvalidSecurity,
            WssReason::TimestampExpired => MessageExpired,
            WssReason::TimestampInFuture => MessageExpired,
            WssReason::TimestampTtlTooLong => InvalidSecurity,
            WssReason::AuthenticationFailed => FailedAuthentication,
            WssReason::PasswordTextNotAllowed => UnsupportedSecurityToken,
            WssReason::UsernameTokenExpired => MessageExpired,
            WssReason::UsernameTokenInFuture => MessageExpired,
            WssReason::NonceReplayed => FailedAuthentication,
            WssReason::ReplayCacheFull | WssReason::ReplayStoreUnavailable => InvalidSecurity,
            WssReason::MessageReplayed => InvalidSecurity,
            WssReason::AuthenticationTokenMissing => InvalidSecurity,
            WssReason::BodyNotSigned => InvalidSecurity,
            WssReason::TimestampNotSigned => InvalidSecurity,
            WssReason::HeaderNotSigned => InvalidSecurity,
            WssReason::SigningTokenNotAccepted => UnsupportedSecurityToken,
            WssReason::SamlNotAvailable => UnsupportedSecurityToken,
            WssReason::SenderVouchesNotCovered => InvalidSecurity,
            WssReason::HolderOfKeyNotProven => FailedAuthentication,
            WssReason::ConfirmationMethodUnsupported => UnsupportedSecurityToken,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm). WS-Security reasons reach an OAuth client
    /// only when a SOAP message is exchanged for a token; everything about the caller's proof is `invalid_grant`.
    pub fn oauth_error(&self) -> OAuthError {
        use OAuthError::*;
        match self {
            WssReason::SecurityHeaderMissing => InvalidRequest,
            WssReason::SecurityHeaderDuplicate => InvalidRequest,
            WssReason::MalformedSecurityHeader(_) => InvalidRequest,
            WssReason::TooManyElements(_) => InvalidRequest,
            WssReason::EncryptionUnsupported => InvalidRequest,
            WssReason::UnsupportedToken(_) => InvalidGrant,
            WssReason::MalformedToken(_) => InvalidGrant,
            WssReason::TokenReferenceUnresolved => InvalidGrant,
            WssReason::TokenReferenceMismatch => InvalidGrant,
            WssReason::TimestampMissing => InvalidRequest,
            WssReason::MalformedTimestamp(_) => InvalidRequest,
            WssReason::TimestampExpired => InvalidGrant,
            WssReason::TimestampInFuture => InvalidGrant,
            WssReason::TimestampTtlTooLong => InvalidGrant,
            WssReason::AuthenticationFailed => InvalidGrant,
            WssReason::PasswordTextNotAllowed => InvalidGrant,
            WssReason::UsernameTokenExpired => InvalidGrant,
            WssReason::UsernameTokenInFuture => InvalidGrant,
            WssReason::NonceReplayed => InvalidGrant,
            WssReason::ReplayCacheFull | WssReason::ReplayStoreUnavailable => ServerError,
            WssReason::MessageReplayed => InvalidGrant,
            WssReason::AuthenticationTokenMissing => InvalidGrant,
            WssReason::BodyNotSigned => InvalidGrant,
            WssReason::TimestampNotSigned => InvalidGrant,
            WssReason::HeaderNotSigned => InvalidGrant,
            WssReason::SigningTokenNotAccepted => InvalidGrant,
            WssReason::SamlNotAvailable => InvalidGrant,
            WssReason::SenderVouchesNotCovered => InvalidGrant,
            WssReason::HolderOfKeyNotProven => InvalidGrant,
            WssReason::ConfirmationMethodUnsupported => InvalidGrant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in WssReason::ALL_CODES {
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
            assert!(seen.insert(code), "{code}");
        }
    }

    #[test]
    fn the_documented_table_is_the_code() {
        // Every variant's row in the module documentation names its code and its fault: the table cannot drift.
        let all = [
            WssReason::SecurityHeaderMissing,
            WssReason::SecurityHeaderDuplicate,
            WssReason::MalformedSecurityHeader("x"),
            WssReason::TooManyElements("x"),
            WssReason::EncryptionUnsupported,
            WssReason::UnsupportedToken("x"),
            WssReason::MalformedToken("x"),
            WssReason::TokenReferenceUnresolved,
            WssReason::TokenReferenceMismatch,
            WssReason::TimestampMissing,
            WssReason::MalformedTimestamp("x"),
            WssReason::TimestampExpired,
            WssReason::TimestampInFuture,
            WssReason::TimestampTtlTooLong,
            WssReason::AuthenticationFailed,
            WssReason::PasswordTextNotAllowed,
            WssReason::UsernameTokenExpired,
            WssReason::UsernameTokenInFuture,
            WssReason::NonceReplayed,
            WssReason::ReplayCacheFull,
            WssReason::ReplayStoreUnavailable,
            WssReason::MessageReplayed,
            WssReason::AuthenticationTokenMissing,
            WssReason::BodyNotSigned,
            WssReason::TimestampNotSigned,
            WssReason::HeaderNotSigned,
            WssReason::SigningTokenNotAccepted,
            WssReason::SamlNotAvailable,
            WssReason::SenderVouchesNotCovered,
            WssReason::HolderOfKeyNotProven,
            WssReason::ConfirmationMethodUnsupported,
        ];
        assert_eq!(all.len(), WssReason::ALL_CODES.len());
        let doc = include_str!("wss.rs");
        for r in all {
            let row = format!("//! | `{}` | `{}` |", r.code(), r.wsse_fault());
            assert!(doc.contains(&row), "missing row {row}");
        }
    }
}
