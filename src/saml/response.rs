//! `samlp:Response` (SAML 2.0 Core §3.2.2, §3.3.3; SAML 1.1 Core §3.4) around the assertion.
//!
//! A Response is accepted when:
//! - it is a 2.0 Response with `Version="2.0"` or a 1.1 Response with `MajorVersion="1" MinorVersion="1"`, with its
//!   `ID`/`ResponseID` and `IssueInstant` (not in the future beyond the skew);
//! - its children follow the schema: 2.0 `Issuer?`, `ds:Signature?`, `Extensions?`, `Status`, then assertions;
//!   1.1 `ds:Signature?`, `Status`, then assertions;
//! - it carries **exactly one** `Assertion` or `EncryptedAssertion` as a direct child. SAML allows several; sluis takes
//!   one because "which assertion did you read" is the question every wrapping attack asks (XSW3, crewjam's
//!   multiple-assertion case). Assertions anywhere else (in `Extensions`, in another assertion's `Advice`) are never
//!   considered;
//! - its `StatusCode` is `Success`;
//! - `Destination` (2.0) / `Recipient` (1.1), when present, is one of the policy's recipients (SAML Bindings §3.5.5.2);
//! - `InResponseTo`, when present, passes the policy's rule;
//! - its `Issuer`, when present, is the assertion's issuer (Profiles §4.1.4.2), and it is *required* when the assertion
//!   is encrypted (the Response's issuer is then the only way to choose the keys before decryption);
//! - its signature, when present, is an enveloped signature on the Response by the issuer's keys, and holds — a
//!   Response signature that fails is never skipped in favour of a valid assertion signature.
//!
//! The assertion is then checked by the same rules as a standalone one, with the Response signature as an
//! alternative proof (unless `want_assertions_signed`).

use super::read::trim_ws;
use super::signature::{Signed, signature_child, verify_enveloped};
use super::validate::{Outer, ResponseFacts, UnrecordedAssertion, assertion_version, claimed_issuer};
use super::{Context, Saml};
use crate::clock::DateTime;
use crate::dsig::{IdIndex, IdPolicy, SAML1_NS, SAML1P_NS, SAML2_NS, SAML2P_NS};
use crate::reason::{Reason, SamlReason};
use crate::xml::{Document, Node, NodeId, NodeType, is_ws};

const SUCCESS_2: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// The single assertion of a Response.
enum Carried<'d, 'a> {
    Plain(Node<'d, 'a>),
    Encrypted(Node<'d, 'a>),
}

impl Saml {
    pub(crate) fn check_response<'d, 'a>(
        &self,
        doc: &'d Document<'a>,
        ids: &IdIndex,
        response: NodeId,
        ctx: &Context<'_>,
    ) -> Result<UnrecordedAssertion, Reason> {
        let policy = &self.policy;
        let resp = doc.node(response);
        let saml2 = if resp.is(SAML2P_NS, "Response") {
            match resp.attribute(None, "Version") {
                Some("2.0") => true,
                Some(_) => return Err(SamlReason::VersionUnsupported.into()),
                None => return Err(SamlReason::MalformedResponse("Response/@Version").into()),
            }
        } else if resp.is(SAML1P_NS, "Response") {
            match (resp.attribute(None, "MajorVersion"), resp.attribute(None, "MinorVersion")) {
                (Some("1"), Some("1")) if policy.accept_saml11 => false,
                (Some(_), Some(_)) => return Err(SamlReason::VersionUnsupported.into()),
                _ => return Err(SamlReason::MalformedResponse("Response/@MajorVersion").into()),
            }
        } else {
            return Err(SamlReason::MalformedResponse("not a samlp:Response").into());
        };
        let id_attr = if saml2 { "ID" } else { "ResponseID" };
        if resp.attribute(None, id_attr).is_none() {
            return Err(SamlReason::MalformedResponse("Response ID").into());
        }
        let issue_instant = resp
            .attribute(None, "IssueInstant")
            .and_then(|v| DateTime::parse(v).ok())
            .ok_or(SamlReason::MalformedResponse("Response/@IssueInstant"))?;
        if ctx.now.plus_seconds(policy.clock_skew_seconds.max(0)) < issue_instant {
            return Err(SamlReason::IssueInstantInFuture.into());
        }

        let (issuer_node, status, carried) = structure(resp, saml2)?;
        let response_issuer = match issuer_node {
            // Read before verification: it only chooses keys and is compared with the assertion's issuer, which is
            // read through the view.
            Some(n) => {
                if n.children().any(|c| c.is_element()) {
                    return Err(SamlReason::MalformedResponse("Issuer with element content").into());
                }
                Some(super::saml2::check_issuer(n.attribute(None, "Format"), &n.text_content())?)
            }
            None => None,
        };
        if let Carried::Encrypted(_) = carried {
            // Known before any RSA work: nobody makes sluis decrypt for an issuer it does not trust.
            let name = response_issuer.as_deref().ok_or(SamlReason::IssuerMissing)?;
            self.issuers.trusted(name, ctx.now)?;
        }
        if !matches!(carried, Carried::Encrypted(_)) && policy.require_encrypted_assertions {
            return Err(SamlReason::AssertionNotEncrypted.into());
        }

        // The Response signature, if any, verified with the keys of the issuer the Response (or else its assertion)
        // names.
        let response_view = match signature_child(resp)? {
            None => None,
            Some(sig) => {
                let name = match (&response_issuer, &carried) {
                    (Some(i), _) => i.clone(),
                    (None, Carried::Plain(a)) => {
                        claimed_issuer(*a, assertion_version(*a, policy.accept_saml11)?)?
                    }
                    (None, Carried::Encrypted(_)) => return Err(SamlReason::IssuerMissing.into()),
                };
                let issuer = self.issuers.trusted(&name, ctx.now)?;
                Some(verify_enveloped(doc, ids, response, sig, issuer, ctx.now, Signed::Response)?)
            }
        };

        let destination = if saml2 { "Destination" } else { "Recipient" };
        if let Some(d) = resp.attribute(None, destination)
            && !policy.is_recipient(trim_ws(d))
        {
            return Err(SamlReason::DestinationMismatch.into());
        }
        super::confirmation::check_in_response_to(
            policy.in_response_to,
            resp.attribute(None, "InResponseTo"),
            ctx.request_id,
        )?;
        check_status(status, saml2)?;

        let facts =
            ResponseFacts { issuer: response_issuer, encrypted: matches!(carried, Carried::Encrypted(_)) };
        match carried {
            Carried::Plain(a) => {
                let outer = match &response_view {
                    Some(v) => Outer::Response(v),
                    None => Outer::None,
                };
                self.check_assertion(doc, ids, a.id(), outer, ctx, Some(&facts))
            }
            Carried::Encrypted(e) => {
                // The one inherent second parse: the plaintext is a new document, parsed by the same hardened parser
                // under the same limits. Its assertion must carry its own signature — the Response signature covered
                // ciphertext, and claims are only ever read through a view of the tree they sit in.
                let plaintext = super::encryption::decrypt_element(e, &self.decryption_keys, policy)?;
                let inner = match Document::parse(&plaintext.bytes, &policy.limits) {
                    Ok(doc) => doc,
                    Err(_) if !plaintext.authenticated => return Err(SamlReason::DecryptionFailed.into()),
                    Err(e) => return Err(e.into()),
                };
                let inner_ids = IdIndex::build(&inner, &IdPolicy::wss_saml())?;
                let root = inner.root_element();
                if !root.is(SAML2_NS, "Assertion") {
                    return Err(
                        SamlReason::MalformedEncryptedData("plaintext is not a SAML 2.0 Assertion").into()
                    );
                }
                self.check_assertion(&inner, &inner_ids, root.id(), Outer::None, ctx, Some(&facts))
            }
        }
    }
}

