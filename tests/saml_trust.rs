//! Issuer trust for `sluis::saml`: keys per issuer and rollover, SAML metadata (plain and signed), sender-vouches
//! attestation by a message signature, holder-of-key confirmation keys.

use crate::saml::*;
use sluis::c14n::Algorithm;
use sluis::dsig::{
    self, DigestMethod, IdIndex, IdPolicy, KeyInfoSpec, Placement, ReferenceSpec, SignSpec, SignatureMethod,
    VerifyOptions,
};
use sluis::principal::AuthLevel;
use sluis::saml::{
    AssertionSignature, ConfirmationMethod, Context, IssuerRegistry, MetadataOptions, Saml,
    ValidatedAssertion,
};
use sluis::store::ReplayCache;
use sluis::trust::{KeyPolicy, SigningKey, TrustStore};
use sluis::xml::{Document, Limits};
use std::sync::Arc;

#[test]
fn issuer_keys_are_per_issuer() {
    // The assertion names IDP but is signed with OTHER_IDP's key: refused, although that key is trusted for OTHER_IDP.
    assert_eq!(code(&saml(), &A2::default().signed("leaf-rsa3072")), "signature_invalid");
    // And the other way round.
    let other = A2 { issuer: OTHER_IDP.into(), ..A2::default() };
    assert_eq!(code(&saml(), &other.signed("leaf-rsa2048")), "signature_invalid");
    assert!(check(&saml(), &other.signed("leaf-rsa3072")).is_ok());
    // A Response naming IDP, signed with OTHER_IDP's key, around an OTHER_IDP assertion: IDP's keys verify the
    // Response signature, and fail.
    let xml = sign_id(&response(&other.xml(), ""), "_r1", &key("leaf-rsa3072"));
    assert_eq!(code(&saml(), &xml), "signature_invalid");
    // KeyInfo naming another trusted certificate changes nothing.
    let ki = KeyInfoSpec::X509Certificates(vec![cert("leaf-rsa3072").der().to_vec()]);
    let xml = sign_with(&A2::default().xml(), "_a1", &key("leaf-rsa3072"), ki);
    assert_eq!(code(&saml(), &xml), "signature_invalid");
}

#[test]
fn several_keys_per_issuer_for_rollover() {
    let mut r = IssuerRegistry::new();
    r.add(issuer(IDP, &["leaf-rsa2048", "leaf-ec-p256"])).unwrap();
    assert_eq!(r.add(issuer(IDP, &["leaf-rsa3072"])).unwrap_err().code(), "malformed_metadata");
    let s = Saml::new(Arc::new(r), policy(), Arc::new(ReplayCache::new(64)));
    let old = check(&s, &A2::default().signed("leaf-rsa2048")).unwrap();
    let new = check(&s, &A2 { id: "_a2".into(), ..A2::default() }.signed("leaf-ec-p256")).unwrap();
    assert_eq!(old.signing_key().public_key(), key("leaf-rsa2048").public_key());
    assert_eq!(new.signing_key().public_key(), key("leaf-ec-p256").public_key());
    assert_eq!(
        code(&s, &A2 { id: "_a3".into(), ..A2::default() }.signed("leaf-rsa3072")),
        "signature_invalid"
    );
}

#[test]
fn expired_pinned_certificate_is_refused_precisely() {
    let mut r = IssuerRegistry::new();
    r.add(issuer(IDP, &["leaf-expired"])).unwrap();
    let s = Saml::new(Arc::new(r), policy(), Arc::new(ReplayCache::new(64)));
    assert_eq!(code(&s, &A2::default().signed("leaf-expired")), "certificate_expired");
}

pub(crate) fn metadata(
    entity_id: &str,
    signing: &[&str],
    encryption: &[&str],
    valid_until: Option<&str>,
) -> String {
    let kd = |usage: Option<&str>, name: &str| {
        let b64 = base64_der(&cert(name));
        let use_attr = usage.map(|u| format!(" use=\"{u}\"")).unwrap_or_default();
        format!(
            r#"<md:KeyDescriptor{use_attr}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
        )
    };
    let mut keys = String::new();
    for (i, s) in signing.iter().enumerate() {
        keys.push_str(&kd(if i == 0 { Some("signing") } else { None }, s));
    }
    for e in encryption {
        keys.push_str(&kd(Some("encryption"), e));
    }
    let until = valid_until.map(|u| format!(" validUntil=\"{u}\"")).unwrap_or_default();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_md" entityID="{entity_id}"{until}><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{entity_id}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    )
}

