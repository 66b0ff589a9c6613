//! Entry points for the fuzz targets in `fuzz/`, kept in the library so `cargo test` exercises them on seeds.
//!
//! Each function must never panic, whatever the bytes; where a property holds for every accepted input it is
//! asserted (those asserts are the point of fuzzing, and are not reachable from a server request).

#![allow(clippy::panic)] // a failed invariant must crash the fuzzer; nothing here runs on the request path

use crate::c14n::{self, Algorithm, NodeSet};
use crate::clock::DateTime;
use crate::dsig::{self, DSIG_NS, IdIndex, IdPolicy, VerifyOptions};
use crate::trust::{KeyPolicy, PublicKey, TrustStore};
use crate::xml::{Document, Limits, NodeType};
use std::sync::{Arc, OnceLock};

/// Parses `data`; for an accepted document, checks the tree's structural invariants.
pub fn xml_parse(data: &[u8]) {
    let limits = Limits { max_bytes: 1 << 20, ..Limits::default() };
    let Ok(doc) = Document::parse(data, &limits) else { return };
    let len = doc.input().len();
    for node in doc.descendants() {
        let r = node.range();
        assert!(r.start <= r.end && r.end <= len, "range out of input");
        assert!(node.subtree_end() >= node.id());
        if let Some(parent) = node.parent() {
            assert!(parent.is_ancestor_of(node.id()));
            assert!(parent.range().start <= r.start && r.end <= parent.range().end);
        }
        if node.node_type() == NodeType::Element {
            assert!(node.depth() <= limits.max_depth);
        }
    }
    assert!(doc.root_element().is_element());
}

/// Canonicalizes an accepted document with every algorithm, whole and per element subtree, and checks that
/// Canonical XML is idempotent on its own output.
pub fn c14n(data: &[u8]) {
    let Ok(doc) = Document::parse(data, &Limits::default()) else { return };
    let algorithms = [
        Algorithm::C14n10 { with_comments: false },
        Algorithm::C14n10 { with_comments: true },
        Algorithm::ExcC14n10 { with_comments: false, inclusive_prefixes: Default::default() },
        Algorithm::ExcC14n10 { with_comments: true, inclusive_prefixes: Default::default() },
    ];
    for alg in &algorithms {
        let Ok(out) = c14n::to_vec(&doc, &NodeSet::document(&doc), alg) else { continue };
        let again = Document::parse(&out, &Limits { max_bytes: usize::MAX / 2, ..Limits::default() });
        let doc2 = again.unwrap_or_else(|e| panic!("canonical output does not parse: {e}"));
        let out2 = c14n::to_vec(&doc2, &NodeSet::document(&doc2), alg).unwrap_or_default();
        assert_eq!(out, out2, "canonicalization is not idempotent");
    }
    for node in doc.descendants().filter(|n| n.is_element()).take(16) {
        for alg in &algorithms {
            let _ = c14n::to_vec(&doc, &NodeSet::subtree(node.id()), alg);
        }
    }
}

/// The key the `dsig_verify` seeds are signed with (the test PKI's `leaf-rsa2048`), as a SubjectPublicKeyInfo.
const SEED_KEY: &str = include_str!("../testdata/pki/leaf-rsa2048.pubkey.pem");

/// Verifies every `ds:Signature` of an accepted document against a fixed trust store and clock.
pub fn dsig_verify(data: &[u8]) {
    let Ok(doc) = Document::parse(data, &Limits::default()) else { return };
    let Ok(ids) = IdIndex::build(&doc, &IdPolicy::generic()) else { return };
    let mut b = TrustStore::builder(KeyPolicy::default());
    if let Ok(key) = PublicKey::from_pem(SEED_KEY.as_bytes()) {
        let _ = b.pin_key(key);
    }
    let store = b.build();
    let options =
        VerifyOptions { policy: KeyPolicy::default(), at: DateTime::from_unix_seconds(1_795_608_000) };
    for sig in doc.descendants().filter(|n| n.is(DSIG_NS, "Signature")).take(4) {
        if let Ok(view) = dsig::verify(&doc, &ids, sig.id(), &store, &options) {
            for r in view.references() {
                assert!(view.is_signed(r.apex) || r.excluded == Some(r.apex));
            }
        }
    }
}

/// A SAML validator trusting the seed key for the test issuer, with the audience and recipient the `testdata/`
/// assertions use, built once (the replay cache then records seeds across runs, which is fine: a replay is a
/// refusal like any other).
fn saml_validator() -> Option<&'static crate::saml::Saml> {
    static SAML: OnceLock<Option<crate::saml::Saml>> = OnceLock::new();
    SAML.get_or_init(new_saml).as_ref()
}

