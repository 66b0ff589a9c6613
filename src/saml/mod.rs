//! SAML 1.1 and 2.0 assertion validation, shared by the WS-Security gateway and the OAuth token endpoint.
//!
//! One parse, one tree: an assertion is validated on the [`Document`] the request was parsed into, its signature is
//! checked by [`crate::dsig::verify`] on that same tree, and **every claim is read through a
//! [`crate::dsig::SignedNode`] of the view that proved the assertion** — never by looking an element up by name across
//! the document. Signature wrapping (XSW1–8 of Somorovsky et al., "On Breaking SAML", 2012) and comment injection
//! (CVE-2017-11427 family) fail by construction: the node sluis reads is the node the signature covers, and a signed
//! text value is all of its text.
//!
//! | file | implements |
//! |---|---|
//! | `issuer`, `metadata` | [`IssuerRegistry`]: per issuer, the keys that may sign (pinned, CA-chained, or SAML 2.0 Metadata §2.3–2.4 `KeyDescriptor`s) |
//! | `signature` | SAML Core §5.4: an enveloped `ds:Signature` child whose Reference is its parent, verified with that issuer's keys |
//! | `response` | SAML 2.0 Core §3.2.2 / 1.1 Core §3.4 `Response`: version, status, `Destination`, `InResponseTo`, exactly one assertion |
//! | `saml2`, `saml1` | reading the assertion (2.0 Core §2.3–2.7; 1.1 Core §2.3–2.4) through its view, schema order enforced |
//! | `conditions` | 2.0 Core §2.5 / 1.1 Core §2.3.2.1: time window with skew, lifetime cap, audiences, `OneTimeUse`, `ProxyRestriction`, unknown → refused |
//! | `confirmation` | 2.0 Core §2.4.1, Profiles §4.1.4.2–4.1.4.5: bearer, holder-of-key, sender-vouches |
//! | `encryption` | 2.0 Core §2.3.4 `EncryptedAssertion` with XML Encryption 1.1: RSA-OAEP key transport, AES-GCM |
//! | `validate` | the rules in order, then the replay cache |
//! | `assertion` | [`ValidatedAssertion`], [`Principal`](crate::principal::Principal) |
//! | [`sign`] | the issuer's side: signing an assertion or response (`sluis sign`, fixtures, interop) |
//! | `policy`, `read` | [`SamlPolicy`] per endpoint; the small readers of signed text, times and element-only content |
//!
//! # Entry points
//!
//! - [`Saml::validate_document`]: bytes in (a `Response` or an `Assertion` as the document element) — the OAuth token
//!   endpoint after base64url-decoding the `assertion` parameter (RFC 7522 §2.1), then
//!   [`ValidatedAssertion::require_bearer`] / [`ValidatedAssertion::bearer_principal`].
//! - [`Saml::validate_assertion`] on a node of an already parsed envelope, with [`AssertionSignature::Own`] (the
//!   assertion carries its issuer's signature) or [`AssertionSignature::AttestedBy`] (sender-vouches: the WS-Security
//!   layer verified a message signature covering it and decided to trust the attesting entity); the WS-Security layer
//!   then picks from [`ValidatedAssertion::confirmations`] per route (holder-of-key keys are returned for it to match
//!   against the message signature's key).
//! - [`Saml::validate_response`] on a `samlp:Response` node.
//! - [`Saml::validate_assertion_unrecorded`]: the same checks without the replay cache, for a caller that chooses a
//!   confirmation first and then [`UnrecordedAssertion::record`]s the assertion it uses (a failed message then uses
//!   up no bearer assertion).
//!
//! ```
//! use std::sync::Arc;
//! use sluis::clock::DateTime;
//! use sluis::saml::{Context, IssuerRegistry, IssuerTrust, Saml, SamlPolicy};
//! use sluis::store::ReplayCache;
//! use sluis::trust::{Certificate, KeyPolicy};
//!
//! // Configuration: the IdP and the key it signs with; our audience and the URL assertions are presented at.
//! let pem = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/pki/leaf-rsa2048.cert.pem"))?;
//! let mut idp = IssuerTrust::builder("https://idp.example.org", KeyPolicy::default());
//! idp.pin_certificate(Certificate::from_pem(&pem)?)?;
//! let mut issuers = IssuerRegistry::new();
//! issuers.add(idp.build())?;
//! let policy = SamlPolicy::new(["https://sp.example.org"], ["https://sp.example.org/token"]);
//! let saml = Saml::new(Arc::new(issuers), policy, Arc::new(ReplayCache::new(100_000)));
//!
//! // An assertion nobody signed is refused, whatever it says.
//! let unsigned = br#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"
//!     Version="2.0" IssueInstant="2026-11-25T12:00:00Z"><saml:Issuer>https://idp.example.org</saml:Issuer>
//!     <saml:Subject><saml:NameID>admin</saml:NameID></saml:Subject></saml:Assertion>"#;
//! let now = DateTime::parse("2026-11-25T12:00:10Z")?;
//! let refusal = saml.validate_document(unsigned, &Context::at(now)).unwrap_err();
//! assert_eq!(refusal.code(), "assertion_not_signed");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions
//!
//! - **Clock skew 60 s, maximum lifetime 1 h** ([`policy::DEFAULT_CLOCK_SKEW_SECONDS`],
//!   [`policy::DEFAULT_MAX_LIFETIME_SECONDS`]); both per endpoint.
//! - **Exactly one assertion** per Response; nested assertions (in `Advice`, or anywhere but the Response's direct
//!   children) are never considered.
//! - **Signatures**: on the assertion or on the enclosing Response (unless `want_assertions_signed`); every present
//!   signature must hold; a signature must be a child of what it signs and reference it.
//! - **Encrypted assertions** must carry their own signature: the plaintext is a second document (the one inherent
//!   second parse, same parser, same limits), and claims are only read through a view of the tree they are in; a
//!   Response signature over the ciphertext is verified too but proves nothing about a tree it is not in. AES-CBC only
//!   under [`SamlDanger::allow_aes_cbc`]; RSA 1.5 never.
//! - **Unknown conditions are refused** (SAML Core §2.5.1 "Indeterminate" is not "valid" for a gateway);
//!   `ProxyRestriction` is recorded by default ([`ProxyRestrictionPolicy`]).
//! - **InResponseTo**: refused by default — sluis sends no AuthnRequests ([`InResponseToPolicy`]).
//! - **Replay**: bearer assertions (and any with `OneTimeUse`) are recorded per issuer until their expiry plus skew;
//!   holder-of-key and sender-vouches tokens are reusable until they expire.
//! - **Authentication levels** of the [`Principal`](crate::principal::Principal): bearer 3, holder-of-key 4,
//!   sender-vouches 4 (see [`ValidatedAssertion::principal`]).
//! - **Values as signed**: `NameID` is returned exactly as written (not trimmed: `xs:string`, and trimming would let an
//!   IdP account "admin " act as "admin"); URIs (`Issuer`, `Audience`, `Recipient`) lose surrounding white space per
//!   `xs:anyURI`'s collapse facet.
//! - Refused: SAML 1.0 and other versions, `EncryptedID`/`BaseID` subjects, `Issuer` formats other than entity,
//!   a bearer `SubjectConfirmationData` with `NotBefore` or without `Recipient`/`NotOnOrAfter`; each refusal is a
//!   [`SamlReason`] with a stable code.

