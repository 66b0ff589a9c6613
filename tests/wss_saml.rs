//! SAML assertions as WS-Security tokens (WSS SAML Token Profile 1.1 §3.4–3.5) through the gateway: holder-of-key,
//! sender-vouches and bearer, accepted when right and refused when the wrong key signs. Assertions are made with the
//! helpers of `saml.rs` (issuer `IDP` signs with leaf-rsa2048, audience `SP`).

use crate::saml::{A2, IDP, SP, base64_der, holder_of_key, saml, saml11, sender_vouches, sign_id};
use crate::wss::{Msg, V, bst, ca_builder, cert, key, outcome, run, sign_refs, str_direct};
use sluis::policy::RoutePolicy;
use sluis::principal::{AuthLevel, TokenType};
use sluis::wss::{SAML_ASSERTION_ID, SAML_ID, SecurityContext, WSSE_NS, WSSE11_NS};

fn ctx() -> SecurityContext {
    let mut b = ca_builder();
    b.saml(saml());
    b.build()
}

/// KeyInfo content: an STR to the assertion with `id` by KeyIdentifier.
fn str_saml(value_type: &str, token_type: &str, id: &str) -> String {
    format!(
        r#"<wsse:SecurityTokenReference xmlns:wsse="{WSSE_NS}" xmlns:wsse11="{WSSE11_NS}" wsse11:TokenType="{token_type}"><wsse:KeyIdentifier ValueType="{value_type}">{id}</wsse:KeyIdentifier></wsse:SecurityTokenReference>"#
    )
}

fn with_assertion(assertion: &str, extra_tokens: &str) -> Msg {
    Msg { tokens: format!("{extra_tokens}{assertion}"), ..Msg::default() }
}

#[test]
fn holder_of_key_saml20() {
    let assertion =
        A2 { id: "_hok".into(), confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() }
            .signed("leaf-rsa2048");
    let m = with_assertion(&assertion, "");
    let by_id = str_saml(SAML_ID, sluis::wss::SAML_V20_TOKEN, "_hok");
    // The confirmation key signs Body and Timestamp, referring to the assertion by its ID.
    let xml = sign_refs(&m.xml(), &key("leaf-ec-p256"), &["Body-1", "TS-1"], &by_id, None);
    let a = run(&ctx(), &RoutePolicy::default(), V::S11, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!(a.principal().subject(), "alice@example.org");
    assert_eq!(a.principal().issuer(), Some(IDP));
    assert_eq!(a.principal().token_type(), TokenType::Saml20);
    assert_eq!(a.principal().auth_level(), AuthLevel::PUBLIC_KEY);
    assert_eq!(a.facts().saml_confirmation, Some("holder-of-key"));
    assert_eq!(a.facts().saml_assertion_id.as_deref(), Some("_hok"));
    assert_eq!(a.facts().signatures[0].token_type, TokenType::Saml20);
    assert!(a.principal().attribute("mail").is_some());
    // Holder-of-key tokens are reusable until they expire (a client sends the same one with every message).
    assert!(run(&ctx(), &RoutePolicy::default(), V::S11, &xml).is_ok());
    // By direct reference to the assertion's ID.
    let direct = str_direct().replace("#X509-1", "#_hok").replace(sluis::wss::X509V3, SAML_ID);
    let xml = sign_refs(&m.xml(), &key("leaf-ec-p256"), &["Body-1", "TS-1"], &direct, None);
    assert!(run(&ctx(), &RoutePolicy::default(), V::S11, &xml).is_ok());

    // The wrong key signs, claiming to be the holder: the signature does not verify with the confirmation key.
    let xml = sign_refs(&m.xml(), &key("leaf-rsa3072"), &["Body-1", "TS-1"], &by_id, None);
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("signature_invalid"));
    // The wrong key signs with its own (CA-trusted) certificate: the message is signed, but not by the holder.
    let m2 = with_assertion(&assertion, &bst(&cert("leaf-rsa3072")));
    let xml = sign_refs(&m2.xml(), &key("leaf-rsa3072"), &["Body-1", "TS-1"], &str_direct(), None);
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("holder_of_key_not_proven"));
    // The holder's key signs only the Timestamp: the Body is not proven (and not signed).
    let xml = sign_refs(&m.xml(), &key("leaf-ec-p256"), &["TS-1"], &by_id, None);
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("body_not_signed"));
    // An assertion the issuer did not sign offers no key at all; the reference to it says why.
    let unsigned =
        A2 { id: "_hok".into(), confirmations: vec![holder_of_key("leaf-ec-p256")], ..A2::default() }.xml();
    let xml = sign_refs(
        &with_assertion(&unsigned, "").xml(),
        &key("leaf-ec-p256"),
        &["Body-1", "TS-1"],
        &by_id,
        None,
    );
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("assertion_not_signed"));
}

