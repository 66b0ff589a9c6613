//! The fixtures of `testdata/` — signed by xmlsec1 and signxml, tampered by `testdata/gen/tamper.py` — verified at
//! the XML-DSig level, each with the outcome and reason code `testdata/manifest.json` records.
//!
//! SOAP fixtures whose key is a BinarySecurityToken referenced by a `wsse:SecurityTokenReference` (`key_source:
//! "bst"`) need the WS-Security layer to resolve the key and are run by the wss tests instead.
//!
//! `SLUIS_TESTDATA_DIR` points the test at another copy (CI regenerates the fixtures with xmlsec1 into a temporary
//! directory and runs this test over the fresh signatures: `scripts/interop.sh`).

use serde_json::Value;
use sluis::clock::DateTime;
use sluis::dsig::{self, DSIG_NS, IdIndex, IdPolicy, VerifyOptions};
use sluis::reason::Reason;
use sluis::trust::{KeyPolicy, TrustStore, pem};
use sluis::xml::{Document, Limits};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    std::env::var_os("SLUIS_TESTDATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"))
}

fn store(dir: &Path, trust: &Value) -> TrustStore {
    let mut b = TrustStore::builder(KeyPolicy::default());
    let list = |k: &str| trust[k].as_array().cloned().unwrap_or_default();
    for p in list("pinned") {
        for item in pem::load_trust_items(&dir.join(p.as_str().unwrap())).unwrap() {
            // A key the policy refuses (RSA-1024) cannot be pinned; the fixture then expects the refusal.
            let _ = match item {
                pem::TrustItem::Key(k) => b.pin_key(k).map(|_| ()),
                pem::TrustItem::Certificate(c) => b.pin_certificate(c).map(|_| ()),
            };
        }
    }
    for p in list("ca") {
        for c in pem::load_certificates(&dir.join(p.as_str().unwrap())).unwrap() {
            b.add_ca(&c).unwrap();
        }
    }
    for p in list("intermediates") {
        for c in pem::load_certificates(&dir.join(p.as_str().unwrap())).unwrap() {
            b.add_intermediate(c);
        }
    }
    for p in list("crl") {
        for der in pem::load_crls(&dir.join(p.as_str().unwrap())).unwrap() {
            b.add_crl_der(&der).unwrap();
        }
    }
    b.build()
}

/// Verifies every `ds:Signature` of the file; returns the IDs the signatures cover, or the first refusal.
fn verify(bytes: &[u8], store: &TrustStore, at: DateTime) -> Result<Vec<String>, Reason> {
    let doc = Document::parse(bytes, &Limits::default())?;
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml())?;
    let sigs: Vec<_> = doc.descendants().filter(|n| n.is(DSIG_NS, "Signature")).collect();
    if sigs.is_empty() {
        return Err(sluis::reason::DsigReason::SignatureMissing.into());
    }
    let options = VerifyOptions { policy: KeyPolicy::default(), at };
    let mut covered = Vec::new();
    for sig in sigs {
        let view = dsig::verify(&doc, &ids, sig.id(), store, &options)?;
        for r in view.references() {
            covered.push(r.uri.trim_start_matches('#').to_owned());
        }
    }
    Ok(covered)
}

fn check_case(dir: &Path, entry: &Value, trust: &Value, time: &str, expect: &str) -> Result<(), String> {
    let file = entry["file"].as_str().unwrap();
    let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let at = DateTime::parse(time).unwrap();
    let outcome = verify(&bytes, &store(dir, trust), at);
    match (expect, &outcome) {
        ("valid", Ok(covered)) => {
            for id in entry["signed_ids"].as_array().into_iter().flatten() {
                let id = id.as_str().unwrap();
                if !covered.iter().any(|c| c == id) {
                    return Err(format!("{file}: valid, but {id} is not covered ({covered:?})"));
                }
            }
            Ok(())
        }
        ("invalid", Err(reason)) => {
            let mut allowed: Vec<&str> = entry["reason"].as_str().into_iter().collect();
            allowed.extend(
                entry["reason_alternatives"].as_array().into_iter().flatten().filter_map(Value::as_str),
            );
            if allowed.is_empty() || allowed.contains(&reason.code()) {
                Ok(())
            } else {
                Err(format!(
                    "{file}: refused with {} but the manifest expects one of {allowed:?}",
                    reason.code()
                ))
            }
        }
        _ => Err(format!("{file}: expected {expect}, got {outcome:?}")),
    }
}

#[test]
fn testdata_fixtures_verify_as_the_manifest_says() {
    let dir = dir();
    let manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for entry in &manifest {
        if entry["key_source"] == "bst" || entry["file"].as_str().unwrap().starts_with("bench/") {
            continue;
        }
        ran += 1;
        let time = entry["verification_time"].as_str().unwrap_or("2026-11-25T12:00:00Z");
        if let Err(e) = check_case(&dir, entry, &entry["trust"], time, entry["expect"].as_str().unwrap()) {
            failures.push(e);
        }
        for variant in entry["variants"].as_array().into_iter().flatten() {
            let trust = if variant["trust"].is_null() { &entry["trust"] } else { &variant["trust"] };
            let time = variant["verification_time"].as_str().unwrap_or(time);
            if let Err(e) = check_case(&dir, entry, trust, time, variant["expect"].as_str().unwrap()) {
                failures.push(format!("variant: {e}"));
            }
        }
    }
    eprintln!("testdata: {ran} fixtures checked at the XML-DSig level");
    assert!(ran > 50, "too few fixtures ran ({ran})");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
