//! `sluis::saml`: assertions signed in the test with `dsig::sign` and the committed test PKI, validated through the
//! public API. Every refusal is checked by its exact code. The helpers here are shared with `saml_xsw.rs` and
//! `saml_encryption.rs`.

use sluis::c14n::Algorithm;
use sluis::clock::DateTime;
use sluis::dsig::{
    self, DigestMethod, IdIndex, IdPolicy, KeyInfoSpec, Placement, ReferenceSpec, SAML1_NS, SAML2_NS,
    SignSpec, SignatureMethod,
};
use sluis::principal::{AuthLevel, TokenType};
use sluis::saml::{
    AssertionSignature, ConfirmationMethod, Context, InResponseToPolicy, IssuerRegistry, IssuerTrust,
    ProxyRestrictionPolicy, Saml, SamlPolicy, SamlVersion, ValidatedAssertion,
};
use sluis::store::ReplayCache;
use sluis::trust::{Certificate, KeyPolicy, SigningKey};
use sluis::xml::{Document, Limits};
use std::path::Path;
use std::sync::Arc;

pub(crate) const IDP: &str = "https://idp.example.org";
pub(crate) const OTHER_IDP: &str = "https://other-idp.example.org";
pub(crate) const SP: &str = "https://sp.example.org";
pub(crate) const ACS: &str = "https://sp.example.org/acs";
pub(crate) const NOW: &str = "2026-11-25T12:00:00Z";
pub(crate) const SAML2P: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

pub(crate) fn pki(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki").join(name)).unwrap()
}

pub(crate) fn key(name: &str) -> SigningKey {
    SigningKey::from_pem(&pki(&format!("{name}.key.pem"))).unwrap()
}

pub(crate) fn cert(name: &str) -> Certificate {
    Certificate::from_pem(&pki(&format!("{name}.cert.pem"))).unwrap()
}

pub(crate) fn now() -> DateTime {
    DateTime::parse(NOW).unwrap()
}

/// `NOW` moved by `secs`, as text.
pub(crate) fn at(secs: i64) -> String {
    now().plus_seconds(secs).to_rfc3339()
}

/// A SAML 2.0 assertion, piece by piece (raw XML where a test needs to mutate structure).
#[derive(Clone)]
pub(crate) struct A2 {
    pub id: String,
    pub version: String,
    pub issuer: String,
    pub issue_instant: String,
    pub name_id: String,
    pub subject_extra: String,
    pub confirmations: Vec<String>,
    pub conditions: Option<String>,
    pub statements: String,
}

pub(crate) fn bearer(recipient: &str, not_on_or_after: &str, extra: &str) -> String {
    format!(
        r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{not_on_or_after}" Recipient="{recipient}"{extra}/></saml:SubjectConfirmation>"#
    )
}

pub(crate) fn conditions(
    not_before: &str,
    not_on_or_after: &str,
    audiences: &[&[&str]],
    extra: &str,
) -> String {
    let restrictions: String = audiences
        .iter()
        .map(|r| {
            let a: String = r.iter().map(|a| format!("<saml:Audience>{a}</saml:Audience>")).collect();
            format!("<saml:AudienceRestriction>{a}</saml:AudienceRestriction>")
        })
        .collect();
    format!(
        r#"<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_on_or_after}">{restrictions}{extra}</saml:Conditions>"#
    )
}

impl Default for A2 {
    fn default() -> Self {
        A2 {
            id: "_a1".into(),
            version: "2.0".into(),
            issuer: IDP.into(),
            issue_instant: at(-60),
            name_id: "alice@example.org".into(),
            subject_extra: r#" Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" NameQualifier="idp-q" SPNameQualifier="sp-q""#.into(),
            confirmations: vec![bearer(ACS, &at(240), "")],
            conditions: Some(conditions(&at(-120), &at(240), &[&[SP]], "")),
            statements: format!(
                r#"<saml:AuthnStatement AuthnInstant="{}" SessionIndex="s-42"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.7" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" FriendlyName="eduPersonEntitlement"><saml:AttributeValue xsi:type="xs:string">admin</saml:AttributeValue><saml:AttributeValue>audit</saml:AttributeValue></saml:Attribute><saml:Attribute Name="mail"><saml:AttributeValue>alice@example.org</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"#,
                at(-90)
            ),
        }
    }
}