mod assertion;
mod conditions;
mod config;
mod confirmation;
mod encryption;
mod issuer;
pub mod metadata;
pub mod policy;
mod read;
mod response;
mod saml1;
mod saml2;
pub mod sign;
mod signature;
mod validate;

pub use assertion::{Attribute, AuthnStatement, NameId, SamlVersion, ValidatedAssertion};
pub use conditions::ProxyRestriction;
pub use config::{SamlConfig, SamlIssuerConfig, SamlMetadataConfig};
pub use confirmation::{Confirmation, ConfirmationKey, ConfirmationMethod};
pub use encryption::{DecryptionKey, XENC11_NS};
pub use issuer::{IssuerRegistry, IssuerTrust, IssuerTrustBuilder};
pub use metadata::{MD_NS, MetadataOptions};
pub use policy::{InResponseToPolicy, ProxyRestrictionPolicy, SamlDanger, SamlPolicy};
pub use validate::UnrecordedAssertion;

use crate::clock::DateTime;
use crate::dsig::{IdIndex, IdPolicy, SAML1_NS, SAML1P_NS, SAML2_NS, SAML2P_NS, VerifiedView};
use crate::reason::{Reason, SamlReason};
use crate::store::ReplayCache;
use crate::xml::{Document, NodeId};
use std::sync::Arc;
use validate::Outer;

/// How a standalone assertion is proven. There is no variant for "not at all": an assertion is accepted only with a
/// valid signature by its issuer, or with a signature the caller verified and chose to trust as an attestation.
#[derive(Clone, Copy, Debug)]
pub enum AssertionSignature<'v, 'd, 'a> {
    /// The assertion carries its issuer's enveloped signature, verified here with the issuer's keys.
    Own,
    /// Sender-vouches (WSS SAML Token Profile 1.1 §3.5.2): the caller verified this signature (the WS-Security message
    /// signature), which must cover the assertion node, and trusts its key as an attesting entity. An assertion proven
    /// only this way yields sender-vouches confirmations only. If the assertion also carries its own signature, that
    /// signature is verified with the issuer's keys as usual.
    AttestedBy(&'v VerifiedView<'d, 'a>),
}

