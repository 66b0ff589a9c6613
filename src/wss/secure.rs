//! Securing a SOAP message — the sender's side of WS-Security, for fixtures, tests and interop (`sluis sign`); never
//! on the request path.
//!
//! [`secure`] adds one `wsse:Security` header (with `mustUnderstand`) holding, in this order: a `wsu:Timestamp`, an
//! optional `UsernameToken`, an optional SAML assertion, the X.509 `BinarySecurityToken` and a `ds:Signature` over the
//! Body and the Timestamp (and the UsernameToken when there is one), exclusive C14N, the key named through a
//! `SecurityTokenReference` in the form the caller picks. This is the layout WS-I BSP 1.1 describes and what
//! [`crate::wss::process`] expects by default.
//!
//! A SAML assertion (already signed by its issuer, or not, for negative fixtures) is used per SAML Token Profile 1.1
//! §3.5: **holder-of-key** — the signer is the confirmation key, `KeyInfo` refers to the assertion by `KeyIdentifier`
//! (`SAMLID` / `SAMLAssertionID`) and no BinarySecurityToken is sent; **sender-vouches** — the attesting entity's
//! certificate travels as a BinarySecurityToken and the signature also covers the assertion (by its ID);
//! **bearer** — the assertion rides along and the message is signed as without it.
//!
//! Like [`crate::dsig::sign`], it edits the original text: the header is spliced in (a `Header` is created when the
//! envelope has none), the Body gets a `wsu:Id` when it has no ID, and nothing else in the message changes byte for
//! byte — so a tester can still tamper with exactly one thing afterwards.

use super::{
    BASE64_BINARY, PASSWORD_DIGEST, PASSWORD_TEXT, SAML_ASSERTION_ID, SAML_ID, SAML_V11_TOKEN,
    SAML_V20_TOKEN, THUMBPRINT_SHA1, WSSE_NS, WSSE11_NS, WSU_NS, X509_PKIPATH_V1, X509_SKI, X509V3,
};
use crate::c14n::Algorithm;
use crate::clock::DateTime;
use crate::dsig::{
    self, DSIG_NS, DigestMethod, IdIndex, IdPolicy, KeyInfoSpec, Placement, ReferenceSpec, SAML1_NS,
    SAML2_NS, SignSpec, SignatureMethod,
};
use crate::reason::Reason;
use crate::soap::Envelope;
use crate::trust::{Certificate, SigningKey};
use crate::xml::{Document, Limits};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::fmt;

/// How the signature's `KeyInfo` points at the certificate (X.509 Token Profile 1.1 §3.2). The certificate is always
/// carried in a `BinarySecurityToken`, so every form resolves inside the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TokenReference {
    /// `wsse:Reference URI="#…"` to the BinarySecurityToken (the BSP's preferred form).
    #[default]
    Direct,
    /// `wsse:KeyIdentifier` with the certificate's SubjectKeyIdentifier.
    SubjectKeyIdentifier,
    /// `wsse:KeyIdentifier` with the SHA-1 thumbprint of the certificate (WSS 1.1).
    ThumbprintSha1,
    /// `ds:X509Data/ds:X509IssuerSerial`.
    IssuerSerial,
}

/// How the certificate travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TokenFormat {
    /// `X509v3`: the signing certificate alone.
    #[default]
    X509v3,
    /// `X509PKIPathv1`: the chain as a PkiPath (from the certificate nearest the trust anchor down to the signer).
    PkiPath,
}

/// A `UsernameToken` to add (Username Token Profile 1.1).
#[derive(Clone, Debug)]
pub struct UsernameSpec {
    /// The user name.
    pub username: String,
    /// The password in clear (the digest needs it).
    pub password: String,
    /// `PasswordText` or `PasswordDigest`.
    pub digest: bool,
}

/// How a SAML assertion in the header is confirmed (SAML Token Profile 1.1 §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamlTokenUse {
    /// The signer holds the key in the assertion's `SubjectConfirmationData/KeyInfo`.
    HolderOfKey,
    /// The signer is an attesting entity vouching for the subject; its signature covers the assertion.
    SenderVouches,
    /// The assertion alone is the proof.
    Bearer,
}

/// A SAML assertion to put in the header.
#[derive(Clone, Debug)]
pub struct SamlToken {
    /// The assertion's text: a standalone `saml:Assertion` (1.1 or 2.0) document, namespaces declared on it.
    pub assertion: String,
    /// How it is confirmed.
    pub confirmation: SamlTokenUse,
}

