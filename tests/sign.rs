//! The sender's side: [`sluis::wss::secure`], [`sluis::saml::sign`] and `sluis sign`. What they make must pass the
//! gateway and the SAML validator, and verify with xmlsec1 (an implementation sharing no code with sluis; skipped
//! when it is missing unless `SLUIS_REQUIRE_ORACLES=1`).

use crate::saml::{A2, IDP, SP, base64_der, check, holder_of_key, now, saml, saml11, sender_vouches};
use crate::server::TempDir;
use crate::wss::{V, ca_builder, ca_context, cert, key, run, ut_context};
use sluis::dsig::DigestMethod;
use sluis::policy::RoutePolicy;
use sluis::principal::{AuthLevel, TokenType};
use sluis::saml::sign::{RedateError, SamlSignSpec, redate, sign as saml_sign};
use sluis::trust::Certificate;
use sluis::wss::secure::{
    SamlToken, SamlTokenUse, SecureError, SecureSpec, TokenFormat, TokenReference, UsernameSpec, secure,
};
use std::path::{Path, PathBuf};
use std::process::Command;

const LEAF: &str = "CN=leaf-rsa2048,OU=Signing,O=Sluis Test PKI (public test keys - do not trust),C=NL";

fn envelope(v: V, header: &str) -> String {
    let ns = match v {
        V::S11 => crate::wss::SOAP11,
        V::S12 => crate::wss::SOAP12,
    };
    format!(
        r#"<S:Envelope xmlns:S="{ns}">{header}<S:Body><ex:GetPatient xmlns:ex="urn:example"><ex:id>42</ex:id></ex:GetPatient></S:Body></S:Envelope>"#
    )
}

fn spec<'k>(signer: &'k sluis::trust::SigningKey, certs: Vec<Certificate>) -> SecureSpec<'k> {
    SecureSpec {
        key: signer,
        certificates: certs,
        created: now().minus_seconds(5),
        ttl_seconds: 300,
        reference: TokenReference::Direct,
        format: TokenFormat::X509v3,
        digest: DigestMethod::Sha256,
        method: None,
        username: None,
        saml: None,
    }
}