impl A2 {
    /// The assertion with its namespace declarations (standalone).
    pub(crate) fn xml(&self) -> String {
        let subject = if self.name_id.is_empty() && self.confirmations.is_empty() {
            String::new()
        } else {
            let name_id = if self.name_id.is_empty() {
                String::new()
            } else {
                format!("<saml:NameID{}>{}</saml:NameID>", self.subject_extra, self.name_id)
            };
            format!("<saml:Subject>{name_id}{}</saml:Subject>", self.confirmations.concat())
        };
        format!(
            r#"<saml:Assertion xmlns:saml="{SAML2_NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{}" Version="{}" IssueInstant="{}"><saml:Issuer>{}</saml:Issuer>{subject}{}{}</saml:Assertion>"#,
            self.id,
            self.version,
            self.issue_instant,
            self.issuer,
            self.conditions.clone().unwrap_or_default(),
            self.statements
        )
    }

    /// The assertion signed by `signer`.
    pub(crate) fn signed(&self, signer: &str) -> String {
        sign_id(&self.xml(), &self.id, &key(signer))
    }
}

/// A SAML 2.0 Response around `assertion` (already serialized, possibly signed).
pub(crate) fn response(assertion: &str, extra_attrs: &str) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="{SAML2P}" ID="_r1" Version="2.0" IssueInstant="{}" Destination="{ACS}"{extra_attrs}><saml:Issuer xmlns:saml="{SAML2_NS}">{IDP}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{assertion}</samlp:Response>"#,
        at(-60)
    )
}

/// Signs the element whose ID is `id` with an enveloped signature placed where SAML's schema wants it: after the
/// `Issuer` (2.0), last (1.1 assertions), or first.
pub(crate) fn sign_id(xml: &str, id: &str, key: &SigningKey) -> String {
    sign_with(xml, id, key, KeyInfoSpec::None)
}

