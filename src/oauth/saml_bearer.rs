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
//!    may verify the signature — an assertion naming issuer A signed with issuer B's key fails ([`IssuerRegistry`]:
//!    one trust store per issuer).
//! 4. **SAML validity** by [`crate::saml`] (§3 items 1–10): signature through the verified view, audience = this
//!    server's issuer identifier, token endpoint URL or a configured alias; bearer `SubjectConfirmation` only, its
//!    `SubjectConfirmationData` `Recipient` = token endpoint (or alias) and its own `NotOnOrAfter` checked even when
//!    `Conditions` has one; `Conditions` times with skew; `InResponseTo` refused unless configured; SAML 1.1 refused;
//!    one-time use of the assertion `ID` (recorded last, per issuer).
//! 5. **Lifetime**: the validity window (`NotOnOrAfter - IssueInstant`) must not exceed the configured maximum.
//!
//! Every failure is `invalid_grant` for the grant (RFC 7522 §3.1) and `invalid_client` for client authentication.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use std::sync::Arc;

use super::registry::{Registry, Settings};
use crate::clock::DateTime;
use crate::dsig::{IdIndex, IdPolicy, SAML1_NS, SAML2_NS};
use crate::reason::{OAuthReason, Reason};
use crate::saml::{AssertionSignature, Context, InResponseToPolicy, IssuerRegistry, Saml, SamlPolicy};
use crate::store::ReplayCache;
use crate::xml::{Document, Limits, Node};

/// base64url, padding optional (RFC 7522 §2.1 forbids line wrapping; padding is tolerated as many clients add it).
const BASE64URL_PAD_INDIFFERENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the token endpoint takes from a validated SAML 2.0 bearer assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BearerAssertion {
    /// The `Issuer` (entity ID).
    pub issuer: String,
    /// The `Subject` `NameID`, whole (comments do not truncate it).
    pub subject: String,
    /// The assertion `ID`.
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// When the bearer confirmation stops: the earliest of `Conditions/@NotOnOrAfter` and the bearer
    /// `SubjectConfirmationData/@NotOnOrAfter`.
    pub not_on_or_after: DateTime,
    /// The `AuthnStatement/@AuthnInstant`, if any (RFC 9068 `auth_time`).
    pub authn_instant: Option<DateTime>,
    /// Attributes: `Name` and values, in document order.
    pub attributes: Vec<(String, Vec<String>)>,
}

/// The SAML relying party of the token endpoint, built from the `format = "saml"` issuers: each issuer's pinned keys in
/// its own trust store ([`IssuerRegistry`]), and a policy whose audiences are this server's identities (issuer
/// identifier, token endpoint URL, aliases) and whose recipients are the token endpoint URL and its aliases.
pub fn relying_party(
    issuers: IssuerRegistry,
    settings: &Settings,
    accept_in_response_to: bool,
    replay: Arc<ReplayCache>,
) -> Saml {
    let mut policy =
        SamlPolicy::new(settings.own_identities.iter().cloned(), settings.recipients.iter().cloned());
    policy.clock_skew_seconds = settings.clock_skew;
    policy.max_lifetime_seconds = settings.max_assertion_lifetime;
    // RFC 7522 profiles SAML 2.0 only.
    policy.accept_saml11 = false;
    policy.limits = Limits::token_request();
    policy.one_time_use_bearer = true;
    if accept_in_response_to {
        policy.in_response_to = InResponseToPolicy::AcceptAny;
    }
    Saml::new(Arc::new(issuers), policy, replay)
}

/// Decodes the `assertion` (or `client_assertion`) parameter.
pub fn decode(param: &str) -> Result<Vec<u8>, OAuthReason> {
    BASE64URL_PAD_INDIFFERENT.decode(param).map_err(|_| OAuthReason::SamlAssertionEncoding)
}

/// Step 2: the document holds exactly one SAML 2.0 assertion, as its document element.
pub fn single_assertion<'d, 'a>(doc: &'d Document<'a>) -> Result<Node<'d, 'a>, OAuthReason> {
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
    Ok(root)
}

/// Steps 1–5 of the module documentation for one `assertion` parameter. The assertion's `ID` is recorded in the replay
/// cache by [`crate::saml`] once every SAML check passed.
pub fn validate(reg: &Registry, param: &str, now: DateTime) -> Result<BearerAssertion, Reason> {
    let saml = reg.saml.as_ref().ok_or(OAuthReason::SamlUnavailable)?;
    let xml = decode(param)?;
    let doc = Document::parse(&xml, &Limits::token_request())?;
    let root = single_assertion(&doc)?;
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml())?;
    let validated =
        saml.validate_assertion(&doc, &ids, root.id(), AssertionSignature::Own, &Context::at(now))?;
    // RFC 7522 §3 item 5: a bearer confirmation, its Recipient one of ours (checked by the policy) and its own
    // NotOnOrAfter honoured even when Conditions has an earlier or later one.
    let bearer = validated.require_bearer()?;
    let not_on_or_after = validated.expires_for(bearer);
    let window = not_on_or_after.unix_seconds().saturating_sub(validated.issue_instant().unix_seconds());
    if window > reg.settings.max_assertion_lifetime {
        return Err(OAuthReason::SamlAssertionLifetime.into());
    }
    Ok(BearerAssertion {
        issuer: validated.issuer().to_owned(),
        subject: validated.subject().value.clone(),
        id: validated.id().to_owned(),
        issue_instant: validated.issue_instant(),
        not_on_or_after,
        authn_instant: validated.authn_instant(),
        attributes: validated.attributes().iter().map(|a| (a.name.clone(), a.values.clone())).collect(),
    })
}
