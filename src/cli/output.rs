//! What the CLI prints: serializable reports and the text rendering of them.

use crate::dsig::VerifiedView;
use crate::principal::Principal;
use crate::reason::{Reason, SoapReason};
use crate::soap::SoapVersion;
use crate::trust::TrustPath;
use crate::wss::{Accepted, Rejected, SecurityFacts};
use crate::xml::Node;
use serde::Serialize;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One human-readable block per file.
    Text,
    /// One JSON document for the whole run.
    Json,
}

/// The verdict on one input file.
#[derive(Debug, Serialize)]
pub(crate) struct FileReport {
    pub file: String,
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    pub detail: Option<String>,
    pub signatures: Vec<SignatureReport>,
    /// For a SOAP envelope: what the gateway decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soap: Option<SoapReport>,
    /// For a SAML Response or Assertion validated with SAML rules: what the assertion says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml: Option<SamlReport>,
}

/// A SAML assertion that passed validation: the claims sluis would act on.
#[derive(Debug, Serialize)]
pub(crate) struct SamlReport {
    pub version: &'static str,
    pub id: String,
    pub issuer: String,
    pub subject: String,
    pub subject_format: Option<String>,
    pub not_on_or_after: String,
    pub audiences: Vec<String>,
    pub confirmations: Vec<&'static str>,
    pub attributes: Vec<(String, Vec<String>)>,
    pub signed_by: String,
    pub encrypted: bool,
}

impl SamlReport {
    pub(crate) fn new(a: &crate::saml::ValidatedAssertion) -> Self {
        use crate::saml::{ConfirmationMethod, SamlVersion};
        SamlReport {
            version: match a.version() {
                SamlVersion::V1_1 => "1.1",
                SamlVersion::V2_0 => "2.0",
            },
            id: a.id().to_owned(),
            issuer: a.issuer().to_owned(),
            subject: a.subject().value.clone(),
            subject_format: a.subject().format.clone(),
            not_on_or_after: a.expires().to_rfc3339(),
            audiences: a.audiences().to_vec(),
            confirmations: a
                .confirmations()
                .iter()
                .map(|c| match c.method() {
                    ConfirmationMethod::Bearer => "bearer",
                    ConfirmationMethod::HolderOfKey => "holder-of-key",
                    ConfirmationMethod::SenderVouches => "sender-vouches",
                })
                .collect(),
            attributes: a.attributes().iter().map(|at| (at.name.clone(), at.values.clone())).collect(),
            signed_by: a.signing_key().subject().into_owned(),
            encrypted: a.was_encrypted(),
        }
    }
}

/// The gateway's verdict on a SOAP envelope.
#[derive(Debug, Serialize)]
pub(crate) struct SoapReport {
    /// `1.1` or `1.2`.
    pub version: SoapVersion,
    /// The route whose policy applied, if one was chosen.
    pub route: Option<String>,
    /// The authenticated caller (accepted messages).
    pub principal: Option<Principal>,
    /// The fault code a client would get: `wsse:<Code>`, or `soap:MustUnderstand` / `soap:VersionMismatch` /
    /// `soap:Server` (refused messages).
    pub fault: Option<String>,
    /// The HTTP status of that fault.
    pub status: Option<u16>,
    /// What was verified (accepted messages).
    pub facts: Option<SecurityFacts>,
}

impl SoapReport {
    pub(crate) fn accepted(version: SoapVersion, route: Option<&str>, a: &Accepted) -> Self {
        SoapReport {
            version,
            route: route.map(str::to_owned),
            principal: Some(a.principal().clone()),
            fault: None,
            status: None,
            facts: Some(a.facts().clone()),
        }
    }

    pub(crate) fn rejected(version: SoapVersion, route: Option<&str>, r: &Rejected) -> Self {
        let fault = match (r.reason, r.wsse_fault()) {
            (Reason::Soap(SoapReason::MustUnderstand), _) => "soap:MustUnderstand".to_owned(),
            (Reason::Soap(SoapReason::VersionMismatch), _) => "soap:VersionMismatch".to_owned(),
            (_, Some(f)) => f.to_string(),
            (_, None) => "soap:Server".to_owned(),
        };
        SoapReport {
            version: r.version.unwrap_or(version),
            route: route.map(str::to_owned),
            principal: None,
            fault: Some(fault),
            status: Some(r.fault().status),
            facts: None,
        }
    }
}

/// One `ds:Signature` of a file.
#[derive(Debug, Serialize)]
pub(crate) struct SignatureReport {
    pub path: String,
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    pub detail: Option<String>,
    pub method: Option<&'static str>,
    pub key: Option<KeyReport>,
    pub signed: Vec<SignedElement>,
}

/// The key that made a valid signature.
#[derive(Debug, Serialize)]
pub(crate) struct KeyReport {
    pub subject: String,
    pub trusted_by: &'static str,
    pub sha256: String,
}

