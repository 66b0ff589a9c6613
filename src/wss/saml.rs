//! SAML 1.1 and 2.0 assertions as WS-Security tokens (WSS SAML Token Profile 1.1 §3), validated by
//! [`crate::saml::Saml`] on the same tree.
//!
//! An assertion token is a `saml:Assertion` / `saml2:Assertion` **child of sluis's Security header** (others are
//! never considered); signatures refer to it by `KeyIdentifier` `#SAMLAssertionID` (1.1) / `#SAMLID` (2.0) or by
//! direct reference (see `reference.rs`). Processing happens in two steps around signature verification:
//!
//! 1. **Before** the header's signatures are verified, each assertion is validated with its issuer's own signature
//!    ([`AssertionSignature::Own`]: issuer trusted, signature, conditions, audience, confirmation data). The
//!    holder-of-key confirmation keys of a valid assertion become the keys a `SecurityTokenReference` to the
//!    assertion resolves to — trusted because the issuer signed them into the assertion, not by the trust store.
//! 2. **After**, the confirmation method is chosen against the verified message signatures (§3.5):
//!    - **holder-of-key** (§3.5.1): a verified header signature made with one of the confirmation keys covers the Body
//!      — otherwise [`WssReason::HolderOfKeyNotProven`]; authentication level 4;
//!    - **sender-vouches** (§3.5.2): one verified header signature by an X.509 key of sluis's trust store (the
//!      attesting entity) covers *both* the assertion and the Body; the assertion is then validated with that
//!      signature as attestation ([`AssertionSignature::AttestedBy`]) — otherwise
//!      [`WssReason::SenderVouchesNotCovered`]; level 4 (the attesting signature's);
//!    - **bearer**: the issuer's signature is all the proof there is (replay-checked by the saml module); level 3.
//!
//!    Holder-of-key is preferred, then sender-vouches, then bearer, when an assertion offers several.
//!
//! The STR-Transform (referencing an assertion through its STR) is not among the transforms sluis runs: a
//! sender-vouches signature must reference the assertion itself.

use super::reference::HolderOfKey;
use super::signatures::Verified;
use crate::clock::DateTime;
use crate::dsig::{IdIndex, SAML2_NS};
use crate::principal::{Principal, TokenType};
use crate::reason::{Reason, WssReason};
use crate::saml::{AssertionSignature, ConfirmationMethod, Context, Saml, ValidatedAssertion};
use crate::soap::Envelope;
use crate::trust::KeyPolicy;
use crate::xml::{Document, NodeId};

/// An assertion of the header after step 1.
pub(crate) struct Pending {
    pub node: NodeId,
    pub token_type: TokenType,
    /// The outcome of validation with the issuer's own signature.
    pub own: Result<ValidatedAssertion, Reason>,
}

/// A confirmed assertion: the caller, and facts for audit.
pub(crate) struct Confirmed {
    pub principal: Principal,
    pub id: String,
    pub method: ConfirmationMethod,
}

/// Step 1: validates every assertion with its own signature. Without a SAML configuration an assertion is
/// [`WssReason::SamlNotAvailable`].
pub(crate) fn prevalidate(
    doc: &Document<'_>,
    ids: &IdIndex,
    assertions: &[NodeId],
    saml: Option<&Saml>,
    at: DateTime,
) -> Result<Vec<Pending>, Reason> {
    if assertions.is_empty() {
        return Ok(Vec::new());
    }
    let saml = saml.ok_or(WssReason::SamlNotAvailable)?;
    Ok(assertions
        .iter()
        .map(|&node| Pending {
            node,
            token_type: if doc.node(node).is(SAML2_NS, "Assertion") {
                TokenType::Saml20
            } else {
                TokenType::Saml11
            },
            own: saml.validate_assertion(doc, ids, node, AssertionSignature::Own, &Context::at(at)),
        })
        .collect())
}

/// The holder-of-key keys of the assertions that validated, as keys a signature may be verified with. Each key must
/// still satisfy the gateway's key policy (size).
pub(crate) fn holder_of_key_keys(pending: &[Pending], policy: &KeyPolicy) -> Vec<HolderOfKey> {
    let mut out = Vec::new();
    for p in pending {
        let Ok(va) = &p.own else { continue };
        for c in va.confirmations().iter().filter(|c| c.method() == ConfirmationMethod::HolderOfKey) {
            for k in c.keys() {
                // The issuer's signature binds this key to the subject: it is trusted for this assertion only, as a
                // pinned key that still has to satisfy the gateway's key policy (size).
                if let Ok(key) = k.trusted(*policy) {
                    out.push(HolderOfKey { assertion: p.node, key, token_type: p.token_type });
                }
            }
        }
    }
    out
}

/// Step 2: chooses and checks the confirmation of `p` against the verified header signatures.
pub(crate) fn confirm(
    doc: &Document<'_>,
    ids: &IdIndex,
    env: &Envelope,
    p: Pending,
    signatures: &[Verified<'_, '_>],
    saml: Option<&Saml>,
    at: DateTime,
) -> Result<Confirmed, Reason> {
    let saml = saml.ok_or(WssReason::SamlNotAvailable)?;
    let body = env.body();
    let confirmed = |va: &ValidatedAssertion, method| -> Result<Confirmed, Reason> {
        Ok(Confirmed { principal: va.principal(method)?, id: va.id().to_owned(), method })
    };
    if let Ok(va) = &p.own {
        let hok = va.confirmations().iter().filter(|c| c.method() == ConfirmationMethod::HolderOfKey);
        let proven = hok.flat_map(|c| c.keys()).any(|k| {
            signatures.iter().any(|s| s.view.is_signed(body) && k.matches(s.view.key().public_key()))
        });
        if proven {
            return confirmed(va, ConfirmationMethod::HolderOfKey);
        }
    }
    let mut attested_refusal = None;
    for s in signatures {
        if s.signer.token_type != TokenType::X509 || !s.view.is_signed(p.node) || !s.view.is_signed(body) {
            continue;
        }
        let attested = saml.validate_assertion(
            doc,
            ids,
            p.node,
            AssertionSignature::AttestedBy(&s.view),
            &Context::at(at),
        );
        match attested {
            Ok(va) if va.require(ConfirmationMethod::SenderVouches).is_ok() => {
                return confirmed(&va, ConfirmationMethod::SenderVouches);
            }
            Ok(_) => {}
            Err(e) => attested_refusal = Some(e),
        }
    }
    match &p.own {
        Ok(va) if va.require(ConfirmationMethod::Bearer).is_ok() => confirmed(va, ConfirmationMethod::Bearer),
        Ok(va) if va.require(ConfirmationMethod::HolderOfKey).is_ok() => {
            Err(WssReason::HolderOfKeyNotProven.into())
        }
        Ok(_) => Err(attested_refusal.unwrap_or(WssReason::SenderVouchesNotCovered.into())),
        Err(own) => Err(attested_refusal.unwrap_or(*own)),
    }
}