#[test]
fn holder_of_key_saml11_by_assertion_id() {
    let ki = format!(
        r#"<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"#,
        base64_der(&cert("leaf-ec-p256"))
    );
    let assertion = sign_id(
        &saml11("urn:oasis:names:tc:SAML:1.0:cm:holder-of-key", &ki, SP),
        "_s11",
        &key("leaf-rsa2048"),
    );
    let m = Msg { v: V::S12, ..with_assertion(&assertion, "") };
    let by_id = str_saml(SAML_ASSERTION_ID, sluis::wss::SAML_V11_TOKEN, "_s11");
    let xml = sign_refs(&m.xml(), &key("leaf-ec-p256"), &["Body-1", "TS-1"], &by_id, None);
    let a = run(&ctx(), &RoutePolicy::default(), V::S12, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!((a.principal().subject(), a.principal().token_type()), ("bob", TokenType::Saml11));
    // SAMLID is the 2.0 value type: it does not find a 1.1 AssertionID.
    let wrong_type = str_saml(SAML_ID, sluis::wss::SAML_V20_TOKEN, "_s11");
    let xml = sign_refs(&m.xml(), &key("leaf-ec-p256"), &["Body-1", "TS-1"], &wrong_type, None);
    assert_eq!(
        outcome(&run(&ctx(), &RoutePolicy::default(), V::S12, &xml)),
        Err("token_reference_unresolved")
    );
}

#[test]
fn sender_vouches_saml20() {
    let assertion = A2 { id: "_sv".into(), confirmations: vec![sender_vouches()], ..A2::default() }.xml();
    let m = with_assertion(&assertion, &bst(&cert("leaf-rsa3072")));
    // The attesting entity (a CA-trusted certificate) signs Body, Timestamp and the assertion.
    let xml = sign_refs(&m.xml(), &key("leaf-rsa3072"), &["Body-1", "TS-1", "_sv"], &str_direct(), None);
    let a = run(&ctx(), &RoutePolicy::default(), V::S11, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!(a.principal().subject(), "alice@example.org");
    assert_eq!(a.principal().auth_level(), AuthLevel::PUBLIC_KEY);
    assert_eq!(a.facts().saml_confirmation, Some("sender-vouches"));
    assert!(a.facts().key_subject.as_deref().unwrap().contains("leaf-rsa3072"));
    // The signature covers Body and Timestamp but not the assertion: nobody vouches for it.
    let xml = sign_refs(&m.xml(), &key("leaf-rsa3072"), &["Body-1", "TS-1"], &str_direct(), None);
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("assertion_not_signed"));
    // The wrong key signs: an attester sluis does not trust.
    let m3 = with_assertion(&assertion, &bst(&cert("untrusted-self-signed")));
    let xml =
        sign_refs(&m3.xml(), &key("untrusted-self-signed"), &["Body-1", "TS-1", "_sv"], &str_direct(), None);
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("untrusted_key"));
    // A certificate that is trusted, but the key that signed is another one.
    let xml = sign_refs(&m.xml(), &key("leaf-ec-p256"), &["Body-1", "TS-1", "_sv"], &str_direct(), None);
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("signature_invalid"));
    // The attesting signature covers the assertion but not the Body (and the route does not require the Body).
    let lax = RoutePolicy { signed_parts: Vec::new(), ..RoutePolicy::default() };
    let xml = sign_refs(&m.xml(), &key("leaf-rsa3072"), &["TS-1", "_sv"], &str_direct(), None);
    assert_eq!(outcome(&run(&ctx(), &lax, V::S11, &xml)), Err("assertion_not_signed"));
}

#[test]
fn bearer_assertion_without_message_signature() {
    let assertion = A2 { id: "_b".into(), ..A2::default() }.signed("leaf-rsa2048");
    let xml = with_assertion(&assertion, "").xml();
    let lax = RoutePolicy { signed_parts: Vec::new(), ..RoutePolicy::default() };
    let a = run(&ctx(), &lax, V::S11, &xml).unwrap_or_else(|r| panic!("{:?}", r.reason));
    assert_eq!(a.principal().auth_level(), AuthLevel::TOKEN_FROM_CREDENTIALS);
    assert_eq!(a.facts().saml_confirmation, Some("bearer"));
    // One use only.
    let c = ctx();
    assert!(run(&c, &lax, V::S11, &xml).is_ok());
    assert_eq!(outcome(&run(&c, &lax, V::S11, &xml)), Err("assertion_replayed"));
    // The default route wants Body and Timestamp signed.
    assert_eq!(outcome(&run(&ctx(), &RoutePolicy::default(), V::S11, &xml)), Err("signature_missing"));
    // A route for level 4 refuses a bearer token.
    let strict = RoutePolicy { min_auth_level: AuthLevel::PUBLIC_KEY, ..lax };
    assert_eq!(outcome(&run(&ctx(), &strict, V::S11, &xml)), Err("auth_level_too_low"));
    // Without a SAML configuration, assertions are unsupported tokens.
    assert_eq!(
        outcome(&run(&ca_builder().build(), &RoutePolicy::default(), V::S11, &xml)),
        Err("saml_not_available")
    );
}