/// An element a valid signature covers.
#[derive(Debug, Serialize)]
pub(crate) struct SignedElement {
    pub uri: String,
    pub path: String,
    pub id: Option<String>,
}

impl SignatureReport {
    pub(crate) fn refused(path: String, reason: &Reason) -> Self {
        SignatureReport {
            path,
            verdict: "invalid",
            reason: Some(reason.code()),
            detail: detail(reason),
            method: None,
            key: None,
            signed: Vec::new(),
        }
    }

    pub(crate) fn valid(path: String, view: &VerifiedView<'_, '_>) -> Self {
        let doc = view.document();
        let signed = view
            .references()
            .iter()
            .map(|r| {
                let apex = doc.node(r.apex);
                SignedElement {
                    uri: r.uri.clone(),
                    path: element_path(apex),
                    id: r.uri.strip_prefix('#').map(str::to_owned),
                }
            })
            .collect();
        let key = view.key();
        let trusted_by = match key.trust_path() {
            TrustPath::PinnedKey => "pinned-key",
            TrustPath::PinnedCertificate => "pinned-certificate",
            TrustPath::CaChain => "ca-chain",
        };
        SignatureReport {
            path,
            verdict: "valid",
            reason: None,
            detail: None,
            method: Some(view.method().uri()),
            key: Some(KeyReport {
                subject: key.subject().into_owned(),
                trusted_by,
                sha256: key.public_key().fingerprint_hex(),
            }),
            signed,
        }
    }
}

/// The context of a reason beyond its code, if it has any (e.g. which slot an algorithm was refused in).
pub(crate) fn detail(reason: &Reason) -> Option<String> {
    let text = reason.to_string();
    (text != reason.code()).then_some(text)
}

/// `/prefix:local/...` from the root element down to `node` (`/` for the document node), prefixes as written.
pub(crate) fn element_path(node: Node<'_, '_>) -> String {
    let mut parts: Vec<String> = std::iter::once(node)
        .chain(node.ancestors())
        .filter(|n| n.is_element())
        .map(|n| match n.prefix() {
            Some(p) => format!("{p}:{}", n.local_name()),
            None => n.local_name().to_owned(),
        })
        .collect();
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// Renders reports as text.
pub(crate) fn render_text(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        if let Some(soap) = &r.soap {
            render_soap(&mut out, r, soap);
            continue;
        }
        match (r.reason, &r.detail) {
            (Some(code), detail) if r.signatures.is_empty() => {
                let detail = detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
                out.push_str(&format!("{}: {} ({code}{detail})\n", r.file, r.verdict));
            }
            _ => out.push_str(&format!("{}: {}\n", r.file, r.verdict)),
        }
        if let Some(a) = &r.saml {
            out.push_str(&format!(
                "  SAML {} assertion {} from {}: subject {} (confirmations: {}), valid until {}, signed by {}\n",
                a.version,
                a.id,
                a.issuer,
                a.subject,
                a.confirmations.join(", "),
                a.not_on_or_after,
                a.signed_by
            ));
        }
        for s in &r.signatures {
            match (&s.key, s.reason) {
                (Some(k), _) => {
                    out.push_str(&format!(
                        "  signature {}: valid ({}), key {} [{}]\n",
                        s.path,
                        s.method.unwrap_or(""),
                        k.subject,
                        k.trusted_by
                    ));
                    for e in &s.signed {
                        let uri = if e.uri.is_empty() { "\"\"" } else { &e.uri };
                        out.push_str(&format!("    signed {uri} {}\n", e.path));
                    }
                }
                (None, reason) => out.push_str(&format!(
                    "  signature {}: invalid: {}{}\n",
                    s.path,
                    reason.unwrap_or("unknown"),
                    s.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
                )),
            }
        }
    }
    out
}

fn render_soap(out: &mut String, r: &FileReport, soap: &SoapReport) {
    let route = soap.route.as_deref().map(|p| format!(", route {p}")).unwrap_or_default();
    out.push_str(&format!("{}: {} ({}{route})\n", r.file, r.verdict, soap.version));
    if let Some(p) = &soap.principal {
        let issuer = p.issuer().map(|i| format!(", issuer {i}")).unwrap_or_default();
        out.push_str(&format!(
            "  principal {} ({}, level {}{issuer})\n",
            p.subject(),
            p.token_type(),
            p.auth_level()
        ));
    }
    if let Some(f) = &soap.facts {
        if !f.signed_parts.is_empty() {
            out.push_str(&format!("  signed {}\n", f.signed_parts.join(", ")));
        }
        for s in &f.signatures {
            out.push_str(&format!("  signature by {} [{}, {}]\n", s.key_subject, s.trusted_by, s.reference));
        }
    }
    if let (Some(fault), Some(code)) = (&soap.fault, r.reason) {
        let detail = r.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
        out.push_str(&format!("  fault {fault} ({code}{detail})\n"));
    }
}
