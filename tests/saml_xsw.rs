//! XML Signature Wrapping against `sluis::saml`, built programmatically from a signed Response: the eight
//! permutations of Somorovsky, Mayer, Schwenk, Kampmann and Jensen, "On Breaking SAML: Be Whoever You Want to Be"
//! (USENIX Security 2012), in the arrangement SAML Raider generates them (XSW1–2 wrap the Response signature, XSW3–8
//! the assertion signature), plus variants per permutation (duplicate IDs, `Extensions`, `ds:Object`). Every one must
//! be refused, and a variant that leaves the genuine signed assertion where it belongs must yield the genuine subject —
//! never the attacker's (`admin@evil.example`).

use crate::saml::{A2, SAML2P, code, key, response, saml, sign_id};

const EVIL: &str = "admin@evil.example";

/// The genuine Response, signed on the Response only.
fn response_signed() -> String {
    sign_id(&response(&A2::default().xml(), ""), "_r1", &key("leaf-rsa2048"))
}

/// The genuine Response, with a signed assertion in an unsigned Response.
fn assertion_signed() -> String {
    response(&A2::default().signed("leaf-rsa2048"), "")
}

/// The attacker's assertion: unsigned, other subject, same everything else.
fn evil_assertion(id: &str) -> String {
    A2 { id: id.into(), name_id: EVIL.into(), ..A2::default() }.xml()
}

/// The first `tag` element of `xml` (start to end tag), as text.
fn element(xml: &str, tag: &str) -> String {
    let start = xml.find(&format!("<{tag}")).unwrap();
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start + tag.len() + 3;
    xml[start..end].to_owned()
}

/// `xml` without its first `tag` element.
fn without(xml: &str, tag: &str) -> String {
    xml.replacen(&element(xml, tag), "", 1)
}

/// The Response start tag (with its namespace declaration) and the part between it and the assertion.
fn response_shell(evil_id: &str, signature: &str, inside: &str) -> String {
    format!(
        r#"<samlp:Response xmlns:samlp="{SAML2P}" ID="{evil_id}" Version="2.0" IssueInstant="{}" Destination="{}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{}</saml:Issuer>{signature}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{inside}</samlp:Response>"#,
        crate::saml::at(-60),
        crate::saml::ACS,
        crate::saml::IDP
    )
}

/// Puts `content` inside `signature`, before its closing tag.
fn into_signature(signature: &str, content: &str) -> String {
    signature.replacen("</ds:Signature>", &format!("{content}</ds:Signature>"), 1)
}