/// Everything [`secure`] needs besides the envelope.
#[derive(Clone, Debug)]
pub struct SecureSpec<'k> {
    /// The signer's private key.
    pub key: &'k SigningKey,
    /// The signer's certificate first, then (for [`TokenFormat::PkiPath`]) the intermediates up towards the root.
    pub certificates: Vec<Certificate>,
    /// The `Created` instant of the Timestamp (and of a UsernameToken).
    pub created: DateTime,
    /// Seconds from `Created` to `Expires`.
    pub ttl_seconds: i64,
    /// How `KeyInfo` refers to the certificate.
    pub reference: TokenReference,
    /// How the certificate travels.
    pub format: TokenFormat,
    /// Digest method of the References.
    pub digest: DigestMethod,
    /// The signature method; `None` takes the key's default (RSA-SHA256, ECDSA-SHA256 on P-256, …).
    pub method: Option<SignatureMethod>,
    /// A UsernameToken to add (signed too).
    pub username: Option<UsernameSpec>,
    /// A SAML assertion to add.
    pub saml: Option<SamlToken>,
}

/// Why an envelope could not be secured.
#[derive(Debug)]
pub enum SecureError {
    /// The input is not an acceptable SOAP envelope (or not XML).
    Envelope(Reason),
    /// The envelope already carries a `wsse:Security` header.
    AlreadySecured,
    /// No certificate was given.
    NoCertificate,
    /// The certificate has no SubjectKeyIdentifier, so that reference form cannot name it.
    NoSubjectKeyIdentifier,
    /// The SAML token is not a standalone SAML 1.1 or 2.0 `Assertion` with an ID.
    NotAnAssertion,
    /// The Body's start tag binds `wsu` to another namespace.
    WsuPrefixTaken,
    /// The system's random generator failed (nonce).
    NoRandomness,
    /// The key has no XML-DSig signature method sluis knows.
    MethodDoesNotFitKey,
    /// Signing failed.
    Sign(Reason),
}

impl fmt::Display for SecureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecureError::Envelope(r) => write!(f, "not a SOAP envelope sluis can secure: {}", r.code()),
            SecureError::AlreadySecured => f.write_str("the envelope already has a wsse:Security header"),
            SecureError::NoCertificate => f.write_str("no signing certificate given"),
            SecureError::NoSubjectKeyIdentifier => f.write_str(
                "the certificate has no SubjectKeyIdentifier extension; use another reference form",
            ),
            SecureError::NotAnAssertion => {
                f.write_str("the SAML token is not a SAML 1.1/2.0 Assertion with an ID")
            }
            SecureError::WsuPrefixTaken => f.write_str("the Body binds the prefix wsu to another namespace"),
            SecureError::NoRandomness => f.write_str("the system random generator failed"),
            SecureError::MethodDoesNotFitKey => f.write_str("no XML-DSig signature method for this key"),
            SecureError::Sign(r) => write!(f, "signing failed: {}", r.code()),
        }
    }
}

impl std::error::Error for SecureError {}

/// IDs the header's parts get (the Body keeps an ID it already has).
const TIMESTAMP_ID: &str = "TS-sluis";
const TOKEN_ID: &str = "X509-sluis";
const USERNAME_ID: &str = "UT-sluis";
const BODY_ID: &str = "Body-sluis";

