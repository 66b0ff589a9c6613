//! `sluis verify --config FILE --route PATH --at T --format json` on SOAP envelopes: the whole gateway offline, the
//! principal and the fault code in the JSON report.

use crate::wss::{Msg, argon2id, t, ut_text, x509_message};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sluis-wss-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn config(dir: &Path) -> PathBuf {
    let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki");
    let text = format!(
        r#"[wss.trust]
ca = ["{pki}/root-ca.cert.pem"]
intermediates = ["{pki}/intermediate-ca.cert.pem"]
crl = ["{pki}/intermediate-ca.crl.pem", "{pki}/root-ca.crl.pem"]

[[wss.users]]
name = "alice"
password_hash = "{hash}"

[[routes]]
path = "/signed"

[[routes]]
path = "/password"
[routes.policy]
signed_parts = []
allow_password_text = true
accepted_tokens = ["username-token"]

[[routes]]
path = "/fixtures"
[routes.policy]
max_timestamp_ttl_seconds = 400000000
"#,
        pki = pki.display(),
        hash = argon2id("correct horse")
    );
    let path = dir.join("sluis.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn verify(config: &Path, route: &str, at: &str, files: &[&Path]) -> (i32, Value) {
    verify_with(config, route, at, &[], files)
}

fn verify_with(config: &Path, route: &str, at: &str, extra: &[&str], files: &[&Path]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_sluis"))
        .args(["verify", "--config"])
        .arg(config)
        .args(["--route", route, "--at", at, "--format", "json"])
        .args(extra)
        .args(files)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap(), json)
}

