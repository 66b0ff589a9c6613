//! The WS-Security gateway ([`sluis::wss::process`]) on messages made here: every X.509 reference form, trust
//! failures, UsernameToken (text, digest, replay, freshness, transport), Timestamps, targeting and mustUnderstand,
//! the HTTP binding, and splicing. Attacks are in `wss_attacks.rs`, SAML tokens in `wss_saml.rs`, faults in
//! `soap_faults.rs`. The helpers here are shared by those files.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sluis::c14n::Algorithm;
use sluis::clock::DateTime;
use sluis::dsig::{
    self, DigestMethod, IdIndex, IdPolicy, KeyInfoSpec, Placement, ReferenceSpec, SignSpec, SignatureMethod,
};
use sluis::policy::{RoutePolicy, SignedPart};
use sluis::principal::{AuthLevel, TokenType};
use sluis::trust::{Certificate, KeyPolicy, SigningKey, TrustStore};
use sluis::wss::{
    self, Accepted, Rejected, SecurityContext, SecurityContextBuilder, Transport, WSSE_NS, WSU_NS, X509_SKI,
    X509V3,
};
use sluis::xml::{Document, Limits};

pub(crate) const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
// The test PKI loaders and the fixed clock are the SAML tests' (one test binary).
pub(crate) use crate::saml::{NOW, cert, key, now};

/// `NOW` moved by `secs`, RFC 3339.
pub(crate) fn t(secs: i64) -> String {
    now().plus_seconds(secs).to_rfc3339()
}

/// A context trusting the test PKI's root CA (with its intermediate).
pub(crate) fn ca_builder() -> SecurityContextBuilder {
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.add_ca(&cert("root-ca")).unwrap();
    b.add_intermediate(cert("intermediate-ca"));
    SecurityContext::builder(b.build())
}

pub(crate) fn ca_context() -> SecurityContext {
    ca_builder().build()
}

/// SOAP version of a test message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum V {
    S11,
    S12,
}

/// A message, piece by piece.
#[derive(Clone)]
pub(crate) struct Msg {
    pub v: V,
    /// Header blocks before the Security header.
    pub headers: String,
    /// Attributes of the Security header (e.g. `soap:mustUnderstand="1"`).
    pub security_attrs: String,
    /// The Timestamp's (Created, Expires); `None` for no Timestamp.
    pub timestamp: Option<(String, Option<String>)>,
    /// Tokens after the Timestamp (BSTs, UsernameToken, assertions).
    pub tokens: String,
    /// Body content.
    pub body: String,
}

impl Default for Msg {
    fn default() -> Self {
        Msg {
            v: V::S11,
            headers: String::new(),
            security_attrs: String::new(),
            timestamp: Some((t(-10), Some(t(290)))),
            tokens: String::new(),
            body: r#"<pat:GetPatient xmlns:pat="urn:example:patient"><pat:Id>999911120</pat:Id></pat:GetPatient>"#.into(),
        }
    }
}

impl Msg {
    pub(crate) fn ns(&self) -> &'static str {
        match self.v {
            V::S11 => SOAP11,
            V::S12 => SOAP12,
        }
    }

    pub(crate) fn xml(&self) -> String {
        let ts = match &self.timestamp {
            Some((c, e)) => format!(
                r#"<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>{c}</wsu:Created>{}</wsu:Timestamp>"#,
                e.as_ref().map(|e| format!("<wsu:Expires>{e}</wsu:Expires>")).unwrap_or_default()
            ),
            None => String::new(),
        };
        format!(
            r#"<soap:Envelope xmlns:soap="{}" xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}"><soap:Header>{}<wsse:Security{}>{ts}{}</wsse:Security></soap:Header><soap:Body wsu:Id="Body-1">{}</soap:Body></soap:Envelope>"#,
            self.ns(),
            self.headers,
            self.security_attrs,
            self.tokens,
            self.body
        )
    }
}

/// A BinarySecurityToken (`X509v3`) for `cert` with `wsu:Id="X509-1"`.
pub(crate) fn bst(cert: &Certificate) -> String {
    format!(
        r#"<wsse:BinarySecurityToken EncodingType="{}" ValueType="{X509V3}" wsu:Id="X509-1">{}</wsse:BinarySecurityToken>"#,
        wss::BASE64_BINARY,
        B64.encode(cert.der())
    )
}

