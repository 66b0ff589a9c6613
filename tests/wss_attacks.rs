//! Signature wrapping and misplaced signatures against the gateway, each named after its source.
//!
//! - McIntosh and Austel, "XML Signature Element Wrapping Attacks and Countermeasures" (SWS 2005): the signed Body
//!   moved into a header or wrapper element with a new Body in its place; the signed Timestamp wrapped the same way.
//! - Somorovsky et al., "All Your Clouds Are Belong to Us" (CCSW 2011): duplicate `wsu:Id`, the Body nested inside
//!   the new Body, signatures outside `wsse:Security`.
//!
//! sluis's defence is structural: the Body is *the* Body child of the Envelope, the Timestamp is *the* Timestamp
//! child of sluis's Security header, "signed" is `VerifiedView::is_signed` of exactly those nodes, and only
//! signatures that are children of that header are verified.

use crate::wss::{Msg, V, bst, ca_context, cert, key, outcome, run, sign_refs, str_direct, t, x509_message};
use sluis::policy::RoutePolicy;

fn element(s: &str, open: &str, close: &str) -> (usize, usize) {
    let a = s.find(open).unwrap();
    let b = s[a..].find(close).unwrap() + a + close.len();
    (a, b)
}

const EVIL_BODY: &str = r#"<soap:Body><pat:DeletePatient xmlns:pat="urn:example:patient"><pat:Id>999911120</pat:Id></pat:DeletePatient></soap:Body>"#;

/// The signed Body moved into a new header block, an unsigned Body in its place.
fn body_into_header(signed: &str) -> String {
    let (a, b) = element(signed, "<soap:Body", "</soap:Body>");
    let body = &signed[a..b];
    let s = format!("{}{EVIL_BODY}{}", &signed[..a], &signed[b..]);
    s.replacen(
        "<soap:Header>",
        &format!(r#"<soap:Header><wrap:W xmlns:wrap="urn:example:attack">{body}</wrap:W>"#),
        1,
    )
}

#[test]
fn body_moved_into_a_header_block() {
    for v in [V::S11, V::S12] {
        let signed = x509_message(&Msg { v, ..Msg::default() }, "leaf-rsa2048");
        assert!(run(&ca_context(), &RoutePolicy::default(), v, &signed).is_ok());
        let attacked = body_into_header(&signed);
        // The XML signature itself still verifies: both References resolve (Body-1 now inside the wrapper).
        assert_eq!(
            outcome(&run(&ca_context(), &RoutePolicy::default(), v, &attacked)),
            Err("body_not_signed"),
            "{v:?}"
        );
    }
}

#[test]
fn body_nested_in_the_new_body_or_after_it() {
    let signed = x509_message(&Msg::default(), "leaf-rsa2048");
    let (a, b) = element(&signed, "<soap:Body", "</soap:Body>");
    let body = &signed[a..b];
    let nested = format!(
        r#"{}<soap:Body><wrap:W xmlns:wrap="urn:example:attack">{body}</wrap:W><pat:DeletePatient xmlns:pat="urn:example:patient"/></soap:Body>{}"#,
        &signed[..a],
        &signed[b..]
    );
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &nested)),
        Err("body_not_signed")
    );
    // A second Body after the first: the envelope is refused before anything else.
    let trailing = format!("{}{EVIL_BODY}{body}{}", &signed[..a], &signed[b..]);
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &trailing)),
        Err("malformed_soap_envelope")
    );
}

#[test]
fn duplicate_wsu_id_is_refused() {
    let signed = x509_message(&Msg::default(), "leaf-rsa2048");
    let attacked = body_into_header(&signed).replacen(
        EVIL_BODY,
        &EVIL_BODY.replace("<soap:Body>", r#"<soap:Body wsu:Id="Body-1">"#),
        1,
    );
    assert_eq!(outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &attacked)), Err("duplicate_id"));
}