pub(crate) fn sign_with(xml: &str, id: &str, key: &SigningKey, key_info: KeyInfoSpec) -> String {
    let doc = Document::parse_str(xml, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let placement = sluis::saml::sign::placement(doc.node(ids.get(id).unwrap()));
    let spec = SignSpec {
        key,
        method: SignatureMethod::for_algorithm(key.default_algorithm()).unwrap(),
        digest: DigestMethod::Sha256,
        c14n: Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", None).unwrap().unwrap(),
        references: vec![ReferenceSpec { uri: format!("#{id}"), enveloped: true }],
        key_info,
        placement,
        ids: IdPolicy::wss_saml(),
    };
    dsig::sign(xml, &spec).unwrap()
}

/// An issuer whose assertions the given test-PKI certificates may sign.
pub(crate) fn issuer(entity_id: &str, certs: &[&str]) -> IssuerTrust {
    let mut b = IssuerTrust::builder(entity_id, KeyPolicy::default());
    for c in certs {
        b.pin_certificate(cert(c)).unwrap();
    }
    b.build()
}

/// The default registry: `IDP` signs with leaf-rsa2048, `OTHER_IDP` with leaf-rsa3072.
pub(crate) fn registry() -> Arc<IssuerRegistry> {
    let mut r = IssuerRegistry::new();
    r.add(issuer(IDP, &["leaf-rsa2048"])).unwrap();
    r.add(issuer(OTHER_IDP, &["leaf-rsa3072"])).unwrap();
    Arc::new(r)
}

pub(crate) fn policy() -> SamlPolicy {
    SamlPolicy::new([SP], [ACS])
}

pub(crate) fn saml_with(policy: SamlPolicy) -> Saml {
    Saml::new(registry(), policy, Arc::new(ReplayCache::new(1024)))
}

pub(crate) fn saml() -> Saml {
    saml_with(policy())
}

/// Validates `xml` (a Response or an Assertion document) at `NOW`; the refusal as its code.
pub(crate) fn check(saml: &Saml, xml: &str) -> Result<ValidatedAssertion, String> {
    saml.validate_document(xml.as_bytes(), &Context::at(now())).map_err(|r| r.code().to_owned())
}

pub(crate) fn code(saml: &Saml, xml: &str) -> String {
    match check(saml, xml) {
        Ok(a) => format!("accepted ({})", a.subject().value),
        Err(c) => c,
    }
}

#[test]
fn valid_saml20_assertion_yields_every_claim() {
    let a = check(&saml(), &A2::default().signed("leaf-rsa2048")).unwrap();
    assert_eq!(a.version(), SamlVersion::V2_0);
    assert_eq!(a.id(), "_a1");
    assert_eq!(a.issuer(), IDP);
    assert_eq!(a.issue_instant(), now().minus_seconds(60));
    let s = a.subject();
    assert_eq!(s.value, "alice@example.org");
    assert_eq!(s.format.as_deref(), Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"));
    assert_eq!((s.name_qualifier.as_deref(), s.sp_name_qualifier.as_deref()), (Some("idp-q"), Some("sp-q")));
    assert_eq!(a.not_before(), Some(now().minus_seconds(120)));
    assert_eq!(a.not_on_or_after(), Some(now().plus_seconds(240)));
    assert_eq!(a.audiences(), [SP.to_string()]);
    assert_eq!(a.authn_instant(), Some(now().minus_seconds(90)));
    assert_eq!(
        a.authn_context_class_ref(),
        Some("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
    );
    assert_eq!(a.session_index(), Some("s-42"));
    let attr = &a.attributes()[0];
    assert_eq!(attr.name, "urn:oid:1.3.6.1.4.1.5923.1.1.1.7");
    assert_eq!(attr.name_format.as_deref(), Some("urn:oasis:names:tc:SAML:2.0:attrname-format:uri"));
    assert_eq!(attr.friendly_name.as_deref(), Some("eduPersonEntitlement"));
    assert_eq!(attr.values, ["admin", "audit"]);
    assert_eq!(a.attribute("mail"), Some(&["alice@example.org".to_string()][..]));
    assert_eq!(a.confirmations().len(), 1);
    let bearer = a.require_bearer().unwrap();
    assert_eq!(bearer.recipient(), Some(ACS));
    assert_eq!(a.expires_for(bearer), now().plus_seconds(240));
    assert_eq!(a.signing_key().public_key(), key("leaf-rsa2048").public_key());
    assert!(a.issuer_signed() && !a.was_encrypted());
    let p = a.bearer_principal().unwrap();
    assert_eq!((p.subject(), p.issuer()), ("alice@example.org", Some(IDP)));
    assert_eq!((p.token_type(), p.auth_level()), (TokenType::Saml20, AuthLevel::TOKEN_FROM_CREDENTIALS));
    assert_eq!(p.attribute("mail"), Some(&["alice@example.org".to_string()][..]));
    assert_eq!(
        a.principal(ConfirmationMethod::HolderOfKey).unwrap_err().code(),
        "confirmation_method_not_accepted"
    );
}

/// A SAML 1.1 assertion (SAML 1.1 Core §2.3.2) with an authentication and an attribute statement.
pub(crate) fn saml11(method: &str, key_info: &str, audience: &str) -> String {
    let subject = format!(
        r#"<saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" NameQualifier="q">bob</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>{method}</saml:ConfirmationMethod>{key_info}</saml:SubjectConfirmation></saml:Subject>"#
    );
    format!(
        r#"<saml:Assertion xmlns:saml="{SAML1_NS}" MajorVersion="1" MinorVersion="1" AssertionID="_s11" Issuer="{IDP}" IssueInstant="{}"><saml:Conditions NotBefore="{}" NotOnOrAfter="{}"><saml:AudienceRestrictionCondition><saml:Audience>{audience}</saml:Audience></saml:AudienceRestrictionCondition><saml:DoNotCacheCondition/></saml:Conditions><saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="{}">{subject}</saml:AuthenticationStatement><saml:AttributeStatement>{subject}<saml:Attribute AttributeName="role" AttributeNamespace="urn:example"><saml:AttributeValue>clerk</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"#,
        at(-60),
        at(-120),
        at(240),
        at(-90)
    )
}

#[test]
fn valid_saml11_assertion() {
    let xml = sign_id(&saml11("urn:oasis:names:tc:SAML:1.0:cm:bearer", "", SP), "_s11", &key("leaf-rsa2048"));
    let a = check(&saml(), &xml).unwrap();
    assert_eq!(a.version(), SamlVersion::V1_1);
    assert_eq!((a.id(), a.issuer(), a.subject().value.as_str()), ("_s11", IDP, "bob"));
    assert_eq!(a.subject().name_qualifier.as_deref(), Some("q"));
    assert_eq!(a.authn_context_class_ref(), Some("urn:oasis:names:tc:SAML:1.0:am:password"));
    assert_eq!(a.attribute("role"), Some(&["clerk".to_string()][..]));
    assert_eq!(a.attributes()[0].name_format.as_deref(), Some("urn:example"));
    let p = a.bearer_principal().unwrap();
    assert_eq!(p.token_type(), TokenType::Saml11);
    // Statements about two different subjects.
    let two = saml11("urn:oasis:names:tc:SAML:1.0:cm:bearer", "", SP).replacen(">bob<", ">mallory<", 1);
    assert_eq!(code(&saml(), &sign_id(&two, "_s11", &key("leaf-rsa2048"))), "subject_mismatch");
    // SAML 1.0 and switched-off 1.1.
    let v10 = saml11("urn:oasis:names:tc:SAML:1.0:cm:bearer", "", SP)
        .replace("MinorVersion=\"1\"", "MinorVersion=\"0\"");
    assert_eq!(code(&saml(), &sign_id(&v10, "_s11", &key("leaf-rsa2048"))), "version_unsupported");
    let off = saml_with(SamlPolicy { accept_saml11: false, ..policy() });
    assert_eq!(code(&off, &xml), "version_unsupported");
    assert_eq!(
        code(
            &saml(),
            &sign_id(
                &saml11("urn:oasis:names:tc:SAML:1.0:cm:bearer", "", "https://elsewhere"),
                "_s11",
                &key("leaf-rsa2048")
            )
        ),
        "audience_mismatch"
    );
}

#[test]
fn signed_response_covers_an_unsigned_assertion_unless_assertions_must_be_signed() {
    let xml = sign_id(&response(&A2::default().xml(), ""), "_r1", &key("leaf-rsa2048"));
    let a = check(&saml(), &xml).unwrap();
    assert_eq!(a.subject().value, "alice@example.org");
    let strict = saml_with(SamlPolicy { want_assertions_signed: true, ..policy() });
    assert_eq!(code(&strict, &xml), "assertion_not_signed");
    // Signed assertion in an unsigned Response; both signed.
    let inner = A2::default().signed("leaf-rsa2048");
    assert!(check(&strict, &response(&inner, "")).is_ok());
    let both = sign_id(&response(&inner, ""), "_r1", &key("leaf-rsa2048"));
    assert!(check(&saml(), &both).is_ok());
    // A Response signature that fails is not skipped because the assertion's holds.
    let broken = both.replacen("ID=\"_r1\"", "ID=\"_r1\" Consent=\"urn:x\"", 1);
    assert_eq!(code(&saml(), &broken), "digest_mismatch");
    // Unsigned everywhere.
    assert_eq!(code(&saml(), &response(&A2::default().xml(), "")), "assertion_not_signed");
}

/// Each refusal with its exact code: (what, document, expected code).
#[test]
fn every_refusal_has_its_code() {
    let k = "leaf-rsa2048";
    let signed = |a: A2| a.signed(k);
    let cases: Vec<(&str, String, &str)> = vec![
        ("unknown issuer", signed(A2 { issuer: "https://nobody.example".into(), ..A2::default() }), "issuer_unknown"),
        ("no issuer", A2::default().signed(k).replace(&format!("<saml:Issuer>{IDP}</saml:Issuer>"), ""), "issuer_missing"),
        ("unsigned", A2::default().xml(), "assertion_not_signed"),
        ("tampered", A2::default().signed(k).replace("alice@example.org</saml:NameID>", "admin</saml:NameID>"), "digest_mismatch"),
        ("expired", signed(A2 { conditions: Some(conditions(&at(-600), &at(-61), &[&[SP]], "")), issue_instant: at(-600), ..A2::default() }), "assertion_expired"),
        ("not yet valid", signed(A2 { conditions: Some(conditions(&at(61), &at(300), &[&[SP]], "")), ..A2::default() }), "assertion_not_yet_valid"),
        ("too long", signed(A2 { conditions: Some(conditions(&at(-120), &at(3600), &[&[SP]], "")), ..A2::default() }), "lifetime_too_long"),
        ("issued in the future", signed(A2 { issue_instant: at(61), ..A2::default() }), "issue_instant_in_future"),
        ("other audience", signed(A2 { conditions: Some(conditions(&at(-120), &at(240), &[&["https://other"]], "")), ..A2::default() }), "audience_mismatch"),
        ("one restriction unmet", signed(A2 { conditions: Some(conditions(&at(-120), &at(240), &[&[SP], &["https://other"]], "")), ..A2::default() }), "audience_mismatch"),
        ("no audience", signed(A2 { conditions: Some(conditions(&at(-120), &at(240), &[], "")), ..A2::default() }), "audience_missing"),
        ("unknown condition", signed(A2 { conditions: Some(conditions(&at(-120), &at(240), &[&[SP]], r#"<saml:Condition xsi:type="x:Y" xmlns:x="urn:x"/>"#)), ..A2::default() }), "unknown_condition"),
        ("foreign condition", signed(A2 { conditions: Some(conditions(&at(-120), &at(240), &[&[SP]], r#"<x:Geo xmlns:x="urn:x"/>"#)), ..A2::default() }), "unknown_condition"),
        ("no confirmation", signed(A2 { confirmations: vec![], ..A2::default() }), "no_subject_confirmation"),
        ("unknown method", signed(A2 { confirmations: vec![r#"<saml:SubjectConfirmation Method="urn:x:cm:magic"/>"#.into()], ..A2::default() }), "no_subject_confirmation"),
        ("other recipient", signed(A2 { confirmations: vec![bearer("https://evil.example/acs", &at(240), "")], ..A2::default() }), "recipient_mismatch"),
        ("no recipient", signed(A2 { confirmations: vec![format!(r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{}"/></saml:SubjectConfirmation>"#, at(240))], ..A2::default() }), "recipient_missing"),
        ("confirmation expired", signed(A2 { confirmations: vec![bearer(ACS, &at(-61), "")], ..A2::default() }), "confirmation_expired"),
        ("confirmation without expiry", signed(A2 { confirmations: vec![format!(r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="{ACS}"/></saml:SubjectConfirmation>"#)], ..A2::default() }), "confirmation_expiry_missing"),
        ("bearer NotBefore", signed(A2 { confirmations: vec![bearer(ACS, &at(240), &format!(" NotBefore=\"{}\"", at(-60)))], ..A2::default() }), "bearer_not_before"),
        ("InResponseTo", signed(A2 { confirmations: vec![bearer(ACS, &at(240), " InResponseTo=\"_req1\"")], ..A2::default() }), "in_response_to_mismatch"),
        ("no subject", signed(A2 { name_id: String::new(), ..A2::default() }), "subject_missing"),
        ("encrypted id", sign_id(&A2::default().xml().replace(r#"<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" NameQualifier="idp-q" SPNameQualifier="sp-q">alice@example.org</saml:NameID>"#, "<saml:EncryptedID/>"), "_a1", &key(k)), "name_id_unsupported"),
        ("SAML 3.0", signed(A2 { version: "3.0".into(), ..A2::default() }), "version_unsupported"),
        ("element in Issuer", sign_id(&A2::default().xml().replace("</saml:Issuer>", "<x/></saml:Issuer>"), "_a1", &key(k)), "malformed_assertion"),
        ("authn in the future", signed(A2 { statements: format!(r#"<saml:AuthnStatement AuthnInstant="{}"><saml:AuthnContext/></saml:AuthnStatement>"#, at(120)), ..A2::default() }), "authn_instant_in_future"),
        ("session over", signed(A2 { statements: format!(r#"<saml:AuthnStatement AuthnInstant="{}" SessionNotOnOrAfter="{}"><saml:AuthnContext/></saml:AuthnStatement>"#, at(-90), at(-61)), ..A2::default() }), "session_expired"),
        ("two OneTimeUse", signed(A2 { conditions: Some(conditions(&at(-120), &at(240), &[&[SP]], "<saml:OneTimeUse/><saml:OneTimeUse/>")), ..A2::default() }), "malformed_assertion"),
        ("empty window", signed(A2 { conditions: Some(conditions(&at(240), &at(240), &[&[SP]], "")), ..A2::default() }), "malformed_assertion"),
        ("second Subject", signed(A2 { statements: "<saml:Subject><saml:NameID>x</saml:NameID></saml:Subject>".into(), ..A2::default() }), "malformed_assertion"),
        ("text in Assertion", signed(A2 { statements: "evil".into(), ..A2::default() }), "malformed_assertion"),
        ("not SAML", "<a/>".into(), "saml_assertion_missing"),
    ];
    let s = saml();
    let mut failures = Vec::new();
    for (what, xml, expected) in &cases {
        let got = code(&s, xml);
        if got != *expected {
            failures.push(format!("{what}: expected {expected}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn issuer_format_other_than_entity_is_refused() {
    let xml = A2::default().xml().replace(
        "<saml:Issuer>",
        "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">",
    );
    assert_eq!(code(&saml(), &sign_id(&xml, "_a1", &key("leaf-rsa2048"))), "issuer_format_invalid");
    let entity = A2::default().xml().replace(
        "<saml:Issuer>",
        "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">",
    );
    assert!(check(&saml(), &sign_id(&entity, "_a1", &key("leaf-rsa2048"))).is_ok());
}

#[test]
fn response_refusals() {
    let inner = A2::default().signed("leaf-rsa2048");
    let s = saml();
    assert!(check(&s, &response(&inner, "")).is_ok());
    let failed = response(&inner, "").replace("status:Success", "status:Requester");
    assert_eq!(code(&s, &failed), "status_not_success");
    let elsewhere =
        response(&inner, "").replace(&format!("Destination=\"{ACS}\""), "Destination=\"https://evil/acs\"");
    assert_eq!(code(&s, &elsewhere), "destination_mismatch");
    assert_eq!(code(&s, &response(&inner, " InResponseTo=\"_req1\"")), "in_response_to_mismatch");
    let other_issuer = response(&inner, "").replacen(&format!(">{IDP}<"), &format!(">{OTHER_IDP}<"), 1);
    assert_eq!(code(&s, &other_issuer), "issuer_mismatch");
    let two =
        response(&format!("{inner}{}", A2 { id: "_a2".into(), ..A2::default() }.signed("leaf-rsa2048")), "");
    assert_eq!(code(&s, &two), "multiple_assertions");
    assert_eq!(code(&s, &response("", "")), "saml_assertion_missing");
    let v1 = response(&inner, "").replacen("Version=\"2.0\"", "Version=\"1.0\"", 1);
    assert_eq!(code(&s, &v1), "version_unsupported");
    let future = response(&inner, "").replacen(&at(-60), &at(120), 1);
    assert_eq!(code(&s, &future), "issue_instant_in_future");
    let no_status = response(&inner, "").replace(
        r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#,
        "",
    );
    assert_eq!(code(&s, &no_status), "malformed_response");
    let encrypted_required = saml_with(SamlPolicy { require_encrypted_assertions: true, ..policy() });
    assert_eq!(code(&encrypted_required, &response(&inner, "")), "assertion_not_encrypted");
    // Two signatures on one assertion.
    let twice = sign_id(&inner, "_a1", &key("leaf-rsa2048"));
    assert_eq!(code(&s, &twice), "multiple_signatures");
}

#[test]
fn in_response_to_policies() {
    let with_irt =
        A2 { confirmations: vec![bearer(ACS, &at(240), " InResponseTo=\"_req1\"")], ..A2::default() };
    let xml = response(&with_irt.signed("leaf-rsa2048"), " InResponseTo=\"_req1\"");
    let matching = saml_with(SamlPolicy {
        in_response_to: InResponseToPolicy::MatchRequest { allow_unsolicited: false },
        ..policy()
    });
    let ctx = |id| Context { request_id: id, ..Context::at(now()) };
    assert!(matching.validate_document(xml.as_bytes(), &ctx(Some("_req1"))).is_ok());
    let other = matching.validate_document(xml.as_bytes(), &ctx(Some("_req2"))).unwrap_err();
    assert_eq!(other.code(), "in_response_to_mismatch");
    let unsolicited = A2::default().signed("leaf-rsa2048");
    assert_eq!(
        matching.validate_document(unsolicited.as_bytes(), &ctx(Some("_req1"))).unwrap_err().code(),
        "in_response_to_mismatch"
    );
    let lenient = saml_with(SamlPolicy {
        in_response_to: InResponseToPolicy::MatchRequest { allow_unsolicited: true },
        ..policy()
    });
    assert!(lenient.validate_document(unsolicited.as_bytes(), &ctx(None)).is_ok());
    let any = saml_with(SamlPolicy { in_response_to: InResponseToPolicy::AcceptAny, ..policy() });
    assert!(check(&any, &xml).is_ok());
    assert_eq!(code(&saml(), &xml), "in_response_to_mismatch");
}

#[test]
fn address_is_checked_only_when_asked() {
    let a = A2 { confirmations: vec![bearer(ACS, &at(240), " Address=\"192.0.2.1\"")], ..A2::default() };
    let xml = a.signed("leaf-rsa2048");
    let strict = saml_with(SamlPolicy { check_address: true, ..policy() });
    let from = |addr| Context { client_address: Some(addr), ..Context::at(now()) };
    assert!(strict.validate_document(xml.as_bytes(), &from("192.0.2.1")).is_ok());
    let strict = saml_with(SamlPolicy { check_address: true, ..policy() });
    assert_eq!(
        strict.validate_document(xml.as_bytes(), &from("198.51.100.7")).unwrap_err().code(),
        "address_mismatch"
    );
    assert!(saml().validate_document(xml.as_bytes(), &from("198.51.100.7")).is_ok());
}

#[test]
fn a_valid_confirmation_among_failing_ones_is_enough() {
    let a = A2 {
        confirmations: vec![bearer("https://evil/acs", &at(240), ""), bearer(ACS, &at(240), "")],
        ..A2::default()
    };
    let v = check(&saml(), &a.signed("leaf-rsa2048")).unwrap();
    assert_eq!(v.confirmations().len(), 1);
    assert_eq!(v.confirmations()[0].recipient(), Some(ACS));
}

pub(crate) fn base64_der(c: &Certificate) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(c.der())
}

pub(crate) fn sender_vouches() -> String {
    r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"/>"#.into()
}

pub(crate) fn holder_of_key(cert_name: &str) -> String {
    format!(
        r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"><saml:SubjectConfirmationData xsi:type="saml:KeyInfoConfirmationDataType"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></saml:SubjectConfirmationData></saml:SubjectConfirmation>"#,
        base64_der(&cert(cert_name))
    )
}

#[test]
fn bearer_assertions_are_accepted_once() {
    let s = saml();
    let xml = A2::default().signed("leaf-rsa2048");
    assert!(check(&s, &xml).is_ok());
    assert_eq!(code(&s, &xml), "assertion_replayed");
    // Per issuer: the same ID from another issuer is another assertion.
    let other = A2 { issuer: OTHER_IDP.into(), ..A2::default() }.signed("leaf-rsa3072");
    assert!(check(&s, &other).is_ok());
    // Still refused just before expiry plus skew, accepted again after it (then expired anyway).
    let later = Context::at(now().plus_seconds(299));
    assert_eq!(s.validate_document(xml.as_bytes(), &later).unwrap_err().code(), "assertion_replayed");
    // One-time use can be switched off for bearer; a OneTimeUse condition still applies.
    let reusable = saml_with(SamlPolicy { one_time_use_bearer: false, ..policy() });
    assert!(check(&reusable, &xml).is_ok() && check(&reusable, &xml).is_ok());
    let once = A2 {
        confirmations: vec![holder_of_key("leaf-ec-p256")],
        conditions: Some(conditions(&at(-120), &at(240), &[&[SP]], "<saml:OneTimeUse/>")),
        ..A2::default()
    };
    let xml = once.signed("leaf-rsa2048");
    assert!(check(&reusable, &xml).unwrap().one_time_use());
    assert_eq!(code(&reusable, &xml), "assertion_replayed");
    // A full cache refuses instead of forgetting.
    let tiny = Saml::new(registry(), policy(), Arc::new(ReplayCache::new(1)));
    let mut refused = false;
    for i in 0..40 {
        let xml = A2 { id: format!("_f{i}"), ..A2::default() }.signed("leaf-rsa2048");
        if code(&tiny, &xml) == "assertion_replay_cache_full" {
            refused = true;
            break;
        }
    }
    assert!(refused);
}

#[test]
fn proxy_restriction_is_recorded_or_refused() {
    let a = A2 {
        conditions: Some(conditions(
            &at(-120),
            &at(240),
            &[&[SP]],
            "<saml:ProxyRestriction Count=\"0\"><saml:Audience>https://rs</saml:Audience></saml:ProxyRestriction>",
        )),
        ..A2::default()
    };
    let xml = a.signed("leaf-rsa2048");
    let v = check(&saml(), &xml).unwrap();
    let p = v.proxy_restriction().unwrap();
    assert_eq!((p.count, p.audiences.as_slice()), (Some(0), &["https://rs".to_string()][..]));
    let refuse = saml_with(SamlPolicy { proxy_restriction: ProxyRestrictionPolicy::Refuse, ..policy() });
    assert_eq!(code(&refuse, &xml), "proxy_restricted");
}

#[test]
fn comments_never_truncate_a_signed_value() {
    let a = A2 {
        name_id: "a@x.com<!---->.evil".into(),
        statements: r#"<saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>us<!-- c -->er</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>"#.into(),
        ..A2::default()
    };
    let v = check(&saml(), &a.signed("leaf-rsa2048")).unwrap();
    assert_eq!(v.subject().value, "a@x.com.evil");
    assert_eq!(v.attribute("role"), Some(&["user".to_string()][..]));
    // Inserting a comment after signing changes nothing either (C14N without comments).
    let signed = A2::default()
        .signed("leaf-rsa2048")
        .replace("alice@example.org</saml:NameID>", "alice@<!-- x -->example.org</saml:NameID>");
    assert_eq!(check(&saml(), &signed).unwrap().subject().value, "alice@example.org");
}

#[test]
fn an_unsigned_assertion_beside_a_signed_one_is_never_read() {
    let signed = A2::default().signed("leaf-rsa2048");
    let evil = A2 { id: "_evil".into(), name_id: "admin@example.org".into(), ..A2::default() }.xml();
    // In a Response: two assertions.
    assert_eq!(code(&saml(), &response(&format!("{evil}{signed}"), "")), "multiple_assertions");
    // Side by side in a WS-Security header: the caller asks for each node; only the signed one validates.
    let xml = format!("<wsse:Security xmlns:wsse=\"urn:wsse\">{evil}{signed}</wsse:Security>");
    let doc = Document::parse_str(&xml, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let s = saml();
    let ctx = Context::at(now());
    let r = s.validate_assertion(&doc, &ids, ids.get("_evil").unwrap(), AssertionSignature::Own, &ctx);
    assert_eq!(r.unwrap_err().code(), "assertion_not_signed");
    let ok =
        s.validate_assertion(&doc, &ids, ids.get("_a1").unwrap(), AssertionSignature::Own, &ctx).unwrap();
    assert_eq!(ok.subject().value, "alice@example.org");
}

#[test]
fn refusals_map_to_the_outward_codes() {
    use sluis::reason::{OAuthError, Reason, SamlReason, WsseFault};
    let r = Reason::from(SamlReason::AssertionExpired);
    assert_eq!(
        (r.code(), r.wsse_fault(), r.oauth_error()),
        ("assertion_expired", Some(WsseFault::InvalidSecurityToken), OAuthError::InvalidGrant)
    );
    assert_eq!(Reason::from(SamlReason::IssuerUnknown).wsse_fault(), Some(WsseFault::FailedAuthentication));
}

/// Signs `target_id` but places the signature as a child of the element `parent_id`.
fn sign_misplaced(xml: &str, target_id: &str, parent_id: &str) -> String {
    let doc = Document::parse_str(xml, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let parent = doc.node(ids.get(parent_id).unwrap());
    let issuer = parent.element_children().next().unwrap();
    let k = key("leaf-rsa2048");
    let spec = SignSpec {
        key: &k,
        method: SignatureMethod::for_algorithm(k.default_algorithm()).unwrap(),
        digest: DigestMethod::Sha256,
        c14n: Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", None).unwrap().unwrap(),
        references: vec![ReferenceSpec { uri: format!("#{target_id}"), enveloped: true }],
        key_info: KeyInfoSpec::None,
        placement: Placement::After(issuer.id()),
        ids: IdPolicy::wss_saml(),
    };
    dsig::sign(xml, &spec).unwrap()
}

#[test]
fn a_signature_must_sign_its_parent() {
    let xml = response(&A2::default().xml(), "");
    // A Response-level signature whose Reference is the assertion: cryptographically valid, wrongly placed.
    assert_eq!(code(&saml(), &sign_misplaced(&xml, "_a1", "_r1")), "signature_not_on_response");
    // An assertion-level signature covering the whole Response (the object-injection shape).
    assert_eq!(code(&saml(), &sign_misplaced(&xml, "_r1", "_a1")), "signature_not_on_assertion");
    // URI="" on a standalone assertion document is its own element: accepted.
    let doc = A2::default().xml();
    let parsed = Document::parse_str(&doc, &Limits::default()).unwrap();
    let issuer = parsed.root_element().first_child().unwrap().id();
    let k = key("leaf-rsa2048");
    let spec = SignSpec {
        key: &k,
        method: SignatureMethod::for_algorithm(k.default_algorithm()).unwrap(),
        digest: DigestMethod::Sha256,
        c14n: Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", None).unwrap().unwrap(),
        references: vec![ReferenceSpec { uri: String::new(), enveloped: true }],
        key_info: KeyInfoSpec::None,
        placement: Placement::After(issuer),
        ids: IdPolicy::wss_saml(),
    };
    assert!(check(&saml(), &dsig::sign(&doc, &spec).unwrap()).is_ok());
}

#[test]
fn unrecorded_validation_uses_nothing_up_until_recorded() {
    let s = saml();
    let xml = A2::default().signed("leaf-rsa2048");
    let doc = Document::parse_str(&xml, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let node = doc.root_element().id();
    let ctx = Context::at(now());
    let first = s.validate_assertion_unrecorded(&doc, &ids, node, AssertionSignature::Own, &ctx).unwrap();
    let second = s.validate_assertion_unrecorded(&doc, &ids, node, AssertionSignature::Own, &ctx).unwrap();
    assert!(first.is_one_time() && first.require(ConfirmationMethod::Bearer).is_ok());
    assert_eq!((first.id(), first.issuer()), ("_a1", IDP));
    drop(second);
    let a = first.record().unwrap();
    assert_eq!(a.subject().value, "alice@example.org");
    let again = s.validate_assertion_unrecorded(&doc, &ids, node, AssertionSignature::Own, &ctx).unwrap();
    assert_eq!(again.record().unwrap_err().code(), "assertion_replayed");
    let hok =
        A2 { confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() }.signed("leaf-rsa2048");
    let doc = Document::parse_str(&hok, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let u =
        s.validate_assertion_unrecorded(&doc, &ids, doc.root_element().id(), AssertionSignature::Own, &ctx);
    assert!(!u.unwrap().is_one_time());
}

#[test]
fn shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Saml>();
    send_sync::<IssuerRegistry>();
    send_sync::<ValidatedAssertion>();
    send_sync::<sluis::saml::UnrecordedAssertion>();
    send_sync::<sluis::saml::DecryptionKey>();
}