#[test]
fn metadata_based_trust() {
    let md = metadata(IDP, &["leaf-rsa2048", "leaf-ec-p256"], &["leaf-rsa3072"], Some(&at(86_400)));
    let mut r = IssuerRegistry::new();
    let ids = r.add_metadata(md.as_bytes(), &MetadataOptions::new(now())).unwrap();
    assert_eq!(ids, [IDP]);
    assert_eq!(r.get(IDP).unwrap().valid_until(), Some(now().plus_seconds(86_400)));
    let s = Saml::new(Arc::new(r), policy(), Arc::new(ReplayCache::new(64)));
    assert!(check(&s, &A2::default().signed("leaf-rsa2048")).is_ok());
    assert!(check(&s, &A2 { id: "_a2".into(), ..A2::default() }.signed("leaf-ec-p256")).is_ok());
    // The encryption key never signs.
    assert_eq!(
        code(&s, &A2 { id: "_a3".into(), ..A2::default() }.signed("leaf-rsa3072")),
        "signature_invalid"
    );
    // Metadata past validUntil: refused at load, and at validation time once it passes.
    let old = metadata(IDP, &["leaf-rsa2048"], &[], Some(&at(-1)));
    assert_eq!(
        IssuerRegistry::new().add_metadata(old.as_bytes(), &MetadataOptions::new(now())).unwrap_err().code(),
        "metadata_expired"
    );
    let soon = metadata(IDP, &["leaf-rsa2048"], &[], Some(&at(30)));
    let mut r = IssuerRegistry::new();
    r.add_metadata(soon.as_bytes(), &MetadataOptions::new(now())).unwrap();
    let s = Saml::new(Arc::new(r), policy(), Arc::new(ReplayCache::new(64)));
    let later = Context::at(now().plus_seconds(31));
    let a = A2 { issue_instant: at(0), ..A2::default() }.signed("leaf-rsa2048");
    assert_eq!(s.validate_document(a.as_bytes(), &later).unwrap_err().code(), "metadata_expired");
    // Key-based trust: an expired certificate in metadata still names the key (SAML V2.0 Metadata Interoperability).
    let expired = metadata(IDP, &["leaf-expired"], &[], None);
    let mut r = IssuerRegistry::new();
    r.add_metadata(expired.as_bytes(), &MetadataOptions::new(now())).unwrap();
    let s = Saml::new(Arc::new(r), policy(), Arc::new(ReplayCache::new(64)));
    assert!(check(&s, &A2::default().signed("leaf-expired")).is_ok());
    // ... unless dates are to be checked.
    let mut r = IssuerRegistry::new();
    let opts = MetadataOptions { check_certificate_validity: true, ..MetadataOptions::new(now()) };
    r.add_metadata(expired.as_bytes(), &opts).unwrap();
    let s = Saml::new(Arc::new(r), policy(), Arc::new(ReplayCache::new(64)));
    assert_eq!(code(&s, &A2::default().signed("leaf-expired")), "certificate_expired");
    // Nothing usable.
    let none = metadata(IDP, &[], &["leaf-rsa3072"], None);
    assert_eq!(
        IssuerRegistry::new().add_metadata(none.as_bytes(), &MetadataOptions::new(now())).unwrap_err().code(),
        "malformed_metadata"
    );
}

#[test]
fn signed_metadata() {
    let md = metadata(IDP, &["leaf-rsa2048"], &[], None);
    let policy = IdPolicy::new(vec![dsig::IdAttribute {
        element_ns: Some(sluis::saml::MD_NS),
        attr_ns: None,
        local: "ID",
    }]);
    let doc = Document::parse_str(&md, &Limits::default()).unwrap();
    let spec = SignSpec {
        key: &key("leaf-ec-p384"),
        method: SignatureMethod::for_algorithm(key("leaf-ec-p384").default_algorithm()).unwrap(),
        digest: DigestMethod::Sha256,
        c14n: Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", None).unwrap().unwrap(),
        references: vec![ReferenceSpec { uri: "#_md".into(), enveloped: true }],
        key_info: KeyInfoSpec::None,
        placement: Placement::FirstChildOf(doc.root_element().id()),
        ids: policy,
    };
    let signed = dsig::sign(&md, &spec).unwrap();
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.pin_key(key("leaf-ec-p384").public_key().clone()).unwrap();
    let federation = b.build();
    let opts = MetadataOptions { signature: Some(&federation), ..MetadataOptions::new(now()) };
    assert!(IssuerRegistry::new().add_metadata(signed.as_bytes(), &opts).is_ok());
    let tampered = signed.replace("/sso\"", "/sso2\"");
    assert_eq!(
        IssuerRegistry::new().add_metadata(tampered.as_bytes(), &opts).unwrap_err().code(),
        "digest_mismatch"
    );
    assert_eq!(
        IssuerRegistry::new().add_metadata(md.as_bytes(), &opts).unwrap_err().code(),
        "signature_missing"
    );
}

