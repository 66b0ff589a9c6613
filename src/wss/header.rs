//! Finding sluis's `wsse:Security` header and sorting its children (WSS 1.1 §5–6).
//!
//! **Targeting.** A Security header is sluis's when it has no actor/role (sluis processes it on behalf of the
//! service behind it), the `next` actor/role, or the configured actor/role. Security headers for other actors
//! (and SOAP 1.2's `none`) are left alone and forwarded. WSS 1.1 §6.1 allows one Security header per actor/role, so
//! two headers that are both sluis's are refused ([`WssReason::SecurityHeaderDuplicate`]).
//!
//! **mustUnderstand** (SOAP 1.1 §4.2.3, SOAP 1.2 Part 1 §5.2.3). A header block aimed *explicitly* at sluis — the
//! `next` role, which every node plays, or the configured actor — with `mustUnderstand` set must be understood, and
//! sluis understands only `wsse:Security`: anything else is a `MustUnderstand` fault naming the block. Blocks without
//! an actor/role target the ultimate receiver — the service behind sluis — whose business they are (a gateway that
//! faulted on `wsa:Action mustUnderstand="1"` would break every WS-Addressing client).

use super::{WSSE_NS, WSSE11_NS, WSU_NS};
use crate::dsig::{DSIG_NS, SAML1_NS, SAML2_NS, XENC_NS};
use crate::reason::{Reason, SoapReason, WssReason};
use crate::soap::{Envelope, Role};
use crate::xml::{Document, NodeId, NodeType, is_ws};

/// Most `BinarySecurityToken`s read from one header: a signing certificate, perhaps an encryption one.
const MAX_BINARY_TOKENS: usize = 4;
/// Most `ds:Signature`s verified in one header: real clients send one (two with sender-vouches plus an issuer
/// signature inside the assertion, which is not a header child); each costs a public-key operation.
const MAX_SIGNATURES: usize = 4;
/// Most SAML assertions in one header: sluis authenticates one subject per message.
const MAX_ASSERTIONS: usize = 1;

/// sluis's Security header and its children, by kind, in document order.
#[derive(Clone, Debug, Default)]
pub(crate) struct SecurityHeader {
    pub node: Option<NodeId>,
    pub timestamp: Option<NodeId>,
    pub username_token: Option<NodeId>,
    pub binary_tokens: Vec<NodeId>,
    pub signatures: Vec<NodeId>,
    pub assertions: Vec<NodeId>,
}

/// A refusal while locating the header; a `MustUnderstand` fault names the block (namespace, local name).
pub(crate) struct LocateError {
    pub reason: Reason,
    pub not_understood: Option<(String, String)>,
}

impl From<WssReason> for LocateError {
    fn from(r: WssReason) -> Self {
        LocateError { reason: r.into(), not_understood: None }
    }
}

/// Finds sluis's Security header (see the module documentation) and reads its children.
pub(crate) fn locate(
    doc: &Document<'_>,
    env: &Envelope,
    actor: Option<&str>,
) -> Result<SecurityHeader, LocateError> {
    let explicitly_ours = |role: &Role| match role {
        Role::Next => true,
        Role::Other(uri) => actor.is_some_and(|a| a == uri),
        Role::UltimateReceiver | Role::None => false,
    };
    let mut ours = None;
    for block in env.header_blocks() {
        let node = doc.node(block.node);
        let is_security = node.is(WSSE_NS, "Security");
        if block.must_understand && explicitly_ours(&block.role) && !is_security {
            return Err(LocateError {
                reason: SoapReason::MustUnderstand.into(),
                not_understood: Some((
                    node.namespace().unwrap_or_default().to_owned(),
                    node.local_name().to_owned(),
                )),
            });
        }
        if is_security && (block.role == Role::UltimateReceiver || explicitly_ours(&block.role)) {
            if ours.is_some() {
                return Err(WssReason::SecurityHeaderDuplicate.into());
            }
            ours = Some(block.node);
        }
    }
    let node = ours.ok_or(WssReason::SecurityHeaderMissing)?;
    Ok(read_children(doc, node)?)
}

fn read_children(doc: &Document<'_>, security: NodeId) -> Result<SecurityHeader, WssReason> {
    let mut h = SecurityHeader { node: Some(security), ..SecurityHeader::default() };
    let push = |list: &mut Vec<NodeId>, n: NodeId, max: usize, what: &'static str| {
        if list.len() >= max {
            return Err(WssReason::TooManyElements(what));
        }
        list.push(n);
        Ok(())
    };
    for child in doc.node(security).children() {
        match child.node_type() {
            NodeType::Element => {}
            NodeType::Text if child.text().unwrap_or_default().bytes().all(is_ws) => continue,
            NodeType::Text => return Err(WssReason::MalformedSecurityHeader("character data in Security")),
            _ => continue,
        }
        let id = child.id();
        if child.is(WSU_NS, "Timestamp") {
            if h.timestamp.replace(id).is_some() {
                return Err(WssReason::MalformedTimestamp("more than one Timestamp"));
            }
        } else if child.is(WSSE_NS, "UsernameToken") {
            if h.username_token.replace(id).is_some() {
                return Err(WssReason::TooManyElements("UsernameToken"));
            }
        } else if child.is(WSSE_NS, "BinarySecurityToken") {
            push(&mut h.binary_tokens, id, MAX_BINARY_TOKENS, "BinarySecurityToken")?;
        } else if child.is(DSIG_NS, "Signature") {
            push(&mut h.signatures, id, MAX_SIGNATURES, "Signature")?;
        } else if child.is(SAML2_NS, "Assertion") || child.is(SAML1_NS, "Assertion") {
            push(&mut h.assertions, id, MAX_ASSERTIONS, "SAML assertion")?;
        } else if child.is(WSSE_NS, "SecurityTokenReference") || child.is(WSSE11_NS, "SignatureConfirmation")
        {
            // A free-standing reference names a token for others (e.g. an STR-Transform target); a
            // SignatureConfirmation belongs in responses. Neither proves anything here.
        } else if child.is(XENC_NS, "EncryptedKey")
            || child.is(XENC_NS, "ReferenceList")
            || child.is(XENC_NS, "EncryptedData")
            || child.is(WSSE11_NS, "EncryptedHeader")
        {
            return Err(WssReason::EncryptionUnsupported);
        } else if child.is(SAML2_NS, "EncryptedAssertion") {
            return Err(WssReason::UnsupportedToken("EncryptedAssertion"));
        } else {
            return Err(WssReason::UnsupportedToken("unknown element in Security"));
        }
    }
    Ok(h)
}
