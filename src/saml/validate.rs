//! The assertion rules, in order: version, issuer and its keys, signature placement and verification, then — reading
//! only through the view that proved the assertion — claims, conditions, subject, authentication statements,
//! confirmations, and last the replay cache (so refused assertions never fill it).

use super::assertion::{Claims, Parsed, SamlVersion, ValidatedAssertion};
use super::conditions::{self, TimeCheck};
use super::confirmation::Confirmation;
use super::confirmation::{self, ConfirmationCheck, ConfirmationMethod, Signers};
use super::read::trim_ws;
use super::signature::{Signed, signature_child, verify_enveloped};
use super::{Context, Saml, saml1, saml2};
use crate::clock::DateTime;
use crate::dsig::{IdIndex, SAML1_NS, SAML2_NS, VerifiedView};
use crate::reason::{Reason, SamlReason};
use crate::store::{ReplayCache, ReplayError};
use crate::xml::{Document, Node, NodeId};
use std::sync::Arc;

/// The namespace of assertion IDs in the replay cache; the issuer is appended (IDs are unique per issuer only).
const REPLAY_NAMESPACE: &str = "saml-assertion:";

/// What, besides a signature of its own, may prove an assertion.
#[derive(Clone, Copy)]
pub(crate) enum Outer<'v, 'd, 'a> {
    /// Nothing: the assertion must carry its own valid signature by its issuer.
    None,
    /// The verified signature of the enclosing Response (by the Response's issuer).
    Response(&'v VerifiedView<'d, 'a>),
    /// A signature the caller verified and trusts as an attestation (WS-Security sender-vouches).
    Attester(&'v VerifiedView<'d, 'a>),
}

/// Facts from the enclosing Response the assertion must agree with.
#[derive(Clone, Debug, Default)]
pub(crate) struct ResponseFacts {
    /// The Response's `Issuer`, if it has one.
    pub issuer: Option<String>,
    /// Whether the assertion arrived as an `EncryptedAssertion` (and is being validated from its plaintext).
    pub encrypted: bool,
}

/// The SAML version of the assertion element `node`, or why it is not one sluis accepts.
pub(crate) fn assertion_version(node: Node<'_, '_>, accept_saml11: bool) -> Result<SamlVersion, SamlReason> {
    if node.is(SAML2_NS, "Assertion") {
        return match node.attribute(None, "Version") {
            Some("2.0") => Ok(SamlVersion::V2_0),
            Some(_) => Err(SamlReason::VersionUnsupported),
            None => Err(SamlReason::MalformedAssertion("Assertion/@Version")),
        };
    }
    if node.is(SAML1_NS, "Assertion") {
        return match (node.attribute(None, "MajorVersion"), node.attribute(None, "MinorVersion")) {
            (Some("1"), Some("1")) if accept_saml11 => Ok(SamlVersion::V1_1),
            (Some(_), Some(_)) => Err(SamlReason::VersionUnsupported),
            _ => Err(SamlReason::MalformedAssertion("Assertion/@MajorVersion")),
        };
    }
    Err(SamlReason::AssertionMissing)
}

/// The issuer an assertion *claims*, read before verification only to choose the keys to verify with.
pub(crate) fn claimed_issuer(node: Node<'_, '_>, version: SamlVersion) -> Result<String, SamlReason> {
    let value = match version {
        SamlVersion::V2_0 => node
            .element_children()
            .next()
            .filter(|c| c.is(SAML2_NS, "Issuer"))
            .map(|c| trim_ws(&c.text_content()).to_owned()),
        SamlVersion::V1_1 => node.attribute(None, "Issuer").map(|i| trim_ws(i).to_owned()),
    };
    value.filter(|v| !v.is_empty()).ok_or(SamlReason::IssuerMissing)
}

impl Saml {
    /// Validates the assertion element `node` of `doc`.
    pub(crate) fn check_assertion<'d, 'a>(
        &self,
        doc: &'d Document<'a>,
        ids: &IdIndex,
        node: NodeId,
        outer: Outer<'_, 'd, 'a>,
        ctx: &Context<'_>,
        response: Option<&ResponseFacts>,
    ) -> Result<UnrecordedAssertion, Reason> {
        let policy = &self.policy;
        let element = doc.node(node);
        let version = assertion_version(element, policy.accept_saml11)?;
        let claimed = claimed_issuer(element, version)?;
        if let Some(expected) = response.and_then(|r| r.issuer.as_deref())
            && expected != claimed
        {
            return Err(SamlReason::IssuerMismatch.into());
        }
        let issuer = self.issuers.trusted(&claimed, ctx.now)?;

        let own_view = match signature_child(element)? {
            Some(sig) => Some(verify_enveloped(doc, ids, node, sig, issuer, ctx.now, Signed::Assertion)?),
            None => None,
        };
        let attester = match outer {
            Outer::Attester(view) => {
                if !std::ptr::eq(view.document(), doc) || !view.is_signed(node) {
                    return Err(SamlReason::AttestationNotCovering.into());
                }
                Some(view)
            }
            _ => None,
        };
        let (view, issuer_signed): (&VerifiedView<'d, 'a>, bool) = match (&own_view, outer) {
            (Some(own), _) => (own, true),
            (None, Outer::Response(rv)) => {
                if policy.want_assertions_signed || !rv.is_signed(node) {
                    return Err(SamlReason::AssertionNotSigned.into());
                }
                (rv, true)
            }
            (None, Outer::Attester(av)) => (av, false),
            (None, Outer::None) => return Err(SamlReason::AssertionNotSigned.into()),
        };
        let signed = view.signed(node).ok_or(SamlReason::AssertionNotSigned)?;

        // From here on every value comes from `signed`.
        let parsed: Parsed = match version {
            SamlVersion::V2_0 => saml2::read(view, &signed)?,
            SamlVersion::V1_1 => saml1::read(view, &signed)?,
        };
        if parsed.issuer != claimed {
            return Err(SamlReason::IssuerMismatch.into());
        }
        let time = TimeCheck::new(ctx.now, policy);
        let expires = conditions::check(&parsed.conditions, parsed.issue_instant, &time, policy)?;
        let subject = parsed.subject.clone()?;
        for s in &parsed.authn_statements {
            if !time.reached(s.instant) {
                return Err(SamlReason::AuthnInstantInFuture.into());
            }
            if s.session_not_on_or_after.is_some_and(|end| !time.before(end)) {
                return Err(SamlReason::SessionExpired.into());
            }
        }
        let check = ConfirmationCheck {
            policy,
            time,
            issue_instant: parsed.issue_instant,
            request_id: ctx.request_id,
            client_address: ctx.client_address,
            saml11: version == SamlVersion::V1_1,
        };
        let signers = Signers { issuer_signed, attester: attester.map(|v| v.key()) };
        let confirmations = confirmation::check_all(&parsed.confirmations, signers, &check)?;

        let bearer = confirmations.iter().any(|c| c.method() == ConfirmationMethod::Bearer);
        let replay =
            (parsed.conditions.one_time_use || (bearer && policy.one_time_use_bearer)).then(|| ReplayEntry {
                namespace: format!("{REPLAY_NAMESPACE}{}", parsed.issuer),
                until: expires.plus_seconds(time.skew),
                now: ctx.now,
            });

        let Parsed { version, id, issuer, issue_instant, conditions, authn_statements, attributes, .. } =
            parsed;
        let claims = Claims {
            version,
            id,
            issuer,
            issue_instant,
            subject,
            not_before: conditions.not_before,
            not_on_or_after: conditions.not_on_or_after,
            expires,
            audiences: conditions.audience_restrictions.into_iter().flatten().collect(),
            one_time_use: conditions.one_time_use,
            proxy_restriction: conditions.proxy_restriction,
            authn_statements,
            attributes,
        };
        let encrypted = response.is_some_and(|r| r.encrypted);
        let assertion = ValidatedAssertion::assertion(
            claims,
            confirmations,
            view.key().clone(),
            issuer_signed,
            encrypted,
        );
        Ok(UnrecordedAssertion { assertion, replay, cache: Arc::clone(&self.replay) })
    }
}

/// The replay-cache entry an assertion needs before it may be used.
#[derive(Clone, Debug)]
struct ReplayEntry {
    namespace: String,
    until: DateTime,
    now: DateTime,
}

/// An assertion that passed every rule except the replay cache, which has not been consulted yet.
///
/// For callers that validate first and decide afterwards whether to use the assertion (the WS-Security gateway
/// chooses a confirmation against the message signatures, possibly validating the same assertion twice): it shows
/// what the choice needs — ID, issuer, confirmations and their keys — but no claims and no
/// [`Principal`](crate::principal::Principal). [`Self::record`] consults the cache (when the assertion is one-time:
/// bearer under the default policy, or `OneTimeUse`) and yields the [`ValidatedAssertion`]. Dropping it instead uses
/// nothing up.
#[derive(Debug)]
pub struct UnrecordedAssertion {
    assertion: ValidatedAssertion,
    replay: Option<ReplayEntry>,
    cache: Arc<ReplayCache>,
}

impl UnrecordedAssertion {
    /// The assertion's ID.
    pub fn id(&self) -> &str {
        self.assertion.id()
    }

    /// The issuer's entity ID.
    pub fn issuer(&self) -> &str {
        self.assertion.issuer()
    }

    /// The confirmations that validated.
    pub fn confirmations(&self) -> &[Confirmation] {
        self.assertion.confirmations()
    }

    /// The validated confirmation with `method` (see [`ValidatedAssertion::require`]).
    pub fn require(&self, method: ConfirmationMethod) -> Result<&Confirmation, SamlReason> {
        self.assertion.require(method)
    }

    /// Whether [`Self::record`] will enter the assertion in the replay cache (and so refuse a second use).
    pub fn is_one_time(&self) -> bool {
        self.replay.is_some()
    }

    /// Enters the assertion in the replay cache if it is one-time ([`SamlReason::AssertionReplayed`] if it was
    /// already there, [`SamlReason::ReplayCacheFull`] if there is no room), and returns it.
    pub fn record(self) -> Result<ValidatedAssertion, Reason> {
        if let Some(r) = &self.replay {
            match self.cache.check_and_insert(&r.namespace, self.assertion.id(), r.until, r.now) {
                Ok(()) => {}
                Err(ReplayError::Replayed) => return Err(SamlReason::AssertionReplayed.into()),
                Err(ReplayError::Full) => return Err(SamlReason::ReplayCacheFull.into()),
                Err(ReplayError::Unavailable) => return Err(SamlReason::ReplayStoreUnavailable.into()),
            }
        }
        Ok(self.assertion)
    }
}