/// A WS-Security-like envelope: the assertion (unsigned by its issuer) and a body, both covered by the attester's
/// message signature — or only the body.
fn envelope(assertion: &str, cover_assertion: bool, attester: &SigningKey) -> String {
    let wsu = dsig::WSU_NS;
    let xml = format!(
        r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsu="{wsu}"><env:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">{assertion}</wsse:Security></env:Header><env:Body wsu:Id="body"><op>x</op></env:Body></env:Envelope>"#
    );
    let doc = Document::parse_str(&xml, &Limits::default()).unwrap();
    let security = doc.descendants().find(|n| n.local_name() == "Security").unwrap().id();
    let mut references = vec![ReferenceSpec { uri: "#body".into(), enveloped: false }];
    if cover_assertion {
        references.push(ReferenceSpec { uri: "#_sv".into(), enveloped: false });
    }
    let spec = SignSpec {
        key: attester,
        method: SignatureMethod::for_algorithm(attester.default_algorithm()).unwrap(),
        digest: DigestMethod::Sha256,
        c14n: Algorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#", None).unwrap().unwrap(),
        references,
        key_info: KeyInfoSpec::None,
        placement: Placement::LastChildOf(security),
        ids: IdPolicy::wss_saml(),
    };
    dsig::sign(&xml, &spec).unwrap()
}

#[test]
fn sender_vouches_with_an_attesting_signature() {
    let attester = key("leaf-ec-p256");
    let assertion = A2 { id: "_sv".into(), confirmations: vec![sender_vouches()], ..A2::default() }.xml();
    let s = saml();
    let validate = |xml: &str| -> Result<ValidatedAssertion, String> {
        let doc = Document::parse_str(xml, &Limits::default()).unwrap();
        let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
        // The message signature is the last one (an issuer-signed assertion carries its own before it).
        let sig = doc.descendants().filter(|n| n.is(dsig::DSIG_NS, "Signature")).last().unwrap().id();
        let mut b = TrustStore::builder(KeyPolicy::default());
        b.pin_key(attester.public_key().clone()).unwrap();
        let store = b.build();
        let view =
            dsig::verify(&doc, &ids, sig, &store, &VerifyOptions { policy: KeyPolicy::default(), at: now() })
                .unwrap();
        let node = ids.get("_sv").unwrap();
        s.validate_assertion(&doc, &ids, node, AssertionSignature::AttestedBy(&view), &Context::at(now()))
            .map_err(|r| r.code().to_owned())
    };
    let covered = envelope(&assertion, true, &attester);
    let a = validate(&covered).unwrap();
    assert!(!a.issuer_signed());
    let sv = a.require(ConfirmationMethod::SenderVouches).unwrap();
    assert_eq!(sv.attester().unwrap().public_key(), attester.public_key());
    assert_eq!(a.principal(ConfirmationMethod::SenderVouches).unwrap().auth_level(), AuthLevel::PUBLIC_KEY);
    assert_eq!(a.require_bearer().unwrap_err().code(), "no_bearer_confirmation");
    // The message signature covers only the body: the assertion is not attested.
    assert_eq!(validate(&envelope(&assertion, false, &attester)).unwrap_err(), "attestation_not_covering");
    // Without the attestation, a sender-vouches assertion has nobody vouching.
    let doc = Document::parse_str(&covered, &Limits::default()).unwrap();
    let ids = IdIndex::build(&doc, &IdPolicy::wss_saml()).unwrap();
    let own = s.validate_assertion(
        &doc,
        &ids,
        ids.get("_sv").unwrap(),
        AssertionSignature::Own,
        &Context::at(now()),
    );
    assert_eq!(own.unwrap_err().code(), "assertion_not_signed");
    // An attested but issuer-unsigned bearer assertion is not a bearer token.
    let bearer_only = A2 { id: "_sv".into(), ..A2::default() }.xml();
    assert_eq!(validate(&envelope(&bearer_only, true, &attester)).unwrap_err(), "assertion_not_signed");
    // An issuer-signed assertion that is also attested yields both kinds.
    let both = A2 {
        id: "_sv".into(),
        confirmations: vec![sender_vouches(), bearer(ACS, &at(240), "")],
        ..A2::default()
    };
    let a = validate(&envelope(&both.signed("leaf-rsa2048"), true, &attester)).unwrap();
    assert!(a.issuer_signed());
    assert_eq!(a.confirmations().len(), 2);
    assert_eq!(a.signing_key().public_key(), key("leaf-rsa2048").public_key());
}