/// KeyInfo content: an STR with a direct reference to `#X509-1`.
pub(crate) fn str_direct() -> String {
    format!(
        r##"<wsse:SecurityTokenReference xmlns:wsse="{WSSE_NS}"><wsse:Reference URI="#X509-1" ValueType="{X509V3}"/></wsse:SecurityTokenReference>"##
    )
}

/// KeyInfo content: an STR with a KeyIdentifier of `value_type` and base64 `value`.
pub(crate) fn str_key_identifier(value_type: &str, value: &[u8]) -> String {
    format!(
        r#"<wsse:SecurityTokenReference xmlns:wsse="{WSSE_NS}"><wsse:KeyIdentifier EncodingType="{}" ValueType="{value_type}">{}</wsse:KeyIdentifier></wsse:SecurityTokenReference>"#,
        wss::BASE64_BINARY,
        B64.encode(value)
    )
}

/// Signs `xml`: References to `refs` (IDs), the Signature placed last in the Security header (the last
/// `wsse:Security` in document order (the one `Msg` writes), or the element with `wsu:Id`/`ID` `place_in` when given).
pub(crate) fn sign_refs(
    xml: &str,
    key: &SigningKey,
    refs: &[&str],
    key_info: &str,
    place_in: Option<&str>,
) -> String {
    let doc = Document::parse_str(xml, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let place = match place_in {
        Some(id) => ids.get(id).unwrap(),
        None => doc.descendants().filter(|n| n.is(WSSE_NS, "Security")).last().unwrap().id(),
    };
    let spec = SignSpec {
        key,
        method: SignatureMethod::for_algorithm(key.default_algorithm()).unwrap(),
        digest: DigestMethod::Sha256,
        c14n: Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", None).unwrap().unwrap(),
        references: refs.iter().map(|r| ReferenceSpec { uri: format!("#{r}"), enveloped: false }).collect(),
        key_info: if key_info.is_empty() { KeyInfoSpec::None } else { KeyInfoSpec::Raw(key_info.to_owned()) },
        placement: Placement::LastChildOf(place),
        ids: IdPolicy::wss_saml(),
    };
    dsig::sign(xml, &spec).unwrap()
}

/// Signs Body and Timestamp of `m` with `signer` (test-PKI name), its certificate sent as a BST and referenced
/// directly.
pub(crate) fn x509_message(m: &Msg, signer: &str) -> String {
    let m = Msg { tokens: format!("{}{}", bst(&cert(signer)), m.tokens), ..m.clone() };
    sign_refs(&m.xml(), &key(signer), &["Body-1", "TS-1"], &str_direct(), None)
}

pub(crate) fn content_type(v: V) -> (&'static str, Option<&'static str>) {
    match v {
        V::S11 => ("text/xml; charset=utf-8", Some("\"urn:example:GetPatient\"")),
        V::S12 => ("application/soap+xml; charset=utf-8; action=\"urn:example:GetPatient\"", None),
    }
}

pub(crate) fn run_with(
    ctx: &SecurityContext,
    policy: &RoutePolicy,
    v: V,
    xml: &str,
    transport: Transport,
) -> Result<Accepted, Rejected> {
    let (ct, action) = content_type(v);
    wss::process(ctx, policy, Some(ct), action, xml.as_bytes(), transport, now())
}

pub(crate) fn run(
    ctx: &SecurityContext,
    policy: &RoutePolicy,
    v: V,
    xml: &str,
) -> Result<Accepted, Rejected> {
    run_with(ctx, policy, v, xml, Transport { tls: true, loopback: false })
}

/// The outcome as the principal's subject or the refusal's code.
pub(crate) fn outcome(r: &Result<Accepted, Rejected>) -> Result<String, &'static str> {
    match r {
        Ok(a) => Ok(a.principal().subject().to_owned()),
        Err(r) => Err(r.reason.code()),
    }
}

const LEAF: &str = "CN=leaf-rsa2048,OU=Signing,O=Sluis Test PKI (public test keys - do not trust),C=NL";

