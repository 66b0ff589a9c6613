//! What the CLI prints: serializable reports and the text rendering of them.

use crate::dsig::VerifiedView;
use crate::reason::Reason;
use crate::trust::TrustPath;
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
        match (r.reason, &r.detail) {
            (Some(code), detail) if r.signatures.is_empty() => {
                let detail = detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
                out.push_str(&format!("{}: {} ({code}{detail})\n", r.file, r.verdict));
            }
            _ => out.push_str(&format!("{}: {}\n", r.file, r.verdict)),
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