#[test]
fn verify_runs_envelopes_through_the_gateway() {
    let dir = scratch("gateway");
    let cfg = config(&dir);
    let signed = dir.join("signed.xml");
    std::fs::write(&signed, x509_message(&Msg::default(), "leaf-rsa2048")).unwrap();
    let tampered = dir.join("tampered.xml");
    std::fs::write(
        &tampered,
        x509_message(&Msg::default(), "leaf-rsa2048").replace("999911120", "999911121"),
    )
    .unwrap();

    let (code, json) = verify(&cfg, "/signed", crate::wss::NOW, &[&signed, &tampered]);
    assert_eq!(code, 1);
    let files = json["files"].as_array().unwrap();
    let ok = &files[0];
    assert_eq!(ok["verdict"], "valid");
    assert_eq!(ok["soap"]["version"], "1.1");
    assert_eq!(ok["soap"]["route"], "/signed");
    assert_eq!(ok["soap"]["principal"]["token_type"], "x509");
    assert_eq!(ok["soap"]["principal"]["auth_level"], 4);
    assert!(ok["soap"]["principal"]["subject"].as_str().unwrap().starts_with("CN=leaf-rsa2048,"));
    assert_eq!(ok["soap"]["fault"], Value::Null);
    assert_eq!(ok["soap"]["facts"]["signed_parts"], serde_json::json!(["body", "timestamp"]));
    let bad = &files[1];
    assert_eq!(bad["verdict"], "invalid");
    assert_eq!(bad["reason"], "digest_mismatch");
    assert_eq!(bad["soap"]["fault"], "wsse:FailedCheck");
    assert_eq!(bad["soap"]["principal"], Value::Null);

    // At a time the Timestamp has expired: MessageExpired.
    let (_, json) = verify(&cfg, "/signed", &t(3600), &[&signed]);
    assert_eq!(json["files"][0]["soap"]["fault"], "wsse:MessageExpired");

    // A UsernameToken on the password route (offline, the transport counts as local).
    let ut = dir.join("ut.xml");
    std::fs::write(
        &ut,
        Msg { tokens: ut_text("alice", "correct horse", None, None), ..Msg::default() }.xml(),
    )
    .unwrap();
    let (code, json) = verify(&cfg, "/password", crate::wss::NOW, &[&ut]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["files"][0]["soap"]["principal"]["subject"], "alice");
    assert_eq!(json["files"][0]["soap"]["principal"]["token_type"], "username-token");
    // The same message on the signed route: no signature.
    let (_, json) = verify(&cfg, "/signed", crate::wss::NOW, &[&ut]);
    assert_eq!(json["files"][0]["reason"], "signature_missing");
    assert_eq!(json["files"][0]["soap"]["fault"], "wsse:InvalidSecurity");

    // The committed xmlsec1 fixture on a route that admits its ten-year Timestamp, and a plain (non-SOAP) file.
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let fixture = testdata.join("signed/soap12-wss-str-rsa2048.xml");
    let saml = testdata.join("signed/saml-assertion-rsa2048-sha256.xml");
    let (code, json) = verify(&cfg, "/fixtures", "2026-11-25T12:00:00Z", &[&fixture, &saml]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["files"][0]["soap"]["version"], "1.2");
    assert_eq!(json["files"][1]["soap"], Value::Null, "plain XML-DSig for non-envelopes");
    assert_eq!(json["files"][1]["signatures"][0]["verdict"], "valid");

    // A certificate that expired in 2021: refused at --at 2026, valid at --at 2020 (when the message was made).
    let then = sluis::clock::DateTime::parse("2020-06-01T00:00:00Z").unwrap();
    let old = Msg {
        timestamp: Some((then.to_rfc3339(), Some(then.plus_seconds(300).to_rfc3339()))),
        ..Msg::default()
    };
    let expired = dir.join("expired.xml");
    std::fs::write(&expired, x509_message(&old, "leaf-expired")).unwrap();
    let (_, json) = verify(&cfg, "/signed", crate::wss::NOW, &[&expired]);
    assert_eq!(json["files"][0]["reason"], "certificate_expired");
    assert_eq!(json["files"][0]["soap"]["fault"], "wsse:InvalidSecurityToken");
    let (code, json) = verify(&cfg, "/signed", "2020-06-01T00:01:00Z", &[&expired]);
    assert_eq!(code, 0, "{json}");
    assert!(json["files"][0]["soap"]["principal"]["subject"].as_str().unwrap().contains("leaf-expired"));

    // An unknown route is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_sluis"))
        .args(["verify", "--config"])
        .arg(&cfg)
        .args(["--route", "/nope"])
        .arg(&signed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A SOAP message with a SAML 2.0 holder-of-key assertion (issuer key leaf-rsa2048, holder leaf-ec-p256) whose
/// holder signs the Body and Timestamp, referencing the assertion by `KeyIdentifier`; written to `dir`.
fn holder_of_key_envelope(dir: &Path, id: &str) -> PathBuf {
    use crate::saml::{A2, holder_of_key};
    let assertion = A2 { id: id.into(), confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() }
        .signed("leaf-rsa2048");
    let m = Msg { tokens: assertion, ..Msg::default() };
    let str_saml = format!(
        r#"<wsse:SecurityTokenReference xmlns:wsse="{}"><wsse:KeyIdentifier ValueType="{}">{id}</wsse:KeyIdentifier></wsse:SecurityTokenReference>"#,
        sluis::wss::WSSE_NS,
        sluis::wss::SAML_ID
    );
    let xml = crate::wss::sign_refs(
        &m.xml(),
        &crate::wss::key("leaf-ec-p256"),
        &["Body-1", "TS-1"],
        &str_saml,
        None,
    );
    let file = dir.join(format!("{id}.xml"));
    std::fs::write(&file, xml).unwrap();
    file
}

#[test]
fn verify_reports_a_saml_principal() {
    use crate::saml::{IDP, SP};
    let dir = scratch("saml");
    let cfg = config(&dir);
    let file = holder_of_key_envelope(&dir, "_hok");
    let issuer_cert = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki/leaf-rsa2048.cert.pem");
    let issuer = format!("{IDP}={}", issuer_cert.display());
    let (code, json) = verify_with(
        &cfg,
        "/signed",
        crate::wss::NOW,
        &["--saml-issuer", &issuer, "--saml-audience", SP],
        &[&file],
    );
    assert_eq!(code, 0, "{json}");
    let soap = &json["files"][0]["soap"];
    assert_eq!(soap["principal"]["subject"], "alice@example.org");
    assert_eq!(soap["principal"]["token_type"], "saml20");
    assert_eq!(soap["principal"]["issuer"], IDP);
    assert_eq!(soap["facts"]["saml_confirmation"], "holder-of-key");
    // Without the issuer, the assertion is not a token sluis can use.
    let (code, json) = verify(&cfg, "/signed", crate::wss::NOW, &[&file]);
    assert_eq!(code, 1);
    assert_eq!(json["files"][0]["reason"], "saml_not_available");
    assert_eq!(json["files"][0]["soap"]["fault"], "wsse:UnsupportedSecurityToken");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn saml_issuers_come_from_the_saml_section_of_the_configuration() {
    use crate::saml::{IDP, SP};
    let dir = scratch("saml-config");
    let base = std::fs::read_to_string(config(&dir)).unwrap();
    let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki");
    let cfg = dir.join("with-saml.toml");
    std::fs::write(
        &cfg,
        format!(
            "{base}\n[saml]\naudiences = [\"{SP}\"]\n\n[[saml.issuers]]\nentity_id = \"{IDP}\"\ncertificates = [\"{}\"]\n",
            pki.join("leaf-rsa2048.cert.pem").display()
        ),
    )
    .unwrap();
    let file = holder_of_key_envelope(&dir, "_hok2");
    let (code, json) = verify(&cfg, "/signed", crate::wss::NOW, &[&file]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["files"][0]["soap"]["principal"]["issuer"], IDP);
    // An issuer the section does not list is not trusted.
    let other = dir.join("other.toml");
    std::fs::write(
        &other,
        format!(
            "{base}\n[saml]\naudiences = [\"{SP}\"]\n\n[[saml.issuers]]\nentity_id = \"https://other.example\"\nkeys = [\"{}\"]\n",
            pki.join("leaf-rsa2048.pubkey.pem").display()
        ),
    )
    .unwrap();
    let (code, json) = verify(&other, "/signed", crate::wss::NOW, &[&file]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["files"][0]["reason"], "issuer_unknown");
    let _ = std::fs::remove_dir_all(&dir);
}
