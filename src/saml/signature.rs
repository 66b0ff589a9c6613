//! Where a SAML signature may be, what it must cover, and verifying it with the issuer's keys.
//!
//! SAML Core §5.4.1–5.4.2: an assertion or protocol message is signed by an enveloped `ds:Signature` that is a *child*
//! of the signed element, with one Reference whose `URI` is `#` plus the element's ID (or `""` when the element is the
//! document element). sluis refuses every other arrangement before reading a claim:
//!
//! - more than one `ds:Signature` child ([`SamlReason::MultipleSignatures`]);
//! - a signature whose References resolve to anything but its parent ([`SamlReason::SignatureNotOnAssertion`] /
//!   [`SamlReason::SignatureNotOnResponse`]) — XSW1/XSW2 (Response signature pointing at a moved copy), XSW5/XSW9
//!   (assertion signature pointing at another assertion), object injection (a signature inside the assertion
//!   covering the whole Response);
//! - a present signature that fails, even when another one holds (a Response and an assertion signature are both
//!   checked if both are there).
//!
//! Duplicate IDs never get this far ([`crate::dsig::IdIndex`] refuses the document: XSW7/XSW8, duplicate-ID wrapping).
//! The signature is verified by [`crate::dsig::verify`] on the same tree, with the [`super::IssuerTrust`] of the issuer
//! the element names as key source; the name is read before verification only to choose the keys, and re-read from
//! the signed node afterwards.

use super::issuer::IssuerTrust;
use super::read::is_signature;
use crate::clock::DateTime;
use crate::dsig::{self, IdIndex, ReferenceUri, VerifiedView, VerifyOptions};
use crate::reason::{DsigReason, Reason, SamlReason};
use crate::xml::{Document, Node, NodeId};

/// Which element a signature signs, for the refusal it gets when it signs something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signed {
    Assertion,
    Response,
}

/// The `ds:Signature` child of `element`, if any; [`SamlReason::MultipleSignatures`] if more than one.
pub(crate) fn signature_child(element: Node<'_, '_>) -> Result<Option<NodeId>, SamlReason> {
    let mut sigs = element.element_children().filter(is_signature);
    let first = sigs.next().map(|n| n.id());
    if sigs.next().is_some() {
        return Err(SamlReason::MultipleSignatures);
    }
    Ok(first)
}

/// Verifies `signature`, a child of `element`, with `issuer`'s keys at `at`, and checks that every Reference covers
/// exactly `element` (or the whole document, when `element` is the document element).
pub(crate) fn verify_enveloped<'d, 'a>(
    doc: &'d Document<'a>,
    ids: &IdIndex,
    element: NodeId,
    signature: NodeId,
    issuer: &IssuerTrust,
    at: DateTime,
    what: Signed,
) -> Result<VerifiedView<'d, 'a>, Reason> {
    let wrong_target = match what {
        Signed::Assertion => SamlReason::SignatureNotOnAssertion,
        Signed::Response => SamlReason::SignatureNotOnResponse,
    };
    if doc.node(signature).parent().map(|p| p.id()) != Some(element) {
        return Err(wrong_target.into());
    }
    let options = VerifyOptions { policy: *issuer.store().policy(), at };
    let is_root_element = doc.root_element().id() == element;
    let covers_element = |apex: NodeId| apex == element || (is_root_element && apex == doc.root().id());
    // Where the References point is checked before any cryptography: a misplaced signature is refused as such, and
    // costs no RSA operation.
    let sig = dsig::read_signature(doc.node(signature), &options.policy)?;
    for r in &sig.references {
        let apex = match &r.uri {
            ReferenceUri::Document => doc.root().id(),
            ReferenceUri::Id(id) => ids.get(id).ok_or(DsigReason::ReferenceNotFound)?,
        };
        if !covers_element(apex) {
            return Err(wrong_target.into());
        }
    }
    let view = dsig::verify(doc, ids, signature, issuer, &options)?;
    if view.references().is_empty()
        || !view.references().iter().all(|r| covers_element(r.apex))
        || !view.is_signed(element)
    {
        return Err(wrong_target.into());
    }
    Ok(view)
}