#[test]
fn x509_with_every_reference_form() {
    let policy = RoutePolicy::default();
    let leaf = cert("leaf-rsa2048");
    let m = Msg { tokens: bst(&leaf), ..Msg::default() };
    let ski = leaf.subject_key_id().unwrap().to_vec();
    let issuer_serial = format!(
        r#"<wsse:SecurityTokenReference xmlns:wsse="{WSSE_NS}"><ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>{}</ds:X509IssuerName><ds:X509SerialNumber>{}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data></wsse:SecurityTokenReference>"#,
        leaf.issuer(),
        leaf.serial_decimal()
    );
    let forms = [
        ("direct", str_direct()),
        ("ski", str_key_identifier(X509_SKI, &ski)),
        ("thumbprint-sha1", str_key_identifier(wss::THUMBPRINT_SHA1, &leaf.sha1_thumbprint())),
        ("issuer-serial", issuer_serial.clone()),
    ];
    for v in [V::S11, V::S12] {
        for (form, str_xml) in &forms {
            let m = Msg { v, ..m.clone() };
            let xml = sign_refs(&m.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], str_xml, None);
            let a = run(&ca_context(), &policy, v, &xml)
                .unwrap_or_else(|r| panic!("{form} {v:?}: {:?}", r.reason));
            assert_eq!(a.principal().subject(), LEAF);
            assert_eq!(a.principal().token_type(), TokenType::X509);
            assert_eq!(a.principal().auth_level(), AuthLevel::PUBLIC_KEY);
            assert_eq!(a.facts().signatures[0].reference, *form);
            assert_eq!(a.facts().signed_parts, ["body", "timestamp"]);
            assert_eq!(a.facts().key_subject.as_deref(), Some(LEAF));
        }
    }
    // Key identifiers and IssuerSerial also find a certificate the message does not carry, when configured.
    let bare = Msg::default();
    for (form, str_xml) in forms.iter().skip(1) {
        let xml = sign_refs(&bare.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], str_xml, None);
        assert_eq!(
            outcome(&run(&ca_context(), &policy, V::S11, &xml)),
            Err("token_reference_unresolved"),
            "{form} without the certificate anywhere"
        );
        let mut b = ca_builder();
        b.known_certificate(leaf.clone());
        assert_eq!(outcome(&run(&b.build(), &policy, V::S11, &xml)), Ok(LEAF.to_owned()), "{form}");
    }
    // A PkiPath token: [intermediate, leaf], with a store that knows only the root.
    let mut path = Vec::new();
    for c in [cert("intermediate-ca"), leaf.clone()] {
        path.extend_from_slice(c.der());
    }
    let mut seq = vec![0x30, 0x82, (path.len() >> 8) as u8, path.len() as u8];
    seq.extend_from_slice(&path);
    let pkipath = format!(
        r#"<wsse:BinarySecurityToken ValueType="{}" wsu:Id="X509-1">{}</wsse:BinarySecurityToken>"#,
        wss::X509_PKIPATH_V1,
        B64.encode(&seq)
    );
    let str_path = format!(
        r##"<wsse:SecurityTokenReference xmlns:wsse="{WSSE_NS}"><wsse:Reference URI="#X509-1" ValueType="{}"/></wsse:SecurityTokenReference>"##,
        wss::X509_PKIPATH_V1
    );
    let xml = sign_refs(
        &Msg { tokens: pkipath, ..Msg::default() }.xml(),
        &key("leaf-rsa2048"),
        &["Body-1", "TS-1"],
        &str_path,
        None,
    );
    let mut root_only = TrustStore::builder(KeyPolicy::default());
    root_only.add_ca(&cert("root-ca")).unwrap();
    let ctx = SecurityContext::builder(root_only.build()).build();
    assert_eq!(outcome(&run(&ctx, &policy, V::S11, &xml)), Ok(LEAF.to_owned()));
    // The same path referenced with the X509v3 value type is a mismatch.
    let wrong = xml
        .replace(&format!("ValueType=\"{}\"/>", wss::X509_PKIPATH_V1), &format!("ValueType=\"{X509V3}\"/>"));
    assert!(outcome(&run(&ctx, &policy, V::S11, &wrong)).is_err());
}

