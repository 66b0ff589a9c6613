//! What [`super::process`] returns: an [`Accepted`] message (principal, decision, bytes to forward, audit facts) or a
//! [`Rejected`] one (reason, version, and its SOAP fault).

use super::username::PasswordType;
use crate::policy::Decision;
use crate::principal::{Principal, TokenType};
use crate::reason::{Reason, WsseFault};
use crate::soap::{self, FaultResponse, SoapVersion};
use serde::Serialize;

/// One verified `ds:Signature` of the header, for audit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureFact {
    /// Subject of the signing key (certificate subject, or `pinned key sha256:…`).
    pub key_subject: String,
    /// How the key is trusted: `pinned-key`, `pinned-certificate` or `ca-chain`.
    pub trusted_by: &'static str,
    /// The kind of token the key came from (`x509`, `saml11`, `saml20`).
    pub token_type: TokenType,
    /// How `KeyInfo` referred to it: `direct`, `ski`, `thumbprint-sha1`, `issuer-serial`, `saml-id`, `key-info`.
    pub reference: &'static str,
    /// The `wsu:Id` (BST) or assertion ID of the token, when the key came from one.
    pub token_id: Option<String>,
    /// The Reference URIs it covers.
    pub covered: Vec<String>,
}

/// The fine-grained facts of an accepted message, for the audit record (never sent to the client).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SecurityFacts {
    /// The parts the route required signed, all of which were: `body`, `timestamp`, `{ns}local`.
    pub signed_parts: Vec<String>,
    /// Every verified signature of the header.
    pub signatures: Vec<SignatureFact>,
    /// The `wsu:Id`/assertion IDs of the tokens in the header.
    pub token_ids: Vec<String>,
    /// The subject of the key whose signature covers the Body, if any.
    pub key_subject: Option<String>,
    /// The UsernameToken user, when one authenticated (also when another token is the principal).
    pub username: Option<String>,
    /// How the UsernameToken carried its password.
    pub password_type: Option<PasswordType>,
    /// The Timestamp's `Created`, RFC 3339.
    pub timestamp_created: Option<String>,
    /// The Timestamp's `Expires`, RFC 3339.
    pub timestamp_expires: Option<String>,
    /// The SAML assertion's ID, when a SAML token authenticated.
    pub saml_assertion_id: Option<String>,
    /// Its confirmation method: `bearer`, `sender-vouches`, `holder-of-key`.
    pub saml_confirmation: Option<&'static str>,
    /// The byte range of the input removed before forwarding (the Security header), if any.
    pub removed: Option<(usize, usize)>,
}

/// A message sluis accepted: who sent it, what the policy decided, and the bytes to forward.
#[derive(Clone, Debug)]
pub struct Accepted {
    pub(super) principal: Principal,
    pub(super) decision: Decision,
    pub(super) version: SoapVersion,
    pub(super) action: Option<String>,
    pub(super) forward: Vec<u8>,
    pub(super) facts: SecurityFacts,
}

impl Accepted {
    /// The authenticated caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The route policy's decision.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The SOAP version (answer faults from the upstream in the same version).
    pub fn version(&self) -> SoapVersion {
        self.version
    }

    /// The SOAP action from the HTTP headers (`SOAPAction`, or the 1.2 `action` parameter), if any.
    pub fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// The bytes to forward: the request body as received, minus the Security header when the route strips it.
    pub fn forward_body(&self) -> &[u8] {
        &self.forward
    }

    /// The bytes to forward, by value.
    pub fn into_forward_body(self) -> Vec<u8> {
        self.forward
    }

    /// Facts for the audit record.
    pub fn facts(&self) -> &SecurityFacts {
        &self.facts
    }
}

/// A refused message: the reason (for audit) and the SOAP version to answer in (`None` when the request was not
/// recognisably SOAP 1.1 or 1.2; [`Rejected::fault`] then answers in SOAP 1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Why.
    pub reason: Reason,
    /// The version of the request, as far as it was known.
    pub version: Option<SoapVersion>,
    pub(super) not_understood: Option<(String, String)>,
}

impl Rejected {
    /// A refusal (for callers that refuse before [`super::process`], e.g. on an oversized body).
    pub fn new(reason: Reason, version: Option<SoapVersion>) -> Self {
        Rejected { reason, version, not_understood: None }
    }

    /// The WS-Security fault code the client is told (None for internal errors: a server fault).
    pub fn wsse_fault(&self) -> Option<WsseFault> {
        self.reason.wsse_fault()
    }

    /// The SOAP fault to send: HTTP status, content type and envelope (see [`crate::soap::render_fault`]).
    pub fn fault(&self) -> FaultResponse {
        let nu = self.not_understood.as_ref().map(|(ns, l)| (ns.as_str(), l.as_str()));
        soap::fault::render_fault_for(self.version.unwrap_or(SoapVersion::Soap11), &self.reason, nu)
    }
}
