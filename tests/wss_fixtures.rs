//! The committed SOAP fixtures of `testdata/` (made by xmlsec1, signxml and `testdata/gen/tamper.py`; see
//! `testdata/manifest.json`) run through the whole gateway, [`sluis::wss::process`], against their `wss_expect` /
//! `wss_reason`.
//!
//! The fixtures' Timestamps run 2026-01-01..2036-01-01, so the route's maximum Timestamp lifetime is raised for them;
//! everything else is the default route policy (Body and Timestamp signed).

use serde_json::Value;
use sluis::clock::DateTime;
use sluis::policy::{RoutePolicy, SignedPart};
use sluis::trust::{KeyPolicy, TrustStore, pem};
use sluis::wss::{SecurityContext, Transport, process};
use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// The manifest's entries: `testdata/manifest.json`, or (before the generator merged them) its parts.
pub(crate) fn manifest() -> Vec<Value> {
    let dir = testdata();
    if let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) {
        let v: Value = serde_json::from_str(&text).unwrap();
        let entries = v.get("entries").cloned().unwrap_or(v);
        return entries.as_array().cloned().unwrap_or_default();
    }
    let mut out = Vec::new();
    if let Ok(parts) = std::fs::read_dir(dir.join(".manifest.d")) {
        for part in parts.flatten() {
            for line in std::fs::read_to_string(part.path()).unwrap_or_default().lines() {
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    out.push(v);
                }
            }
        }
    }
    out
}

fn paths(v: &Value) -> Vec<PathBuf> {
    v.as_array().into_iter().flatten().filter_map(|p| p.as_str()).map(|p| testdata().join(p)).collect()
}

fn context(entry: &Value) -> SecurityContext {
    let trust = &entry["trust"];
    let mut b = TrustStore::builder(KeyPolicy::default());
    for p in paths(&trust["pinned"]) {
        for item in pem::load_trust_items(&p).unwrap() {
            match item {
                pem::TrustItem::Key(k) => b.pin_key(k).map(|_| ()),
                pem::TrustItem::Certificate(c) => b.pin_certificate(c).map(|_| ()),
            }
            .unwrap();
        }
    }
    for p in paths(&trust["ca"]) {
        for c in pem::load_certificates(&p).unwrap() {
            b.add_ca(&c).unwrap();
        }
    }
    for p in paths(&trust["intermediates"]) {
        for c in pem::load_certificates(&p).unwrap() {
            b.add_intermediate(c);
        }
    }
    for p in paths(&trust["crl"]) {
        for der in pem::load_crls(&p).unwrap() {
            b.add_crl_der(&der).unwrap();
        }
    }
    let mut ctx = SecurityContext::builder(b.build());
    // A signer named by key identifier (`key_source` ski, thumbprint, issuer-serial) is not in the message: a
    // deployment lists such certificates as `known_certificates`.
    if e_key_source(entry).is_some_and(|k| k != "bst")
        && let Some(signer) = entry["signer"].as_str()
    {
        for c in pem::load_certificates(&testdata().join(signer)).unwrap() {
            ctx.known_certificate(c);
        }
    }
    ctx.build()
}

fn e_key_source(entry: &Value) -> Option<&str> {
    entry.get("key_source").and_then(|k| k.as_str())
}

/// The default route policy (Body and Timestamp signed), with a lifetime that admits the fixtures' Timestamps.
pub(crate) fn fixture_policy() -> RoutePolicy {
    RoutePolicy { max_timestamp_ttl_seconds: 11 * 365 * 86_400, ..RoutePolicy::default() }
}

#[test]
fn soap_fixtures_through_the_gateway() {
    let entries: Vec<Value> = manifest().into_iter().filter(|e| e.get("wss_expect").is_some()).collect();
    if entries.is_empty() {
        eprintln!("no SOAP fixtures with wss_expect in testdata: skipping");
        return;
    }
    let mut failures = Vec::new();
    for e in &entries {
        let file = e["file"].as_str().unwrap();
        let body = std::fs::read(testdata().join(file)).unwrap();
        let (ct, action) = match e["kind"].as_str() {
            Some("soap12") => ("application/soap+xml; charset=utf-8", None),
            _ => ("text/xml; charset=utf-8", Some("\"urn:example:sluis:patient:GetPatient\"")),
        };
        let at = DateTime::parse(e["verification_time"].as_str().unwrap()).unwrap();
        let ctx = context(e);
        let got = process(&ctx, &fixture_policy(), Some(ct), action, &body, Transport::default(), at);
        let want_valid = e["wss_expect"] == "valid";
        let want_reason = e.get("wss_reason").and_then(|r| r.as_str());
        // `wss_reason_alternatives`: codes as good as `wss_reason` (e.g. a wrapper inside wsse:Security is refused
        // earlier, as an unknown Security child, which WSS 1.1 §5 says SHOULD fault).
        let alternatives: Vec<&str> = e["wss_reason_alternatives"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .collect();
        let reason_ok = |code: &str| want_reason.is_none_or(|w| w == code) || alternatives.contains(&code);
        match (&got, want_valid) {
            (Ok(a), true) => {
                assert_eq!(a.principal().token_type(), sluis::principal::TokenType::X509, "{file}");
                // `key_source`: `bst` when KeyInfo is an STR to a BinarySecurityToken, else an X509Data certificate.
                let reference = match e_key_source(e) {
                    Some("bst") => "direct",
                    Some("thumbprint") => "thumbprint-sha1",
                    Some(other) => other,
                    None => "key-info",
                };
                assert_eq!(a.facts().signatures[0].reference, reference, "{file}");
            }
            (Err(r), false) if reason_ok(r.reason.code()) => {
                // The fault renders and names a WS-Security code.
                assert!(r.fault().body.contains("wsse:"), "{file}");
                if want_reason == Some("timestamp_not_signed") {
                    // Valid under a route that requires only the Body signed (the manifest's wss_note).
                    let body_only = RoutePolicy { signed_parts: vec![SignedPart::Body], ..fixture_policy() };
                    let again = process(&ctx, &body_only, Some(ct), action, &body, Transport::default(), at);
                    assert!(again.is_ok(), "{file} with a Body-only policy: {:?}", again.err());
                }
            }
            _ => failures.push(format!(
                "{file}: expected {} {want_reason:?}, got {:?}",
                e["wss_expect"],
                got.as_ref().map(|a| a.principal().subject().to_owned()).map_err(|r| r.reason)
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} SOAP fixtures checked", entries.len());
}