/// Adds a signed `wsse:Security` header to `envelope` (see the module documentation) and returns the new text.
pub fn secure(envelope: &str, spec: &SecureSpec<'_>) -> Result<String, SecureError> {
    let leaf = spec.certificates.first().ok_or(SecureError::NoCertificate)?;
    let method = match spec.method {
        Some(m) => m,
        None => SignatureMethod::for_algorithm(spec.key.default_algorithm())
            .ok_or(SecureError::MethodDoesNotFitKey)?,
    };
    let limits = Limits { max_bytes: usize::MAX / 2, ..Limits::default() };
    let saml = spec.saml.as_ref().map(|t| saml_token(t, &limits)).transpose()?;

    // 1. The Body's ID, and where the header goes.
    let doc = Document::parse_str(envelope, &limits).map_err(|r| SecureError::Envelope(r.into()))?;
    let env = Envelope::read(&doc).map_err(|r| SecureError::Envelope(r.into()))?;
    if env.header_blocks().iter().any(|b| doc.node(b.node).is(WSSE_NS, "Security")) {
        return Err(SecureError::AlreadySecured);
    }
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).map_err(|r| SecureError::Envelope(r.into()))?;
    let body = doc.node(env.body());
    let body_id = match body.attribute(Some(WSU_NS), "Id") {
        Some(id) => id.to_owned(),
        None => {
            if ids.get(BODY_ID).is_some() {
                return Err(SecureError::Envelope(Reason::Internal("the ID Body-sluis is taken")));
            }
            BODY_ID.to_owned()
        }
    };
    if let Some(t) = &saml
        && ids.get(&t.id).is_some()
    {
        return Err(SecureError::Envelope(Reason::Internal("the envelope already uses the assertion's ID")));
    }
    for id in [TIMESTAMP_ID, TOKEN_ID, USERNAME_ID] {
        if ids.get(id).is_some() {
            return Err(SecureError::Envelope(Reason::Internal("an ID sluis uses for the header is taken")));
        }
    }
    let header = security_header(spec, leaf, env.version().namespace(), saml.as_ref())?;
    let mut edits: Vec<Edit> = Vec::new();
    match env.header() {
        Some(h) => {
            let h = doc.node(h);
            let tag = h.start_tag_range();
            let text = envelope.get(tag.clone()).unwrap_or("");
            if let Some(open) = text.strip_suffix("/>") {
                // `<S:Header/>`: a start tag, the header and an end tag in its place.
                let name = match h.prefix() {
                    Some(p) => format!("{p}:{}", h.local_name()),
                    None => h.local_name().to_owned(),
                };
                edits.push(Edit { range: tag, text: format!("{open}>{header}</{name}>") });
            } else {
                edits.push(Edit { range: tag.end..tag.end, text: header });
            }
        }
        // The envelope's prefix (or default namespace) is in scope right before the Body, its sibling.
        None => {
            let name = match doc.node(env.envelope()).prefix() {
                Some(p) => format!("{p}:Header"),
                None => "Header".to_owned(),
            };
            let at = body.range().start;
            edits.push(Edit { range: at..at, text: format!("<{name}>{header}</{name}>") });
        }
    }
    if body.attribute(Some(WSU_NS), "Id").is_none() {
        let declared = body.namespace_declarations().find(|(p, _)| *p == Some("wsu")).map(|(_, ns)| ns);
        let declare = match declared {
            Some(ns) if ns == WSU_NS => String::new(),
            Some(_) => return Err(SecureError::WsuPrefixTaken),
            None => format!(" xmlns:wsu=\"{WSU_NS}\""),
        };
        let tag = body.start_tag_range();
        let text = envelope.get(tag.clone()).unwrap_or("");
        let at = if text.ends_with("/>") { tag.end - 2 } else { tag.end - 1 };
        edits.push(Edit { range: at..at, text: format!("{declare} wsu:Id=\"{body_id}\"") });
    }
    let staged = apply(envelope, edits)?;

    // 2. Sign Body, Timestamp (and UsernameToken) with the Signature last in the new header.
    let doc = Document::parse_str(&staged, &limits).map_err(|r| SecureError::Envelope(r.into()))?;
    let security = doc
        .descendants()
        .find(|n| n.is(WSSE_NS, "Security"))
        .map(|n| n.id())
        .ok_or(SecureError::Sign(Reason::Internal("inserted Security header not found")))?;
    let mut references = vec![format!("#{body_id}"), format!("#{TIMESTAMP_ID}")];
    if spec.username.is_some() {
        references.push(format!("#{USERNAME_ID}"));
    }
    if let Some(t) = saml.as_ref().filter(|t| t.confirmation == SamlTokenUse::SenderVouches) {
        references.push(format!("#{}", t.id));
    }
    let c14n = Algorithm::from_uri(crate::c14n::EXC_C14N_10, None)
        .ok()
        .flatten()
        .ok_or(SecureError::Sign(Reason::Internal("exclusive c14n")))?;
    let sign_spec = SignSpec {
        key: spec.key,
        method,
        digest: spec.digest,
        c14n,
        references: references.into_iter().map(|uri| ReferenceSpec { uri, enveloped: false }).collect(),
        key_info: KeyInfoSpec::Raw(
            match saml.as_ref().filter(|t| t.confirmation == SamlTokenUse::HolderOfKey) {
                Some(t) => saml_key_info(t),
                None => key_info(spec.reference, leaf)?,
            },
        ),
        placement: Placement::LastChildOf(security),
        ids: IdPolicy::wss_saml(),
    };
    dsig::sign(&staged, &sign_spec).map_err(SecureError::Sign)
}

