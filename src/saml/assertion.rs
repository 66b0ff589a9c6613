//! What validation yields: [`ValidatedAssertion`], and the [`Principal`] built from it.
//!
//! Everything in a `ValidatedAssertion` was read through a [`crate::dsig::SignedNode`] of the view that proved the
//! assertion (see [`super::saml2`] and [`super::saml1`]), and it can only be made by `assertion()` in this crate, after
//! every check in [`super`] passed.

use super::conditions::ProxyRestriction;
use super::confirmation::{Confirmation, ConfirmationMethod};
use crate::clock::DateTime;
use crate::principal::{AuthLevel, Principal, TokenType};
use crate::reason::SamlReason;
use crate::trust::TrustedKey;

/// The SAML version of an assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SamlVersion {
    /// SAML 1.1 (`urn:oasis:names:tc:SAML:1.0:assertion`, MajorVersion 1, MinorVersion 1).
    V1_1,
    /// SAML 2.0 (`urn:oasis:names:tc:SAML:2.0:assertion`, Version 2.0).
    V2_0,
}

/// The subject's identifier: SAML 2.0 `NameID`, SAML 1.1 `NameIdentifier`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameId {
    /// The value: all of the element's signed text, exactly as written (not trimmed).
    pub value: String,
    /// `Format`, if given.
    pub format: Option<String>,
    /// `NameQualifier`, if given.
    pub name_qualifier: Option<String>,
    /// `SPNameQualifier` (2.0), if given.
    pub sp_name_qualifier: Option<String>,
    /// `SPProvidedID` (2.0), if given.
    pub sp_provided_id: Option<String>,
}

/// An authentication statement: SAML 2.0 `AuthnStatement`, SAML 1.1 `AuthenticationStatement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthnStatement {
    /// `AuthnInstant` (1.1: `AuthenticationInstant`).
    pub instant: DateTime,
    /// `AuthnContext/AuthnContextClassRef` (1.1: `AuthenticationMethod`), if given.
    pub context_class_ref: Option<String>,
    /// `SessionIndex` (2.0), if given.
    pub session_index: Option<String>,
    /// `SessionNotOnOrAfter` (2.0), if given.
    pub session_not_on_or_after: Option<DateTime>,
}

/// One attribute with its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// `Name` (1.1: `AttributeName`).
    pub name: String,
    /// `NameFormat` (1.1: `AttributeNamespace`), if given.
    pub name_format: Option<String>,
    /// `FriendlyName` (2.0), if given.
    pub friendly_name: Option<String>,
    /// Each `AttributeValue` as text (all signed text of the value, comments contributing nothing and cutting nothing).
    pub values: Vec<String>,
}

/// An assertion that passed every check, with the claims sluis may act on.
#[derive(Clone, Debug)]
pub struct ValidatedAssertion {
    version: SamlVersion,
    id: String,
    issuer: String,
    issue_instant: DateTime,
    subject: NameId,
    not_before: Option<DateTime>,
    not_on_or_after: Option<DateTime>,
    expires: DateTime,
    audiences: Vec<String>,
    one_time_use: bool,
    proxy_restriction: Option<ProxyRestriction>,
    authn_statements: Vec<AuthnStatement>,
    attributes: Vec<Attribute>,
    confirmations: Vec<Confirmation>,
    signing_key: TrustedKey,
    issuer_signed: bool,
    encrypted: bool,
}

/// The parts of a [`ValidatedAssertion`], gathered by the validator before it calls `assertion()`.
pub(crate) struct Claims {
    pub version: SamlVersion,
    pub id: String,
    pub issuer: String,
    pub issue_instant: DateTime,
    pub subject: NameId,
    pub not_before: Option<DateTime>,
    pub not_on_or_after: Option<DateTime>,
    pub expires: DateTime,
    pub audiences: Vec<String>,
    pub one_time_use: bool,
    pub proxy_restriction: Option<ProxyRestriction>,
    pub authn_statements: Vec<AuthnStatement>,
    pub attributes: Vec<Attribute>,
}