#[test]
fn certificate_trust_is_decided_at_the_verification_time() {
    let policy = RoutePolicy::default();
    let expired = x509_message(&Msg::default(), "leaf-expired");
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &expired)), Err("certificate_expired"));
    // In 2020 the same certificate was valid (and so, moved with it, is the message).
    let then = DateTime::parse("2020-06-01T00:00:00Z").unwrap();
    let old = x509_message(
        &Msg {
            timestamp: Some((then.to_rfc3339(), Some(then.plus_seconds(300).to_rfc3339()))),
            ..Msg::default()
        },
        "leaf-expired",
    );
    let (ct, action) = content_type(V::S11);
    let r =
        wss::process(&ca_context(), &policy, Some(ct), action, old.as_bytes(), Transport::default(), then);
    assert!(r.is_ok(), "{:?}", r.err());
    let untrusted = x509_message(&Msg::default(), "untrusted-self-signed");
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &untrusted)), Err("untrusted_key"));
    let other = x509_message(&Msg::default(), "leaf-other-ca");
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &other)), Err("untrusted_key"));
    // Pinned, the self-signed certificate is trusted.
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.pin_certificate(cert("untrusted-self-signed")).unwrap();
    let pinned = SecurityContext::builder(b.build()).build();
    assert!(run(&pinned, &policy, V::S11, &untrusted).is_ok());
}

/// An argon2id PHC string for `password` with small parameters (tests only).
pub(crate) fn argon2id(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(1024, 1, 1, None).unwrap();
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    a.hash_password(password.as_bytes(), &SaltString::from_b64("c2x1aXN0ZXN0c2FsdA").unwrap())
        .unwrap()
        .to_string()
}

pub(crate) fn ut_context() -> SecurityContext {
    let mut b = ca_builder();
    b.user("alice", &argon2id("correct horse"), AuthLevel::CREDENTIALS).unwrap();
    b.user("bob", &argon2id("battery staple"), AuthLevel::API_KEY).unwrap();
    b.digest_user("legacy", "s3cret", AuthLevel::CREDENTIALS).unwrap();
    b.build()
}

pub(crate) fn ut_policy() -> RoutePolicy {
    RoutePolicy { signed_parts: Vec::new(), allow_password_text: true, ..RoutePolicy::default() }
}

pub(crate) fn ut_text(user: &str, password: &str, nonce: Option<&[u8]>, created: Option<&str>) -> String {
    format!(
        r#"<wsse:UsernameToken wsu:Id="UT-1"><wsse:Username>{user}</wsse:Username><wsse:Password Type="{}">{password}</wsse:Password>{}{}</wsse:UsernameToken>"#,
        wss::PASSWORD_TEXT,
        nonce
            .map(|n| format!(
                "<wsse:Nonce EncodingType=\"{}\">{}</wsse:Nonce>",
                wss::BASE64_BINARY,
                B64.encode(n)
            ))
            .unwrap_or_default(),
        created.map(|c| format!("<wsu:Created>{c}</wsu:Created>")).unwrap_or_default()
    )
}

/// A PasswordDigest token: Base64(SHA-1(nonce + created + secret)).
pub(crate) fn ut_digest(user: &str, secret: &str, nonce: &[u8], created: &str) -> String {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(nonce);
    ctx.update(created.as_bytes());
    ctx.update(secret.as_bytes());
    format!(
        r#"<wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password Type="{}">{}</wsse:Password><wsse:Nonce EncodingType="{}">{}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken>"#,
        wss::PASSWORD_DIGEST,
        B64.encode(ctx.finish().as_ref()),
        wss::BASE64_BINARY,
        B64.encode(nonce)
    )
}

