//! What a relying party accepts: [`SamlPolicy`], one per endpoint (the WS-Security gateway and the OAuth token
//! endpoint each build their own, with their own audiences and recipients, and may share one
//! [`super::IssuerRegistry`]).
//!
//! Defaults are the strict reading of SAML Core/Profiles; the knobs that weaken a check against a known attack live in
//! [`SamlDanger`].

use crate::xml::Limits;

/// The default clock skew: 60 seconds.
///
/// Every time comparison (`NotBefore`, `NotOnOrAfter`, `IssueInstant`, `SubjectConfirmationData` times) tolerates this
/// much disagreement between the issuer's clock and ours. Servers synchronised by NTP differ by milliseconds; 60 s
/// absorbs a badly kept clock without stretching a bearer assertion's life much. (OpenSAML-based SPs default to
/// 180 s, crewjam/saml to 180 s for `NotBefore` only; a bearer credential's window is the risk, so sluis takes less.)
pub const DEFAULT_CLOCK_SKEW_SECONDS: i64 = 60;

/// The default maximum lifetime of an assertion: one hour, the token lifetime AD FS and most enterprise IdPs issue
/// (web-SSO IdPs issue five minutes). `NotOnOrAfter - IssueInstant` may not exceed it, and an assertion without
/// `NotOnOrAfter` expires at `IssueInstant` plus this much. STS deployments issuing longer-lived holder-of-key tokens
/// raise it per endpoint.
pub const DEFAULT_MAX_LIFETIME_SECONDS: i64 = 3600;

/// What to do with `InResponseTo` (on the Response and on `SubjectConfirmationData`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InResponseToPolicy {
    /// sluis sent no request (WS-Security gateway, OAuth token endpoint): an assertion issued in response to someone
    /// else's request was meant for that requester's session, so any `InResponseTo` is refused (SAML Profiles
    /// §4.1.4.3 makes the value bind the assertion to a request; an assertion bound to a request we never made is not
    /// ours to accept).
    #[default]
    Refuse,
    /// Any value, or none, is accepted (for token endpoints whose clients present assertions from their own
    /// SP-initiated logins; sluis cannot know those requests).
    AcceptAny,
    /// The value must equal [`super::Context::request_id`]; a missing value is accepted only when
    /// `allow_unsolicited` (IdP-initiated responses).
    MatchRequest {
        /// Accept responses and confirmations without `InResponseTo`.
        allow_unsolicited: bool,
    },
}

/// What to do with a `ProxyRestriction` condition (SAML Core §2.5.1.6).
///
/// The condition limits what a relying party may do when it issues assertions of its own based on this one. sluis's
/// token endpoint does that (it mints JWTs), so the restriction is recorded on the
/// [`super::ValidatedAssertion`] (`proxy_restriction()`), and the minting code decides; or it is refused outright.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProxyRestrictionPolicy {
    /// Accept and record `Count` and the audiences.
    #[default]
    Record,
    /// Refuse any assertion carrying one ([`crate::reason::SamlReason::ProxyRestricted`]).
    Refuse,
}

/// Weakening knobs, each off by default, each defeating a protection against a published attack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SamlDanger {
    /// Decrypt `EncryptedData` using AES-CBC (`xmlenc#aes128-cbc`, `aes192-cbc`, `aes256-cbc`). Off: CBC in XML
    /// Encryption is a padding/format oracle (Jager and Somorovsky, "How to Break XML Encryption", CCS 2011); only
    /// AES-GCM (XML Encryption 1.1) is accepted by default.
    pub allow_aes_cbc: bool,
    /// Accept assertions without any `AudienceRestriction`. Off: such an assertion is valid at every relying party
    /// of the issuer (RFC 7522 §3 item 3 and SAML Profiles §4.1.4.2 require the restriction).
    pub allow_missing_audience: bool,
}

/// The acceptance rules of one relying-party endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamlPolicy {
    /// Our audience URIs (entity ID, token endpoint URL, …). Every `AudienceRestriction` must name at least one.
    pub audiences: Vec<String>,
    /// The URLs at which assertions are presented to us (the ACS or token endpoint, with aliases). A bearer
    /// confirmation's `Recipient`, and a Response's `Destination`, must be one of them.
    pub recipients: Vec<String>,
    /// Allowed clock skew in seconds ([`DEFAULT_CLOCK_SKEW_SECONDS`]).
    pub clock_skew_seconds: i64,
    /// Maximum assertion lifetime in seconds ([`DEFAULT_MAX_LIFETIME_SECONDS`]).
    pub max_lifetime_seconds: i64,
    /// Require a signature on the assertion itself; a signed Response around an unsigned assertion is then refused
    /// (`assertion_not_signed`). Off by default: a Response signature covers the assertion in it, and many IdPs sign
    /// only the Response (SAML Profiles §4.1.3.5 allows either).
    pub want_assertions_signed: bool,
    /// Require assertions in Responses to arrive as `EncryptedAssertion`.
    pub require_encrypted_assertions: bool,
    /// The `InResponseTo` rule.
    pub in_response_to: InResponseToPolicy,
    /// Compare `SubjectConfirmationData/@Address` with [`super::Context::client_address`] when both are present.
    /// Off by default: proxies and NAT make the client address unreliable.
    pub check_address: bool,
    /// Record bearer assertions in the replay cache so each is accepted once (SAML Profiles §4.1.4.5). On by
    /// default. Assertions with a `OneTimeUse` condition are recorded whatever this says; holder-of-key and
    /// sender-vouches assertions are otherwise reusable until they expire (a WS-Security client sends the same token
    /// with every message).
    pub one_time_use_bearer: bool,
    /// The `ProxyRestriction` rule.
    pub proxy_restriction: ProxyRestrictionPolicy,
    /// Accept SAML 1.1 assertions (and 1.1 Responses). On by default (WS-Security SAML Token Profile 1.1 peers).
    pub accept_saml11: bool,
    /// Parser limits for documents this module parses itself: [`super::Saml::validate_document`] and the plaintext
    /// of an `EncryptedAssertion`. The 256 KiB token-request limits by default.
    pub limits: Limits,
    /// Weakening knobs.
    pub danger: SamlDanger,
}

impl Default for SamlPolicy {
    fn default() -> Self {
        SamlPolicy {
            audiences: Vec::new(),
            recipients: Vec::new(),
            clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            max_lifetime_seconds: DEFAULT_MAX_LIFETIME_SECONDS,
            want_assertions_signed: false,
            require_encrypted_assertions: false,
            in_response_to: InResponseToPolicy::default(),
            check_address: false,
            one_time_use_bearer: true,
            proxy_restriction: ProxyRestrictionPolicy::default(),
            accept_saml11: true,
            limits: Limits::token_request(),
            danger: SamlDanger::default(),
        }
    }
}

impl SamlPolicy {
    /// A policy with these audiences and recipients and every other rule at its default.
    pub fn new<A, R>(audiences: A, recipients: R) -> Self
    where
        A: IntoIterator,
        A::Item: Into<String>,
        R: IntoIterator,
        R::Item: Into<String>,
    {
        SamlPolicy {
            audiences: audiences.into_iter().map(Into::into).collect(),
            recipients: recipients.into_iter().map(Into::into).collect(),
            ..SamlPolicy::default()
        }
    }

    pub(crate) fn is_audience(&self, value: &str) -> bool {
        self.audiences.iter().any(|a| a == value)
    }

    pub(crate) fn is_recipient(&self, value: &str) -> bool {
        self.recipients.iter().any(|r| r == value)
    }
}