impl ValidatedAssertion {
    /// Only the validator in [`super`] builds these, after every check passed (named `assertion` so a grep finds it).
    pub(crate) fn assertion(
        claims: Claims,
        confirmations: Vec<Confirmation>,
        signing_key: TrustedKey,
        issuer_signed: bool,
        encrypted: bool,
    ) -> Self {
        let Claims {
            version,
            id,
            issuer,
            issue_instant,
            subject,
            not_before,
            not_on_or_after,
            expires,
            audiences,
            one_time_use,
            proxy_restriction,
            authn_statements,
            attributes,
        } = claims;
        ValidatedAssertion {
            version,
            id,
            issuer,
            issue_instant,
            subject,
            not_before,
            not_on_or_after,
            expires,
            audiences,
            one_time_use,
            proxy_restriction,
            authn_statements,
            attributes,
            confirmations,
            signing_key,
            issuer_signed,
            encrypted,
        }
    }

    /// SAML 1.1 or 2.0.
    pub fn version(&self) -> SamlVersion {
        self.version
    }

    /// The assertion's `ID` (1.1: `AssertionID`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The issuer's entity ID (checked to be the issuer whose key verified the signature, unless only an attesting
    /// entity signed: see [`Self::issuer_signed`]).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `IssueInstant`.
    pub fn issue_instant(&self) -> DateTime {
        self.issue_instant
    }

    /// The subject's identifier.
    pub fn subject(&self) -> &NameId {
        &self.subject
    }

    /// `Conditions/@NotBefore`.
    pub fn not_before(&self) -> Option<DateTime> {
        self.not_before
    }

    /// `Conditions/@NotOnOrAfter`.
    pub fn not_on_or_after(&self) -> Option<DateTime> {
        self.not_on_or_after
    }

    /// When sluis stops accepting the assertion: the earlier of `NotOnOrAfter` and `IssueInstant` plus the policy's
    /// maximum lifetime.
    pub fn expires(&self) -> DateTime {
        self.expires
    }

    /// When sluis stops accepting the assertion as presented with `confirmation`: [`Self::expires`], or the
    /// confirmation's own `NotOnOrAfter` if earlier (for a token endpoint: the latest useful access-token expiry).
    pub fn expires_for(&self, confirmation: &Confirmation) -> DateTime {
        confirmation.not_on_or_after().map_or(self.expires, |c| c.min(self.expires))
    }

    /// Every audience of every audience restriction (each restriction was checked to name one of ours).
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// Whether the assertion carried a `OneTimeUse` condition (it was then recorded in the replay cache).
    pub fn one_time_use(&self) -> bool {
        self.one_time_use
    }

    /// The `ProxyRestriction` condition, if any: code that issues new tokens on the basis of this assertion (the
    /// token endpoint) must honour `count == Some(0)` and the audiences.
    pub fn proxy_restriction(&self) -> Option<&ProxyRestriction> {
        self.proxy_restriction.as_ref()
    }

    /// The authentication statements.
    pub fn authn_statements(&self) -> &[AuthnStatement] {
        &self.authn_statements
    }

    /// The first authentication statement's `AuthnInstant`.
    pub fn authn_instant(&self) -> Option<DateTime> {
        self.authn_statements.first().map(|s| s.instant)
    }

    /// The first authentication statement's `AuthnContextClassRef` (1.1: `AuthenticationMethod`).
    pub fn authn_context_class_ref(&self) -> Option<&str> {
        self.authn_statements.first().and_then(|s| s.context_class_ref.as_deref())
    }

    /// The first authentication statement's `SessionIndex`.
    pub fn session_index(&self) -> Option<&str> {
        self.authn_statements.first().and_then(|s| s.session_index.as_deref())
    }

    /// The attributes of all attribute statements, in document order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// The values of the first attribute named `name`.
    pub fn attribute(&self, name: &str) -> Option<&[String]> {
        self.attributes.iter().find(|a| a.name == name).map(|a| a.values.as_slice())
    }