fn new_saml() -> Option<crate::saml::Saml> {
    use crate::saml::{IssuerRegistry, IssuerTrust, Saml, SamlPolicy};
    let key = PublicKey::from_pem(SEED_KEY.as_bytes()).ok()?;
    let mut issuer = IssuerTrust::builder("https://idp.example.org/saml2", KeyPolicy::default());
    issuer.pin_key(key).ok()?;
    let mut registry = IssuerRegistry::new();
    registry.add(issuer.build()).ok()?;
    let policy = SamlPolicy::new(["https://sluis.example.org"], ["https://sluis.example.org/oauth2/token"]);
    let replay = Arc::new(crate::store::ReplayCache::new(10_000));
    Some(Saml::new(Arc::new(registry), policy, replay))
}

/// Validates `data` as a SAML Response or Assertion at a fixed time; an accepted assertion must yield a subject.
pub fn saml_validate(data: &[u8]) {
    let Some(saml) = saml_validator() else { return };
    let ctx = crate::saml::Context::at(DateTime::from_unix_seconds(1_795_608_000));
    if let Ok(assertion) = saml.validate_document(data, &ctx) {
        assert!(!assertion.issuer().is_empty());
    }
}

/// Parses `data` as an OAuth token request form, as a compact JWS, and as an RFC 7522 `assertion` parameter.
pub fn oauth_form(data: &[u8]) {
    let _ = crate::oauth::form::Form::parse(
        Some("application/x-www-form-urlencoded"),
        data,
        256 * 1024,
        &["grant_type", "assertion", "scope", "client_id", "client_assertion", "client_assertion_type"],
        &["resource", "audience"],
    );
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::oauth::jws::Unverified::parse(text);
        if let Ok(xml) = crate::oauth::saml_bearer::decode(text) {
            let _ = Document::parse(&xml, &Limits::token_request());
        }
    }
}

/// The test PKI's root and intermediate CA, trusted by the `wss_gateway` context.
const ROOT_CA: &str = include_str!("../testdata/pki/root-ca.cert.pem");
const INTERMEDIATE_CA: &str = include_str!("../testdata/pki/intermediate-ca.cert.pem");

/// A gateway context trusting the test PKI (so the signed `testdata/` envelopes verify), with a SAML validator like
/// the one above, built once; accepted messages are not remembered as replays.
fn gateway() -> Option<&'static crate::wss::SecurityContext> {
    static CTX: OnceLock<Option<crate::wss::SecurityContext>> = OnceLock::new();
    CTX.get_or_init(|| {
        use crate::trust::Certificate;
        let mut b = TrustStore::builder(KeyPolicy::default());
        b.add_ca(&Certificate::from_pem(ROOT_CA.as_bytes()).ok()?).ok()?;
        b.add_intermediate(Certificate::from_pem(INTERMEDIATE_CA.as_bytes()).ok()?);
        let mut ctx = crate::wss::SecurityContext::builder(b.build());
        // Deterministic: the same input gets the same decision however often it runs (a crash must reproduce).
        ctx.reject_replayed_messages(false);
        if let Some(saml) = new_saml() {
            ctx.saml(saml);
        }
        Some(ctx.build())
    })
    .as_ref()
}

/// Runs the whole WS-Security gateway decision ([`crate::wss::process`]) on `data` as a SOAP 1.1 and a SOAP 1.2
/// request at the fixtures' time. An accepted message must name a principal and forward bytes that still parse.
/// Returns whether either version was accepted (the seed test checks that the signed seeds still are).
pub fn wss_gateway(data: &[u8]) -> bool {
    let mut any = false;
    use crate::wss::{Transport, process};
    let Some(ctx) = gateway() else { return false };
    let at = DateTime::from_unix_seconds(1_795_608_000);
    let policy = crate::policy::RoutePolicy::default();
    let requests = [
        ("text/xml; charset=utf-8", Some("\"urn:example:GetPatient\"")),
        ("application/soap+xml; charset=utf-8; action=\"urn:example:GetPatient\"", None),
    ];
    for (content_type, action) in requests {
        let transport = Transport { tls: true, loopback: false };
        if let Ok(accepted) = process(ctx, &policy, Some(content_type), action, data, transport, at) {
            assert!(!accepted.principal().subject().is_empty(), "accepted without a subject");
            let limits = Limits { max_bytes: usize::MAX / 2, ..Limits::soap() };
            assert!(
                Document::parse(accepted.forward_body(), &limits).is_ok(),
                "forwarded bytes do not parse"
            );
            any = true;
        }
    }
    any
}