/// Per-request inputs.
#[derive(Clone, Copy, Debug)]
pub struct Context<'r> {
    /// The verification time (from a [`crate::clock::Clock`]; never read here).
    pub now: DateTime,
    /// The ID of the request this response answers, for [`InResponseToPolicy::MatchRequest`].
    pub request_id: Option<&'r str>,
    /// The client's network address, for [`SamlPolicy::check_address`].
    pub client_address: Option<&'r str>,
}

impl Context<'_> {
    /// A context at `now` with no request ID and no client address.
    pub fn at(now: DateTime) -> Self {
        Context { now, request_id: None, client_address: None }
    }
}

/// A SAML relying party: issuers, the endpoint's policy, the replay cache, and decryption keys.
pub struct Saml {
    issuers: Arc<IssuerRegistry>,
    policy: SamlPolicy,
    replay: Arc<ReplayCache>,
    decryption_keys: Vec<DecryptionKey>,
}

impl std::fmt::Debug for Saml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saml")
            .field("issuers", &self.issuers.len())
            .field("policy", &self.policy)
            .field("decryption_keys", &self.decryption_keys.len())
            .finish()
    }
}

impl Saml {
    /// A relying party trusting `issuers` under `policy`, recording one-time assertions in `replay` (share one cache
    /// between endpoints that must not accept the same bearer assertion twice).
    pub fn new(issuers: Arc<IssuerRegistry>, policy: SamlPolicy, replay: Arc<ReplayCache>) -> Self {
        Saml { issuers, policy, replay, decryption_keys: Vec::new() }
    }

    /// Adds a key that `EncryptedAssertion`s may be encrypted to (several for rollover).
    pub fn with_decryption_key(mut self, key: DecryptionKey) -> Self {
        self.decryption_keys.push(key);
        self
    }

    /// This validator recording one-time assertions in `cache` (e.g. a shared store) instead of the one it was made
    /// with.
    pub fn with_replay_cache(mut self, cache: Arc<ReplayCache>) -> Self {
        self.replay = cache;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &SamlPolicy {
        &self.policy
    }

    /// The issuers.
    pub fn issuers(&self) -> &IssuerRegistry {
        &self.issuers
    }

    /// Parses `xml` under the policy's limits and validates its document element: a SAML 2.0 or 1.1 `Response`
    /// ([`Self::validate_response`]) or `Assertion` (with its own signature).
    pub fn validate_document(&self, xml: &[u8], ctx: &Context<'_>) -> Result<ValidatedAssertion, Reason> {
        let doc = Document::parse(xml, &self.policy.limits)?;
        let ids = IdIndex::build(&doc, &IdPolicy::wss_saml())?;
        let root = doc.root_element();
        if root.is(SAML2P_NS, "Response") || root.is(SAML1P_NS, "Response") {
            self.validate_response(&doc, &ids, root.id(), ctx)
        } else if root.is(SAML2_NS, "Assertion") || root.is(SAML1_NS, "Assertion") {
            self.validate_assertion(&doc, &ids, root.id(), AssertionSignature::Own, ctx)
        } else {
            Err(SamlReason::AssertionMissing.into())
        }
    }

    /// Validates the `samlp:Response` element `response` of `doc` (`ids` built from `doc`, e.g. with
    /// [`IdPolicy::wss_saml`]) and the one assertion in it.
    pub fn validate_response(
        &self,
        doc: &Document<'_>,
        ids: &IdIndex,
        response: NodeId,
        ctx: &Context<'_>,
    ) -> Result<ValidatedAssertion, Reason> {
        self.check_response(doc, ids, response, ctx)?.record()
    }

    /// Validates the standalone `Assertion` element `assertion` of `doc` (e.g. inside `wsse:Security`).
    pub fn validate_assertion<'d, 'a>(
        &self,
        doc: &'d Document<'a>,
        ids: &IdIndex,
        assertion: NodeId,
        signature: AssertionSignature<'_, 'd, 'a>,
        ctx: &Context<'_>,
    ) -> Result<ValidatedAssertion, Reason> {
        self.validate_assertion_unrecorded(doc, ids, assertion, signature, ctx)?.record()
    }

    /// [`Self::validate_assertion`] without touching the replay cache: for a caller that decides after validation
    /// whether to use the assertion. Nothing is usable from the result until [`UnrecordedAssertion::record`].
    pub fn validate_assertion_unrecorded<'d, 'a>(
        &self,
        doc: &'d Document<'a>,
        ids: &IdIndex,
        assertion: NodeId,
        signature: AssertionSignature<'_, 'd, 'a>,
        ctx: &Context<'_>,
    ) -> Result<UnrecordedAssertion, Reason> {
        let outer = match signature {
            AssertionSignature::Own => Outer::None,
            AssertionSignature::AttestedBy(view) => Outer::Attester(view),
        };
        self.check_assertion(doc, ids, assertion, outer, ctx, None)
    }
}
