//! Unit tests of the manifest, the outcomes and the reports.

use super::*;

fn manifest(text: &str) -> Result<Vec<Case>, UsageError> {
    parse_manifest(text, Path::new("replay.toml")).map(|m| m.cases)
}

fn problem(text: &str) -> (String, FieldProblem) {
    match manifest(text) {
        Err(UsageError::Field { field, problem, .. }) => (field, problem),
        other => panic!("expected a field error, got {other:?}"),
    }
}

fn wsse(local: &str) -> Outcome {
    Outcome::Fault(FaultCode::new(WSSE_NS, local))
}

#[test]
fn manifest_with_defaults() {
    let cases = manifest(
        r#"
[defaults]
route = "/demo"
soap_action = "urn:example:GetPatient"

[[case]]
file = "a.xml"
expect = "accepted"

[[case]]
file = "sub/b.xml"
name = "signed call"
route = "/other"
soap_action = ""
soap_version = "1.2"
expect = "wsse:FailedCheck"
status = 400
"#,
    )
    .unwrap();
    assert_eq!(
        cases,
        [
            Case {
                name: "a.xml".into(),
                file: "a.xml".into(),
                route: "/demo".into(),
                soap_action: Some("urn:example:GetPatient".into()),
                soap_version: None,
                expect: Outcome::Accepted,
                status: None,
                sign: false,
                replace: Vec::new(),
            },
            Case {
                name: "signed call".into(),
                file: "sub/b.xml".into(),
                route: "/other".into(),
                soap_action: Some(String::new()),
                soap_version: Some(SoapVersion::Soap12),
                expect: wsse("FailedCheck"),
                status: Some(400),
                sign: false,
                replace: Vec::new(),
            },
        ]
    );
}