#[test]
fn username_token_password_text() {
    let ctx = ut_context();
    let p = ut_policy();
    let msg = |tokens: String| Msg { tokens, ..Msg::default() }.xml();
    let tls = Transport { tls: true, loopback: false };
    let plain = Transport { tls: false, loopback: false };
    let local = Transport { tls: false, loopback: true };
    let ok = msg(ut_text("alice", "correct horse", None, None));
    let a = run_with(&ctx, &p, V::S11, &ok, tls).unwrap();
    assert_eq!(a.principal().subject(), "alice");
    assert_eq!(a.principal().token_type(), TokenType::UsernameToken);
    assert_eq!(a.principal().auth_level(), AuthLevel::CREDENTIALS);
    assert_eq!(a.facts().username.as_deref(), Some("alice"));
    assert!(run_with(&ctx, &p, V::S11, &ok, local).is_ok(), "loopback is allowed");
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &ok, plain)), Err("password_text_not_allowed"));
    let closed = RoutePolicy { allow_password_text: false, ..ut_policy() };
    assert_eq!(outcome(&run_with(&ctx, &closed, V::S11, &ok, tls)), Err("password_text_not_allowed"));
    // Wrong password and unknown user: the same answer.
    let wrong = run_with(&ctx, &p, V::S11, &msg(ut_text("alice", "Correct horse", None, None)), tls);
    let unknown = run_with(&ctx, &p, V::S11, &msg(ut_text("mallory", "correct horse", None, None)), tls);
    assert_eq!(outcome(&wrong), Err("authentication_failed"));
    assert_eq!(outcome(&unknown), Err("authentication_failed"));
    assert_eq!(wrong.unwrap_err().fault(), unknown.unwrap_err().fault());
    // A user configured at level 1 is below the route's default minimum of 2.
    let bob = msg(ut_text("bob", "battery staple", None, None));
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &bob, tls)), Err("auth_level_too_low"));
    let low = RoutePolicy { min_auth_level: AuthLevel::API_KEY, ..ut_policy() };
    assert!(run_with(&ctx, &low, V::S11, &bob, tls).is_ok());
    // A route that does not accept UsernameTokens.
    let x509_only = RoutePolicy { accepted_tokens: vec![TokenType::X509], ..ut_policy() };
    assert_eq!(outcome(&run_with(&ctx, &x509_only, V::S11, &ok, tls)), Err("token_type_not_accepted"));
    // A nonce sent with a text password is replay-checked too.
    let with_nonce = msg(ut_text("alice", "correct horse", Some(&[7u8; 16]), Some(&t(-5))));
    assert!(run_with(&ctx, &p, V::S11, &with_nonce, tls).is_ok());
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &with_nonce, tls)), Err("nonce_replayed"));
}

#[test]
fn username_token_password_digest() {
    let ctx = ut_context();
    let p = RoutePolicy { allow_password_text: false, ..ut_policy() };
    let plain = Transport::default();
    let msg = |tokens: String| Msg { tokens, ..Msg::default() }.xml();
    let ok = msg(ut_digest("legacy", "s3cret", &[1u8; 16], &t(-5)));
    let a = run_with(&ctx, &p, V::S11, &ok, plain).unwrap();
    assert_eq!(a.principal().subject(), "legacy");
    assert_eq!(a.facts().password_type, Some(wss::PasswordType::Digest));
    // The same nonce again: a replay.
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &ok, plain)), Err("nonce_replayed"));
    // Nonces are per user: another user may use the same bytes... but this one's digest is wrong.
    let wrong = msg(ut_digest("legacy", "s3cret!", &[2u8; 16], &t(-5)));
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &wrong, plain)), Err("authentication_failed"));
    let unknown = msg(ut_digest("nobody", "s3cret", &[3u8; 16], &t(-5)));
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &unknown, plain)), Err("authentication_failed"));
    // A failed attempt does not burn the nonce: the right digest with nonce 2 still works.
    let right2 = msg(ut_digest("legacy", "s3cret", &[2u8; 16], &t(-5)));
    assert!(run_with(&ctx, &p, V::S11, &right2, plain).is_ok());
    // Created too old (window 300 s + skew 300 s) and in the future.
    let old = msg(ut_digest("legacy", "s3cret", &[4u8; 16], &t(-601)));
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &old, plain)), Err("username_token_expired"));
    let future = msg(ut_digest("legacy", "s3cret", &[5u8; 16], &t(301)));
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &future, plain)), Err("username_token_in_future"));
    // Short nonces are refused.
    let short = msg(ut_digest("legacy", "s3cret", &[6u8; 8], &t(-5)));
    assert_eq!(outcome(&run_with(&ctx, &p, V::S11, &short, plain)), Err("malformed_security_token"));
}