    /// The subject confirmations that validated (at least one). Which of them is acceptable is the caller's policy.
    pub fn confirmations(&self) -> &[Confirmation] {
        &self.confirmations
    }

    /// The validated confirmation with `method`, or [`SamlReason::NoBearerConfirmation`] (bearer) /
    /// [`SamlReason::ConfirmationMethodNotAccepted`] (the others).
    pub fn require(&self, method: ConfirmationMethod) -> Result<&Confirmation, SamlReason> {
        self.confirmations.iter().find(|c| c.method() == method).ok_or(match method {
            ConfirmationMethod::Bearer => SamlReason::NoBearerConfirmation,
            _ => SamlReason::ConfirmationMethodNotAccepted,
        })
    }

    /// The one-call check of the OAuth token endpoint (RFC 7522 §3 item 5: "bearer", with the token endpoint as
    /// `Recipient` — the recipient was checked against the policy's recipients during validation).
    pub fn require_bearer(&self) -> Result<&Confirmation, SamlReason> {
        self.require(ConfirmationMethod::Bearer)
    }

    /// The key whose signature proved the assertion: the issuer's (on the assertion or on its Response), or, when only
    /// an attesting entity signed, the attester's.
    pub fn signing_key(&self) -> &TrustedKey {
        &self.signing_key
    }

    /// Whether the issuer's own key signed the assertion (or its Response). False only for sender-vouches assertions
    /// that only the attesting entity's signature covers.
    pub fn issuer_signed(&self) -> bool {
        self.issuer_signed
    }

    /// Whether the assertion arrived as an `EncryptedAssertion`.
    pub fn was_encrypted(&self) -> bool {
        self.encrypted
    }

    /// The caller as a [`Principal`], confirmed by `method` (which must have validated).
    ///
    /// Authentication levels: bearer → 3 (a token obtained with credentials at the IdP; whoever holds it is the
    /// subject); holder-of-key → 4 (the presenter proves a key, public-key cryptography); sender-vouches → 4, the level
    /// of the attesting signature — sluis accepts only XML signatures by keys the caller trusts as attestations, so the
    /// message was signed with public-key cryptography by an entity that vouches for the subject. A route that wants
    /// the *subject's* own proof should require holder-of-key instead.
    pub fn principal(&self, method: ConfirmationMethod) -> Result<Principal, SamlReason> {
        self.require(method)?;
        let level = match method {
            ConfirmationMethod::Bearer => AuthLevel::TOKEN_FROM_CREDENTIALS,
            ConfirmationMethod::HolderOfKey | ConfirmationMethod::SenderVouches => AuthLevel::PUBLIC_KEY,
        };
        let token_type = match self.version {
            SamlVersion::V1_1 => TokenType::Saml11,
            SamlVersion::V2_0 => TokenType::Saml20,
        };
        let attributes = self.attributes.iter().map(|a| (a.name.clone(), a.values.clone())).collect();
        Ok(Principal::assertion(
            self.subject.value.clone(),
            Some(self.issuer.clone()),
            token_type,
            level,
            attributes,
        ))
    }

    /// [`Self::principal`] for bearer: what the token endpoint calls.
    pub fn bearer_principal(&self) -> Result<Principal, SamlReason> {
        self.principal(ConfirmationMethod::Bearer)
    }
}

/// An assertion as read through its view, before the rules are applied (see [`super::saml2::read`],
/// [`super::saml1::read`]).
#[derive(Debug)]
pub(crate) struct Parsed {
    pub version: SamlVersion,
    pub id: String,
    pub issuer: String,
    pub issue_instant: DateTime,
    /// The subject's `NameID`; `Err` when the subject is missing or identified in a form sluis does not process.
    pub subject: Result<NameId, SamlReason>,
    pub confirmations: Vec<super::confirmation::RawConfirmation>,
    pub conditions: super::conditions::Conditions,
    pub authn_statements: Vec<AuthnStatement>,
    pub attributes: Vec<Attribute>,
}