#[test]
fn timestamp_wrapped_and_replaced() {
    // An old message: its signed Timestamp has expired.
    let old = Msg { timestamp: Some((t(-4000), Some(t(-3700)))), ..Msg::default() };
    let signed = x509_message(&old, "leaf-rsa2048");
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &signed)),
        Err("timestamp_expired")
    );
    // The attacker moves the signed Timestamp into a wrapper header and puts a fresh one in its place.
    let (a, b) = element(&signed, "<wsu:Timestamp", "</wsu:Timestamp>");
    let ts = &signed[a..b];
    let fresh = format!(
        r#"<wsu:Timestamp><wsu:Created>{}</wsu:Created><wsu:Expires>{}</wsu:Expires></wsu:Timestamp>"#,
        t(-5),
        t(295)
    );
    let s = format!("{}{fresh}{}", &signed[..a], &signed[b..]);
    let attacked = s.replacen(
        "<soap:Header>",
        &format!(r#"<soap:Header><wrap:W xmlns:wrap="urn:example:attack">{ts}</wrap:W>"#),
        1,
    );
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &attacked)),
        Err("timestamp_not_signed")
    );
    // Two Timestamps in the header (the signed one kept beside a fresh one): refused as ambiguous.
    let both = format!("{}{fresh}{}", &signed[..a], &signed[a..]);
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &both)),
        Err("malformed_timestamp")
    );
}

#[test]
fn signatures_outside_the_security_header_prove_nothing() {
    // A valid signature over Body and Timestamp, but in another header block.
    let m = Msg {
        headers: r#"<x:Elsewhere xmlns:x="urn:example:x" wsu:Id="Elsewhere"></x:Elsewhere>"#.into(),
        tokens: bst(&cert("leaf-rsa2048")),
        ..Msg::default()
    };
    let outside =
        sign_refs(&m.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), Some("Elsewhere"));
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &outside)),
        Err("signature_missing")
    );
    // In the header: a signature over the Timestamp only; outside it, one over the Body.
    let inside_ts = sign_refs(&m.xml(), &key("leaf-rsa2048"), &["TS-1"], &str_direct(), None);
    let both = sign_refs(&inside_ts, &key("leaf-rsa2048"), &["Body-1"], &str_direct(), Some("Elsewhere"));
    assert_eq!(outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &both)), Err("body_not_signed"));
    // A signature inside the Body (an application-level signature) is not a header signature either.
    let in_body = Msg {
        body: r#"<pat:GetPatient xmlns:pat="urn:example:patient" wsu:Id="Payload"><pat:Id>1</pat:Id></pat:GetPatient>"#.into(),
        tokens: bst(&cert("leaf-rsa2048")),
        ..Msg::default()
    };
    let xml =
        sign_refs(&in_body.xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), Some("Payload"));
    assert_eq!(outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &xml)), Err("signature_missing"));
}

#[test]
fn token_references_stay_inside_the_security_header() {
    // The BST sits in another header block: the STR does not resolve to it.
    let m = Msg { headers: bst(&cert("leaf-rsa2048")), ..Msg::default() };
    let wrapped = m.xml().replacen(
        &m.headers,
        &format!(r#"<x:Tokens xmlns:x="urn:example:x">{}</x:Tokens>"#, m.headers),
        1,
    );
    let xml = sign_refs(&wrapped, &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), None);
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &xml)),
        Err("token_reference_unresolved")
    );
    // An STR to a token that does not exist.
    let xml =
        sign_refs(&Msg::default().xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), None);
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &xml)),
        Err("token_reference_unresolved")
    );
    // An external URI is never fetched.
    let ext = str_direct().replace("#X509-1", "https://attacker.example/cert.der");
    let xml = sign_refs(&Msg::default().xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &ext, None);
    assert_eq!(
        outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &xml)),
        Err("token_reference_unresolved")
    );
}