/// Every refusal of one permutation: (variant, document, expected code).
fn expect_all(name: &str, cases: Vec<(&str, String, &str)>) {
    let s = saml();
    let mut failures = Vec::new();
    for (variant, xml, expected) in cases {
        let got = code(&s, &xml);
        assert!(!got.contains(EVIL), "{name} {variant}: the attacker's subject was returned");
        if got != expected {
            failures.push(format!("{name} {variant}: expected {expected}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn genuine_documents_validate() {
    assert_eq!(code(&saml(), &response_signed()), "accepted (alice@example.org)");
    assert_eq!(code(&saml(), &assertion_signed()), "accepted (alice@example.org)");
}

/// XSW1: a new Response (evil assertion) carries the copied Response signature; the original Response is moved into
/// that signature.
#[test]
fn xsw1_original_response_inside_the_signature() {
    let orig = response_signed();
    let sig = element(&orig, "ds:Signature");
    let unsigned_orig = without(&orig, "ds:Signature");
    expect_all(
        "XSW1",
        vec![
            (
                "as a child of Signature",
                response_shell("_evil_r", &into_signature(&sig, &unsigned_orig), &evil_assertion("_evil_a")),
                "malformed_signature",
            ),
            (
                "in a ds:Object",
                response_shell(
                    "_evil_r",
                    &into_signature(&sig, &format!("<ds:Object>{unsigned_orig}</ds:Object>")),
                    &evil_assertion("_evil_a"),
                ),
                "signature_not_on_response",
            ),
        ],
    );
}

/// XSW2: like XSW1, the original Response detached beside the signature instead of inside it.
#[test]
fn xsw2_original_response_beside_the_signature() {
    let orig = response_signed();
    let sig = element(&orig, "ds:Signature");
    let unsigned_orig = without(&orig, "ds:Signature");
    let in_extensions = format!("<samlp:Extensions>{unsigned_orig}</samlp:Extensions>");
    expect_all(
        "XSW2",
        vec![
            (
                "sibling of the signature",
                response_shell("_evil_r", &format!("{unsigned_orig}{sig}"), &evil_assertion("_evil_a")),
                "malformed_response",
            ),
            (
                "in Extensions",
                response_shell("_evil_r", &sig, &evil_assertion("_evil_a")).replacen(
                    "<samlp:Status>",
                    &format!("{in_extensions}<samlp:Status>"),
                    1,
                ),
                "signature_not_on_response",
            ),
            (
                "evil assertion reusing the original assertion ID",
                response_shell("_evil_r", &sig, &evil_assertion("_a1")).replacen(
                    "<samlp:Status>",
                    &format!("{in_extensions}<samlp:Status>"),
                    1,
                ),
                "duplicate_id",
            ),
        ],
    );
}

/// XSW3: an evil assertion placed before the original signed assertion, as its sibling.
#[test]
fn xsw3_evil_assertion_before_the_signed_one() {
    let orig = assertion_signed();
    let signed = element(&orig, "saml:Assertion");
    expect_all(
        "XSW3",
        vec![
            (
                "different ID",
                orig.replacen(&signed, &format!("{}{signed}", evil_assertion("_evil_a")), 1),
                "multiple_assertions",
            ),
            (
                "same ID",
                orig.replacen(&signed, &format!("{}{signed}", evil_assertion("_a1")), 1),
                "duplicate_id",
            ),
            (
                "Response-signed original",
                {
                    let r = response_signed();
                    let a = element(&r, "saml:Assertion");
                    r.replacen(&a, &format!("{}{a}", evil_assertion("_evil_a")), 1)
                },
                "multiple_assertions",
            ),
        ],
    );
}

/// XSW4: the evil assertion wraps the original signed assertion.
#[test]
fn xsw4_evil_assertion_wraps_the_signed_one() {
    let orig = assertion_signed();
    let signed = element(&orig, "saml:Assertion");
    let evil = evil_assertion("_evil_a");
    let wrapped = evil.replacen("</saml:Assertion>", &format!("{signed}</saml:Assertion>"), 1);
    expect_all(
        "XSW4",
        vec![
            ("nested as last child", orig.replacen(&signed, &wrapped, 1), "assertion_not_signed"),
            (
                "nested in Advice",
                orig.replacen(
                    &signed,
                    &evil.replacen(
                        "<saml:AuthnStatement",
                        &format!("<saml:Advice>{signed}</saml:Advice><saml:AuthnStatement"),
                        1,
                    ),
                    1,
                ),
                "assertion_not_signed",
            ),
        ],
    );
}

/// XSW5: the evil assertion carries the copied signature; the original (its signature removed) is appended.
#[test]
fn xsw5_copied_signature_original_appended() {
    let orig = assertion_signed();
    let signed = element(&orig, "saml:Assertion");
    let sig = element(&signed, "ds:Signature");
    let bare_original = without(&signed, "ds:Signature");
    let evil_with_sig =
        evil_assertion("_evil_a").replacen("</saml:Issuer>", &format!("</saml:Issuer>{sig}"), 1);
    expect_all(
        "XSW5",
        vec![
            (
                "original appended",
                orig.replacen(&signed, &format!("{evil_with_sig}{bare_original}"), 1),
                "multiple_assertions",
            ),
            (
                "original in Extensions",
                orig.replacen(&signed, &evil_with_sig, 1).replacen(
                    "<samlp:Status>",
                    &format!("<samlp:Extensions>{bare_original}</samlp:Extensions><samlp:Status>"),
                    1,
                ),
                "signature_not_on_assertion",
            ),
            ("original dropped", orig.replacen(&signed, &evil_with_sig, 1), "reference_not_found"),
        ],
    );
}

/// XSW6: the evil assertion carries the copied signature, with the original assertion inside that signature.
#[test]
fn xsw6_original_inside_the_copied_signature() {
    let orig = assertion_signed();
    let signed = element(&orig, "saml:Assertion");
    let sig = element(&signed, "ds:Signature");
    let bare_original = without(&signed, "ds:Signature");
    let evil_with = |content: &str| {
        evil_assertion("_evil_a").replacen(
            "</saml:Issuer>",
            &format!("</saml:Issuer>{}", into_signature(&sig, content)),
            1,
        )
    };
    expect_all(
        "XSW6",
        vec![
            (
                "child of Signature",
                orig.replacen(&signed, &evil_with(&bare_original), 1),
                "malformed_signature",
            ),
            (
                "in a ds:Object",
                orig.replacen(&signed, &evil_with(&format!("<ds:Object>{bare_original}</ds:Object>")), 1),
                "signature_not_on_assertion",
            ),
        ],
    );
}

/// XSW7: the original signed assertion hidden in `samlp:Extensions`; an evil assertion where the assertion belongs.
#[test]
fn xsw7_original_in_extensions() {
    let orig = assertion_signed();
    let signed = element(&orig, "saml:Assertion");
    let sig = element(&signed, "ds:Signature");
    let hide = |doc: String| {
        doc.replacen(
            "<samlp:Status>",
            &format!("<samlp:Extensions>{signed}</samlp:Extensions><samlp:Status>"),
            1,
        )
    };
    let evil_with_sig =
        evil_assertion("_evil_a").replacen("</saml:Issuer>", &format!("</saml:Issuer>{sig}"), 1);
    expect_all(
        "XSW7",
        vec![
            (
                "unsigned evil",
                hide(orig.replacen(&signed, &evil_assertion("_evil_a"), 1)),
                "assertion_not_signed",
            ),
            (
                "evil with the copied signature",
                hide(orig.replacen(&signed, &evil_with_sig, 1)),
                "signature_not_on_assertion",
            ),
            ("evil reusing the ID", hide(orig.replacen(&signed, &evil_assertion("_a1"), 1)), "duplicate_id"),
        ],
    );
}

/// XSW8: the evil assertion's copied signature holds, in a `ds:Object`, the original assertion without its signature.
#[test]
fn xsw8_original_in_an_object_of_the_copied_signature() {
    let orig = assertion_signed();
    let signed = element(&orig, "saml:Assertion");
    let sig = element(&signed, "ds:Signature");
    let bare_original = without(&signed, "ds:Signature");
    let with_object = into_signature(&sig, &format!("<ds:Object>{bare_original}</ds:Object>"));
    let evil =
        |id: &str| evil_assertion(id).replacen("</saml:Issuer>", &format!("</saml:Issuer>{with_object}"), 1);
    expect_all(
        "XSW8",
        vec![
            ("different ID", orig.replacen(&signed, &evil("_evil_a"), 1), "signature_not_on_assertion"),
            ("same ID", orig.replacen(&signed, &evil("_a1"), 1), "duplicate_id"),
        ],
    );
}

/// Variants that leave the genuine signed assertion in its place: accepted, and the subject is the signed one.
#[test]
fn evil_content_elsewhere_never_replaces_the_signed_subject() {
    let orig = assertion_signed();
    let in_extensions = orig.replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{}</samlp:Extensions><samlp:Status>", evil_assertion("_evil_a")),
        1,
    );
    assert_eq!(code(&saml(), &in_extensions), "accepted (alice@example.org)");
    let in_status = orig.replacen(
        "</samlp:Status>",
        &format!("<samlp:StatusDetail>{}</samlp:StatusDetail></samlp:Status>", evil_assertion("_evil_a")),
        1,
    );
    assert_eq!(code(&saml(), &in_status), "accepted (alice@example.org)");
    // Inside the signed Response, any addition breaks the Response signature.
    let r = response_signed();
    let tampered = r.replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{}</samlp:Extensions><samlp:Status>", evil_assertion("_evil_a")),
        1,
    );
    assert_eq!(code(&saml(), &tampered), "digest_mismatch");
}
