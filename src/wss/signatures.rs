//! The header's `ds:Signature`s (WSS 1.1 §8) and what they cover.
//!
//! Every `ds:Signature` child of sluis's Security header is verified with [`crate::dsig::verify`] through a
//! [`StrKeySource`]; one that fails refuses the message (a client that signs something wrongly gets `FailedCheck`, not a
//! silently ignored signature). Signatures anywhere else are never looked at.
//!
//! Coverage is then decided per route ([`RoutePolicy::signed_parts`]) on exact nodes: the Body child of the Envelope,
//! the Timestamp child of the Security header, each header block with a configured name. A part is covered when a
//! verified signature whose key came from an accepted token kind ([`RoutePolicy::signed_by`]) has it in its
//! [`VerifiedView`].

use super::header::SecurityHeader;
use super::reference::{AssertionKeys, Signer, StrKeySource, Tokens};
use crate::dsig::{self, IdIndex, VerifiedView, VerifyOptions};
use crate::policy::{RoutePolicy, SignedPart};
use crate::reason::{DsigReason, Reason, WssReason};
use crate::soap::Envelope;
use crate::trust::TrustStore;
use crate::xml::{Document, NodeId};
use std::cell::RefCell;

/// A header signature that verified, with how its key was found.
pub(crate) struct Verified<'d, 'a> {
    pub view: VerifiedView<'d, 'a>,
    pub signer: Signer,
}

/// Verifies every signature of the header.
pub(crate) fn verify_all<'d, 'a>(
    doc: &'d Document<'a>,
    ids: &IdIndex,
    header: &SecurityHeader,
    store: &TrustStore,
    tokens: &Tokens<'_>,
    assertions: AssertionKeys<'_>,
    options: &VerifyOptions,
) -> Result<Vec<Verified<'d, 'a>>, Reason> {
    let mut out = Vec::with_capacity(header.signatures.len());
    for &sig in &header.signatures {
        let keys = StrKeySource {
            store,
            ids,
            tokens,
            holder_of_key: assertions.holder_of_key,
            refused_assertions: assertions.refused,
            signer: RefCell::new(None),
        };
        let view = dsig::verify(doc, ids, sig, &keys, options)?;
        let signer = keys.signer.into_inner().ok_or(Reason::Internal("signature key without origin"))?;
        out.push(Verified { view, signer });
    }
    Ok(out)
}

/// Checks the route's required signed parts; returns their names, in policy order.
pub(crate) fn check_coverage(
    doc: &Document<'_>,
    env: &Envelope,
    header: &SecurityHeader,
    signatures: &[Verified<'_, '_>],
    policy: &RoutePolicy,
) -> Result<Vec<String>, Reason> {
    if policy.signed_parts.is_empty() {
        return Ok(Vec::new());
    }
    if signatures.is_empty() {
        return Err(DsigReason::SignatureMissing.into());
    }
    let mut signed = Vec::new();
    for part in &policy.signed_parts {
        let (nodes, unsigned): (Vec<NodeId>, WssReason) = match part {
            SignedPart::Body => (vec![env.body()], WssReason::BodyNotSigned),
            SignedPart::Timestamp => {
                (vec![header.timestamp.ok_or(WssReason::TimestampMissing)?], WssReason::TimestampNotSigned)
            }
            SignedPart::Header { namespace, local } => (
                env.header_blocks()
                    .iter()
                    .map(|b| b.node)
                    .filter(|n| doc.node(*n).is(namespace, local))
                    .collect(),
                WssReason::HeaderNotSigned,
            ),
        };
        for node in &nodes {
            let by_accepted = signatures
                .iter()
                .any(|s| policy.signed_by.contains(&s.signer.token_type) && s.view.is_signed(*node));
            if !by_accepted {
                let by_any = signatures.iter().any(|s| s.view.is_signed(*node));
                return Err(if by_any { WssReason::SigningTokenNotAccepted } else { unsigned }.into());
            }
        }
        if !nodes.is_empty() {
            signed.push(part.to_string());
        }
    }
    Ok(signed)
}