#[test]
fn timestamp_rules() {
    let ctx = ca_context();
    let policy = RoutePolicy::default();
    let with_ts = |c: i64, e: Option<i64>| Msg { timestamp: Some((t(c), e.map(t))), ..Msg::default() };
    assert!(run(&ctx, &policy, V::S11, &x509_message(&with_ts(-10, Some(290)), "leaf-rsa2048")).is_ok());
    let expired = x509_message(&with_ts(-1000, Some(-400)), "leaf-rsa2048");
    assert_eq!(outcome(&run(&ctx, &policy, V::S11, &expired)), Err("timestamp_expired"));
    let future = x509_message(&with_ts(400, Some(700)), "leaf-rsa2048");
    assert_eq!(outcome(&run(&ctx, &policy, V::S11, &future)), Err("timestamp_in_future"));
    let long = x509_message(&with_ts(-10, Some(86_400)), "leaf-rsa2048");
    assert_eq!(outcome(&run(&ctx, &policy, V::S11, &long)), Err("timestamp_ttl_too_long"));
    // No Timestamp: refused when required, and then it cannot be a signed part either.
    let none = Msg { timestamp: None, ..Msg::default() };
    let xml = sign_refs(
        &Msg { tokens: bst(&cert("leaf-rsa2048")), ..none }.xml(),
        &key("leaf-rsa2048"),
        &["Body-1"],
        &str_direct(),
        None,
    );
    assert_eq!(outcome(&run(&ctx, &policy, V::S11, &xml)), Err("timestamp_missing"));
    let lax = RoutePolicy {
        require_timestamp: false,
        signed_parts: vec![SignedPart::Body],
        ..RoutePolicy::default()
    };
    assert!(run(&ctx, &lax, V::S11, &xml).is_ok());
}

#[test]
fn targeting_and_must_understand() {
    // (a fresh context per call: the same signed Body and Timestamp twice would be a replay)
    let policy = RoutePolicy::default();
    let wsa = r#"<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing" soap:mustUnderstand="1">urn:x</wsa:Action>"#;
    // mustUnderstand on a block for the ultimate receiver is the service's business.
    let m =
        Msg { headers: wsa.into(), security_attrs: r#" soap:mustUnderstand="1""#.into(), ..Msg::default() };
    assert!(run(&ca_context(), &policy, V::S11, &x509_message(&m, "leaf-rsa2048")).is_ok());
    // ...but one for "next" (sluis is a next node) that sluis does not understand is a MustUnderstand fault.
    let next = r#"<x:Tx xmlns:x="urn:example:tx" soap:actor="http://schemas.xmlsoap.org/soap/actor/next" soap:mustUnderstand="1"/>"#;
    let m = Msg { headers: next.into(), ..Msg::default() };
    let r = run(&ca_context(), &policy, V::S11, &x509_message(&m, "leaf-rsa2048")).unwrap_err();
    assert_eq!(r.reason.code(), "must_understand");
    assert!(r.fault().body.contains("<faultcode>soap:MustUnderstand</faultcode>"));
    // The same in SOAP 1.2 names the block in an env:NotUnderstood header.
    let next12 = r#"<x:Tx xmlns:x="urn:example:tx" soap:role="http://www.w3.org/2003/05/soap-envelope/role/next" soap:mustUnderstand="true"/>"#;
    let m = Msg { v: V::S12, headers: next12.into(), ..Msg::default() };
    let r = run(&ca_context(), &policy, V::S12, &x509_message(&m, "leaf-rsa2048")).unwrap_err();
    let f = r.fault();
    assert!(f.body.contains(r#"<env:NotUnderstood qname="nu:Tx" xmlns:nu="urn:example:tx"/>"#), "{}", f.body);
    assert_eq!(f.status, 500);
    // A Security header for another actor is not sluis's: it is ignored (and forwarded).
    let other = format!(
        r#"<wsse:Security soap:actor="urn:example:other" soap:mustUnderstand="1"><wsu:Timestamp><wsu:Created>{}</wsu:Created></wsu:Timestamp></wsse:Security>"#,
        t(0)
    );
    let m = Msg { headers: other.clone(), ..Msg::default() };
    let a = run(&ca_context(), &policy, V::S11, &x509_message(&m, "leaf-rsa2048")).unwrap();
    assert!(String::from_utf8_lossy(a.forward_body()).contains("urn:example:other"));
    // With that actor configured, there are two Security headers for sluis.
    let mut b = ca_builder();
    b.actor("urn:example:other");
    assert_eq!(
        outcome(&run(&b.build(), &policy, V::S11, &x509_message(&m, "leaf-rsa2048"))),
        Err("security_header_duplicate")
    );
    // Only a header for another actor: none for sluis.
    let only_other = Msg { headers: other, ..Msg::default() }
        .xml()
        .replace(&format!("<wsse:Security>{}", ""), "<wsse:Security soap:actor=\"urn:example:third\">");
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &only_other)), Err("security_header_missing"));
}

