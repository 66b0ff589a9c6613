//! Core validation (XML-DSig 1.1 §3.2), in the order the W3C XML Signature Best Practices recommend.
//!
//! 1. Read and check the `Signature` (structure, algorithms, transforms, limits) — no cryptography yet.
//! 2. Resolve every Reference to a node of the one tree (same-document only, strict IDs) — still no cryptography.
//! 3. Find the key through the caller's [`KeySource`] (pinned, or chained to a CA at the verification time).
//! 4. Canonicalize `SignedInfo` and check the `SignatureValue` (Best Practice 3: signature before references, so an
//!    unsigned message cannot make sluis digest megabytes).
//! 5. Digest each Reference's canonical form, streamed into the hash, and compare in constant time.
//!
//! Only when all of that holds is a [`VerifiedView`] built.

use super::ids::IdIndex;
use super::signature::{self, ReferenceUri};
use super::view::{SignedReference, VerifiedView};
use crate::c14n::{self, DigestSink, NodeSet};
use crate::clock::DateTime;
use crate::reason::{DsigReason, Reason};
use crate::trust::{KeyPolicy, TrustedKey, VerifyError};
use crate::xml::{Document, NodeId};

/// Where the verifying key comes from. The default implementation for a [`crate::trust::TrustStore`] follows the
/// XML-DSig `KeyInfo` rules in `dsig::keyinfo`; the WS-Security layer supplies one that resolves
/// `SecurityTokenReference`s.
pub trait KeySource {
    /// The trusted keys that may have produced a signature whose `KeyInfo` element is `key_info` (None when absent),
    /// at time `at`. An empty list is never returned: no candidate is an error (`untrusted_key` or more precise).
    fn candidates(
        &self,
        doc: &Document<'_>,
        key_info: Option<NodeId>,
        at: DateTime,
    ) -> Result<Vec<TrustedKey>, Reason>;
}

/// Everything verification depends on besides the document and the keys.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions {
    /// Algorithm and key-size policy (SHA-1, minimum RSA size).
    pub policy: KeyPolicy,
    /// The verification time (certificate validity).
    pub at: DateTime,
}

/// Verifies the `Signature` element `signature` of `doc`.
pub fn verify<'d, 'a>(
    doc: &'d Document<'a>,
    ids: &IdIndex,
    signature: NodeId,
    keys: &dyn KeySource,
    options: &VerifyOptions,
) -> Result<VerifiedView<'d, 'a>, Reason> {
    let sig = signature::read(doc.node(signature), &options.policy)?;

    let mut targets = Vec::with_capacity(sig.references.len());
    for r in &sig.references {
        let apex = match &r.uri {
            ReferenceUri::Document => doc.root().id(),
            ReferenceUri::Id(id) => ids.get(id).ok_or(DsigReason::ReferenceNotFound)?,
        };
        // The enveloped-signature transform removes the Signature containing the Reference, with all its
        // descendants, from the node-set (§6.6.4). When the Signature lies outside the referenced subtree it removes
        // nothing; when the referenced element lies *inside* the Signature (moved into an Object, XSW), it removes
        // everything — the node-set is empty and the digest cannot match.
        let excluded = r.enveloped.then_some(sig.node);
        if doc.node(sig.node).contains(apex) && !is_in_object(doc, sig.node, apex) {
            // A Reference to the Signature itself, to SignedInfo or to anything in it cannot be computed before
            // the signature exists; only enveloping `Object` content is legitimately inside.
            return Err(DsigReason::MalformedSignature("Reference into its own Signature").into());
        }
        targets.push((apex, excluded));
    }

    let candidates = keys.candidates(doc, sig.key_info, options.at)?;
    let mut signed_info = Vec::with_capacity(2048);
    c14n::canonicalize(doc, &NodeSet::subtree(sig.signed_info), &sig.c14n, &mut signed_info)?;
    let mut key: Option<TrustedKey> = None;
    let mut policy_refusal = None;
    for candidate in candidates {
        match candidate.public_key().verify(sig.method.algorithm, &signed_info, &sig.value, &options.policy) {
            Ok(()) => {
                key = Some(candidate);
                break;
            }
            Err(VerifyError::Policy(reason)) => policy_refusal = Some(Reason::from(reason)),
            Err(VerifyError::AlgorithmNotAllowed) => {
                policy_refusal = Some(DsigReason::AlgorithmNotAllowed("signature method").into());
            }
            // The backend has no implementation for this hash with this key type/size (e.g. ECDSA P-384 with
            // SHA-1): the signature is refused as an algorithm sluis does not verify, not reported as forged.
            Err(VerifyError::Unsupported) => {
                policy_refusal =
                    Some(DsigReason::AlgorithmNotAllowed("signature method for this key").into());
            }
            Err(_) => {}
        }
    }
    let key = match (key, policy_refusal) {
        (Some(key), _) => key,
        (None, Some(reason)) => return Err(reason),
        (None, None) => return Err(DsigReason::SignatureInvalid.into()),
    };

    let mut references = Vec::with_capacity(sig.references.len());
    for (r, (apex, excluded)) in sig.references.iter().zip(targets) {
        // Same-document references yield node-sets without comments (§4.4.3.3), whatever the transform says.
        let alg = r.c14n.clone().unwrap_or_default().without_comments();
        let mut sink = DigestSink::new(r.digest.algorithm());
        c14n::canonicalize(doc, &NodeSet { apex, exclude: excluded }, &alg, &mut sink)?;
        let digest = sink.finish();
        if !constant_time_eq(digest.as_ref(), &r.digest_value) {
            return Err(DsigReason::DigestMismatch.into());
        }
        let uri = match &r.uri {
            ReferenceUri::Document => String::new(),
            ReferenceUri::Id(id) => format!("#{id}"),
        };
        references.push(SignedReference { uri, apex, excluded, digest: r.digest });
    }
    Ok(VerifiedView::assertion(doc, sig.node, references, key, sig.method))
}

/// Is `node` inside a `ds:Object` child of the Signature `sig` (enveloping signatures)?
fn is_in_object(doc: &Document<'_>, sig: NodeId, node: NodeId) -> bool {
    doc.node(sig).element_children().any(|c| c.is(super::DSIG_NS, "Object") && c.contains(node))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