#[test]
fn secured_envelopes_pass_the_gateway_in_every_form() {
    let policy = RoutePolicy::default();
    let k = key("leaf-rsa2048");
    let forms = [
        (TokenReference::Direct, "direct"),
        (TokenReference::SubjectKeyIdentifier, "ski"),
        (TokenReference::ThumbprintSha1, "thumbprint-sha1"),
        (TokenReference::IssuerSerial, "issuer-serial"),
    ];
    let headers =
        ["", "<S:Header/>", r#"<S:Header><ex:Trace xmlns:ex="urn:example">t</ex:Trace></S:Header>"#];
    for v in [V::S11, V::S12] {
        for header in headers {
            for (reference, name) in forms {
                let s = SecureSpec { reference, ..spec(&k, vec![cert("leaf-rsa2048")]) };
                let xml = secure(&envelope(v, header), &s).unwrap();
                let a = run(&ca_context(), &policy, v, &xml)
                    .unwrap_or_else(|r| panic!("{v:?} {header:?} {name}: {:?}\n{xml}", r.reason));
                assert_eq!(a.principal().subject(), LEAF);
                assert_eq!(a.principal().token_type(), TokenType::X509);
                assert_eq!(a.facts().signatures[0].reference, name);
                assert_eq!(a.facts().signed_parts, ["body", "timestamp"]);
            }
        }
    }
}

#[test]
fn secure_edits_only_what_it_must() {
    let k = key("leaf-rsa2048");
    let input = envelope(V::S11, r#"<S:Header><ex:Trace xmlns:ex="urn:example">t</ex:Trace></S:Header>"#);
    let xml = secure(&input, &spec(&k, vec![cert("leaf-rsa2048")])).unwrap();
    // The Body keeps its content byte for byte; the other header block is untouched.
    assert!(xml.contains(
        r#"<ex:GetPatient xmlns:ex="urn:example"><ex:id>42</ex:id></ex:GetPatient></S:Body></S:Envelope>"#
    ));
    assert!(xml.contains(r#"<ex:Trace xmlns:ex="urn:example">t</ex:Trace></S:Header>"#));
    assert!(xml.contains(r#"mustUnderstand="1""#));
    // A Body that already has a wsu:Id keeps it and is referenced by it.
    let with_id = input.replace(
        "<S:Body>",
        r#"<S:Body xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" wsu:Id="mine">"#,
    );
    let xml = secure(&with_id, &spec(&k, vec![cert("leaf-rsa2048")])).unwrap();
    assert!(xml.contains(r##"URI="#mine""##) && !xml.contains("Body-sluis"));
    assert!(run(&ca_context(), &RoutePolicy::default(), V::S11, &xml).is_ok());
    // Refusals.
    assert!(matches!(secure(&xml, &spec(&k, vec![cert("leaf-rsa2048")])), Err(SecureError::AlreadySecured)));
    assert!(matches!(secure(&input, &spec(&k, vec![])), Err(SecureError::NoCertificate)));
    assert!(matches!(
        secure("<a/>", &spec(&k, vec![cert("leaf-rsa2048")])),
        Err(SecureError::Envelope(r)) if r.code() == "not_a_soap_envelope"
    ));
    let taken = input.replace("<S:Body>", r#"<S:Body xmlns:wsu="urn:other">"#);
    assert!(matches!(
        secure(&taken, &spec(&k, vec![cert("leaf-rsa2048")])),
        Err(SecureError::WsuPrefixTaken)
    ));
}

#[test]
fn tampering_after_signing_is_caught() {
    let k = key("leaf-rsa2048");
    let xml = secure(&envelope(V::S11, ""), &spec(&k, vec![cert("leaf-rsa2048")])).unwrap();
    let policy = RoutePolicy::default();
    let code = |xml: &str| run(&ca_context(), &policy, V::S11, xml).map(|_| ()).map_err(|r| r.reason.code());
    assert_eq!(code(&xml), Ok(()));
    assert_eq!(code(&xml.replace("<ex:id>42<", "<ex:id>43<")), Err("digest_mismatch"));
    let later = (now().plus_seconds(295)).to_rfc3339();
    let created = now().minus_seconds(5).to_rfc3339();
    assert_eq!(code(&xml.replacen(&created, &later, 1)), Err("digest_mismatch"));
}

#[test]
fn pki_path_ec_keys_and_username_tokens() {
    let policy = RoutePolicy::default();
    // X509PKIPathv1 with [leaf, intermediate]: a store that knows only the root accepts it.
    let mut b = sluis::trust::TrustStore::builder(sluis::trust::KeyPolicy::default());
    b.add_ca(&cert("root-ca")).unwrap();
    let root_only = sluis::wss::SecurityContext::builder(b.build()).build();
    let k = key("leaf-rsa2048");
    let s = SecureSpec {
        format: TokenFormat::PkiPath,
        ..spec(&k, vec![cert("leaf-rsa2048"), cert("intermediate-ca")])
    };
    let xml = secure(&envelope(V::S12, ""), &s).unwrap();
    assert!(xml.contains("#X509PKIPathv1"));
    assert_eq!(run(&root_only, &policy, V::S12, &xml).unwrap().principal().subject(), LEAF);

    // ECDSA P-256 and P-384 keys sign with their default methods.
    for name in ["leaf-ec-p256", "leaf-ec-p384"] {
        let k = key(name);
        let xml = secure(&envelope(V::S11, ""), &spec(&k, vec![cert(name)])).unwrap();
        let a =
            run(&ca_context(), &policy, V::S11, &xml).unwrap_or_else(|r| panic!("{name}: {:?}", r.reason));
        assert!(a.principal().subject().contains(name));
    }

    // A UsernameToken next to the signature: text and digest, both signed and both checked.
    let k = key("leaf-rsa2048");
    let ctx = ut_context();
    let policy = RoutePolicy { allow_password_text: true, ..RoutePolicy::default() };
    for (user, password, digest) in [("alice", "correct horse", false), ("legacy", "s3cret", true)] {
        let username = Some(UsernameSpec { username: user.into(), password: password.into(), digest });
        let s = SecureSpec { username, ..spec(&k, vec![cert("leaf-rsa2048")]) };
        let xml = secure(&envelope(V::S11, ""), &s).unwrap();
        assert!(xml.contains(r##"URI="#UT-sluis""##));
        let a = run(&ctx, &policy, V::S11, &xml).unwrap_or_else(|r| panic!("{user}: {:?}", r.reason));
        assert_eq!(a.principal().auth_level(), AuthLevel::PUBLIC_KEY);
        assert_eq!(a.facts().username.as_deref(), Some(user));
        let wrong = Some(UsernameSpec { username: user.into(), password: "wrong".into(), digest });
        let xml = secure(
            &envelope(V::S11, ""),
            &SecureSpec { username: wrong, ..spec(&k, vec![cert("leaf-rsa2048")]) },
        )
        .unwrap();
        assert_eq!(
            run(&ctx, &policy, V::S11, &xml).unwrap_err().reason.code(),
            "authentication_failed",
            "{user}"
        );
    }
}

#[test]
fn saml_tokens_in_every_confirmation() {
    // A fresh context per message: each has its own replay caches.
    let ctx = || {
        let mut b = ca_builder();
        b.saml(saml());
        b.build()
    };
    let policy = RoutePolicy::default();
    let token = |assertion: String, confirmation| Some(SamlToken { assertion, confirmation });
    // Holder-of-key, SAML 2.0: the confirmation key (leaf-ec-p256) signs; KeyInfo names the assertion.
    let hok = A2 { id: "_hok".into(), confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() }
        .signed("leaf-rsa2048");
    let k = key("leaf-ec-p256");
    let s = SecureSpec {
        saml: token(hok.clone(), SamlTokenUse::HolderOfKey),
        ..spec(&k, vec![cert("leaf-ec-p256")])
    };
    let xml = secure(&envelope(V::S11, ""), &s).unwrap();
    assert!(!xml.contains("BinarySecurityToken"));
    let a = run(&ctx(), &policy, V::S11, &xml).unwrap_or_else(|r| panic!("{:?}\n{xml}", r.reason));
    assert_eq!(a.principal().subject(), "alice@example.org");
    assert_eq!(a.facts().saml_confirmation, Some("holder-of-key"));
    // Another key claiming to hold it: refused.
    let wrong = key("leaf-rsa3072");
    let s = SecureSpec {
        saml: token(hok, SamlTokenUse::HolderOfKey),
        ..spec(&wrong, vec![cert("leaf-rsa3072")])
    };
    let xml = secure(&envelope(V::S11, ""), &s).unwrap();
    assert_eq!(run(&ctx(), &policy, V::S11, &xml).unwrap_err().reason.code(), "signature_invalid");

    // Holder-of-key, SAML 1.1, SOAP 1.2.
    let ki = format!(
        r#"<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"#,
        base64_der(&cert("leaf-ec-p256"))
    );
    let s11 = crate::saml::sign_id(
        &saml11("urn:oasis:names:tc:SAML:1.0:cm:holder-of-key", &ki, SP),
        "_s11",
        &key("leaf-rsa2048"),
    );
    let s =
        SecureSpec { saml: token(s11, SamlTokenUse::HolderOfKey), ..spec(&k, vec![cert("leaf-ec-p256")]) };
    let xml = secure(&envelope(V::S12, ""), &s).unwrap();
    let a = run(&ctx(), &policy, V::S12, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!(a.principal().subject(), "bob");

    // Sender-vouches: an unsigned assertion, vouched for by a CA-trusted attesting entity whose signature covers it.
    let sv = A2 { id: "_sv".into(), confirmations: vec![sender_vouches()], ..A2::default() }.xml();
    let attester = key("leaf-rsa3072");
    let s = SecureSpec {
        saml: token(sv.clone(), SamlTokenUse::SenderVouches),
        ..spec(&attester, vec![cert("leaf-rsa3072")])
    };
    let xml = secure(&envelope(V::S11, ""), &s).unwrap();
    assert!(xml.contains(r##"URI="#_sv""##));
    let a = run(&ctx(), &policy, V::S11, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!(a.facts().saml_confirmation, Some("sender-vouches"));
    // Used as bearer, the same unsigned assertion proves nothing.
    let s =
        SecureSpec { saml: token(sv, SamlTokenUse::Bearer), ..spec(&attester, vec![cert("leaf-rsa3072")]) };
    let xml = secure(&envelope(V::S11, ""), &s).unwrap();
    assert_eq!(run(&ctx(), &policy, V::S11, &xml).unwrap_err().reason.code(), "assertion_not_signed");

    // Bearer, signed by the issuer, next to an X.509 message signature.
    let bearer = A2 { id: "_b".into(), ..A2::default() }.signed("leaf-rsa2048");
    let s = SecureSpec {
        saml: token(bearer, SamlTokenUse::Bearer),
        ..spec(&attester, vec![cert("leaf-rsa3072")])
    };
    let xml = secure(&envelope(V::S11, ""), &s).unwrap();
    let a = run(&ctx(), &policy, V::S11, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!(a.facts().saml_confirmation, Some("bearer"));

    // Not an assertion.
    let s = SecureSpec {
        saml: token("<x/>".into(), SamlTokenUse::Bearer),
        ..spec(&attester, vec![cert("leaf-rsa3072")])
    };
    assert!(matches!(secure(&envelope(V::S11, ""), &s), Err(SecureError::NotAnAssertion)));
}

#[test]
fn saml_sign_places_signatures_where_the_schema_wants_them() {
    let k = key("leaf-rsa2048");
    let spec = |id: Option<&str>| SamlSignSpec {
        key: &k,
        certificates: vec![cert("leaf-rsa2048")],
        digest: DigestMethod::Sha256,
        method: None,
        id: id.map(str::to_owned),
    };
    // SAML 2.0 assertion: after the Issuer.
    let a = A2::default();
    let signed = saml_sign(&a.xml(), &spec(None)).unwrap();
    assert!(signed.contains("</saml:Issuer><ds:Signature"));
    assert_eq!(check(&saml(), &signed).unwrap().subject().value, a.name_id);
    // The assertion inside a Response, by ID; then the Response itself.
    let response = crate::saml::response(&a.xml(), "");
    let inner = saml_sign(&response, &spec(Some(&a.id))).unwrap();
    assert!(check(&saml(), &inner).is_ok());
    let both = saml_sign(&inner, &spec(None)).unwrap();
    assert_eq!(both.matches("<ds:Signature xmlns").count(), 2);
    assert!(check(&saml(), &both).is_ok());
    // SAML 1.1 assertion: last child.
    let s11 = saml11("urn:oasis:names:tc:SAML:1.0:cm:bearer", "", SP);
    let signed = saml_sign(&s11, &spec(None)).unwrap();
    assert!(signed.ends_with("</ds:Signature></saml:Assertion>"));
    let s = sluis::saml::Saml::new(
        crate::saml::registry(),
        sluis::saml::SamlPolicy::new([SP], Vec::<String>::new()),
        std::sync::Arc::new(sluis::store::ReplayCache::new(16)),
    );
    let ok = s.validate_document(signed.as_bytes(), &sluis::saml::Context::at(now()));
    assert!(ok.is_ok(), "{:?}", ok.err().map(|r| r.code()));
    // Not SAML: refused.
    assert_eq!(saml_sign("<a ID=\"x\"/>", &spec(None)).unwrap_err().code(), "saml_assertion_missing");
}

// ---- sluis sign (the binary) -----------------------------------------------------------------------------------

fn pki_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki").join(name)
}

fn sluis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sluis"))
}

/// `sluis verify --format json` at `at`, trusting the test PKI's CA, with `extra` arguments: the exit code and report.
fn verify_json(at: &str, file: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = sluis()
        .args(["verify", "--at", at, "--format", "json", "--ca"])
        .arg(pki_path("root-ca.cert.pem"))
        .arg("--intermediate")
        .arg(pki_path("intermediate-ca.cert.pem"))
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap())
}

fn sign_cli(signer: &str, file: &Path, extra: &[&str]) -> std::process::Output {
    sluis()
        .arg("sign")
        .arg("--key")
        .arg(pki_path(&format!("{signer}.key.pem")))
        .arg("--cert")
        .arg(pki_path(&format!("{signer}.cert.pem")))
        .args(extra)
        .arg(file)
        .output()
        .unwrap()
}

/// Whether xmlsec1 is here; without it the oracle checks are skipped, unless CI requires them.
fn xmlsec1() -> bool {
    crate::tool_available("xmlsec1")
}

fn xmlsec1_verifies(file: &Path, id_attrs: &[&str]) -> bool {
    let mut c = Command::new("xmlsec1");
    c.arg("--verify").arg("--pubkey-cert-pem").arg(pki_path("leaf-rsa2048.cert.pem"));
    for a in id_attrs {
        c.args(["--id-attr:Id", a]);
    }
    let out = c.arg(file).output().unwrap();
    out.status.success()
}

#[test]
fn sign_command_makes_what_verify_and_xmlsec1_accept() {
    let dir = TempDir::new("sign-cli");
    let wsu_ts =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd:Timestamp";
    let oracle = xmlsec1();
    for v in [V::S11, V::S12] {
        let input = dir.write("in.xml", &envelope(v, ""));
        let out = dir.0.join("out.xml");
        let o =
            sign_cli("leaf-rsa2048", &input, &["--at", "2026-11-25T11:59:55Z", "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (code, report) = verify_json("2026-11-25T12:00:00Z", &out, &[]);
        assert_eq!((code, &report["valid"]), (Some(0), &serde_json::Value::Bool(true)), "{report}");
        assert_eq!(report["files"][0]["soap"]["principal"]["subject"], LEAF, "{report}");
        // Five minutes later the Timestamp has expired.
        let (code, report) = verify_json("2026-11-25T12:10:00Z", &out, &[]);
        assert_eq!(code, Some(1), "{report}");
        if oracle {
            let body = match v {
                V::S11 => "http://schemas.xmlsoap.org/soap/envelope/:Body",
                V::S12 => "http://www.w3.org/2003/05/soap-envelope:Body",
            };
            assert!(xmlsec1_verifies(&out, &[body, wsu_ts]), "{v:?}");
        }
    }

    // A SAML assertion: validated by `sluis verify` with the SAML rules, verified by xmlsec1.
    let a = A2::default();
    let input = dir.write("assertion.xml", &a.xml());
    let o = sign_cli("leaf-rsa2048", &input, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let signed = dir.write("assertion-signed.xml", std::str::from_utf8(&o.stdout).unwrap());
    let verify = sluis()
        .args(["verify", "--at", "2026-11-25T12:00:00Z", "--format", "json"])
        .arg("--saml-issuer")
        .arg(format!("{IDP}={}", pki_path("leaf-rsa2048.cert.pem").display()))
        .args(["--saml-audience", SP, "--saml-recipient", crate::saml::ACS])
        .arg(&signed)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    if oracle {
        let out = Command::new("xmlsec1")
            .args(["--verify", "--id-attr:ID", "Assertion", "--pubkey-cert-pem"])
            .arg(pki_path("leaf-rsa2048.cert.pem"))
            .arg(&signed)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    // A holder-of-key SAML token: the envelope signed by the confirmation key, validated by `sluis verify`.
    let hok = A2 { id: "_hok".into(), confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() }
        .signed("leaf-rsa2048");
    let token = dir.write("hok.xml", &hok);
    let input = dir.write("in.xml", &envelope(V::S11, ""));
    let o = sign_cli(
        "leaf-ec-p256",
        &input,
        &[
            "--at",
            "2026-11-25T11:59:55Z",
            "--saml-token",
            token.to_str().unwrap(),
            "--saml-use",
            "holder-of-key",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let signed = dir.write("hok-signed.xml", std::str::from_utf8(&o.stdout).unwrap());
    let issuer = format!("{IDP}={}", pki_path("leaf-rsa2048.cert.pem").display());
    let (_, report) =
        verify_json("2026-11-25T12:00:00Z", &signed, &["--saml-issuer", &issuer, "--saml-audience", SP]);
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["files"][0]["soap"]["principal"]["subject"], "alice@example.org", "{report}");

    // Any other document: an enveloped signature over the whole of it.
    let input = dir.write("plain.xml", r#"<order xmlns="urn:example"><item n="1">tea</item></order>"#);
    let o = sign_cli("leaf-rsa2048", &input, &["--digest", "sha512"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let signed = dir.write("plain-signed.xml", std::str::from_utf8(&o.stdout).unwrap());
    assert!(std::fs::read_to_string(&signed).unwrap().contains("xmlenc#sha512"));
    let verify =
        sluis().arg("verify").arg("--trust").arg(pki_path("leaf-rsa2048.cert.pem")).arg(&signed).output();
    assert!(verify.unwrap().status.success());
    if oracle {
        assert!(xmlsec1_verifies(&signed, &[]));
    }
}

#[test]
fn sign_command_refuses_what_it_cannot_do() {
    let dir = TempDir::new("sign-refuse");
    let input = dir.write("in.xml", &envelope(V::S11, ""));
    // The key of another certificate.
    let o = sluis()
        .arg("sign")
        .arg("--key")
        .arg(pki_path("leaf-rsa3072.key.pem"))
        .arg("--cert")
        .arg(pki_path("leaf-rsa2048.cert.pem"))
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not the private key"));
    // Already secured, not XML, a bad --at, a missing file.
    let signed =
        dir.write("signed.xml", std::str::from_utf8(&sign_cli("leaf-rsa2048", &input, &[]).stdout).unwrap());
    let o = sign_cli("leaf-rsa2048", &signed, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already has a wsse:Security header"));
    let junk = dir.write("junk.xml", "<a><b></a>");
    assert_eq!(sign_cli("leaf-rsa2048", &junk, &[]).status.code(), Some(2));
    assert_eq!(sign_cli("leaf-rsa2048", &input, &["--at", "yesterday"]).status.code(), Some(2));
    assert_eq!(sign_cli("leaf-rsa2048", &dir.0.join("missing.xml"), &[]).status.code(), Some(2));
    // A certificate the gateway will refuse still signs (fixtures for negative tests); the gateway then says why.
    let o = sign_cli("leaf-expired", &input, &["--at", "2026-11-25T11:59:55Z"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expired = std::str::from_utf8(&o.stdout).unwrap();
    let r = run(&ca_builder().build(), &RoutePolicy::default(), V::S11, expired).unwrap_err();
    assert_eq!(r.reason.code(), "certificate_expired");
}

#[test]
fn redating_moves_every_saml_instant_alike() {
    let a = A2::default();
    let day = 86_400;
    let later = now().plus_seconds(day);
    let old_issue = sluis::clock::DateTime::parse(&a.issue_instant).unwrap();
    let moved =
        redate(&a.xml(), later.plus_seconds(old_issue.unix_seconds() - now().unix_seconds())).unwrap();
    // Every instant moved by one day; nothing else changed.
    let times = |xml: &str| -> Vec<i64> {
        let doc = sluis::xml::Document::parse_str(xml, &sluis::xml::Limits::default()).unwrap();
        let mut out = Vec::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            for at in n.attributes() {
                if let Ok(t) = sluis::clock::DateTime::parse(at.value()) {
                    out.push(t.unix_seconds());
                }
            }
        }
        out
    };
    let (before, after) = (times(&a.xml()), times(&moved));
    assert!(before.len() >= 5, "{before:?}");
    assert_eq!(after, before.iter().map(|t| t + day).collect::<Vec<_>>());
    assert_eq!(moved.len(), a.xml().len());
    // Signed and checked a day later, it is valid; the original is not.
    let k = key("leaf-rsa2048");
    let spec =
        SamlSignSpec { key: &k, certificates: vec![], digest: DigestMethod::Sha256, method: None, id: None };
    let signed = saml_sign(&moved, &spec).unwrap();
    let ctx = sluis::saml::Context::at(later);
    assert!(saml().validate_document(signed.as_bytes(), &ctx).is_ok());
    let stale = saml_sign(&a.xml(), &spec).unwrap();
    assert_eq!(saml().validate_document(stale.as_bytes(), &ctx).unwrap_err().code(), "assertion_expired");
    // Refusals: a signed document, something that is not SAML, a time that is not one.
    assert_eq!(redate(&signed, later), Err(RedateError::AlreadySigned));
    assert_eq!(redate("<a IssueInstant=\"2026-01-01T00:00:00Z\"/>", later), Err(RedateError::NoIssueInstant));
    let bad = a.xml().replacen(&a.issue_instant, "yesterday", 1);
    assert_eq!(redate(&bad, later), Err(RedateError::BadTime("IssueInstant".into())));

    // `sluis sign --saml-redate --at`.
    let dir = TempDir::new("sign-redate");
    let input = dir.write("a.xml", &a.xml());
    let o = sign_cli("leaf-rsa2048", &input, &["--saml-redate", "--at", &later.to_rfc3339()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains(&format!("IssueInstant=\"{}\"", later.to_rfc3339())), "{out}");
    assert!(saml().validate_document(out.as_bytes(), &ctx).is_ok());
    let envelope_file = dir.write("e.xml", &envelope(V::S11, ""));
    let o = sign_cli("leaf-rsa2048", &envelope_file, &["--saml-redate"]);
    assert_eq!(o.status.code(), Some(2));
}