#[test]
fn http_binding_is_checked_against_the_envelope() {
    let ctx = ca_context();
    let policy = RoutePolicy::default();
    let xml11 = x509_message(&Msg::default(), "leaf-rsa2048");
    let body = xml11.as_bytes();
    let go = |ct: Option<&str>, action: Option<&str>| {
        wss::process(&ctx, &policy, ct, action, body, Transport::default(), now())
            .map(|_| ())
            .map_err(|r| (r.reason.code(), r.fault().status))
    };
    assert_eq!(go(Some("text/xml"), Some("")), Ok(()));
    assert_eq!(go(Some("text/xml"), None), Err(("soap_action_missing", 500)));
    assert_eq!(go(Some("application/soap+xml"), None), Err(("soap_content_type_mismatch", 500)));
    assert_eq!(go(Some("application/json"), Some("")), Err(("unsupported_media_type", 415)));
    assert_eq!(go(None, None), Err(("unsupported_media_type", 415)));
    let xml12 = x509_message(&Msg { v: V::S12, ..Msg::default() }, "leaf-rsa2048");
    let r = wss::process(
        &ctx,
        &policy,
        Some("text/xml"),
        Some(""),
        xml12.as_bytes(),
        Transport::default(),
        now(),
    );
    let r = r.unwrap_err();
    assert_eq!(
        (r.reason.code(), r.version),
        ("soap_content_type_mismatch", Some(sluis::soap::SoapVersion::Soap12))
    );
    let a = run(&ctx, &policy, V::S12, &xml12).unwrap();
    assert_eq!(a.action(), Some("urn:example:GetPatient"));
    // Not an envelope at all.
    let r = wss::process(&ctx, &policy, Some("text/xml"), Some(""), b"<a/>", Transport::default(), now())
        .unwrap_err();
    assert_eq!(r.reason.code(), "not_a_soap_envelope");
}

#[test]
fn forwarded_bytes_are_the_input_spliced() {
    // (a fresh context per call: the same signed Body and Timestamp twice would be a replay)
    let m = Msg {
        headers: r#"<wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">x</wsa:To>"#.into(),
        ..Msg::default()
    };
    let xml = x509_message(&m, "leaf-rsa2048");
    let start = xml.find("<wsse:Security").unwrap();
    let end = xml.find("</wsse:Security>").unwrap() + "</wsse:Security>".len();
    let a = run(&ca_context(), &RoutePolicy::default(), V::S11, &xml).unwrap();
    let expected = [&xml.as_bytes()[..start], &xml.as_bytes()[end..]].concat();
    assert_eq!(a.forward_body(), expected.as_slice());
    assert_eq!(a.facts().removed, Some((start, end)));
    // The rest is still a SOAP envelope with the other header block and the Body byte for byte.
    let fwd = String::from_utf8(a.forward_body().to_vec()).unwrap();
    assert!(fwd.contains("<wsa:To") && fwd.contains(&m.body));
    // Not stripping: the input unchanged.
    let keep = RoutePolicy { strip_security_header: false, ..RoutePolicy::default() };
    let a = run(&ca_context(), &keep, V::S11, &xml).unwrap();
    assert_eq!(a.forward_body(), xml.as_bytes());
    assert_eq!(a.facts().removed, None);
    // A byte-order mark is kept and the offsets account for it.
    let bom = [&[0xEF, 0xBB, 0xBF][..], xml.as_bytes()].concat();
    let (ct, action) = content_type(V::S11);
    let a = wss::process(
        &ca_context(),
        &RoutePolicy::default(),
        Some(ct),
        action,
        &bom,
        Transport::default(),
        now(),
    )
    .unwrap();
    assert_eq!(a.forward_body(), [&[0xEF, 0xBB, 0xBF][..], &expected].concat().as_slice());
}
