//! Refusals of SAML assertion validation ([`crate::saml`]).
//!
//! Two outward tables sit here. **WS-Security** (WSS SOAP Message Security 1.1 §12): an issuer sluis does not trust, or
//! an assertion no trusted signature vouches for, is `FailedAuthentication`; a signature or decryption that does not
//! hold is `FailedCheck`; an algorithm outside the allowlist is `UnsupportedAlgorithm`; a SAML version or identifier form
//! sluis does not process is `UnsupportedSecurityToken`; everything else wrong with the assertion — expired, for another
//! audience, replayed, malformed — is `InvalidSecurityToken`. `MessageExpired` is deliberately *not* used for an expired
//! assertion: WSS reserves it for the message's own `wsu:Timestamp`, and a client told "message expired" would resend
//! the same stale token. **OAuth**: every problem with the assertion is `invalid_grant` (RFC 7522 §3.1, RFC 7521
//! §4.1.1); a full replay cache is the server's problem, `server_error`.

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a SAML assertion (or the Response carrying it) was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SamlReason {
    /// No SAML assertion where one was required (a Response without `Assertion`/`EncryptedAssertion`, or a document
    /// whose root is neither a Response nor an Assertion).
    AssertionMissing,
    /// More than one assertion where exactly one is expected (SAML Profiles §4.1.4.2 allows several; sluis does not,
    /// see [`crate::saml`]).
    MultipleAssertions,
    /// A SAML version other than 2.0 or 1.1 (`Version`, `MajorVersion`/`MinorVersion`).
    VersionUnsupported,
    /// The assertion does not have the structure SAML Core's schema requires; the context names what.
    MalformedAssertion(&'static str),
    /// The `samlp:Response` does not have the structure SAML Core §3.2.2 requires; the context names what.
    MalformedResponse(&'static str),
    /// SAML metadata (configuration) could not be used; the context names what.
    MalformedMetadata(&'static str),
    /// The issuer's metadata is past its `validUntil`.
    MetadataExpired,
    /// No `Issuer` (SAML 2.0 element, SAML 1.1 attribute).
    IssuerMissing,
    /// An `Issuer` with a `Format` other than `…:nameid-format:entity` (SAML Profiles §4.1.4.2).
    IssuerFormatInvalid,
    /// The issuer is not configured: no keys may sign its assertions.
    IssuerUnknown,
    /// The Response's `Issuer` differs from the assertion's.
    IssuerMismatch,
    /// Neither the assertion nor its Response carries a valid signature by the issuer (or `want_assertions_signed`
    /// is set and only the Response is signed).
    AssertionNotSigned,
    /// An assertion's `ds:Signature` whose References do not point at exactly that assertion.
    SignatureNotOnAssertion,
    /// A Response's `ds:Signature` whose References do not point at exactly that Response.
    SignatureNotOnResponse,
    /// More than one `ds:Signature` child of one assertion or Response.
    MultipleSignatures,
    /// The attesting (WS-Security message) signature does not cover the assertion, or belongs to another document.
    AttestationNotCovering,
    /// A Response whose top-level `StatusCode` is not `Success`.
    StatusNotSuccess,
    /// A Response whose `Destination` (SAML 2.0) or `Recipient` (SAML 1.1) is not one of ours.
    DestinationMismatch,
    /// No `Subject` with a `NameID` (`NameIdentifier` in 1.1).
    SubjectMissing,
    /// SAML 1.1 statements about different subjects in one assertion.
    SubjectMismatch,
    /// The subject is identified by an `EncryptedID` or `BaseID`, which sluis does not process.
    NameIdUnsupported,
    /// `Conditions/@NotBefore` is in the future (beyond the allowed clock skew).
    AssertionNotYetValid,
    /// `Conditions/@NotOnOrAfter` (or `IssueInstant` plus the maximum lifetime) has passed.
    AssertionExpired,
    /// The assertion claims a validity longer than the configured maximum lifetime.
    LifetimeTooLong,
    /// `IssueInstant` (assertion or Response) is in the future beyond the allowed clock skew.
    IssueInstantInFuture,
    /// `AuthnInstant` is in the future beyond the allowed clock skew.
    AuthnInstantInFuture,
    /// `AuthnStatement/@SessionNotOnOrAfter` has passed.
    SessionExpired,
    /// No `AudienceRestriction` while one is required (RFC 7522 §3 item 3, SAML Profiles §4.1.4.2).
    AudienceMissing,
    /// An `AudienceRestriction` none of whose `Audience`s is ours (SAML Core §2.5.1.4: each restriction must be met).
    AudienceMismatch,
    /// A condition sluis does not understand (SAML Core §2.5.1: the assertion is then Indeterminate, refused here).
    UnknownCondition,
    /// A `ProxyRestriction` while policy refuses them.
    ProxyRestricted,
    /// No `SubjectConfirmation` that sluis could validate (none present, unknown methods, or all failed).
    NoSubjectConfirmation,
    /// No validated bearer confirmation where only bearer is acceptable (the OAuth token endpoint).
    NoBearerConfirmation,
    /// No validated confirmation of the method the caller requires.
    ConfirmationMethodNotAccepted,
    /// A bearer `SubjectConfirmationData` without `Recipient`.
    RecipientMissing,
    /// A `SubjectConfirmationData/@Recipient` that is not one of ours.
    RecipientMismatch,
    /// A bearer `SubjectConfirmationData` without `NotOnOrAfter` (SAML Profiles §4.1.4.2).
    ConfirmationExpiryMissing,
    /// `SubjectConfirmationData/@NotOnOrAfter` has passed.
    ConfirmationExpired,
    /// `SubjectConfirmationData/@NotBefore` is in the future.
    ConfirmationNotYetValid,
    /// A bearer `SubjectConfirmationData` with `NotBefore`, which SAML Profiles §4.1.4.2 forbids.
    BearerNotBefore,
    /// `SubjectConfirmationData/@Address` differs from the client's address.
    AddressMismatch,
    /// `InResponseTo` (Response or confirmation) is present where none is accepted, or names another request.
    InResponseToMismatch,
    /// A holder-of-key confirmation without a usable `ds:KeyInfo` (certificate or key value).
    ConfirmationKeyMissing,
    /// The assertion ID was seen before (one-time use, SAML Profiles §4.1.4.5, or a `OneTimeUse` condition).
    AssertionReplayed,
    /// The replay cache is full of unexpired entries; refusing is the only safe answer.
    ReplayCacheFull,
    /// The shared replay store did not answer or could not record; refusing is the only safe answer.
    ReplayStoreUnavailable,
    /// An XML Encryption algorithm outside the allowlist (RSA 1.5, AES-CBC unless allowed, unknown URIs).
    EncryptionAlgorithmNotAllowed,
    /// The encrypted assertion could not be decrypted (wrong key, tampered ciphertext, bad padding — one reason for all,
    /// so the refusal is no oracle).
    DecryptionFailed,
    /// An `EncryptedAssertion` but no decryption key configured, or no `EncryptedKey` in it.
    DecryptionKeyMissing,
    /// `EncryptedData`/`EncryptedKey` without the structure XML Encryption 1.1 requires; the context names what.
    MalformedEncryptedData(&'static str),
    /// A plain assertion where policy requires an `EncryptedAssertion`.
    AssertionNotEncrypted,
}

reason_codes!(SamlReason {
    AssertionMissing => "saml_assertion_missing",
    MultipleAssertions => "multiple_assertions",
    VersionUnsupported => "version_unsupported",
    MalformedAssertion(ctx) => "malformed_assertion",
    MalformedResponse(ctx) => "malformed_response",
    MalformedMetadata(ctx) => "malformed_metadata",
    MetadataExpired => "metadata_expired",
    IssuerMissing => "issuer_missing",
    IssuerFormatInvalid => "issuer_format_invalid",
    IssuerUnknown => "issuer_unknown",
    IssuerMismatch => "issuer_mismatch",
    AssertionNotSigned => "assertion_not_signed",
    SignatureNotOnAssertion => "signature_not_on_assertion",
    SignatureNotOnResponse => "signature_not_on_response",
    MultipleSignatures => "multiple_signatures",
    AttestationNotCovering => "attestation_not_covering",
    StatusNotSuccess => "status_not_success",
    DestinationMismatch => "destination_mismatch",
    SubjectMissing => "subject_missing",
    SubjectMismatch => "subject_mismatch",
    NameIdUnsupported => "name_id_unsupported",
    AssertionNotYetValid => "assertion_not_yet_valid",
    AssertionExpired => "assertion_expired",
    LifetimeTooLong => "lifetime_too_long",
    IssueInstantInFuture => "issue_instant_in_future",
    AuthnInstantInFuture => "authn_instant_in_future",
    SessionExpired => "session_expired",
    AudienceMissing => "audience_missing",
    AudienceMismatch => "audience_mismatch",
    UnknownCondition => "unknown_condition",
    ProxyRestricted => "proxy_restricted",
    NoSubjectConfirmation => "no_subject_confirmation",
    NoBearerConfirmation => "no_bearer_confirmation",
    ConfirmationMethodNotAccepted => "confirmation_method_not_accepted",
    RecipientMissing => "recipient_missing",
    RecipientMismatch => "recipient_mismatch",
    ConfirmationExpiryMissing => "confirmation_expiry_missing",
    ConfirmationExpired => "confirmation_expired",
    ConfirmationNotYetValid => "confirmation_not_yet_valid",
    BearerNotBefore => "bearer_not_before",
    AddressMismatch => "address_mismatch",
    InResponseToMismatch => "in_response_to_mismatch",
    ConfirmationKeyMissing => "confirmation_key_missing",
    AssertionReplayed => "assertion_replayed",
    ReplayCacheFull => "assertion_replay_cache_full",
    ReplayStoreUnavailable => "assertion_replay_store_unavailable",
    EncryptionAlgorithmNotAllowed => "encryption_algorithm_not_allowed",
    DecryptionFailed => "decryption_failed",
    DecryptionKeyMissing => "decryption_key_missing",
    MalformedEncryptedData(ctx) => "malformed_encrypted_data",
    AssertionNotEncrypted => "assertion_not_encrypted",
});

impl std::error::Error for SamlReason {}

impl SamlReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm; see the module documentation).
    pub fn wsse_fault(&self) -> WsseFault {
        match self {
            // Nobody we trust vouches for the token.
            SamlReason::IssuerUnknown
            | SamlReason::MetadataExpired
            | SamlReason::IssuerMismatch
            | SamlReason::AssertionNotSigned
            | SamlReason::AttestationNotCovering => WsseFault::FailedAuthentication,
            // A signature or decryption that does not hold.
            SamlReason::SignatureNotOnAssertion
            | SamlReason::SignatureNotOnResponse
            | SamlReason::DecryptionFailed => WsseFault::FailedCheck,
            SamlReason::EncryptionAlgorithmNotAllowed => WsseFault::UnsupportedAlgorithm,
            SamlReason::VersionUnsupported | SamlReason::NameIdUnsupported => {
                WsseFault::UnsupportedSecurityToken
            }
            // Configuration or capacity, not the token: the header could not be processed.
            SamlReason::MalformedMetadata(_)
            | SamlReason::ReplayCacheFull
            | SamlReason::ReplayStoreUnavailable
            | SamlReason::DecryptionKeyMissing => WsseFault::InvalidSecurity,
            SamlReason::AssertionMissing
            | SamlReason::MultipleAssertions
            | SamlReason::MalformedAssertion(_)
            | SamlReason::MalformedResponse(_)
            | SamlReason::IssuerMissing
            | SamlReason::IssuerFormatInvalid
            | SamlReason::MultipleSignatures
            | SamlReason::StatusNotSuccess
            | SamlReason::DestinationMismatch
            | SamlReason::SubjectMissing
            | SamlReason::SubjectMismatch
            | SamlReason::AssertionNotYetValid
            | SamlReason::AssertionExpired
            | SamlReason::LifetimeTooLong
            | SamlReason::IssueInstantInFuture
            | SamlReason::AuthnInstantInFuture
            | SamlReason::SessionExpired
            | SamlReason::AudienceMissing
            | SamlReason::AudienceMismatch
            | SamlReason::UnknownCondition
            | SamlReason::ProxyRestricted
            | SamlReason::NoSubjectConfirmation
            | SamlReason::NoBearerConfirmation
            | SamlReason::ConfirmationMethodNotAccepted
            | SamlReason::RecipientMissing
            | SamlReason::RecipientMismatch
            | SamlReason::ConfirmationExpiryMissing
            | SamlReason::ConfirmationExpired
            | SamlReason::ConfirmationNotYetValid
            | SamlReason::BearerNotBefore
            | SamlReason::AddressMismatch
            | SamlReason::InResponseToMismatch
            | SamlReason::ConfirmationKeyMissing
            | SamlReason::AssertionReplayed
            | SamlReason::MalformedEncryptedData(_)
            | SamlReason::AssertionNotEncrypted => WsseFault::InvalidSecurityToken,
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm): `invalid_grant` for everything about the
    /// assertion (RFC 7522 §3.1); `server_error` for configuration or capacity problems that are not the client's.
    pub fn oauth_error(&self) -> OAuthError {
        match self {
            SamlReason::MalformedMetadata(_)
            | SamlReason::ReplayCacheFull
            | SamlReason::ReplayStoreUnavailable => OAuthError::ServerError,
            SamlReason::AssertionMissing
            | SamlReason::MultipleAssertions
            | SamlReason::VersionUnsupported
            | SamlReason::MalformedAssertion(_)
            | SamlReason::MalformedResponse(_)
            | SamlReason::MetadataExpired
            | SamlReason::IssuerMissing
            | SamlReason::IssuerFormatInvalid
            | SamlReason::IssuerUnknown
            | SamlReason::IssuerMismatch
            | SamlReason::AssertionNotSigned
            | SamlReason::SignatureNotOnAssertion
            | SamlReason::SignatureNotOnResponse
            | SamlReason::MultipleSignatures
            | SamlReason::AttestationNotCovering
            | SamlReason::StatusNotSuccess
            | SamlReason::DestinationMismatch
            | SamlReason::SubjectMissing
            | SamlReason::SubjectMismatch
            | SamlReason::NameIdUnsupported
            | SamlReason::AssertionNotYetValid
            | SamlReason::AssertionExpired
            | SamlReason::LifetimeTooLong
            | SamlReason::IssueInstantInFuture
            | SamlReason::AuthnInstantInFuture
            | SamlReason::SessionExpired
            | SamlReason::AudienceMissing
            | SamlReason::AudienceMismatch
            | SamlReason::UnknownCondition
            | SamlReason::ProxyRestricted
            | SamlReason::NoSubjectConfirmation
            | SamlReason::NoBearerConfirmation
            | SamlReason::ConfirmationMethodNotAccepted
            | SamlReason::RecipientMissing
            | SamlReason::RecipientMismatch
            | SamlReason::ConfirmationExpiryMissing
            | SamlReason::ConfirmationExpired
            | SamlReason::ConfirmationNotYetValid
            | SamlReason::BearerNotBefore
            | SamlReason::AddressMismatch
            | SamlReason::InResponseToMismatch
            | SamlReason::ConfirmationKeyMissing
            | SamlReason::AssertionReplayed
            | SamlReason::EncryptionAlgorithmNotAllowed
            | SamlReason::DecryptionFailed
            | SamlReason::DecryptionKeyMissing
            | SamlReason::MalformedEncryptedData(_)
            | SamlReason::AssertionNotEncrypted => OAuthError::InvalidGrant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_distinct_from_other_stages() {
        let others: HashSet<&str> = [
            super::super::XmlReason::ALL_CODES,
            super::super::C14nReason::ALL_CODES,
            super::super::TrustReason::ALL_CODES,
            super::super::DsigReason::ALL_CODES,
        ]
        .concat()
        .into_iter()
        .collect();
        let mut seen = HashSet::new();
        for code in SamlReason::ALL_CODES {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(!others.contains(code), "{code} is also another stage's code");
        }
    }

    #[test]
    fn outward_mapping() {
        assert_eq!(SamlReason::IssuerUnknown.wsse_fault(), WsseFault::FailedAuthentication);
        assert_eq!(SamlReason::AssertionExpired.wsse_fault(), WsseFault::InvalidSecurityToken);
        assert_eq!(SamlReason::VersionUnsupported.wsse_fault(), WsseFault::UnsupportedSecurityToken);
        assert_eq!(SamlReason::DecryptionFailed.wsse_fault(), WsseFault::FailedCheck);
        assert_eq!(SamlReason::AssertionReplayed.oauth_error(), OAuthError::InvalidGrant);
        assert_eq!(SamlReason::ReplayCacheFull.oauth_error(), OAuthError::ServerError);
        assert_eq!(SamlReason::MalformedAssertion("x").to_string(), "malformed_assertion (x)");
    }
}
