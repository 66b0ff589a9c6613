//! Signing SAML assertions and responses — the issuer's side, for fixtures, tests and interop (`sluis sign`); never on
//! a request path.
//!
//! The signature is enveloped, exclusive C14N, references the element's ID and sits where the schema wants it
//! (SAML 2.0 Core §5.4.1, SAML 1.1 Core §5.4.1): right after the `Issuer` (2.0 `Assertion`, `Response`), as the last
//! child (1.1 `Assertion`), or first (1.1 `Response`). [`redate`] moves a fixture's instants to a chosen time first,
//! so one template serves on any day.

use crate::c14n::{self, Algorithm};
use crate::clock::DateTime;
use crate::dsig::{
    self, DigestMethod, IdIndex, IdPolicy, KeyInfoSpec, Placement, ReferenceSpec, SAML1_NS, SAML1P_NS,
    SAML2_NS, SAML2P_NS, SignSpec, SignatureMethod,
};
use crate::reason::{DsigReason, Reason, SamlReason};
use crate::trust::{Certificate, SigningKey};
use crate::xml::{Document, Limits, Node};

/// What to sign and how.
#[derive(Clone, Debug)]
pub struct SamlSignSpec<'k> {
    /// The issuer's private key.
    pub key: &'k SigningKey,
    /// Certificates for `KeyInfo/X509Data` (signer first); empty for no `KeyInfo`.
    pub certificates: Vec<Certificate>,
    /// Digest method of the Reference.
    pub digest: DigestMethod,
    /// The signature method; `None` takes the key's default.
    pub method: Option<SignatureMethod>,
    /// The ID of the element to sign; `None` signs the document element.
    pub id: Option<String>,
}

/// Whether `node` is a SAML 1.1/2.0 `Assertion` or `Response`, the elements [`sign`] places signatures in.
pub fn is_signable(node: Node<'_, '_>) -> bool {
    node.is(SAML2_NS, "Assertion")
        || node.is(SAML2P_NS, "Response")
        || node.is(SAML1_NS, "Assertion")
        || node.is(SAML1P_NS, "Response")
}

/// Where the schema puts the `ds:Signature` of `element`: right after a first child `Issuer` (SAML 2.0), as the last
/// child (SAML 1.1 `Assertion`), otherwise first (SAML 1.1 `Response`).
pub fn placement(element: Node<'_, '_>) -> Placement {
    if element.is(SAML1_NS, "Assertion") {
        Placement::LastChildOf(element.id())
    } else {
        match element.element_children().next() {
            Some(first) if first.local_name() == "Issuer" => Placement::After(first.id()),
            _ => Placement::FirstChildOf(element.id()),
        }
    }
}

/// Signs the assertion or response of `xml` per `spec` and returns the signed text.
pub fn sign(xml: &str, spec: &SamlSignSpec<'_>) -> Result<String, Reason> {
    let limits = Limits { max_bytes: usize::MAX / 2, ..Limits::default() };
    let doc = Document::parse_str(xml, &limits)?;
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml())?;
    let element = match &spec.id {
        Some(id) => doc.node(ids.get(id).ok_or(DsigReason::ReferenceNotFound)?),
        None => doc.root_element(),
    };
    if !is_signable(element) {
        return Err(SamlReason::AssertionMissing.into());
    }
    let id_attr = if element.is(SAML1_NS, "Assertion") {
        "AssertionID"
    } else if element.is(SAML1P_NS, "Response") {
        "ResponseID"
    } else {
        "ID"
    };
    let id = element.attribute(None, id_attr).ok_or(DsigReason::ReferenceNotFound)?;
    let placement = placement(element);
    let method = match spec.method {
        Some(m) => m,
        None => SignatureMethod::for_algorithm(spec.key.default_algorithm())
            .ok_or(Reason::Internal("no signature method for this key"))?,
    };
    let c14n = Algorithm::from_uri(c14n::EXC_C14N_10, None)
        .ok()
        .flatten()
        .ok_or(Reason::Internal("exclusive c14n"))?;
    let key_info = if spec.certificates.is_empty() {
        KeyInfoSpec::None
    } else {
        KeyInfoSpec::X509Certificates(spec.certificates.iter().map(|c| c.der().to_vec()).collect())
    };
    let sign_spec = SignSpec {
        key: spec.key,
        method,
        digest: spec.digest,
        c14n,
        references: vec![ReferenceSpec { uri: format!("#{id}"), enveloped: true }],
        key_info,
        placement,
        ids: IdPolicy::wss_saml(),
    };
    dsig::sign(xml, &sign_spec)
}