#[test]
fn attestation_from_another_document_is_refused() {
    let attester = key("leaf-ec-p256");
    let assertion = A2 { id: "_sv".into(), confirmations: vec![sender_vouches()], ..A2::default() }.xml();
    let xml = envelope(&assertion, true, &attester);
    let doc_a = Document::parse_str(&xml, &Limits::default()).unwrap();
    let doc_b = Document::parse_str(&xml, &Limits::default()).unwrap();
    let ids_a = IdIndex::build(&doc_a, &IdPolicy::wss_saml()).unwrap();
    let ids_b = IdIndex::build(&doc_b, &IdPolicy::wss_saml()).unwrap();
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.pin_key(attester.public_key().clone()).unwrap();
    let store = b.build();
    let sig = doc_a.descendants().find(|n| n.is(dsig::DSIG_NS, "Signature")).unwrap().id();
    let view_a =
        dsig::verify(&doc_a, &ids_a, sig, &store, &VerifyOptions { policy: KeyPolicy::default(), at: now() })
            .unwrap();
    let r = saml().validate_assertion(
        &doc_b,
        &ids_b,
        ids_b.get("_sv").unwrap(),
        AssertionSignature::AttestedBy(&view_a),
        &Context::at(now()),
    );
    assert_eq!(r.unwrap_err().code(), "attestation_not_covering");
}

#[test]
fn holder_of_key_returns_the_key() {
    let a = A2 { confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() };
    let v = check(&saml(), &a.signed("leaf-rsa2048")).unwrap();
    let hok = v.require(ConfirmationMethod::HolderOfKey).unwrap();
    assert_eq!(hok.keys().len(), 1);
    assert!(hok.keys()[0].matches(key("leaf-ec-p256").public_key()));
    assert!(!hok.keys()[0].matches(key("leaf-rsa2048").public_key()));
    assert_eq!(hok.keys()[0].certificate().unwrap(), &cert("leaf-ec-p256"));
    let trusted = hok.keys()[0].trusted(KeyPolicy::default()).unwrap();
    assert_eq!(trusted.public_key(), key("leaf-ec-p256").public_key());
    assert_eq!(trusted.trust_path(), sluis::trust::TrustPath::PinnedKey);
    assert_eq!(v.principal(ConfirmationMethod::HolderOfKey).unwrap().auth_level(), AuthLevel::PUBLIC_KEY);
    assert_eq!(v.require_bearer().unwrap_err().code(), "no_bearer_confirmation");
    // Holder-of-key tokens are reusable (WS-Security clients resend them); no key, no confirmation.
    assert!(check(&saml(), &a.signed("leaf-rsa2048")).is_ok());
    let keyless = A2 {
        confirmations: vec![r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"><saml:SubjectConfirmationData/></saml:SubjectConfirmation>"#.into()],
        ..A2::default()
    };
    assert_eq!(code(&saml(), &keyless.signed("leaf-rsa2048")), "confirmation_key_missing");
    // SAML 1.1: KeyInfo is a child of SubjectConfirmation.
    let ki = format!(
        r#"<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"#,
        base64_der(&cert("leaf-rsa3072"))
    );
    let xml = sign_id(
        &saml11("urn:oasis:names:tc:SAML:1.0:cm:holder-of-key", &ki, SP),
        "_s11",
        &key("leaf-rsa2048"),
    );
    let v = check(&saml(), &xml).unwrap();
    assert!(
        v.require(ConfirmationMethod::HolderOfKey).unwrap().keys()[0]
            .matches(key("leaf-rsa3072").public_key())
    );
}