#[test]
fn a_trusted_certificate_cannot_vouch_for_another_key() {
    // The BST carries a trusted certificate, but the signature was made with another key.
    let m = Msg { tokens: bst(&cert("leaf-rsa2048")), ..Msg::default() };
    let xml = sign_refs(&m.xml(), &key("leaf-rsa3072"), &["Body-1", "TS-1"], &str_direct(), None);
    assert_eq!(outcome(&run(&ca_context(), &RoutePolicy::default(), V::S11, &xml)), Err("signature_invalid"));
}

mod mutations {
    //! Random edits of a valid signed envelope: the gateway never panics, and every refusal renders a well-formed
    //! fault. (The structural fuzz targets live in `fuzz/`; this runs with `cargo test`.)
    use crate::wss::{Msg, V, ca_context, content_type, now, x509_message};
    use proptest::prelude::*;
    use sluis::policy::RoutePolicy;
    use sluis::wss::{self, Transport};
    use sluis::xml::{Document, Limits};
    use std::sync::OnceLock;

    fn base() -> &'static (String, sluis::wss::SecurityContext) {
        static BASE: OnceLock<(String, sluis::wss::SecurityContext)> = OnceLock::new();
        BASE.get_or_init(|| (x509_message(&Msg::default(), "leaf-rsa2048"), ca_context()))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn edits_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..4)) {
            let (xml, ctx) = base();
            let mut bytes = xml.as_bytes().to_vec();
            for (at, op, b) in edits {
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = b,
                    1 => bytes.insert(i, b),
                    _ => { bytes.remove(i); }
                }
            }
            let (ct, action) = content_type(V::S11);
            match wss::process(ctx, &RoutePolicy::default(), Some(ct), action, &bytes, Transport::default(), now()) {
                Ok(a) => prop_assert!(!a.forward_body().is_empty()),
                Err(r) => {
                    let f = r.fault();
                    prop_assert!(Document::parse_str(&f.body, &Limits::default()).is_ok());
                }
            }
        }
    }
}

#[test]
fn a_signed_message_is_accepted_once() {
    let ctx = ca_context();
    let xml = x509_message(&Msg::default(), "leaf-rsa2048");
    assert!(run(&ctx, &RoutePolicy::default(), V::S11, &xml).is_ok());
    assert_eq!(outcome(&run(&ctx, &RoutePolicy::default(), V::S11, &xml)), Err("message_replayed"));
    // Re-wrapping the SignatureValue (or, for ECDSA, re-randomising it) does not make it a new message.
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut rewrapped = xml.clone();
    rewrapped.insert_str(start + 16, "\n  ");
    assert_eq!(outcome(&run(&ctx, &RoutePolicy::default(), V::S11, &rewrapped)), Err("message_replayed"));
    // A new message (new Timestamp) from the same client is fine.
    let next =
        x509_message(&Msg { timestamp: Some((t(-9), Some(t(291)))), ..Msg::default() }, "leaf-rsa2048");
    assert!(run(&ctx, &RoutePolicy::default(), V::S11, &next).is_ok());
    // A refused message is not remembered: the same bytes succeed once the policy allows them.
    let ctx = ca_context();
    let strict = RoutePolicy {
        min_auth_level: sluis::principal::AuthLevel::PUBLIC_KEY,
        accepted_tokens: vec![],
        ..RoutePolicy::default()
    };
    assert_eq!(outcome(&run(&ctx, &strict, V::S11, &xml)), Err("token_type_not_accepted"));
    assert!(run(&ctx, &RoutePolicy::default(), V::S11, &xml).is_ok());
    // Switched off, identical messages pass.
    let mut b = crate::wss::ca_builder();
    b.reject_replayed_messages(false);
    let lax = b.build();
    assert!(run(&lax, &RoutePolicy::default(), V::S11, &xml).is_ok());
    assert!(run(&lax, &RoutePolicy::default(), V::S11, &xml).is_ok());
}