/// Walks the Response's children: returns its `Issuer` (2.0), its `Status`, and its one assertion.
fn structure<'d, 'a>(
    resp: Node<'d, 'a>,
    saml2: bool,
) -> Result<(Option<Node<'d, 'a>>, Node<'d, 'a>, Carried<'d, 'a>), Reason> {
    let (p_ns, a_ns) = if saml2 { (SAML2P_NS, SAML2_NS) } else { (SAML1P_NS, SAML1_NS) };
    let mut issuer = None;
    let mut status = None;
    let mut carried = None;
    let mut last = 0u8;
    for child in resp.children() {
        match child.node_type() {
            NodeType::Element => {}
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => continue,
            NodeType::Text => return Err(SamlReason::MalformedResponse("character data in Response").into()),
            _ => continue,
        }
        let rank = if saml2 && child.is(SAML2_NS, "Issuer") {
            1
        } else if super::read::is_signature(&child) {
            2
        } else if saml2 && child.is(SAML2P_NS, "Extensions") {
            3
        } else if child.is(p_ns, "Status") {
            4
        } else if child.is(a_ns, "Assertion") || (saml2 && child.is(SAML2_NS, "EncryptedAssertion")) {
            5
        } else {
            return Err(SamlReason::MalformedResponse("unexpected element in Response").into());
        };
        if rank < last || (rank == last && rank != 5) {
            return Err(SamlReason::MalformedResponse("Response children out of order").into());
        }
        last = rank;
        match rank {
            1 => issuer = Some(child),
            4 => status = Some(child),
            5 => {
                if carried.is_some() {
                    return Err(SamlReason::MultipleAssertions.into());
                }
                carried = Some(if child.is(SAML2_NS, "EncryptedAssertion") {
                    Carried::Encrypted(child)
                } else {
                    Carried::Plain(child)
                });
            }
            _ => {}
        }
    }
    let status = status.ok_or(SamlReason::MalformedResponse("Response without Status"))?;
    let carried = carried.ok_or(SamlReason::AssertionMissing)?;
    Ok((issuer, status, carried))
}

/// `Status/StatusCode/@Value` must be Success. In 1.1 the value is a QName (`samlp:Success`) resolved in scope.
fn check_status(status: Node<'_, '_>, saml2: bool) -> Result<(), SamlReason> {
    let ns = if saml2 { SAML2P_NS } else { SAML1P_NS };
    let code = status
        .element_children()
        .next()
        .filter(|c| c.is(ns, "StatusCode"))
        .ok_or(SamlReason::MalformedResponse("Status without StatusCode"))?;
    let value =
        trim_ws(code.attribute(None, "Value").ok_or(SamlReason::MalformedResponse("StatusCode/@Value"))?);
    let success = if saml2 {
        value == SUCCESS_2
    } else {
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, value),
        };
        local == "Success" && code.lookup_namespace(prefix) == Some(SAML1P_NS)
    };
    if success { Ok(()) } else { Err(SamlReason::StatusNotSuccess) }
}
