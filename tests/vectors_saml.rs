//! The SAML vectors of `../shared/vectors/saml` (crewjam/saml, node-saml/xml-crypto and samael fixtures: real IdP
//! responses, XSW permutations, comment injection, wrapped and duplicated SignedInfo, …), run against `sluis::saml`.
//!
//! Every `valid-signature` entry must validate (with `expected_subject` when the manifest gives one) under a lenient
//! key policy (SHA-1 and RSA-1024, which these old fixtures use), and under the default policy it must either validate
//! or be refused for exactly that policy reason. Every `reject` entry must be refused, and `must_not_return_subject`
//! is never returned. Where sluis deliberately differs, [`DEVIATIONS`] says so and why.
//!
//! How each entry is run:
//! - SAML documents (no `profile`) go through [`Saml::validate_document`] with an issuer configured from `cert` (an IdP
//!   metadata file through [`IssuerRegistry::add_metadata`], otherwise the certificate or key pinned for the issuer the
//!   document names — the operator's configuration for that IdP), at `verification_time`. The SP is the one the fixture
//!   was made for: `sp.acs_url` / `sp.sp_entity_id` / `sp.request_id` where the manifest has them, otherwise the
//!   audiences and recipients the document itself names.
//! - Signed metadata (an `EntityDescriptor` document) is loaded with [`MetadataOptions::signature`].
//! - The `generic-dsig`, `wsu-id` and `wss-soap11` entries are plain XML-DSig documents: their first signature is
//!   verified with `dsig::verify`.
//! - Fixtures whose validity window is far longer than the default maximum lifetime (IssueInstant years before the
//!   certificate, Conditions running to 3000) get the knob raised in this test only ([`RELAXED`]), and must be refused without it.
//!
//! Skips cleanly when `../shared/vectors` is absent, unless `SLUIS_REQUIRE_VECTORS=1`.

use base64::Engine;
use serde_json::Value;
use sluis::clock::DateTime;
use sluis::dsig::{self, DSIG_NS, IdIndex, IdPolicy, SAML2_NS, VerifyOptions};
use sluis::reason::Reason;
use sluis::saml::{
    Context, InResponseToPolicy, IssuerRegistry, IssuerTrust, MD_NS, MetadataOptions, Saml, SamlPolicy,
};
use sluis::store::ReplayCache;
use sluis::trust::{Certificate, KeyPolicy, PublicKey, TrustStore};
use sluis::xml::{Document, Limits};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn vectors_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors");
    if dir.join("saml/manifest.json").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var("SLUIS_REQUIRE_VECTORS").as_deref() != Ok("1"),
        "../shared/vectors is required but absent"
    );
    eprintln!("../shared/vectors absent: skipping the SAML vectors");
    None
}

/// Entries where sluis's verdict differs from the manifest's, with the code sluis gives and why.
const DEVIATIONS: &[(&str, &str, &str)] = &[
    (
        "TestSPRealWorldAssertionSignedNotResponse_response",
        "bearer_not_before",
        "the SecureWorks IdP puts NotBefore on the bearer SubjectConfirmationData, which SAML Profiles §4.1.4.2 \
         forbids; crewjam ignores it, sluis refuses it",
    ),
    (
        "TestSPRealWorldKeyInfoHasRSAPublicKeyNotX509Cert_response",
        "reference_not_found",
        "the same IdP's IDs are bare UUIDs starting with a digit, not xs:ID NCNames; sluis's dsig resolves only \
         NCName barename references (XML-DSig §4.4.3.3); its bearer confirmation would also carry NotBefore",
    ),
    (
        "valid_saml_sha256_rsa_mgf1.xml",
        "malformed_response",
        "the Response's ds:Signature precedes its Issuer; SAML Core's schema fixes Issuer?, Signature?, Extensions?, \
         Status, and sluis enforces the order (the RSA-PSS signature itself verifies: dsig vectors cover it)",
    ),
    (
        "valid_signature_utf8.xml",
        "recipient_missing",
        "an XML-DSig fixture: its bearer SubjectConfirmationData has no Recipient, which SAML Profiles §4.1.4.2 \
         requires of a bearer assertion",
    ),
    (
        "valid_signature wsu.xml",
        "relative_namespace_uri",
        "declares relative namespace URIs (xmlns=\"ns\"); Canonical XML 1.0 requires them to be refused, as \
         libxml2/xmlsec1 and Santuario do (xml-crypto accepts)",
    ),
];

