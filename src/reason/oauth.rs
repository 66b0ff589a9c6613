//! Refusals of the OAuth 2.0 authorization server ([`crate::oauth`]).
//!
//! Three tables, one row per variant and no `_` arm: [`OAuthReason::oauth_error`] (what an OAuth client is told, RFC
//! 6749 §5.2, RFC 7521 §4.1.1/§4.2.1, RFC 7009 §2.2.1), [`OAuthReason::description`] (the `error_description`: precise
//! about what is wrong with the request, never echoing input or secrets, and deliberately the same text for every
//! client-authentication failure that could otherwise tell an attacker which client ids exist), and
//! [`OAuthReason::wsse_fault`] (for completeness, when a reason surfaces in the SOAP gateway).
//!
//! A JWT failure has two variants, one for a JWT-bearer *grant* (`jwt_*`, `invalid_grant`, RFC 7523 §3.1) and one for a
//! *client assertion* (`client_assertion_*`, `invalid_client`, RFC 7523 §3.1 second paragraph), because the outward
//! error differs and each table row must decide it.

use std::borrow::Cow;

use super::outward::{OAuthError, WsseFault};
use super::reason_codes;

/// Why a token, introspection or revocation request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OAuthReason {
    // --- the HTTP request and its form (RFC 6749 §3.2) ---
    /// The body is not `application/x-www-form-urlencoded`.
    RequestContentType,
    /// The body is larger than the configured bound.
    RequestTooLarge,
    /// The body is not a valid form: bad percent-encoding or not UTF-8.
    RequestMalformed,
    /// A recognized parameter appears more than once (RFC 6749 §3.2). The context names it.
    ParameterDuplicated(&'static str),
    /// A required parameter is missing or empty (RFC 6749 §3.2: empty means omitted). The context names it.
    ParameterMissing(&'static str),
    /// A `grant_type` sluis does not serve.
    UnsupportedGrantType,
    /// The `scope` parameter is not a space-separated list of scope tokens (RFC 6749 §3.3).
    ScopeMalformed,
    /// A requested scope is not among the client's allowed scopes.
    ScopeNotAllowed,
    /// Scopes were requested but none survives the issuer's mapping for this subject.
    ScopeNotGranted,
    /// A `resource` parameter is not an absolute URI without a fragment (RFC 8707 §2).
    ResourceInvalid,
    /// A `resource` is not an audience this client may obtain tokens for.
    ResourceNotAllowed,
    // --- client authentication (RFC 6749 §2.3, RFC 7521 §4.2, RFC 7523 §2.2, RFC 7522 §2.2) ---
    /// More than one client authentication method in one request (RFC 6749 §2.3).
    ClientAuthMultiple,
    /// The request carries no client authentication and no client that may go without.
    ClientAuthMissing,
    /// No such client (audit only: the client is told "client authentication failed").
    ClientUnknown,
    /// The client is disabled in the configuration.
    ClientDisabled,
    /// The client secret does not verify against the stored argon2id hash.
    ClientSecretMismatch,
    /// The client is not registered for the authentication method it used.
    ClientAuthMethodNotAllowed,
    /// The `Authorization` header is not valid HTTP Basic (RFC 7617) with form-encoded credentials.
    ClientBasicMalformed,
    /// A `client_id` parameter names another client than the one that authenticated.
    ClientIdMismatch,
    /// A `client_assertion_type` sluis does not accept.
    ClientAssertionTypeUnsupported,
    /// The client assertion is not a compact JWS with a JSON header and claims.
    ClientAssertionMalformed,
    /// The client assertion's `alg` is `none`, an HMAC, unknown, or not one the client's key admits.
    ClientAssertionAlgorithm,
    /// No registered key of the client matches the assertion's `kid`.
    ClientAssertionKeyUnknown,
    /// The client assertion's signature does not verify.
    ClientAssertionSignature,
    /// A claim of the client assertion is missing or wrong (the context names it; `iss` and `sub` must equal the
    /// client id, RFC 7523 §3 items 1–2).
    ClientAssertionClaim(&'static str),
    /// The client assertion's `aud` does not name this authorization server.
    ClientAssertionAudience,
    /// The client assertion has expired.
    ClientAssertionExpired,
    /// The client assertion is not valid yet (`nbf`, or `iat` in the future).
    ClientAssertionNotYetValid,
    /// The client assertion lives longer (or was issued longer ago) than the configured maximum.
    ClientAssertionLifetime,
    /// The client assertion's `jti` was seen before (RFC 7523 §3 item 7).
    ClientAssertionReplayed,
    /// A SAML client assertion (RFC 7522 §2.2) was refused; the SAML reason goes to audit.
    ClientSamlAssertionInvalid,
    // --- the JWT bearer grant (RFC 7523 §2.1, §3) ---
    /// The assertion is not a compact JWS with a JSON header and claims.
    JwtMalformed,
    /// `alg` is `none`, an HMAC, or not an asymmetric algorithm sluis accepts.
    JwtAlgorithmNotAllowed,
    /// `alg` does not fit the type (or the declared `alg`) of the key selected for the issuer: no key confusion.
    JwtAlgorithmKeyMismatch,
    /// The header has a `crit` parameter (RFC 7515 §4.1.11: sluis understands no extension).
    JwtCritical,
    /// `iss` is not a registered JWT issuer.
    JwtIssuerUnknown,
    /// No key registered for the issuer matches the `kid`.
    JwtKeyUnknown,
    /// The signature does not verify.
    JwtSignatureInvalid,
    /// A claim is missing or of the wrong type (the context names it).
    JwtClaimInvalid(&'static str),
    /// `aud` does not name this authorization server (its issuer identifier, token endpoint URL or a configured alias).
    JwtAudienceMismatch,
    /// `exp` has passed.
    JwtExpired,
    /// `nbf` (or `iat`) is in the future.
    JwtNotYetValid,
    /// `exp` is further away, or `iat` longer ago, than the configured maximum assertion lifetime.
    JwtLifetimeTooLong,
    /// The `jti` was seen before.
    JwtReplayed,
    // --- assertion grants, both kinds ---
    /// The client may not present assertions from this issuer.
    AssertionIssuerNotAllowed,
    /// The client may not present assertions about this subject.
    AssertionSubjectNotAllowed,
    /// The `assertion` is not base64url (RFC 7522 §2.1; padding is tolerated, line wrapping is not).
    SamlAssertionEncoding,
    /// The `assertion` is not exactly one SAML 2.0 `Assertion` element, or nests another one.
    SamlAssertionCount,
    /// The SAML assertion's validity window is longer than the configured maximum assertion lifetime.
    SamlAssertionLifetime,
    /// The SAML assertion's issuer is not configured as a SAML issuer of this authorization server.
    SamlIssuerUnknown,
    /// The saml2-bearer grant is configured but no SAML validator is available in this build.
    SamlUnavailable,
    /// The client may not use this grant type.
    GrantNotAllowed,
    // --- introspection and revocation (RFC 7662, RFC 7009) ---
    /// The token is not a JWT this server issued (bad format, unknown key, bad signature, wrong `iss`/`typ`).
    TokenInvalid,
    /// The token has expired.
    TokenExpired,
    /// The token was revoked.
    TokenRevoked,
    /// The client the token was issued to is disabled or no longer configured.
    TokenClientInactive,
    /// A client tried to revoke a token issued to another client (RFC 7009 §2.1).
    TokenNotOwned,
    // --- state ---
    /// The replay cache is full of unexpired entries; refusing is the only safe answer.
    ReplayCacheFull,
    /// The shared replay store did not answer or could not record; refusing is the only safe answer.
    ReplayStoreUnavailable,
    /// The revocation list is full of unexpired entries.
    RevocationListFull,
    /// Signing the access token failed in the crypto backend.
    SigningFailed,
}

reason_codes!(OAuthReason {
    RequestContentType => "request_content_type",
    RequestTooLarge => "request_too_large",
    RequestMalformed => "request_malformed",
    ParameterDuplicated(param) => "parameter_duplicated",
    ParameterMissing(param) => "parameter_missing",
    UnsupportedGrantType => "unsupported_grant_type",
    ScopeMalformed => "scope_malformed",
    ScopeNotAllowed => "scope_not_allowed",
    ScopeNotGranted => "scope_not_granted",
    ResourceInvalid => "resource_invalid",
    ResourceNotAllowed => "resource_not_allowed",
    ClientAuthMultiple => "client_auth_multiple",
    ClientAuthMissing => "client_auth_missing",
    ClientUnknown => "client_unknown",
    ClientDisabled => "client_disabled",
    ClientSecretMismatch => "client_secret_mismatch",
    ClientAuthMethodNotAllowed => "client_auth_method_not_allowed",
    ClientBasicMalformed => "client_basic_malformed",
    ClientIdMismatch => "client_id_mismatch",
    ClientAssertionTypeUnsupported => "client_assertion_type_unsupported",
    ClientAssertionMalformed => "client_assertion_malformed",
    ClientAssertionAlgorithm => "client_assertion_alg_not_allowed",
    ClientAssertionKeyUnknown => "client_assertion_key_unknown",
    ClientAssertionSignature => "client_assertion_signature_invalid",
    ClientAssertionClaim(claim) => "client_assertion_claim_invalid",
    ClientAssertionAudience => "client_assertion_audience_mismatch",
    ClientAssertionExpired => "client_assertion_expired",
    ClientAssertionNotYetValid => "client_assertion_not_yet_valid",
    ClientAssertionLifetime => "client_assertion_lifetime_too_long",
    ClientAssertionReplayed => "client_assertion_replayed",
    ClientSamlAssertionInvalid => "client_saml_assertion_invalid",
    JwtMalformed => "jwt_malformed",
    JwtAlgorithmNotAllowed => "jwt_alg_not_allowed",
    JwtAlgorithmKeyMismatch => "jwt_alg_key_mismatch",
    JwtCritical => "jwt_crit_unsupported",
    JwtIssuerUnknown => "jwt_issuer_unknown",
    JwtKeyUnknown => "jwt_key_unknown",
    JwtSignatureInvalid => "jwt_signature_invalid",
    JwtClaimInvalid(claim) => "jwt_claim_invalid",
    JwtAudienceMismatch => "jwt_audience_mismatch",
    JwtExpired => "jwt_expired",
    JwtNotYetValid => "jwt_not_yet_valid",
    JwtLifetimeTooLong => "jwt_lifetime_too_long",
    JwtReplayed => "jwt_replayed",
    AssertionIssuerNotAllowed => "assertion_issuer_not_allowed",
    AssertionSubjectNotAllowed => "assertion_subject_not_allowed",
    SamlAssertionEncoding => "saml_assertion_encoding",
    SamlAssertionCount => "saml_assertion_count",
    SamlAssertionLifetime => "saml_assertion_lifetime_too_long",
    SamlIssuerUnknown => "saml_issuer_unknown",
    SamlUnavailable => "saml_unavailable",
    GrantNotAllowed => "grant_not_allowed",
    TokenInvalid => "token_invalid",
    TokenExpired => "token_expired",
    TokenRevoked => "token_revoked",
    TokenClientInactive => "token_client_inactive",
    TokenNotOwned => "token_not_owned",
    ReplayCacheFull => "oauth_replay_cache_full",
    ReplayStoreUnavailable => "oauth_replay_store_unavailable",
    RevocationListFull => "revocation_list_full",
    SigningFailed => "token_signing_failed",
});

/// What every client-authentication failure that must not reveal which client ids exist says.
const CLIENT_AUTH_FAILED: &str = "client authentication failed";

impl OAuthReason {
    /// The WS-Security fault for this reason (one row per variant, no `_` arm).
    pub fn wsse_fault(&self) -> WsseFault {
        use OAuthReason::*;
        match self {
            RequestContentType | RequestTooLarge | RequestMalformed => WsseFault::InvalidSecurity,
            ParameterDuplicated(_) | ParameterMissing(_) => WsseFault::InvalidSecurity,
            UnsupportedGrantType => WsseFault::UnsupportedSecurityToken,
            ScopeMalformed | ScopeNotAllowed | ScopeNotGranted => WsseFault::FailedAuthentication,
            ResourceInvalid | ResourceNotAllowed => WsseFault::FailedAuthentication,
            ClientAuthMultiple => WsseFault::InvalidSecurity,
            ClientAuthMissing | ClientUnknown | ClientDisabled | ClientSecretMismatch => {
                WsseFault::FailedAuthentication
            }
            ClientAuthMethodNotAllowed | ClientIdMismatch => WsseFault::FailedAuthentication,
            ClientBasicMalformed => WsseFault::InvalidSecurityToken,
            ClientAssertionTypeUnsupported => WsseFault::UnsupportedSecurityToken,
            ClientAssertionMalformed | ClientAssertionClaim(_) => WsseFault::InvalidSecurityToken,
            ClientAssertionAlgorithm => WsseFault::UnsupportedAlgorithm,
            ClientAssertionKeyUnknown => WsseFault::SecurityTokenUnavailable,
            ClientAssertionSignature => WsseFault::FailedCheck,
            ClientAssertionAudience => WsseFault::FailedAuthentication,
            ClientAssertionExpired | ClientAssertionNotYetValid => WsseFault::MessageExpired,
            ClientAssertionLifetime => WsseFault::InvalidSecurityToken,
            ClientAssertionReplayed => WsseFault::FailedAuthentication,
            ClientSamlAssertionInvalid => WsseFault::InvalidSecurityToken,
            JwtMalformed | JwtCritical | JwtClaimInvalid(_) => WsseFault::InvalidSecurityToken,
            JwtAlgorithmNotAllowed | JwtAlgorithmKeyMismatch => WsseFault::UnsupportedAlgorithm,
            JwtIssuerUnknown => WsseFault::FailedAuthentication,
            JwtKeyUnknown => WsseFault::SecurityTokenUnavailable,
            JwtSignatureInvalid => WsseFault::FailedCheck,
            JwtAudienceMismatch => WsseFault::FailedAuthentication,
            JwtExpired | JwtNotYetValid => WsseFault::MessageExpired,
            JwtLifetimeTooLong => WsseFault::InvalidSecurityToken,
            JwtReplayed => WsseFault::FailedAuthentication,
            AssertionIssuerNotAllowed | AssertionSubjectNotAllowed => WsseFault::FailedAuthentication,
            SamlAssertionEncoding | SamlAssertionCount => WsseFault::InvalidSecurityToken,
            SamlAssertionLifetime => WsseFault::InvalidSecurityToken,
            SamlIssuerUnknown => WsseFault::FailedAuthentication,
            SamlUnavailable => WsseFault::UnsupportedSecurityToken,
            GrantNotAllowed => WsseFault::FailedAuthentication,
            TokenInvalid => WsseFault::InvalidSecurityToken,
            TokenExpired => WsseFault::MessageExpired,
            TokenRevoked | TokenClientInactive | TokenNotOwned => WsseFault::FailedAuthentication,
            ReplayCacheFull | ReplayStoreUnavailable | RevocationListFull | SigningFailed => {
                WsseFault::InvalidSecurity
            }
        }
    }

    /// The OAuth error for this reason (one row per variant, no `_` arm).
    ///
    /// `resource` problems would be RFC 8707's `invalid_target`, which [`OAuthError`] does not carry yet; they are
    /// `invalid_request` until it does.
    pub fn oauth_error(&self) -> OAuthError {
        use OAuthReason::*;
        match self {
            RequestContentType | RequestTooLarge | RequestMalformed => OAuthError::InvalidRequest,
            ParameterDuplicated(_) | ParameterMissing(_) => OAuthError::InvalidRequest,
            UnsupportedGrantType => OAuthError::UnsupportedGrantType,
            ScopeMalformed | ScopeNotAllowed | ScopeNotGranted => OAuthError::InvalidScope,
            ResourceInvalid | ResourceNotAllowed => OAuthError::InvalidRequest,
            // RFC 6749 §2.3: "MUST NOT use more than one authentication method in each request" — a malformed request.
            ClientAuthMultiple => OAuthError::InvalidRequest,
            ClientAuthMissing | ClientUnknown | ClientDisabled | ClientSecretMismatch => {
                OAuthError::InvalidClient
            }
            ClientAuthMethodNotAllowed | ClientBasicMalformed | ClientIdMismatch => OAuthError::InvalidClient,
            // RFC 6749 §5.2: invalid_client covers "unsupported authentication method".
            ClientAssertionTypeUnsupported => OAuthError::InvalidClient,
            // RFC 7521 §4.2.1 / RFC 7523 §3.1: an unacceptable client assertion is invalid_client.
            ClientAssertionMalformed | ClientAssertionAlgorithm | ClientAssertionKeyUnknown => {
                OAuthError::InvalidClient
            }
            ClientAssertionSignature | ClientAssertionClaim(_) | ClientAssertionAudience => {
                OAuthError::InvalidClient
            }
            ClientAssertionExpired | ClientAssertionNotYetValid | ClientAssertionLifetime => {
                OAuthError::InvalidClient
            }
            ClientAssertionReplayed | ClientSamlAssertionInvalid => OAuthError::InvalidClient,
            // RFC 7521 §4.1.1 / RFC 7523 §3.1 / RFC 7522 §3.1: an unacceptable grant assertion is invalid_grant.
            JwtMalformed | JwtAlgorithmNotAllowed | JwtAlgorithmKeyMismatch | JwtCritical => {
                OAuthError::InvalidGrant
            }
            JwtIssuerUnknown | JwtKeyUnknown | JwtSignatureInvalid | JwtClaimInvalid(_) => {
                OAuthError::InvalidGrant
            }
            JwtAudienceMismatch | JwtExpired | JwtNotYetValid | JwtLifetimeTooLong => {
                OAuthError::InvalidGrant
            }
            JwtReplayed => OAuthError::InvalidGrant,
            AssertionIssuerNotAllowed | AssertionSubjectNotAllowed => OAuthError::InvalidGrant,
            SamlAssertionEncoding | SamlAssertionCount | SamlAssertionLifetime => OAuthError::InvalidGrant,
            SamlIssuerUnknown => OAuthError::InvalidGrant,
            SamlUnavailable => OAuthError::UnsupportedGrantType,
            GrantNotAllowed => OAuthError::UnauthorizedClient,
            // Introspection never reports these as errors (RFC 7662 §2.2: `active: false`); rows for completeness.
            TokenInvalid | TokenExpired | TokenRevoked | TokenClientInactive => OAuthError::InvalidGrant,
            // RFC 7009 §2.1: the request is refused and the client informed.
            TokenNotOwned => OAuthError::UnauthorizedClient,
            ReplayCacheFull | ReplayStoreUnavailable | RevocationListFull | SigningFailed => {
                OAuthError::ServerError
            }
        }
    }

    /// The `error_description` an OAuth client is told (RFC 6749 §5.2: human-readable ASCII, no input echoed).
    pub fn description(&self) -> Cow<'static, str> {
        use OAuthReason::*;
        Cow::Borrowed(match self {
            RequestContentType => "the request body must be application/x-www-form-urlencoded",
            RequestTooLarge => "the request body is too large",
            RequestMalformed => "the request body is not a valid form (percent-encoding or UTF-8)",
            ParameterDuplicated(p) => {
                return Cow::Owned(format!("parameter '{p}' must not appear more than once"));
            }
            ParameterMissing(p) => return Cow::Owned(format!("required parameter '{p}' is missing")),
            UnsupportedGrantType => "this grant_type is not supported",
            ScopeMalformed => "scope must be a space-separated list of scope tokens",
            ScopeNotAllowed => "the requested scope exceeds the scopes this client may request",
            ScopeNotGranted => "none of the requested scopes is granted for this subject",
            ResourceInvalid => "resource must be an absolute URI without a fragment",
            ResourceNotAllowed => {
                "the requested resource is not an audience this client may obtain tokens for"
            }
            ClientAuthMultiple => "more than one client authentication method was used",
            ClientAuthMissing => "client authentication is required",
            ClientUnknown | ClientDisabled | ClientSecretMismatch | ClientAuthMethodNotAllowed => {
                CLIENT_AUTH_FAILED
            }
            ClientBasicMalformed => "the Authorization header is not valid HTTP Basic client authentication",
            ClientIdMismatch => "client_id does not match the authenticated client",
            ClientAssertionTypeUnsupported => "this client_assertion_type is not supported",
            ClientAssertionMalformed => "client_assertion is not a compact JWS with a JSON header and claims",
            ClientAssertionAlgorithm => {
                "client_assertion alg is not an asymmetric algorithm the client's key admits"
            }
            ClientAssertionKeyUnknown => "no registered key of this client matches the client_assertion kid",
            ClientAssertionSignature => "client_assertion signature does not verify",
            ClientAssertionClaim(c) => {
                return Cow::Owned(format!("client_assertion claim '{c}' is missing or invalid"));
            }
            ClientAssertionAudience => "client_assertion aud does not name this authorization server",
            ClientAssertionExpired => "client_assertion has expired",
            ClientAssertionNotYetValid => "client_assertion is not valid yet",
            ClientAssertionLifetime => "client_assertion lifetime exceeds the maximum this server accepts",
            ClientAssertionReplayed => "client_assertion jti has been used before",
            ClientSamlAssertionInvalid => "the SAML client assertion is not acceptable",
            JwtMalformed => "assertion is not a compact JWS with a JSON header and claims",
            JwtAlgorithmNotAllowed => {
                "assertion alg must be one of RS256/384/512, PS256/384/512, ES256/384, EdDSA"
            }
            JwtAlgorithmKeyMismatch => "assertion alg does not match the issuer's registered key",
            JwtCritical => "assertion header has a crit parameter this server does not understand",
            JwtIssuerUnknown => "assertion iss is not a registered issuer",
            JwtKeyUnknown => "no key registered for the assertion issuer matches its kid",
            JwtSignatureInvalid => "assertion signature does not verify",
            JwtClaimInvalid(c) => return Cow::Owned(format!("assertion claim '{c}' is missing or invalid")),
            JwtAudienceMismatch => "assertion aud does not name this authorization server",
            JwtExpired => "assertion has expired",
            JwtNotYetValid => "assertion is not valid yet",
            JwtLifetimeTooLong => "assertion lifetime exceeds the maximum this server accepts",
            JwtReplayed => "assertion jti has been used before",
            AssertionIssuerNotAllowed => "this client may not present assertions from this issuer",
            AssertionSubjectNotAllowed => "this client may not present assertions about this subject",
            SamlAssertionEncoding => "assertion must be base64url-encoded without line wrapping",
            SamlAssertionCount => {
                "assertion must carry exactly one SAML 2.0 Assertion, with no Assertion nested in it"
            }
            SamlAssertionLifetime => "SAML assertion validity exceeds the maximum this server accepts",
            SamlIssuerUnknown => "SAML assertion Issuer is not a trusted issuer of this authorization server",
            SamlUnavailable => "the saml2-bearer grant is not available",
            GrantNotAllowed => "this client may not use this grant type",
            TokenInvalid => "the token is not a token this server issued",
            TokenExpired => "the token has expired",
            TokenRevoked => "the token has been revoked",
            TokenClientInactive => "the client the token was issued to is not active",
            TokenNotOwned => "the token was not issued to this client",
            ReplayCacheFull => "the server cannot accept more assertions right now",
            ReplayStoreUnavailable => "the server cannot check assertions for reuse right now",
            RevocationListFull => "the server cannot record more revocations right now",
            SigningFailed => "the access token could not be signed",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_unique_snake_case_and_described() {
        let mut seen = HashSet::new();
        for code in OAuthReason::ALL_CODES {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code}"
            );
            assert!(seen.insert(*code), "duplicate code {code}");
        }
    }

    #[test]
    fn client_auth_failures_look_alike() {
        // An attacker must not learn from the description whether a client id exists or is registered for another
        // method.
        let texts: HashSet<_> = [
            OAuthReason::ClientUnknown,
            OAuthReason::ClientDisabled,
            OAuthReason::ClientSecretMismatch,
            OAuthReason::ClientAuthMethodNotAllowed,
        ]
        .iter()
        .map(|r| (r.description(), r.oauth_error()))
        .collect();
        assert_eq!(texts.len(), 1);
    }

    #[test]
    fn descriptions_are_ascii_without_quotes_or_backslashes() {
        // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
        for r in [
            OAuthReason::ParameterDuplicated("grant_type"),
            OAuthReason::JwtClaimInvalid("exp"),
            OAuthReason::SamlAssertionCount,
            OAuthReason::JwtAlgorithmNotAllowed,
        ] {
            let d = r.description();
            assert!(d.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'), "{d}");
        }
    }
}
