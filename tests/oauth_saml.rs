//! The SAML 2.0 bearer grant (RFC 7522 §2.1) and SAML client authentication (§2.2) end to end through the
//! authorization server, with assertions built and signed by the helpers of `tests/saml.rs` (the committed test PKI).
//!
//! Every RFC 7522 §3 violation is refused with `invalid_grant`: wrong audience, wrong recipient, expired (by
//! `Conditions` and by the bearer `SubjectConfirmationData` alone), no bearer confirmation, unsigned, signed by an
//! untrusted key (issuer A's assertion signed with issuer B's key), replayed, two assertions in one parameter; plus the
//! encoding rule of §2.1 and the client bindings.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;
use sluis::oauth::{HttpInput, IssuedToken, Refusal};
use sluis::reason::{OAuthError, OAuthReason, Reason};

use crate::oauth::fixture::*;
use crate::saml::{A2, IDP, OTHER_IDP, at, bearer, conditions, holder_of_key, now};

const SAML_BEARER: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";
const SAML_CLIENT: &str = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer";
const ENTITLEMENT: &str = "urn:oid:1.3.6.1.4.1.5923.1.1.1.7";

fn pki_path(name: &str) -> String {
    format!("{}/testdata/pki/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Two SAML issuers (IDP pinned to leaf-rsa2048, OTHER_IDP to leaf-rsa3072) and the clients that use them.
fn tail(top_clients: &str) -> String {
    let hash = &keys().secret_hash;
    format!(
        r#"
[[issuers]]
issuer = "{IDP}"
format = "saml"
keys = [{{ pem = "{rsa2048}" }}]
base_scopes = ["read"]
claims = {{ mail = "email" }}

[[issuers.mappings]]
attribute = "{ENTITLEMENT}"
value = "admin"
scopes = ["write"]
roles = ["admin"]

[[issuers]]
issuer = "{OTHER_IDP}"
format = "saml"
keys = [{{ pem = "{rsa3072}" }}]
base_scopes = ["read"]

[[clients]]
client_id = "saml-portal"
auth_methods = ["client_secret_basic"]
secret_hash = "{hash}"
grant_types = ["saml2-bearer"]
scopes = ["read", "write"]

[[clients]]
client_id = "saml-bound"
auth_methods = ["client_secret_basic"]
secret_hash = "{hash}"
grant_types = ["saml2-bearer"]
scopes = ["read"]
allowed_issuers = ["{OTHER_IDP}"]
allowed_subjects = ["bob@example.org"]

[[clients]]
client_id = "kiosk"
auth_methods = ["none"]
grant_types = ["saml2-bearer"]
scopes = ["read"]

[[clients]]
client_id = "saml-client"
auth_methods = ["saml_assertion"]
saml_issuer = "{IDP}"
grant_types = ["client_credentials"]
scopes = ["read"]
{top_clients}
"#,
        rsa2048 = pki_path("leaf-rsa2048.cert.pem"),
        rsa3072 = pki_path("leaf-rsa3072.cert.pem"),
    )
}

fn fixture() -> Fixture {
    Fixture::with_tail(&default_keys(), "", &tail(""))
}

/// An assertion for this authorization server: Audience = its issuer identifier, bearer Recipient = its token endpoint.
fn a2(id: &str) -> A2 {
    A2 {
        id: id.into(),
        confirmations: vec![bearer(TOKEN_ENDPOINT, &at(240), "")],
        conditions: Some(conditions(&at(-120), &at(240), &[&[ISSUER]], "")),
        ..A2::default()
    }
}

fn b64url(xml: &str) -> String {
    URL_SAFE_NO_PAD.encode(xml)
}

fn grant(fx: &Fixture, assertion: &str, client: Option<&str>) -> Result<IssuedToken, Refusal> {
    let body = form(&[("grant_type", SAML_BEARER), ("assertion", assertion)]);
    let auth = client.map(|c| basic_header(c, SECRET));
    fx.server.token_at(
        &HttpInput {
            content_type: Some("application/x-www-form-urlencoded"),
            authorization: auth.as_deref(),
            body: body.as_bytes(),
            origin: None,
        },
        now(),
    )
}

/// Refused with `invalid_grant`; returns the fine code.
fn refused(r: Result<IssuedToken, Refusal>) -> String {
    let e = r.expect_err("expected a refusal");
    assert_eq!(e.error(), OAuthError::InvalidGrant, "{e}");
    assert_eq!(e.status(), 400);
    let body: Value = serde_json::from_str(&e.body_json()).unwrap();
    assert_eq!(body["error"], "invalid_grant");
    e.reason().code().to_owned()
}

/// Verifies against the JWKS, without `exp` (the test clock is fixed at `saml::NOW`).
fn verify(fx: &Fixture, token: &str) -> Value {
    let set: JwkSet = serde_json::from_str(&fx.server.jwks_json()).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let key = DecodingKey::from_jwk(set.find(header.kid.as_deref().unwrap()).unwrap()).unwrap();
    let mut v = Validation::new(header.alg);
    v.validate_exp = false;
    v.set_audience(&[API]);
    v.set_issuer(&[ISSUER]);
    v.set_required_spec_claims(&["iss", "aud", "sub"]);
    jsonwebtoken::decode::<Value>(token, &key, &v).unwrap().claims
}

#[test]
fn saml2_bearer_grant_issues_a_mapped_token() {
    let fx = fixture();
    let t = grant(&fx, &b64url(&a2("_g1").signed("leaf-rsa2048")), Some("saml-portal")).unwrap();
    let c = verify(&fx, &t.access_token);
    assert_eq!(c["sub"], "alice@example.org");
    assert_eq!(c["client_id"], "saml-portal");
    assert_eq!(c["scope"], "read write", "eduPersonEntitlement=admin maps to write");
    assert_eq!(c["roles"], serde_json::json!(["admin"]));
    assert_eq!(c["email"], "alice@example.org");
    assert_eq!(c["auth_time"], now().minus_seconds(90).unix_seconds(), "AuthnInstant");
    assert_eq!(t.principal.issuer(), Some(IDP));
    assert_eq!(t.principal.token_type(), sluis::principal::TokenType::Saml20);

    // The token endpoint URL and a configured alias are accepted audiences too; padding is tolerated.
    let mut a = a2("_g2");
    a.conditions = Some(conditions(&at(-120), &at(240), &[&[TOKEN_ENDPOINT]], ""));
    assert!(grant(&fx, &URL_SAFE.encode(a.signed("leaf-rsa2048")), Some("saml-portal")).is_ok());
    let mut a = a2("_g3");
    a.conditions = Some(conditions(&at(-120), &at(240), &[&["urn:sluis:as"]], ""));
    assert!(grant(&fx, &b64url(&a.signed("leaf-rsa2048")), Some("saml-portal")).is_ok());

    // A subject without the entitlement gets read only; asking for write alone is invalid_scope.
    let mut a = a2("_g4");
    a.statements = String::new();
    let body = form(&[
        ("grant_type", SAML_BEARER),
        ("assertion", &b64url(&a.signed("leaf-rsa2048"))),
        ("scope", "write"),
    ]);
    let auth = basic_header("saml-portal", SECRET);
    let e = fx
        .server
        .token_at(
            &HttpInput {
                content_type: Some("application/x-www-form-urlencoded"),
                authorization: Some(&auth),
                body: body.as_bytes(),
                origin: None,
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(e.reason(), Reason::OAuth(OAuthReason::ScopeNotGranted));
}

#[test]
fn rfc7522_section3_violations_are_invalid_grant() {
    let fx = fixture();
    let client = Some("saml-portal");
    let mut cases: Vec<(&str, String)> = Vec::new();

    let mut a = a2("_v1");
    a.conditions = Some(conditions(&at(-120), &at(240), &[&["https://some-other-as.example"]], ""));
    cases.push(("wrong audience", a.signed("leaf-rsa2048")));

    let mut a = a2("_v2");
    a.confirmations = vec![bearer("https://as.example.nl/elsewhere", &at(240), "")];
    cases.push(("wrong recipient", a.signed("leaf-rsa2048")));

    let mut a = a2("_v3");
    a.issue_instant = at(-900);
    a.conditions = Some(conditions(&at(-900), &at(-300), &[&[ISSUER]], ""));
    a.confirmations = vec![bearer(TOKEN_ENDPOINT, &at(-300), "")];
    a.statements = String::new();
    cases.push(("expired", a.signed("leaf-rsa2048")));

    // Conditions still valid, the bearer confirmation's own NotOnOrAfter passed (WSO2 skips this check).
    let mut a = a2("_v4");
    a.confirmations = vec![bearer(TOKEN_ENDPOINT, &at(-61), "")];
    cases.push(("bearer NotOnOrAfter passed", a.signed("leaf-rsa2048")));

    let mut a = a2("_v5");
    a.confirmations = vec![holder_of_key("leaf-ec-p256")];
    cases.push(("no bearer confirmation", a.signed("leaf-rsa2048")));

    cases.push(("unsigned", a2("_v6").xml()));

    // Issuer A (pinned to leaf-rsa2048) signed with issuer B's key (leaf-rsa3072).
    cases.push(("signed by another issuer's key", a2("_v7").signed("leaf-rsa3072")));
    cases.push(("signed by an unconfigured key", a2("_v8").signed("leaf-ec-p256")));

    // Two assertions in one parameter: side by side (not a document), one nested in Advice, one inside a Response.
    let one = a2("_v9").signed("leaf-rsa2048");
    let two = a2("_v10").signed("leaf-rsa2048");
    cases.push(("two assertions side by side", format!("{one}{two}")));
    let mut outer = a2("_v11");
    outer.statements = format!("<saml:Advice>{two}</saml:Advice>");
    cases.push(("assertion nested in Advice", outer.signed("leaf-rsa2048")));
    cases.push(("assertion inside a Response", crate::saml::response(&one, "")));

    let mut a = a2("_v12");
    a.confirmations = vec![bearer(TOKEN_ENDPOINT, &at(240), r#" InResponseTo="_req-1""#)];
    cases.push(("InResponseTo without a request", a.signed("leaf-rsa2048")));

    let mut a = a2("_v13");
    a.conditions = Some(conditions(&at(-120), &at(5000), &[&[ISSUER]], ""));
    a.confirmations = vec![bearer(TOKEN_ENDPOINT, &at(5000), "")];
    cases.push(("validity longer than the maximum assertion lifetime", a.signed("leaf-rsa2048")));

    let mut a = a2("_v14");
    a.issuer = "https://unknown-idp.example".into();
    cases.push(("unknown issuer", a.signed("leaf-rsa2048")));

    let mut codes = Vec::new();
    for (what, xml) in &cases {
        let code = refused(grant(&fx, &b64url(xml), client));
        println!("{what}: {code}");
        codes.push((what, code));
    }
    let code_of = |what: &str| codes.iter().find(|(w, _)| **w == what).map(|(_, c)| c.clone()).unwrap();
    assert_eq!(code_of("assertion nested in Advice"), "saml_assertion_count");
    assert_eq!(code_of("assertion inside a Response"), "saml_assertion_count");

    // Replayed: the first use succeeds, the second is refused.
    let once = b64url(&a2("_r1").signed("leaf-rsa2048"));
    assert!(grant(&fx, &once, client).is_ok());
    assert_eq!(refused(grant(&fx, &once, client)), "assertion_replayed");
}

#[test]
fn assertion_parameter_encoding() {
    let fx = fixture();
    let xml = a2("_e1").signed("leaf-rsa2048");
    // Standard base64 alphabet, line wrapping, spaces: refused (RFC 7522 §2.1).
    let std = STANDARD.encode(&xml);
    if std.contains(['+', '/']) {
        assert_eq!(refused(grant(&fx, &std, Some("saml-portal"))), "saml_assertion_encoding");
    }
    let wrapped: String = b64url(&xml)
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    assert_eq!(refused(grant(&fx, &wrapped, Some("saml-portal"))), "saml_assertion_encoding");
    assert_eq!(refused(grant(&fx, "not base64 at all!", Some("saml-portal"))), "saml_assertion_encoding");
    assert!(!refused(grant(&fx, &b64url("<not-xml"), Some("saml-portal"))).is_empty());
    // The same assertion, correctly encoded, is accepted.
    assert!(grant(&fx, &b64url(&xml), Some("saml-portal")).is_ok());
}

#[test]
fn client_bindings_and_public_clients() {
    let fx = fixture();
    // saml-bound may present only OTHER_IDP's assertions about bob.
    let code = refused(grant(&fx, &b64url(&a2("_b1").signed("leaf-rsa2048")), Some("saml-bound")));
    assert_eq!(code, "assertion_issuer_not_allowed");
    let mut other = a2("_b2");
    other.issuer = OTHER_IDP.into();
    assert_eq!(
        refused(grant(&fx, &b64url(&other.signed("leaf-rsa3072")), Some("saml-bound"))),
        "assertion_subject_not_allowed"
    );
    let mut bob = a2("_b3");
    bob.issuer = OTHER_IDP.into();
    bob.name_id = "bob@example.org".into();
    assert!(grant(&fx, &b64url(&bob.signed("leaf-rsa3072")), Some("saml-bound")).is_ok());

    // A public client configured for the SAML grant names itself with client_id.
    let body = form(&[
        ("grant_type", SAML_BEARER),
        ("assertion", &b64url(&a2("_p1").signed("leaf-rsa2048"))),
        ("client_id", "kiosk"),
    ]);
    let t = fx
        .server
        .token_at(
            &HttpInput {
                content_type: Some("application/x-www-form-urlencoded"),
                authorization: None,
                body: body.as_bytes(),
                origin: None,
            },
            now(),
        )
        .unwrap();
    assert_eq!(verify(&fx, &t.access_token)["client_id"], "kiosk");
    // Without any client identification the grant is refused (every SAML exchange is tied to a registered client).
    let body =
        form(&[("grant_type", SAML_BEARER), ("assertion", &b64url(&a2("_p2").signed("leaf-rsa2048")))]);
    let e = fx
        .server
        .token_at(
            &HttpInput {
                content_type: Some("application/x-www-form-urlencoded"),
                authorization: None,
                body: body.as_bytes(),
                origin: None,
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(e.error(), OAuthError::InvalidClient);
}

#[test]
fn saml_client_authentication() {
    let fx = fixture();
    let mut a = a2("_c1");
    a.name_id = "saml-client".into();
    a.statements = String::new();
    let assertion = b64url(&a.signed("leaf-rsa2048"));
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_assertion_type", SAML_CLIENT),
        ("client_assertion", &assertion),
    ]);
    let input = HttpInput {
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
        origin: None,
    };
    let t = fx.server.token_at(&input, now()).unwrap();
    assert_eq!((t.client_id.as_str(), t.principal.subject()), ("saml-client", "saml-client"));
    // The same assertion again: replayed, and for client authentication that is invalid_client.
    let e = fx.server.token_at(&input, now()).unwrap_err();
    assert_eq!(
        (e.reason(), e.error()),
        (Reason::OAuth(OAuthReason::ClientSamlAssertionInvalid), OAuthError::InvalidClient)
    );
    assert_eq!(e.cause().map(|c| c.code()), Some("assertion_replayed"));
    // An assertion about another subject authenticates nobody.
    let mut a = a2("_c2");
    a.statements = String::new();
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_assertion_type", SAML_CLIENT),
        ("client_assertion", &b64url(&a.signed("leaf-rsa2048"))),
    ]);
    let e = fx
        .server
        .token_at(
            &HttpInput {
                content_type: Some("application/x-www-form-urlencoded"),
                authorization: None,
                body: body.as_bytes(),
                origin: None,
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(e.error(), OAuthError::InvalidClient);
}

#[test]
fn metadata_advertises_the_saml_grant_only_when_configured() {
    let with = fixture();
    let m: Value = serde_json::from_str(&with.server.metadata_json()).unwrap();
    assert!(m["grant_types_supported"].as_array().unwrap().iter().any(|g| g == SAML_BEARER));
    let without = Fixture::new();
    let m: Value = serde_json::from_str(&without.server.metadata_json()).unwrap();
    assert!(!m["grant_types_supported"].as_array().unwrap().iter().any(|g| g == SAML_BEARER));
    let e = grant(&without, &b64url(&a2("_m1").signed("leaf-rsa2048")), Some("svc")).unwrap_err();
    assert_eq!(e.error(), OAuthError::UnsupportedGrantType);
}

/// The assertion signed by the `xmlsec1` command-line tool (libxmlsec1: an implementation independent of sluis),
/// enveloped, exclusive C14N, RSA-SHA256, with the committed test key of `IDP`. None when xmlsec1 is not installed
/// (then the test is skipped, unless `SLUIS_REQUIRE_ORACLES=1`).
fn signed_by_xmlsec1(a: &A2) -> Option<String> {
    if !crate::tool_available("xmlsec1") {
        return None;
    }
    let template = a.xml().replacen(
        "</saml:Issuer>",
        &format!(
            r##"</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>"##,
            a.id
        ),
        1,
    );
    let dir = std::env::temp_dir().join(format!("sluis-oauth-xmlsec1-{}-{}", std::process::id(), a.id));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("template.xml");
    std::fs::write(&input, template).unwrap();
    let out = std::process::Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem", &pki_path("leaf-rsa2048.key.pem"), "--id-attr:ID", "Assertion"])
        .arg(&input)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "xmlsec1: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn assertions_signed_by_xmlsec1_are_exchanged() {
    let fx = fixture();
    let Some(signed) = signed_by_xmlsec1(&a2("_xmlsec1")) else { return };
    let token = grant(&fx, &b64url(&signed), Some("saml-portal")).expect("xmlsec1-signed assertion accepted");
    let claims = verify(&fx, &token.access_token);
    assert_eq!(claims["sub"], "alice@example.org");
    // The same signed bytes with one character of the subject changed: refused.
    let tampered = signed.replacen("alice@example.org", "alicf@example.org", 1);
    assert_eq!(refused(grant(&fx, &b64url(&tampered), Some("saml-portal"))), "digest_mismatch");
}

#[test]
fn saml_issuer_keys_from_metadata() {
    let dir = crate::server::TempDir::new("oauth-md");
    let md =
        dir.write("idp.xml", &crate::saml_trust::metadata(IDP, &["leaf-rsa2048"], &["leaf-rsa3072"], None));
    let pinned = format!("keys = [{{ pem = \"{}\" }}]", pki_path("leaf-rsa2048.cert.pem"));
    let with = |replacement: &str| tail("").replacen(&pinned, replacement, 1);
    let t = with(&format!("metadata = \"{}\"", md.display()));
    assert_ne!(t, tail(""));
    let fx = Fixture::with_tail(&default_keys(), "", &t);
    let token = grant(&fx, &b64url(&a2("_md1").signed("leaf-rsa2048")), Some("saml-portal")).unwrap();
    assert_eq!(verify(&fx, &token.access_token)["sub"], "alice@example.org");
    // The metadata's encryption key does not sign.
    assert_eq!(
        refused(grant(&fx, &b64url(&a2("_md2").signed("leaf-rsa3072")), Some("saml-portal"))),
        "signature_invalid"
    );

    // Configuration errors name the field.
    let load = |tail_text: &str| {
        let config = parse(&format!("{}\n{tail_text}", config_text(&default_keys(), "")));
        sluis::oauth::AuthorizationServer::new(
            &config,
            &fx.dir,
            std::sync::Arc::new(sluis::clock::SystemClock),
        )
        .err()
        .map(|e| e.to_string())
    };
    assert_eq!(load(&t), None);
    let both = with(&format!("{pinned}\nmetadata = \"{}\"", md.display()));
    assert!(
        load(&both).unwrap().contains("oauth.issuers[1].metadata: give keys or metadata, not both"),
        "{:?}",
        load(&both)
    );
    let other = dir.write("other.xml", &crate::saml_trust::metadata(OTHER_IDP, &["leaf-rsa2048"], &[], None));
    let missing = with(&format!("metadata = \"{}\"", other.display()));
    assert!(load(&missing).unwrap().contains("no EntityDescriptor with entityID"), "{:?}", load(&missing));
    let old = dir.write(
        "old.xml",
        &crate::saml_trust::metadata(IDP, &["leaf-rsa2048"], &[], Some("2020-01-01T00:00:00Z")),
    );
    let expired = with(&format!("metadata = \"{}\"", old.display()));
    assert!(load(&expired).unwrap().contains("oauth.issuers[1].metadata"), "{:?}", load(&expired));
}