/// A policy knob a fixture needs, raised in this test only (never in defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relax {
    /// The fixture's validity window exceeds the one-hour default maximum lifetime.
    Lifetime,
    /// The fixture's assertion has no AudienceRestriction ([`sluis::saml::SamlDanger::allow_missing_audience`]).
    Audience,
}

impl Relax {
    /// The code the default policy refuses the fixture with.
    fn code(self) -> &'static str {
        match self {
            Relax::Lifetime => "lifetime_too_long",
            Relax::Audience => "audience_missing",
        }
    }
}

/// Fixtures validated with a relaxed knob; without it they must be refused with that knob's code.
const RELAXED: &[(&str, &[Relax], &str)] = &[
    (
        "TestServiceProviderCanHandleSignedAssertionsResponse_response",
        &[Relax::Lifetime],
        "OneLogin example: issued 2014, Conditions to 2024",
    ),
    ("response_signed_by_idp_2.xml", &[Relax::Lifetime], "samael: issued 2014, Conditions to 2030"),
    ("response_signed_by_idp_ecdsa.xml", &[Relax::Lifetime], "samael: issued 2014, Conditions to 2030"),
    ("response_signed.xml", &[Relax::Lifetime], "samael (OneLogin example): issued 2014, Conditions to 2024"),
    (
        "response_signed_assertion.xml",
        &[Relax::Lifetime],
        "samael (OneLogin example): issued 2014, Conditions to 2024",
    ),
    (
        "multi_saml_response_signed_2.xml",
        &[Relax::Lifetime, Relax::Audience],
        "samael: issued 2022, Conditions to 3923, and no AudienceRestriction",
    ),
];

/// Fixtures whose NameID is pretty-printed: sluis returns the value exactly as signed (`xs:string`: white space is
/// part of it, and trimming would let an IdP account named "admin " log in as "admin"); the manifest's
/// `expected_subject` is the trimmed text.
const UNTRIMMED_SUBJECTS: &[(&str, &str)] = &[
    ("response_signed_by_idp_2.xml", "NameID text is indented on its own line"),
    ("response_signed_by_idp_ecdsa.xml", "NameID text is indented on its own line"),
];

fn relaxations(file: &str) -> &'static [Relax] {
    RELAXED.iter().find(|(f, _, _)| file.ends_with(&format!("/{f}"))).map_or(&[], |(_, r, _)| r)
}

/// The lenient key policy these fixtures need (many are RSA-SHA1, some RSA-1024).
const LAX: KeyPolicy = KeyPolicy { min_rsa_bits: 1024, allow_sha1: true };

fn time(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

/// The document bytes: base64-decoded and mutated as the manifest says.
fn document(dir: &Path, e: &Value) -> Vec<u8> {
    let raw = std::fs::read(dir.join(e["file"].as_str().unwrap())).unwrap();
    let mut bytes = if e["encoding"] == "base64" {
        let text: Vec<u8> = raw.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(text).unwrap()
    } else {
        raw
    };
    if let Some(r) = e["mutation"]["replace_first"].as_object() {
        let text = String::from_utf8(bytes).unwrap();
        let (old, new) = (r["old"].as_str().unwrap(), r["new"].as_str().unwrap());
        assert!(text.contains(old), "{}: mutation does not apply", e["file"]);
        bytes = text.replacen(old, new, 1).into_bytes();
    }
    bytes
}

fn certificates(bytes: &[u8]) -> Vec<Certificate> {
    Certificate::all_from_pem(bytes)
        .ok()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| Certificate::from_der(bytes).map(|c| vec![c]).unwrap_or_default())
}

/// What the document names, read without verification (test configuration only).
#[derive(Default)]
struct Named {
    issuer: Option<String>,
    audiences: Vec<String>,
    recipients: Vec<String>,
}

fn named(bytes: &[u8]) -> Named {
    let Ok(doc) = Document::parse(bytes, &Limits::default()) else { return Named::default() };
    let mut n = Named::default();
    let root = doc.root_element();
    let issuer_of = |el: sluis::xml::Node<'_, '_>| {
        el.element_children().find(|c| c.is(SAML2_NS, "Issuer")).map(|i| i.text_content().trim().to_owned())
    };
    n.issuer = issuer_of(root)
        .or_else(|| root.element_children().find(|c| c.is(SAML2_NS, "Assertion")).and_then(issuer_of));
    for node in doc.descendants().filter(|d| d.is_element()) {
        if node.is(SAML2_NS, "Audience") {
            n.audiences.push(node.text_content().trim().to_owned());
        }
        for name in ["Recipient", "Destination"] {
            if let Some(v) = node.attribute(None, name) {
                n.recipients.push(v.to_owned());
            }
        }
    }
    n
}

