//! `sluis verify` as a user runs it: exit codes, `--at`, trust flags and the JSON report.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn sluis(args: &[&str]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_sluis")).current_dir(root).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CHAIN: &[&str] = &[
    "--ca",
    "testdata/pki/root-ca.cert.pem",
    "--intermediate",
    "testdata/pki/intermediate-ca.cert.pem",
    "--crl",
    "testdata/pki/intermediate-ca.crl.pem",
];

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["verify", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = sluis(&all);
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (code, v)
}

#[test]
fn valid_signature_chained_to_the_ca() {
    let mut args = CHAIN.to_vec();
    args.extend(["--at", "2026-11-25T12:00:00Z", "testdata/signed/saml-assertion-rsa2048-sha256.xml"]);
    let (code, v) = json(&args);
    assert_eq!(code, 0, "{v}");
    let file = &v["files"][0];
    assert_eq!(file["verdict"], "valid");
    let sig = &file["signatures"][0];
    assert_eq!(sig["key"]["trusted_by"], "ca-chain");
    assert!(sig["key"]["subject"].as_str().unwrap().contains("leaf-rsa2048"), "{sig}");
    assert_eq!(sig["signed"][0]["id"], "_sluis-assertion-0001");
}

#[test]
fn expired_certificate_depends_on_at() {
    let file = "testdata/signed/saml-assertion-cert-expired.xml";
    let mut now = CHAIN.to_vec();
    now.extend(["--at", "2026-11-25T12:00:00Z", file]);
    let (code, v) = json(&now);
    assert_eq!(code, 1);
    assert_eq!(v["files"][0]["reason"], "certificate_expired");
    let mut then = CHAIN.to_vec();
    then.extend(["--at", "2020-06-01T00:00:00Z", file]);
    assert_eq!(json(&then).0, 0);
}

#[test]
fn refusals_carry_their_codes() {
    for (file, reason) in [
        ("testdata/signed/saml-assertion-untrusted-self-signed.xml", "untrusted_key"),
        ("testdata/signed/saml-assertion-cert-revoked.xml", "certificate_revoked"),
        ("testdata/signed/saml-assertion-rsa-sha1.xml", "algorithm_not_allowed"),
        ("testdata/tampered/saml-assertion-xxe.xml", "dtd_forbidden"),
    ] {
        let mut args = CHAIN.to_vec();
        args.extend(["--at", "2026-11-25T12:00:00Z", file]);
        let (code, v) = json(&args);
        assert_eq!(code, 1, "{file}");
        assert_eq!(v["files"][0]["reason"], reason, "{file}: {v}");
    }
}

#[test]
fn several_files_one_invalid_means_exit_1() {
    let mut args = CHAIN.to_vec();
    args.extend([
        "--at",
        "2026-11-25T12:00:00Z",
        "testdata/signed/saml-assertion-rsa2048-sha256.xml",
        "testdata/tampered/saml-assertion-text-changed.xml",
    ]);
    let (code, v) = json(&args);
    assert_eq!(code, 1);
    assert_eq!(v["valid"], false);
    assert_eq!(v["files"][0]["verdict"], "valid");
    assert_eq!(v["files"][1]["verdict"], "invalid");
}

#[test]
fn pinned_key_and_text_output() {
    let (code, stdout, _) = sluis(&[
        "verify",
        "--trust",
        "testdata/pki/leaf-rsa2048.pubkey.pem",
        "--at",
        "2026-11-25T12:00:00Z",
        "testdata/signed/saml-assertion-rsa2048-sha256.xml",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains(": valid"), "{stdout}");
    assert!(stdout.contains("[pinned-key]"), "{stdout}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        sluis(&["verify", "--at", "yesterday", "testdata/signed/saml-assertion-rsa2048-sha256.xml"]).0,
        2
    );
    assert_eq!(
        sluis(&[
            "verify",
            "--trust",
            "/nonexistent.pem",
            "testdata/signed/saml-assertion-rsa2048-sha256.xml"
        ])
        .0,
        2
    );
    assert_eq!(sluis(&["verify"]).0, 2);
    assert_eq!(sluis(&["verify", "--no-such-flag", "x"]).0, 2);
}

#[test]
fn saml_documents_are_validated_with_saml_rules_when_issuers_are_given() {
    use crate::saml::{A2, ACS, IDP, NOW, SP, response};
    let dir = std::env::temp_dir().join(format!("sluis-cli-saml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("response.xml");
    std::fs::write(&good, response(&A2::default().signed("leaf-rsa2048"), "")).unwrap();
    let evil = dir.join("evil-subject.xml");
    let forged = A2 { name_id: "mallory@example.org".into(), ..A2::default() }.signed("leaf-rsa3072");
    std::fs::write(&evil, response(&forged, "")).unwrap();
    let cert = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki/leaf-rsa2048.cert.pem");
    let issuer = format!("{IDP}={}", cert.display());
    let (code, v) = json(&[
        "--saml-issuer",
        &issuer,
        "--saml-audience",
        SP,
        "--saml-recipient",
        ACS,
        "--at",
        NOW,
        good.to_str().unwrap(),
        evil.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{v}");
    let ok = &v["files"][0];
    assert_eq!(ok["verdict"], "valid", "{ok}");
    assert_eq!(ok["saml"]["subject"], "alice@example.org");
    assert_eq!(ok["saml"]["issuer"], IDP);
    assert_eq!(ok["saml"]["confirmations"][0], "bearer");
    // Signed, but with a key that is not the issuer's.
    assert_eq!(v["files"][1]["verdict"], "invalid");
    assert_eq!(v["files"][1]["reason"], "signature_invalid");
    let _ = std::fs::remove_dir_all(&dir);
}