/// The SAML attributes that hold instants (SAML 2.0 Core §2–3, SAML 1.1 Core §2–3).
const TIME_ATTRIBUTES: &[&str] = &[
    "IssueInstant",
    "NotBefore",
    "NotOnOrAfter",
    "AuthnInstant",
    "SessionNotOnOrAfter",
    "AuthenticationInstant",
];

/// Why a document could not be re-dated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedateError {
    /// Not XML sluis accepts.
    Xml(Reason),
    /// The document element is not a SAML assertion or response with an `IssueInstant`.
    NoIssueInstant,
    /// A SAML time attribute that is not an `xs:dateTime`; the attribute's name.
    BadTime(String),
    /// The document already carries a signature, which moving its times would break.
    AlreadySigned,
}

impl std::fmt::Display for RedateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedateError::Xml(r) => write!(f, "not acceptable XML: {}", r.code()),
            RedateError::NoIssueInstant => f.write_str("the document element has no IssueInstant to move"),
            RedateError::BadTime(a) => write!(f, "{a} is not an xs:dateTime"),
            RedateError::AlreadySigned => {
                f.write_str("the document is signed already; re-date the unsigned assertion, then sign it")
            }
        }
    }
}

impl std::error::Error for RedateError {}

/// Moves every SAML instant of `xml` (`IssueInstant`, `NotBefore`, `NotOnOrAfter`, `AuthnInstant`, …, on elements in
/// the SAML namespaces) by the same amount, so that the document element's `IssueInstant` becomes `issue_instant`: a
/// fixture keeps its validity window and the order of its times, whenever it is used. Only those attribute values
/// change; a document that carries a `ds:Signature` is refused (its signature would break).
pub fn redate(xml: &str, issue_instant: DateTime) -> Result<String, RedateError> {
    let limits = Limits { max_bytes: usize::MAX / 2, ..Limits::default() };
    let doc = Document::parse_str(xml, &limits).map_err(|e| RedateError::Xml(e.into()))?;
    if doc.descendants().any(|n| n.is(crate::dsig::DSIG_NS, "Signature")) {
        return Err(RedateError::AlreadySigned);
    }
    let root = doc.root_element();
    let old = root
        .attribute(None, "IssueInstant")
        .filter(|_| is_signable(root))
        .ok_or(RedateError::NoIssueInstant)?;
    let old = DateTime::parse(old).map_err(|_| RedateError::BadTime("IssueInstant".into()))?;
    let shift = issue_instant.unix_millis() - old.unix_millis();
    let saml_ns = [SAML2_NS, SAML2P_NS, SAML1_NS, SAML1P_NS];
    let mut edits = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        if !node.namespace().is_some_and(|ns| saml_ns.contains(&ns)) {
            continue;
        }
        for a in node.attributes() {
            if a.namespace().is_some() || !TIME_ATTRIBUTES.contains(&a.local_name()) {
                continue;
            }
            let t =
                DateTime::parse(a.value()).map_err(|_| RedateError::BadTime(a.local_name().to_owned()))?;
            let moved = DateTime::from_unix_millis(t.unix_millis().saturating_add(shift));
            edits.push((a.range(), format!("{}=\"{}\"", a.local_name(), moved.to_rfc3339())));
        }
    }
    let mut out = xml.to_owned();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, text) in edits {
        if range.end > out.len() || !out.is_char_boundary(range.start) || !out.is_char_boundary(range.end) {
            return Err(RedateError::Xml(Reason::Internal("attribute range")));
        }
        out.replace_range(range, &text);
    }
    Ok(out)
}
