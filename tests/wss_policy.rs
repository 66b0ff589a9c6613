//! Route policy beyond the defaults (signed header blocks by name, which token kinds may sign) and the
//! configuration structs the server embeds ([`sluis::wss::WssConfig`], the digest secrets file).

use crate::wss::{
    Msg, V, argon2id, bst, ca_context, cert, key, outcome, run, run_with, sign_refs, str_direct, t,
    ut_digest, ut_policy, ut_text,
};
use sluis::policy::{RoutePolicy, SignedPart};
use sluis::principal::{AuthLevel, TokenType};
use sluis::wss::{SecurityContext, Transport, WssConfig};
use std::path::Path;

const WSA: &str = "http://www.w3.org/2005/08/addressing";

#[test]
fn named_header_blocks_must_be_signed_when_present() {
    let policy = RoutePolicy {
        signed_parts: vec![
            SignedPart::Body,
            SignedPart::Timestamp,
            SignedPart::Header { namespace: WSA.into(), local: "To".into() },
        ],
        ..RoutePolicy::default()
    };
    let m = Msg {
        headers: format!(r#"<wsa:To xmlns:wsa="{WSA}" wsu:Id="To-1">https://api.example/patient</wsa:To>"#),
        tokens: bst(&cert("leaf-rsa2048")),
        ..Msg::default()
    };
    let unsigned = sign_refs(&m.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), None);
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &unsigned)), Err("header_not_signed"));
    let signed = sign_refs(&m.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1", "To-1"], &str_direct(), None);
    let a = run(&ca_context(), &policy, V::S11, &signed).unwrap();
    assert_eq!(a.facts().signed_parts, ["body", "timestamp", &format!("{{{WSA}}}To")]);
    // Absent, the block needs no signature (WS-SecurityPolicy SignedParts: "if present").
    let without = Msg { headers: String::new(), ..m };
    let xml = sign_refs(&without.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), None);
    let a = run(&ca_context(), &policy, V::S11, &xml).unwrap();
    assert_eq!(a.facts().signed_parts, ["body", "timestamp"]);
}

#[test]
fn which_tokens_may_sign() {
    let xml = crate::wss::x509_message(&Msg::default(), "leaf-rsa2048");
    let hok_only = RoutePolicy { signed_by: vec![TokenType::Saml20], ..RoutePolicy::default() };
    assert_eq!(outcome(&run(&ca_context(), &hok_only, V::S11, &xml)), Err("signing_token_not_accepted"));
    let saml_principal_only =
        RoutePolicy { accepted_tokens: vec![TokenType::Saml20], ..RoutePolicy::default() };
    assert_eq!(
        outcome(&run(&ca_context(), &saml_principal_only, V::S11, &xml)),
        Err("token_type_not_accepted")
    );
}

#[test]
fn an_x509_signature_outranks_a_username_token() {
    // A signed message that also carries a UsernameToken: both are checked, the signature's key is the principal,
    // and the user is recorded for audit.
    let mut b = crate::wss::ca_builder();
    b.user("alice", &argon2id("correct horse"), AuthLevel::CREDENTIALS).unwrap();
    let ctx = b.build();
    let m = Msg { tokens: ut_text("alice", "correct horse", None, None), ..Msg::default() };
    let xml = crate::wss::x509_message(&m, "leaf-rsa2048");
    let policy = RoutePolicy { allow_password_text: true, ..RoutePolicy::default() };
    let a = run(&ctx, &policy, V::S11, &xml).unwrap();
    assert_eq!(a.principal().token_type(), TokenType::X509);
    assert_eq!(a.facts().username.as_deref(), Some("alice"));
    // A wrong password refuses the whole message, signature or not.
    let bad = crate::wss::x509_message(
        &Msg { tokens: ut_text("alice", "nope", None, None), ..Msg::default() },
        "leaf-rsa2048",
    );
    assert_eq!(outcome(&run(&ctx, &policy, V::S11, &bad)), Err("authentication_failed"));
}

