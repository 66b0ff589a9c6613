//! SAML 2.0 bearer assertions at the token endpoint: the `saml2-bearer` grant (RFC 7522 §2.1) and SAML client
//! authentication (§2.2).
//!
//! What this module decides, before and after [`crate::saml`] validates the assertion:
//!
//! 1. **Encoding** (§2.1): base64url (RFC 4648 §5) without line wrapping; padding is tolerated. Anything else —
//!    standard base64 `+`/`/`, whitespace, line breaks — is `saml_assertion_encoding`.
//! 2. **One assertion** (§2.1 "a single SAML 2.0 Assertion"): the document element is `saml2:Assertion` and no
//!    `Assertion` or `EncryptedAssertion` (SAML 1.1 or 2.0) is nested anywhere in it, `Advice` included. The XML is
//!    parsed once, with [`Limits::token_request`].
//! 3. **Issuer first**: the (unverified) `Issuer` picks the configured SAML issuer, and only that issuer's pinned keys
//!    may verify the signature — an assertion naming issuer A signed with issuer B's key fails.
//! 4. **SAML validity** by [`crate::saml`] (§3 items 1–10): signature through the verified view, audience = this
//!    server's issuer identifier, token endpoint URL or a configured alias; bearer `SubjectConfirmation` only, its
//!    `SubjectConfirmationData` `Recipient` = token endpoint (or alias) and its own `NotOnOrAfter` checked even when
//!    `Conditions` has one; `Conditions` times with skew; one-time use of the assertion `ID`.
//! 5. **Lifetime**: the validity window (`NotOnOrAfter - IssueInstant`) must not exceed the configured maximum.
//!
//! Every failure is `invalid_grant` for the grant (RFC 7522 §3.1) and `invalid_client` for client authentication.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::Shared;
use super::config::IssuerFormat;
use super::registry::{Issuer, Registry};
use crate::clock::DateTime;
use crate::dsig::{SAML1_NS, SAML2_NS};
use crate::reason::{OAuthReason, Reason};
use crate::xml::{Document, Limits, Node};

/// base64url, padding optional (RFC 7522 §2.1 forbids line wrapping; padding is tolerated as many clients add it).
const BASE64URL_PAD_INDIFFERENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the token endpoint takes from a validated SAML 2.0 bearer assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedAssertion {
    /// The `Issuer` (entity ID).
    pub issuer: String,
    /// The `Subject` `NameID`, whole (comments do not truncate it).
    pub subject: String,
    /// The assertion `ID`.
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// The earliest of `Conditions/@NotOnOrAfter` and the bearer `SubjectConfirmationData/@NotOnOrAfter`.
    pub not_on_or_after: DateTime,
    /// The `AuthnStatement/@AuthnInstant`, if any (RFC 9068 `auth_time`).
    pub authn_instant: Option<DateTime>,
    /// Attributes: `Name` and values, in document order.
    pub attributes: Vec<(String, Vec<String>)>,
}

/// Decodes the `assertion` (or `client_assertion`) parameter.
pub fn decode(param: &str) -> Result<Vec<u8>, OAuthReason> {
    BASE64URL_PAD_INDIFFERENT.decode(param).map_err(|_| OAuthReason::SamlAssertionEncoding)
}

/// Steps 2 and 3: the document holds exactly one SAML 2.0 assertion; returns it and its configured issuer.
pub fn single_assertion<'d, 'a, 'r>(
    doc: &'d Document<'a>,
    reg: &'r Registry,
) -> Result<(Node<'d, 'a>, &'r Issuer), OAuthReason> {
    let root = doc.root_element();
    if !root.is(SAML2_NS, "Assertion") {
        return Err(OAuthReason::SamlAssertionCount);
    }
    let nested = root.descendants().skip(1).any(|n| {
        n.is_element()
            && matches!(n.namespace(), Some(ns) if ns == SAML2_NS || ns == SAML1_NS)
            && matches!(n.local_name(), "Assertion" | "EncryptedAssertion")
    });
    if nested {
        return Err(OAuthReason::SamlAssertionCount);
    }
    let issuer_text = root
        .element_children()
        .find(|c| c.is(SAML2_NS, "Issuer"))
        .map(|n| n.text_content())
        .ok_or(OAuthReason::SamlIssuerUnknown)?;
    let issuer = reg
        .issuers
        .get(issuer_text.trim())
        .filter(|i| i.format == IssuerFormat::Saml)
        .ok_or(OAuthReason::SamlIssuerUnknown)?;
    Ok((root, issuer))
}

/// Steps 1–5 of the module documentation for one `assertion` parameter.
pub fn validate(
    reg: &Registry,
    shared: &Shared,
    param: &str,
    now: DateTime,
) -> Result<ValidatedAssertion, Reason> {
    let xml = decode(param)?;
    let doc = Document::parse(&xml, &Limits::token_request()).map_err(|e| Reason::Xml(e.reason))?;
    let (assertion, issuer) = single_assertion(&doc, reg)?;
    let validated = validate_with_saml(reg, shared, &doc, assertion, issuer, now)?;
    let window =
        validated.not_on_or_after.unix_seconds().saturating_sub(validated.issue_instant.unix_seconds());
    if window > reg.settings.max_assertion_lifetime {
        return Err(OAuthReason::SamlAssertionLifetime.into());
    }
    Ok(validated)
}

/// Step 4, by [`crate::saml`]. The SAML module's validator is not available in this build yet, so the grant is refused
/// as unavailable (and not advertised in metadata: [`SAML_AVAILABLE`]).
fn validate_with_saml(
    _reg: &Registry,
    _shared: &Shared,
    _doc: &Document<'_>,
    _assertion: Node<'_, '_>,
    _issuer: &Issuer,
    _now: DateTime,
) -> Result<ValidatedAssertion, Reason> {
    Err(OAuthReason::SamlUnavailable.into())
}

/// Whether SAML assertions can be validated in this build (the grant and SAML client authentication are advertised only
/// then).
pub const SAML_AVAILABLE: bool = false;
