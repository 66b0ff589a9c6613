//! `KeyInfo` without a `SecurityTokenReference` in WS-Security signatures: a certificate in `X509Data` (plain
//! XML-DSig rules), and `X509Data` that only names a certificate (`X509IssuerSerial`, `X509SKI`), which some stacks
//! write instead of an STR.

use crate::wss::{Msg, V, bst, ca_builder, ca_context, cert, key, outcome, run, sign_refs};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sluis::policy::RoutePolicy;

const LEAF: &str = "CN=leaf-rsa2048,OU=Signing,O=Sluis Test PKI (public test keys - do not trust),C=NL";

#[test]
fn x509data_names_or_carries_the_certificate() {
    let leaf = cert("leaf-rsa2048");
    let policy = RoutePolicy::default();
    let carried = format!(
        "<ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data>",
        B64.encode(leaf.der())
    );
    let by_serial = format!(
        "<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>{}</ds:X509IssuerName><ds:X509SerialNumber>{}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>",
        leaf.issuer(),
        leaf.serial_decimal()
    );
    let by_ski = format!(
        "<ds:X509Data><ds:X509SKI>{}</ds:X509SKI></ds:X509Data>",
        B64.encode(leaf.subject_key_id().unwrap())
    );
    let with_bst = Msg { tokens: bst(&leaf), ..Msg::default() };
    for (form, key_info, reference) in [
        ("certificate", &carried, "key-info"),
        ("issuer-serial", &by_serial, "x509data"),
        ("ski", &by_ski, "x509data"),
    ] {
        let xml = sign_refs(&with_bst.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], key_info, None);
        let a =
            run(&ca_context(), &policy, V::S11, &xml).unwrap_or_else(|r| panic!("{form}: {:?}", r.reason));
        assert_eq!(a.principal().subject(), LEAF);
        assert_eq!(a.facts().signatures[0].reference, reference, "{form}");
    }
    // Named but nowhere to be found: unresolved. Configured as known: trusted through the CA.
    let xml = sign_refs(&Msg::default().xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &by_serial, None);
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &xml)), Err("token_reference_unresolved"));
    let mut b = ca_builder();
    b.known_certificate(leaf.clone());
    assert_eq!(outcome(&run(&b.build(), &policy, V::S11, &xml)), Ok(LEAF.to_owned()));
    // A carried certificate of another CA is not trusted, however it is named.
    let other = cert("leaf-other-ca");
    let foreign = format!(
        "<ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data>",
        B64.encode(other.der())
    );
    let xml = sign_refs(&Msg::default().xml(), &key("leaf-other-ca"), &["Body-1", "TS-1"], &foreign, None);
    assert_eq!(outcome(&run(&ca_context(), &policy, V::S11, &xml)), Err("untrusted_key"));
}