/// The issuers for `entry`, under `key_policy`.
fn registry(
    dir: &Path,
    e: &Value,
    named: &Named,
    key_policy: KeyPolicy,
    at: DateTime,
) -> Result<IssuerRegistry, Reason> {
    let path = dir.join(e["cert"].as_str().unwrap());
    let bytes = std::fs::read(&path).unwrap();
    let mut r = IssuerRegistry::new();
    let format = e["cert_format"].as_str().unwrap();
    if format.starts_with("saml-metadata") {
        r.add_metadata(&bytes, &MetadataOptions { key_policy, ..MetadataOptions::new(at) })?;
        return Ok(r);
    }
    let Some(issuer) = &named.issuer else { return Ok(r) };
    let mut b = IssuerTrust::builder(issuer.clone(), key_policy);
    if format.starts_with("pkcs1") {
        b.pin_key(PublicKey::from_pem(&bytes)?)?;
    } else {
        for c in certificates(&bytes) {
            b.pin_certificate(c)?;
        }
    }
    r.add(b.build())?;
    Ok(r)
}

/// Validates a SAML entry; the subject, or the refusal code.
fn run_saml(dir: &Path, e: &Value, key_policy: KeyPolicy, relax: &[Relax]) -> Result<String, String> {
    let bytes = document(dir, e);
    let at = time(e["verification_time"].as_str().unwrap_or("2026-11-25T12:00:00Z"));
    let named = named(&bytes);
    let registry = registry(dir, e, &named, key_policy, at).map_err(|r| r.code().to_owned())?;
    let sp = &e["sp"];
    let audiences: Vec<String> = match sp["sp_entity_id"].as_str() {
        Some(a) => vec![a.to_owned()],
        None => named.audiences.clone(),
    };
    let recipients: Vec<String> = match sp["acs_url"].as_str() {
        Some(r) => vec![r.to_owned()],
        None => named.recipients.clone(),
    };
    let request_id = sp["request_id"].as_str();
    let mut policy = SamlPolicy {
        in_response_to: match request_id {
            Some(_) => InResponseToPolicy::MatchRequest { allow_unsolicited: true },
            None => InResponseToPolicy::AcceptAny,
        },
        ..SamlPolicy::new(audiences, recipients)
    };
    if relax.contains(&Relax::Lifetime) {
        policy.max_lifetime_seconds = 2000 * 365 * 86_400;
    }
    policy.danger.allow_missing_audience = relax.contains(&Relax::Audience);
    let saml = Saml::new(Arc::new(registry), policy, Arc::new(ReplayCache::new(16)));
    let ctx = Context { request_id, ..Context::at(at) };
    saml.validate_document(&bytes, &ctx).map(|a| a.subject().value.clone()).map_err(|r| r.code().to_owned())
}

/// Verifies the first signature of a plain XML-DSig entry.
fn run_dsig(dir: &Path, e: &Value, key_policy: KeyPolicy) -> Result<String, String> {
    let bytes = document(dir, e);
    let at = time(e["verification_time"].as_str().unwrap_or("2026-11-25T12:00:00Z"));
    let ids = if e["profile"] == "generic-dsig" { IdPolicy::generic() } else { IdPolicy::wss_saml() };
    let mut b = TrustStore::builder(LAX);
    for c in certificates(&std::fs::read(dir.join(e["cert"].as_str().unwrap())).unwrap()) {
        let _ = b.pin_certificate(c);
    }
    let store = b.build();
    (|| -> Result<String, Reason> {
        let doc = Document::parse(&bytes, &Limits::default())?;
        let ids = IdIndex::build(&doc, &ids)?;
        let sig = doc
            .descendants()
            .find(|n| n.is(DSIG_NS, "Signature"))
            .ok_or(sluis::reason::DsigReason::SignatureMissing)?;
        dsig::verify(&doc, &ids, sig.id(), &store, &VerifyOptions { policy: key_policy, at })?;
        Ok(String::new())
    })()
    .map_err(|r| r.code().to_owned())
}