#[test]
fn context_from_configuration() {
    let dir = std::env::temp_dir().join(format!("sluis-wss-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("digest.toml"), "[[users]]\nname = \"legacy\"\nsecret = \"s3cret\"\n").unwrap();
    let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki");
    let text = format!(
        r#"actor = "urn:example:sluis"
clock_skew_seconds = 60
digest_secrets_file = "digest.toml"

[trust]
ca = ["{pki}/root-ca.cert.pem"]
intermediates = ["{pki}/intermediate-ca.cert.pem"]
known_certificates = ["{pki}/leaf-rsa3072.cert.pem"]

[[users]]
name = "alice"
password_hash = "{}"
"#,
        argon2id("correct horse"),
        pki = pki.display()
    );
    let cfg: WssConfig = toml::from_str(&text).unwrap();
    let ctx = SecurityContext::from_config(&cfg, &dir).unwrap();
    let p = ut_policy();
    let tls = Transport { tls: true, loopback: false };
    let text_ut = Msg { tokens: ut_text("alice", "correct horse", None, None), ..Msg::default() }.xml();
    assert!(run_with(&ctx, &p, V::S11, &text_ut, tls).is_ok());
    let digest = Msg { tokens: ut_digest("legacy", "s3cret", &[9u8; 16], &t(-5)), ..Msg::default() }.xml();
    assert!(run_with(&ctx, &p, V::S11, &digest, tls).is_ok());
    // The skew is 60 s now: a Timestamp created 100 s ahead is in the future.
    let future = Msg { timestamp: Some((t(100), Some(t(400)))), ..Msg::default() };
    assert_eq!(
        outcome(&run(
            &ctx,
            &RoutePolicy::default(),
            V::S11,
            &crate::wss::x509_message(&future, "leaf-rsa2048")
        )),
        Err("timestamp_in_future")
    );
    // The configured actor is sluis's too: a Security header for it counts (here beside the default one).
    let two = Msg {
        headers: format!(
            r#"<wsse:Security soap:actor="urn:example:sluis"><wsu:Timestamp><wsu:Created>{}</wsu:Created></wsu:Timestamp></wsse:Security>"#,
            t(0)
        ),
        ..Msg::default()
    };
    assert_eq!(
        outcome(&run(&ctx, &RoutePolicy::default(), V::S11, &crate::wss::x509_message(&two, "leaf-rsa2048"))),
        Err("security_header_duplicate")
    );
    // A configured certificate is found by thumbprint without being sent.
    let leaf = cert("leaf-rsa3072");
    let thumb = crate::wss::str_key_identifier(sluis::wss::THUMBPRINT_SHA1, &leaf.sha1_thumbprint());
    let xml = sign_refs(&Msg::default().xml(), &key("leaf-rsa3072"), &["Body-1", "TS-1"], &thumb, None);
    assert!(run(&ctx, &RoutePolicy::default(), V::S11, &xml).is_ok());

    // Refusals at configuration time.
    let bad = |extra: &str| {
        let cfg: WssConfig = toml::from_str(extra).unwrap();
        SecurityContext::from_config(&cfg, &dir).unwrap_err().to_string()
    };
    assert!(bad("[[users]]\nname = \"x\"\npassword_hash = \"plain\"\n").contains("PHC"));
    let argon2i = argon2id("x").replace("$argon2id$", "$argon2i$");
    assert!(bad(&format!("[[users]]\nname = \"x\"\npassword_hash = \"{argon2i}\"\n")).contains("argon2id"));
    assert!(
        bad(&format!("[[users]]\nname = \"x\"\npassword_hash = \"{}\"\nauth_level = 3\n", argon2id("x")))
            .contains("level 2")
    );
    assert!(bad("digest_secrets_file = \"missing.toml\"\n").contains("missing.toml"));
    assert!(toml::from_str::<WssConfig>("unknown = 1").is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gateway_types_are_shareable() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SecurityContext>();
    send_sync::<sluis::wss::Accepted>();
    send_sync::<sluis::wss::Rejected>();
    send_sync::<RoutePolicy>();
}
