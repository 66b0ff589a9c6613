//! SAML 1.1 and 2.0 assertions as WS-Security tokens (WSS SAML Token Profile 1.1).
//!
//! (Waiting for the `saml` module's validation API: until it lands, a Security header carrying an assertion is
//! refused with [`WssReason::SamlNotAvailable`], i.e. `wsse:UnsupportedSecurityToken`.)

use super::reference::HolderOfKey;
use crate::clock::DateTime;
use crate::principal::{AuthLevel, TokenType};
use crate::reason::{Reason, WssReason};
use crate::xml::{Document, NodeId};

#[allow(dead_code)] // constructed once the saml module validates assertions
/// How the assertion's subject is confirmed (SAML Token Profile 1.1 §3.5; SAML 2.0 Profiles §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Confirmation {
    Bearer,
    SenderVouches,
    HolderOfKey,
}

impl Confirmation {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Confirmation::Bearer => "bearer",
            Confirmation::SenderVouches => "sender-vouches",
            Confirmation::HolderOfKey => "holder-of-key",
        }
    }
}

/// An assertion that validated (issuer trusted, signature, conditions), before its confirmation is checked against
/// the message's signatures.
#[derive(Clone, Debug)]
pub(crate) struct SamlToken {
    pub node: NodeId,
    pub id: String,
    pub token_type: TokenType,
    pub subject: String,
    pub issuer: String,
    pub confirmation: Confirmation,
    pub attributes: Vec<(String, Vec<String>)>,
    pub holder_of_key: Option<HolderOfKey>,
}

impl SamlToken {
    /// The level a confirmed assertion authenticates at (see [`AuthLevel`]).
    pub(crate) fn level(&self) -> AuthLevel {
        match self.confirmation {
            Confirmation::Bearer => AuthLevel::TOKEN_FROM_CREDENTIALS,
            Confirmation::SenderVouches | Confirmation::HolderOfKey => AuthLevel::PUBLIC_KEY,
        }
    }
}

/// The SAML issuers and policy the gateway validates assertions with.
pub(crate) struct SamlContext {}

/// Validates the header's assertions.
pub(crate) fn validate(
    _doc: &Document<'_>,
    assertions: &[NodeId],
    saml: Option<&SamlContext>,
    _at: DateTime,
) -> Result<Vec<SamlToken>, Reason> {
    if assertions.is_empty() {
        return Ok(Vec::new());
    }
    match saml {
        None | Some(_) => Err(WssReason::SamlNotAvailable.into()),
    }
}