/// Loads a signed metadata entry, verifying its signature with `cert`.
fn run_metadata(dir: &Path, e: &Value, key_policy: KeyPolicy) -> Result<String, String> {
    let bytes = document(dir, e);
    let at = time(e["verification_time"].as_str().unwrap());
    let mut b = TrustStore::builder(key_policy);
    for c in certificates(&std::fs::read(dir.join(e["cert"].as_str().unwrap())).unwrap()) {
        b.pin_certificate(c).map_err(|r| r.code().to_owned())?;
    }
    let store = b.build();
    let options = MetadataOptions { key_policy, signature: Some(&store), ..MetadataOptions::new(at) };
    IssuerRegistry::new()
        .add_metadata(&bytes, &options)
        .map(|ids| ids.join(" "))
        .map_err(|r| r.code().to_owned())
}

fn run(dir: &Path, e: &Value, key_policy: KeyPolicy, relax: &[Relax]) -> Result<String, String> {
    if e["profile"].is_string() {
        return run_dsig(dir, e, key_policy);
    }
    let bytes = document(dir, e);
    let is_metadata = Document::parse(&bytes, &Limits::default())
        .map(|d| d.root_element().is(MD_NS, "EntityDescriptor"))
        .unwrap_or(false);
    if is_metadata { run_metadata(dir, e, key_policy) } else { run_saml(dir, e, key_policy, relax) }
}

#[test]
fn saml_vectors() {
    let Some(dir) = vectors_dir() else { return };
    let manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("saml/manifest.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let (mut valid, mut rejected, mut deviations) = (0, 0, 0);
    for e in &manifest {
        let file = e["file"].as_str().unwrap();
        let label = format!("{file} [{}]", e["attack"].as_str().unwrap_or("-"));
        let relax = relaxations(file);
        let lax = run(&dir, e, LAX, relax);
        if let (Ok(subject), Some(never)) = (&lax, e["must_not_return_subject"].as_str())
            && subject == never
        {
            failures.push(format!("{label}: returned the forbidden subject {never:?}"));
            continue;
        }
        let deviation = DEVIATIONS.iter().find(|(f, _, _)| file.ends_with(&format!("/{f}")));
        let ok = match (e["expect"].as_str().unwrap(), deviation) {
            (_, Some((_, code, _))) => {
                deviations += 1;
                lax.as_ref().err().map(String::as_str) == Some(*code)
            }
            ("valid-signature", None) => {
                valid += 1;
                let untrimmed = UNTRIMMED_SUBJECTS.iter().any(|(f, _)| file.ends_with(&format!("/{f}")));
                let subject_ok = match (e["expected_subject"].as_str(), &lax) {
                    (Some(expected), Ok(got)) if untrimmed => got != expected && got.trim() == expected,
                    (Some(expected), Ok(got)) if !got.is_empty() => got == expected,
                    (_, Ok(_)) => true,
                    (_, Err(_)) => false,
                };
                if !relax.is_empty() {
                    let unrelaxed = run(&dir, e, LAX, &[]);
                    if !relax.iter().any(|r| unrelaxed.as_ref().err().map(String::as_str) == Some(r.code())) {
                        failures.push(format!(
                            "{label}: without {relax:?} expected its refusal, got {unrelaxed:?}"
                        ));
                    }
                }
                let strict = run(&dir, e, KeyPolicy::default(), relax);
                let strict_ok = match &strict {
                    Ok(_) => true,
                    Err(c) => c == "algorithm_not_allowed" || c == "key_too_small",
                };
                if !strict_ok {
                    failures.push(format!("{label}: default policy gave {strict:?}"));
                }
                subject_ok
            }
            ("reject", None) => {
                rejected += 1;
                lax.is_err()
            }
            (other, None) => panic!("unknown expectation {other}"),
        };
        if !ok {
            failures.push(format!("{label}: expected {}, got {lax:?}", e["expect"]));
        } else {
            eprintln!("{label}: {lax:?}");
        }
    }
    eprintln!(
        "saml vectors: {valid} valid-signature, {rejected} reject, {deviations} documented deviations, {} relaxed, \
         {} entries",
        RELAXED.len(),
        manifest.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} SAML vectors failed:\n{}",
        failures.len(),
        manifest.len(),
        failures.join("\n")
    );
}
