//! SOAP faults: every WS-Security fault code of WSS 1.1 §12 produced by a message through the gateway, rendered in
//! SOAP 1.1 and 1.2 and read back with sluis's own parser, the code QNames resolved to their namespaces.

use crate::wss::{
    Msg, SOAP11, SOAP12, V, bst, ca_context, cert, key, run, sign_refs, str_direct, t, ut_context, ut_policy,
    ut_text, x509_message,
};
use sluis::policy::RoutePolicy;
use sluis::reason::{Reason, WsseFault};
use sluis::soap::{SoapVersion, render_fault, render_server_fault};
use sluis::wss::{Rejected, WSSE_NS};
use sluis::xml::{Document, Limits, Node};

/// The element child of `n` named `local` (in any namespace), for reading a fault.
fn child<'d, 'a>(n: Node<'d, 'a>, local: &str) -> Node<'d, 'a> {
    n.element_children().find(|c| c.local_name() == local).unwrap_or_else(|| panic!("no {local} in {n:?}"))
}

/// Resolves the QName in the text of `n` against `n`'s namespace context.
fn qname(n: Node<'_, '_>) -> (String, String) {
    let text = n.text_content();
    let (prefix, local) = text.split_once(':').unwrap();
    (n.lookup_namespace(Some(prefix)).unwrap().to_owned(), local.to_owned())
}

/// Reads a rendered fault: (code namespace, code local, subcode if any, text).
fn read_fault(v: SoapVersion, body: &str) -> ((String, String), Option<(String, String)>, String) {
    let doc = Document::parse_str(body, &Limits::default()).unwrap();
    let env = doc.root_element();
    let ns = v.namespace();
    assert!(env.is(ns, "Envelope"));
    let fault = child(child(env, "Body"), "Fault");
    assert!(fault.is(ns, "Fault"));
    match v {
        SoapVersion::Soap11 => {
            let code = child(fault, "faultcode");
            assert_eq!(code.namespace(), None, "SOAP 1.1 fault children are unqualified");
            (qname(code), None, child(fault, "faultstring").text_content())
        }
        SoapVersion::Soap12 => {
            let code = child(fault, "Code");
            let sub = code
                .element_children()
                .find(|c| c.local_name() == "Subcode")
                .map(|s| qname(child(s, "Value")));
            let text = child(child(fault, "Reason"), "Text");
            assert_eq!(text.attribute(Some(sluis::xml::XML_NAMESPACE), "lang"), Some("en"));
            (qname(child(code, "Value")), sub, text.text_content())
        }
    }
}

/// Checks the fault of `r` in both versions names `want`.
fn check(r: &Rejected, want: WsseFault) {
    assert_eq!(r.wsse_fault(), Some(want), "{:?}", r.reason);
    for v in [SoapVersion::Soap11, SoapVersion::Soap12] {
        let f = Rejected::new(r.reason, Some(v)).fault();
        let (code, sub, text) = read_fault(v, &f.body);
        assert_eq!(text, want.fault_string());
        let wsse = (WSSE_NS.to_owned(), want.local_name().to_owned());
        match v {
            SoapVersion::Soap11 => {
                assert_eq!((code, sub), (wsse, None));
                assert_eq!((f.status, f.content_type), (500, "text/xml; charset=utf-8"));
            }
            SoapVersion::Soap12 => {
                assert_eq!(code, (SOAP12.to_owned(), "Sender".to_owned()));
                assert_eq!(sub, Some(wsse));
                assert_eq!((f.status, f.content_type), (400, "application/soap+xml; charset=utf-8"));
            }
        }
        // Nothing of the message or the fine reason leaks into the fault.
        assert!(!f.body.contains(r.reason.code()), "{}", f.body);
    }
}