/// One change to the input text: `range` (empty for an insertion) becomes `text`.
struct Edit {
    range: std::ops::Range<usize>,
    text: String,
}

/// Applies non-overlapping edits to `input`, from the last position to the first so earlier positions hold.
fn apply(input: &str, mut edits: Vec<Edit>) -> Result<String, SecureError> {
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = input.to_owned();
    for e in edits {
        if e.range.end > out.len()
            || !out.is_char_boundary(e.range.start)
            || !out.is_char_boundary(e.range.end)
        {
            return Err(SecureError::Sign(Reason::Internal("edit outside the text")));
        }
        out.replace_range(e.range, &e.text);
    }
    Ok(out)
}

/// The `wsse:Security` element without its Signature.
fn security_header(
    spec: &SecureSpec<'_>,
    leaf: &Certificate,
    soap_ns: &str,
    saml: Option<&ParsedSaml<'_>>,
) -> Result<String, SecureError> {
    let created = spec.created.to_rfc3339();
    let expires = spec.created.plus_seconds(spec.ttl_seconds).to_rfc3339();
    let mut out = format!(
        "<wsse:Security xmlns:wsse=\"{WSSE_NS}\" xmlns:wsu=\"{WSU_NS}\" xmlns:sluis-env=\"{soap_ns}\" \
         sluis-env:mustUnderstand=\"1\">\
         <wsu:Timestamp wsu:Id=\"{TIMESTAMP_ID}\"><wsu:Created>{created}</wsu:Created>\
         <wsu:Expires>{expires}</wsu:Expires></wsu:Timestamp>"
    );
    if let Some(u) = &spec.username {
        let mut nonce = [0u8; 16];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| SecureError::NoRandomness)?;
        let (kind, password) = if u.digest {
            let mut input = Vec::with_capacity(16 + created.len() + u.password.len());
            input.extend_from_slice(&nonce);
            input.extend_from_slice(created.as_bytes());
            input.extend_from_slice(u.password.as_bytes());
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &input);
            (PASSWORD_DIGEST, B64.encode(digest.as_ref()))
        } else {
            (PASSWORD_TEXT, escape_text(&u.password))
        };
        out.push_str(&format!(
            "<wsse:UsernameToken wsu:Id=\"{USERNAME_ID}\"><wsse:Username>{}</wsse:Username>\
             <wsse:Password Type=\"{kind}\">{password}</wsse:Password>\
             <wsse:Nonce EncodingType=\"{BASE64_BINARY}\">{}</wsse:Nonce><wsu:Created>{created}</wsu:Created>\
             </wsse:UsernameToken>",
            escape_text(&u.username),
            B64.encode(nonce)
        ));
    }
    if let Some(t) = saml {
        out.push_str(t.text);
        if t.confirmation == SamlTokenUse::HolderOfKey {
            // The confirmation key signs; no certificate token (BSP R3057: a token is referenced, not duplicated).
            out.push_str("</wsse:Security>");
            return Ok(out);
        }
    }
    let (value_type, value) = match spec.format {
        TokenFormat::X509v3 => (X509V3, B64.encode(leaf.der())),
        TokenFormat::PkiPath => (X509_PKIPATH_V1, B64.encode(pki_path(&spec.certificates))),
    };
    out.push_str(&format!(
        "<wsse:BinarySecurityToken EncodingType=\"{BASE64_BINARY}\" ValueType=\"{value_type}\" \
         wsu:Id=\"{TOKEN_ID}\">{value}</wsse:BinarySecurityToken></wsse:Security>"
    ));
    Ok(out)
}

/// A SAML token, checked: its element's text (without an XML declaration), ID and version.
struct ParsedSaml<'t> {
    text: &'t str,
    id: String,
    saml11: bool,
    confirmation: SamlTokenUse,
}