#[test]
fn manifest_refusals() {
    let unknown = manifest("[[case]]\nfile = \"a.xml\"\nexpect = \"accepted\"\nroute = \"/x\"\nbogus = 1\n");
    match unknown {
        Err(e @ UsageError::Syntax { line: 5, .. }) => {
            assert!(e.to_string().contains("unknown field `bogus`"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(manifest("[defaults]\nroute = \"/x\"\n"), Err(UsageError::NoCases { .. })));
    assert!(matches!(
        manifest("[defaults]\nrout = \"/x\"\n[[case]]\nfile = \"a\"\nexpect = \"accepted\""),
        Err(UsageError::Syntax { line: 2, .. })
    ));
    assert!(
        matches!(manifest("[[case]]\nfile = \"a.xml\"\n"), Err(UsageError::Syntax { .. })),
        "expect needed"
    );
    let case = |body: &str| format!("[defaults]\nroute = \"/d\"\n[[case]]\n{body}\n");
    let ok = "expect = \"accepted\"";
    assert_eq!(problem(&case(&format!("file = \"../x.xml\"\n{ok}"))).1, FieldProblem::ParentDirectory);
    assert_eq!(problem(&case(&format!("file = \"a/../../x.xml\"\n{ok}"))).1, FieldProblem::ParentDirectory);
    assert_eq!(problem(&case(&format!("file = \"/etc/passwd\"\n{ok}"))).1, FieldProblem::AbsolutePath);
    assert_eq!(
        problem(&case(&format!("file = \"\"\n{ok}"))),
        ("case[0].file".into(), FieldProblem::EmptyPath)
    );
    assert!(manifest(&case(&format!("file = \"./a.xml\"\n{ok}"))).is_ok());
    assert_eq!(
        problem(&format!("[[case]]\nfile = \"a\"\n{ok}")),
        ("case[0].route".into(), FieldProblem::RouteMissing)
    );
    assert_eq!(problem(&case(&format!("file = \"a\"\nroute = \"demo\"\n{ok}"))).1, FieldProblem::BadRoute);
    assert_eq!(problem(&case(&format!("file = \"a\"\nroute = \"/a b\"\n{ok}"))).1, FieldProblem::BadRoute);
    assert_eq!(
        problem("[defaults]\nroute = \"x\"\n[[case]]\nfile = \"a\"\nexpect = \"accepted\"").0,
        "defaults.route"
    );
    assert_eq!(
        problem(&case(&format!("file = \"a\"\nsoap_action = \"a\\\"b\"\n{ok}"))).1,
        FieldProblem::BadAction
    );
    assert_eq!(
        problem(&case(&format!("file = \"a\"\nsoap_action = \"a\\nb\"\n{ok}"))).1,
        FieldProblem::BadAction
    );
    assert_eq!(
        problem(&case(&format!("file = \"a\"\nsoap_version = \"1.3\"\n{ok}"))).1,
        FieldProblem::BadSoapVersion
    );
    assert_eq!(problem(&case("file = \"a\"\nexpect = \"accepted\"\nstatus = 99")).1, FieldProblem::BadStatus);
    assert_eq!(problem(&case("file = \"a\"\nexpect = \"accepted\"\nname = \"\"")).1, FieldProblem::BadName);
    let (field, p) = problem(&case("file = \"a\"\nexpect = \"foo:Bar\""));
    assert_eq!(
        (field.as_str(), p),
        ("case[0].expect", FieldProblem::BadExpectation(ExpectProblem::UnknownPrefix("foo".into())))
    );
    let e = manifest(&case("file = \"../a\"\nexpect = \"accepted\"")).unwrap_err().to_string();
    assert_eq!(e, "replay.toml: case[0].file: \"../a\" must stay inside the folder (no `..`)");
}

#[test]
fn expectations() {
    assert_eq!(parse_expectation("accepted"), Ok(Outcome::Accepted));
    assert_eq!(parse_expectation("http:429"), Ok(Outcome::Http(429)));
    assert_eq!(parse_expectation("wsse:MessageExpired"), Ok(wsse("MessageExpired")));
    assert_eq!(parse_expectation("soap:Server"), Ok(Outcome::Fault(FaultCode::new(SOAP11_NS, "Server"))));
    assert_eq!(
        parse_expectation("soap:Client.Auth"),
        Ok(Outcome::Fault(FaultCode::new(SOAP11_NS, "Client.Auth")))
    );
    assert_eq!(parse_expectation("env:Sender"), Ok(Outcome::Fault(FaultCode::new(SOAP12_NS, "Sender"))));
    assert_eq!(parse_expectation("{urn:x}Nope"), Ok(Outcome::Fault(FaultCode::new("urn:x", "Nope"))));
    for (bad, p) in [
        ("", ExpectProblem::Form),
        ("Accepted", ExpectProblem::Form),
        ("InvalidSecurity", ExpectProblem::Form),
        ("{}X", ExpectProblem::Form),
        ("{urn:x", ExpectProblem::Form),
        ("http:abc", ExpectProblem::Status),
        ("http:99", ExpectProblem::Status),
        ("http:+500", ExpectProblem::Status),
        ("http:600", ExpectProblem::Status),
        ("wsse:", ExpectProblem::LocalName),
        ("wsse:a:b", ExpectProblem::LocalName),
        ("wsse: X", ExpectProblem::LocalName),
        ("ds:X", ExpectProblem::UnknownPrefix("ds".into())),
    ] {
        assert_eq!(parse_expectation(bad), Err(p), "{bad:?}");
    }
    for s in ["accepted", "http:413", "wsse:FailedCheck", "soap:Server", "env:Receiver", "{urn:x}Y"] {
        assert_eq!(parse_expectation(s).unwrap().to_string(), s, "round trip");
    }
}

const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const S12: &str = "http://www.w3.org/2003/05/soap-envelope";

fn fault11(code: &str, decls: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<s:Envelope xmlns:s=\"{S11}\" {decls}><s:Body><s:Fault><faultcode>{code}</faultcode>\
         <faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>"
    )
}

fn fault12(code: &str, decls: &str) -> String {
    format!(
        "<e:Envelope xmlns:e=\"{S12}\" {decls}><e:Body><e:Fault><e:Code>{code}</e:Code>\
         <e:Reason><e:Text xml:lang=\"en\">x</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"
    )
}

#[test]
fn classifies_soap11_faults_by_namespace() {
    let w = format!("xmlns:wsse=\"{WSSE_NS}\"");
    assert_eq!(classify(500, fault11("wsse:InvalidSecurity", &w).as_bytes()), wsse("InvalidSecurity"));
    // Another prefix bound to the same namespace is the same code; white space around the QName is collapsed.
    let q = format!("xmlns:q=\"{WSSE_NS}\"");
    assert_eq!(classify(500, fault11(" q:FailedCheck\n", &q).as_bytes()), wsse("FailedCheck"));
    assert_eq!(classify(500, fault11("s:Server", "").as_bytes()).to_string(), "soap:Server");
    assert_eq!(classify(500, fault11("s:Client", "").as_bytes()), parse_expectation("soap:Client").unwrap());
    // The wsse prefix bound to something else is not a WS-Security code.
    let other = classify(500, fault11("wsse:FailedCheck", "xmlns:wsse=\"urn:not-wss\"").as_bytes());
    assert_ne!(other, wsse("FailedCheck"));
    assert_eq!(other.to_string(), "{urn:not-wss}FailedCheck");
    // An undeclared prefix resolves to nothing and matches nothing.
    let unbound = classify(500, fault11("wsse:FailedCheck", "").as_bytes());
    assert_ne!(unbound, wsse("FailedCheck"));
    assert_eq!(unbound.to_string(), "\"wsse:FailedCheck\" (a fault code whose prefix is not declared)");
    // A fault with 200 is still a fault.
    assert_eq!(classify(200, fault11("s:Server", "").as_bytes()).to_string(), "soap:Server");
}

#[test]
fn classifies_soap12_faults_by_innermost_subcode() {
    let w = format!("xmlns:wsse=\"{WSSE_NS}\"");
    let sub =
        "<e:Value>e:Sender</e:Value><e:Subcode><e:Value>wsse:FailedAuthentication</e:Value></e:Subcode>";
    assert_eq!(classify(400, fault12(sub, &w).as_bytes()), wsse("FailedAuthentication"));
    let nested = "<e:Value>e:Sender</e:Value><e:Subcode><e:Value>a:Outer</e:Value>\
                  <e:Subcode><e:Value>a:Inner</e:Value></e:Subcode></e:Subcode>";
    assert_eq!(classify(400, fault12(nested, "xmlns:a=\"urn:a\"").as_bytes()).to_string(), "{urn:a}Inner");
    assert_eq!(
        classify(500, fault12("<e:Value>e:Receiver</e:Value>", "").as_bytes()),
        parse_expectation("env:Receiver").unwrap()
    );
    assert_eq!(
        classify(400, fault12("<e:Value>e:Sender</e:Value>", "").as_bytes()).to_string(),
        "env:Sender"
    );
}

#[test]
fn classifies_everything_else_by_status() {
    let ok = format!("<s:Envelope xmlns:s=\"{S11}\"><s:Body><r:Ok xmlns:r=\"urn:r\"/></s:Body></s:Envelope>");
    assert_eq!(classify(200, ok.as_bytes()), Outcome::Accepted);
    assert_eq!(classify(204, b""), Outcome::Accepted);
    assert_eq!(classify(200, b"{\"json\": true}"), Outcome::Accepted);
    assert_eq!(classify(500, ok.as_bytes()), Outcome::Http(500), "no Fault: only the status says");
    let problem = br#"{"type":"about:blank","title":"Too Many Requests","status":429}"#;
    assert_eq!(classify(429, problem), Outcome::Http(429));
    assert_eq!(classify(413, b""), Outcome::Http(413));
    // Bodies the hardened parser refuses are not faults.
    let dtd = format!("<!DOCTYPE x []>{}", fault11("s:Server", ""));
    assert_eq!(classify(500, dtd.as_bytes()), Outcome::Http(500));
    assert_eq!(classify(502, b"<html><body>Bad gateway</body></html>"), Outcome::Http(502));
    // A Fault without a code is a fault, and matches no expectation.
    let bare = format!("<s:Envelope xmlns:s=\"{S11}\"><s:Body><s:Fault/></s:Body></s:Envelope>");
    assert!(matches!(classify(500, bare.as_bytes()), Outcome::Fault(FaultCode::Missing)));
}

#[test]
fn detects_versions() {
    assert_eq!(detect_version(fault11("s:Server", "").as_bytes()), Ok(SoapVersion::Soap11));
    assert_eq!(detect_version(fault12("", "").as_bytes()), Ok(SoapVersion::Soap12));
    assert_eq!(detect_version(b"<a xmlns='urn:a'/>"), Err(VersionProblem::NotSoap(Some("urn:a".into()))));
    assert_eq!(detect_version(b"<a/>"), Err(VersionProblem::NotSoap(None)));
    assert!(matches!(detect_version(b"<a>"), Err(VersionProblem::NotXml(_))));
}

#[test]
fn reports_name_the_mismatch() {
    let case =
        manifest("[[case]]\nfile = \"a.xml\"\nroute = \"/d\"\nexpect = \"wsse:FailedCheck\"\nstatus = 500")
            .unwrap()
            .remove(0);
    let v = SoapVersion::Soap11;
    let pass = CaseReport::new(&case, v, Ok((500, wsse("FailedCheck"))), Duration::from_millis(3));
    assert!(pass.pass && pass.mismatch.is_none());
    assert_eq!(pass.line(), "PASS a.xml [a.xml]: wsse:FailedCheck (HTTP 500, 3 ms)\n");
    let wrong = CaseReport::new(&case, v, Ok((500, wsse("InvalidSecurity"))), Duration::ZERO);
    assert_eq!(wrong.mismatch, Some("outcome"));
    assert_eq!(
        wrong.line(),
        "FAIL a.xml [a.xml]: expected wsse:FailedCheck (HTTP 500), got wsse:InvalidSecurity (HTTP 500, 0 ms)\n"
    );
    let status = CaseReport::new(&case, v, Ok((400, wsse("FailedCheck"))), Duration::ZERO);
    assert_eq!(status.mismatch, Some("status"));
    let error = CaseReport::new(&case, v, Err("cannot connect: refused".into()), Duration::ZERO);
    assert_eq!((error.mismatch, error.actual.as_str(), error.status), (Some("transport"), "error", None));
    let summary = Summary::of(&[pass, wrong, status, error]);
    assert_eq!(summary, Summary { total: 4, passed: 1, failed: 3, transport_errors: 1 });
}

#[test]
fn signer_and_replace_in_the_manifest() {
    let text = "[defaults]\nroute = \"/d\"\nsign = true\n[signer]\nkey = \"k.pem\"\ncert = \"c.pem\"\n\
                reference = \"ski\"\n[[case]]\nfile = \"a.xml\"\nexpect = \"accepted\"\n\
                [[case]]\nfile = \"b.xml\"\nsign = false\nreplace = [[\"a\", \"b\"], [\"c\", \"\"]]\n\
                expect = \"accepted\"\n";
    let m = parse_manifest(text, Path::new("replay.toml")).unwrap();
    let signer = m.signer.unwrap();
    assert_eq!(
        (signer.ttl, signer.reference),
        (300, crate::wss::secure::TokenReference::SubjectKeyIdentifier)
    );
    assert_eq!(signer.key, PathBuf::from("k.pem"));
    assert!(m.cases[0].sign && !m.cases[1].sign);
    assert_eq!(m.cases[1].replace, [("a".to_owned(), "b".to_owned()), ("c".to_owned(), String::new())]);
    let signer = "[signer]\nkey = \"k\"\ncert = \"c\"\n";
    let case = "[[case]]\nfile = \"a.xml\"\nroute = \"/d\"\nexpect = \"accepted\"\n";
    assert_eq!(
        problem(&format!("{case}sign = true\n")),
        ("case[0].sign".into(), FieldProblem::SignerMissing)
    );
    assert_eq!(problem(&format!("{signer}ttl = 0\n{case}")), ("signer.ttl".into(), FieldProblem::BadTtl));
    assert_eq!(
        problem(&format!("{signer}reference = \"x\"\n{case}")),
        ("signer.reference".into(), FieldProblem::BadReference)
    );
    assert_eq!(
        problem(&format!("{case}replace = [[\"\", \"x\"]]\n")),
        ("case[0].replace".into(), FieldProblem::EmptyReplace)
    );
    assert!(matches!(manifest(&format!("{case}replace = [[\"a\"]]\n")), Err(UsageError::Syntax { .. })));
}

#[test]
fn bodies_are_edited_once_per_replace_and_every_edit_must_apply() {
    let mut case =
        manifest("[[case]]\nfile = \"a.xml\"\nroute = \"/d\"\nexpect = \"accepted\"\n").unwrap().remove(0);
    assert_eq!(body(&case, b"<a>x x</a>", None).unwrap(), b"<a>x x</a>");
    case.replace = vec![("x".into(), "y".into()), ("<a>".into(), "<b>".into())];
    assert_eq!(body(&case, b"<a>x x</a>", None).unwrap(), b"<b>y x</a>");
    case.replace = vec![("z".into(), "y".into())];
    assert!(matches!(body(&case, b"<a>x</a>", None), Err(BodyProblem::ReplaceNotFound(t)) if t == "z"));
    assert!(matches!(body(&case, &[0xff, 0xfe], None), Err(BodyProblem::NotUtf8)));
}