#[test]
fn every_wss_fault_code_from_a_message() {
    let policy = RoutePolicy::default();
    let ca = ca_context();
    let rejected = |r: Result<sluis::wss::Accepted, Rejected>| r.map(|_| ()).unwrap_err();

    // UnsupportedSecurityToken: a PKCS#7 BinarySecurityToken.
    let pkcs7 = bst(&cert("leaf-rsa2048")).replace(
        sluis::wss::X509V3,
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7",
    );
    let xml = Msg { tokens: pkcs7, ..Msg::default() }.xml();
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::UnsupportedSecurityToken);

    // UnsupportedAlgorithm: XML Encryption in the header.
    let enc = r#"<xenc:EncryptedKey xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/>"#;
    let xml = Msg { tokens: enc.into(), ..Msg::default() }.xml();
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::UnsupportedAlgorithm);

    // InvalidSecurity: no Timestamp where the route requires one.
    let m = Msg { timestamp: None, tokens: bst(&cert("leaf-rsa2048")), ..Msg::default() };
    let xml = sign_refs(&m.xml(), &key("leaf-rsa2048"), &["Body-1"], &str_direct(), None);
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::InvalidSecurity);

    // InvalidSecurityToken: a certificate expired at the verification time.
    let xml = x509_message(&Msg::default(), "leaf-expired");
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::InvalidSecurityToken);

    // FailedAuthentication: a wrong password.
    let xml = Msg { tokens: ut_text("alice", "wrong", None, None), ..Msg::default() }.xml();
    check(&rejected(run(&ut_context(), &ut_policy(), V::S11, &xml)), WsseFault::FailedAuthentication);

    // FailedCheck: the signed Body changed.
    let xml = x509_message(&Msg::default(), "leaf-rsa2048").replace("999911120", "999911121");
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::FailedCheck);

    // SecurityTokenUnavailable: the STR points at a token that is not there.
    let xml =
        sign_refs(&Msg::default().xml(), &key("leaf-rsa2048"), &["Body-1", "TS-1"], &str_direct(), None);
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::SecurityTokenUnavailable);

    // MessageExpired: the Timestamp expired.
    let xml =
        x509_message(&Msg { timestamp: Some((t(-1000), Some(t(-700)))), ..Msg::default() }, "leaf-rsa2048");
    check(&rejected(run(&ca, &policy, V::S11, &xml)), WsseFault::MessageExpired);

    // The same, sent as SOAP 1.2: the Rejected carries the version and renders in it.
    let xml = x509_message(
        &Msg { v: V::S12, timestamp: Some((t(-1000), Some(t(-700)))), ..Msg::default() },
        "leaf-rsa2048",
    );
    let r = rejected(run(&ca, &policy, V::S12, &xml));
    assert_eq!(r.version, Some(SoapVersion::Soap12));
    let (code, sub, _) = read_fault(SoapVersion::Soap12, &r.fault().body);
    assert_eq!(code.1, "Sender");
    assert_eq!(sub.unwrap().1, "MessageExpired");
}

#[test]
fn soap_level_and_server_faults() {
    // MustUnderstand and VersionMismatch use the SOAP codes.
    for (reason, local) in [
        (Reason::Soap(sluis::reason::SoapReason::MustUnderstand), "MustUnderstand"),
        (Reason::Soap(sluis::reason::SoapReason::VersionMismatch), "VersionMismatch"),
    ] {
        for v in [SoapVersion::Soap11, SoapVersion::Soap12] {
            let f = render_fault(v, &reason);
            let ((ns, l), sub, _) = read_fault(v, &f.body);
            assert_eq!((ns.as_str(), l.as_str(), sub), (v.namespace(), local, None));
            assert_eq!(f.status, 500);
        }
    }
    // Internal errors and upstream failures are server faults, with the status the caller chooses.
    let f = render_fault(SoapVersion::Soap11, &Reason::Internal("x"));
    let ((ns, l), _, text) = read_fault(SoapVersion::Soap11, &f.body);
    assert_eq!((ns.as_str(), l.as_str(), f.status), (SOAP11, "Server", 500));
    assert!(!text.contains('x') || !text.contains("internal"));
    for status in [502, 504] {
        let f = render_server_fault(SoapVersion::Soap12, status);
        let ((ns, l), sub, text) = read_fault(SoapVersion::Soap12, &f.body);
        assert_eq!((ns.as_str(), l.as_str(), sub, f.status), (SOAP12, "Receiver", None, status));
        assert_eq!(text, "The service is unavailable");
    }
    // A request that was not SOAP at all is answered in SOAP 1.1.
    let r = Rejected::new(sluis::reason::SoapReason::NotAnEnvelope.into(), None);
    let (code, _, _) = read_fault(SoapVersion::Soap11, &r.fault().body);
    assert_eq!(code, (WSSE_NS.to_owned(), "InvalidSecurity".to_owned()));
}