fn saml_token<'t>(token: &'t SamlToken, limits: &Limits) -> Result<ParsedSaml<'t>, SecureError> {
    let doc = Document::parse_str(&token.assertion, limits).map_err(|_| SecureError::NotAnAssertion)?;
    let root = doc.root_element();
    let (saml11, id) = if root.is(SAML2_NS, "Assertion") {
        (false, root.attribute(None, "ID"))
    } else if root.is(SAML1_NS, "Assertion") {
        (true, root.attribute(None, "AssertionID"))
    } else {
        return Err(SecureError::NotAnAssertion);
    };
    let id = id.ok_or(SecureError::NotAnAssertion)?.to_owned();
    let text = token.assertion.get(root.range()).ok_or(SecureError::NotAnAssertion)?;
    Ok(ParsedSaml { text, id, saml11, confirmation: token.confirmation })
}

/// `KeyInfo` for holder-of-key: an STR naming the assertion by `KeyIdentifier` (SAML Token Profile 1.1 §3.4.2).
fn saml_key_info(t: &ParsedSaml<'_>) -> String {
    let (value_type, token_type) =
        if t.saml11 { (SAML_ASSERTION_ID, SAML_V11_TOKEN) } else { (SAML_ID, SAML_V20_TOKEN) };
    format!(
        "<wsse:SecurityTokenReference xmlns:wsse=\"{WSSE_NS}\" xmlns:wsse11=\"{WSSE11_NS}\" \
         wsse11:TokenType=\"{token_type}\"><wsse:KeyIdentifier ValueType=\"{value_type}\">{}</wsse:KeyIdentifier>\
         </wsse:SecurityTokenReference>",
        escape_text(&t.id)
    )
}

/// The `SecurityTokenReference` for `KeyInfo`.
fn key_info(reference: TokenReference, leaf: &Certificate) -> Result<String, SecureError> {
    let key_identifier = |value_type: &str, value: &[u8]| {
        format!(
            "<wsse:SecurityTokenReference xmlns:wsse=\"{WSSE_NS}\"><wsse:KeyIdentifier EncodingType=\"{BASE64_BINARY}\" \
             ValueType=\"{value_type}\">{}</wsse:KeyIdentifier></wsse:SecurityTokenReference>",
            B64.encode(value)
        )
    };
    Ok(match reference {
        TokenReference::Direct => format!(
            "<wsse:SecurityTokenReference xmlns:wsse=\"{WSSE_NS}\"><wsse:Reference URI=\"#{TOKEN_ID}\"/>\
             </wsse:SecurityTokenReference>"
        ),
        TokenReference::SubjectKeyIdentifier => {
            key_identifier(X509_SKI, leaf.subject_key_id().ok_or(SecureError::NoSubjectKeyIdentifier)?)
        }
        TokenReference::ThumbprintSha1 => key_identifier(THUMBPRINT_SHA1, &leaf.sha1_thumbprint()),
        TokenReference::IssuerSerial => format!(
            "<wsse:SecurityTokenReference xmlns:wsse=\"{WSSE_NS}\"><ds:X509Data xmlns:ds=\"{DSIG_NS}\">\
             <ds:X509IssuerSerial><ds:X509IssuerName>{}</ds:X509IssuerName>\
             <ds:X509SerialNumber>{}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>\
             </wsse:SecurityTokenReference>",
            escape_text(leaf.issuer()),
            leaf.serial_decimal()
        ),
    })
}

/// DER `PkiPath` (`SEQUENCE OF Certificate`, X.509 Token Profile 1.1 §3.1): the chain given signer-first, written
/// anchor-side first.
fn pki_path(chain: &[Certificate]) -> Vec<u8> {
    let content: Vec<u8> = chain.iter().rev().flat_map(|c| c.der().iter().copied()).collect();
    let mut out = vec![0x30];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(&content);
    out
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pki_path_lengths() {
        assert_eq!(pki_path(&[]), vec![0x30, 0]);
    }

    #[test]
    fn edits_apply_back_to_front() {
        let ins = |at: usize, t: &str| Edit { range: at..at, text: t.into() };
        let out = apply("<a><b/></a>", vec![ins(3, "<x/>"), ins(7, "<y/>")]).unwrap();
        assert_eq!(out, "<a><x/><b/><y/></a>");
        let out = apply("<a><b/></a>", vec![Edit { range: 3..7, text: "<b>z</b>".into() }]).unwrap();
        assert_eq!(out, "<a><b>z</b></a>");
        assert!(apply("<a/>", vec![ins(9, "x")]).is_err());
    }
}
