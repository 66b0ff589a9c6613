//! `sluis replay` (the binary) against real servers: `sluis::server::Server` on an ephemeral port with a small
//! configuration (UsernameToken routes, an X.509 route on a fixed clock, the demo configuration with file paths), and
//! a mock endpoint for what the gateway never does (oversized and slow answers). Replay runs on a blocking thread so
//! the in-process servers keep serving.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use sluis::clock::{DateTime, FixedClock};
use sluis::config::Config;
use sluis::server::{Options, Server};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::server::{PASSWORD_TEXT, SOAP11, SOAP12, TempDir, WSSE, config_text};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// A UsernameToken (PasswordText) envelope for alice.
fn ut_envelope(soap_ns: &str, password: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope xmlns:s=\"{soap_ns}\"><s:Header>\
         <wsse:Security xmlns:wsse=\"{WSSE}\"><wsse:UsernameToken><wsse:Username>alice</wsse:Username>\
         <wsse:Password Type=\"{PASSWORD_TEXT}\">{password}</wsse:Password></wsse:UsernameToken></wsse:Security>\
         </s:Header><s:Body><m:GetPatient xmlns:m=\"urn:example:patient\"><m:id>42</m:id></m:GetPatient></s:Body>\
         </s:Envelope>"
    )
}

/// The server configuration of tests/server.rs: one worker, a file audit trail in `dir`, alice, and `extra`.
fn config(dir: &Path, extra: &str) -> Config {
    Config::from_toml(&config_text(dir, extra), dir).unwrap()
}

const UT_ROUTE: &str = r#"
[[routes]]
path = "/ut"
[routes.policy]
accepted_tokens = ["username-token"]
signed_parts = []
require_timestamp = false
allow_password_text = true
"#;

struct Running {
    base: String,
    handle: actix_web::dev::ServerHandle,
    auditor: sluis::audit::Auditor,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    audit: PathBuf,
}

impl Running {
    fn audit_text(&self) -> String {
        assert!(self.auditor.flush(Duration::from_secs(5)));
        std::fs::read_to_string(&self.audit).unwrap()
    }

    async fn stop(self) {
        self.handle.stop(true).await;
        self.done.await.unwrap().unwrap();
    }
}

fn start(config: &Config, dir: &Path, clock: Option<&str>) -> Running {
    let mut options = Options { handle_signals: false, ..Options::default() };
    if let Some(at) = clock {
        options.clock = Arc::new(FixedClock(DateTime::parse(at).unwrap()));
    }
    let server = Server::start(config, options).unwrap();
    let base = format!("http://{}", server.addrs()[0]);
    let handle = server.handle();
    let auditor = server.auditor().clone();
    let done = actix_web::rt::spawn(server.run());
    Running { base, handle, auditor, done, audit: dir.join("audit.jsonl") }
}

/// Runs `sluis replay` with `args` on a blocking thread.
async fn replay(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_sluis")).arg("replay").args(args).output().unwrap()
    })
    .await
    .unwrap()
}

fn args(dir: &Path, server: &str, extra: &[&str]) -> Vec<String> {
    let mut v = vec![dir.display().to_string(), "--server".to_owned(), server.to_owned()];
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

/// The JSON report of a run, with its exit code.
fn report(out: &Output) -> (Option<i32>, Value) {
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

/// An address nothing listens on.
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

/// The UsernameToken folder: good and bad calls in both versions.
fn ut_folder(dir: &TempDir) {
    dir.write("ok11.xml", &ut_envelope(SOAP11, "s3cret-pw"));
    dir.write("ok12.xml", &ut_envelope(SOAP12, "s3cret-pw"));
    dir.write("bad11.xml", &ut_envelope(SOAP11, "wrong"));
    dir.write("bad12.xml", &ut_envelope(SOAP12, "wrong"));
}

#[actix_web::test]
async fn all_cases_pass_exit_0_in_manifest_order() {
    let dir = TempDir::new("pass");
    let s = start(&config(&dir.0, UT_ROUTE), &dir.0, None);
    ut_folder(&dir);
    dir.write(
        "replay.toml",
        &format!(
            r#"
[defaults]
route = "/ut"
soap_action = "urn:example:GetPatient"

[[case]]
name = "SOAP 1.1 UsernameToken"
file = "ok11.xml"
expect = "accepted"
status = 200

[[case]]
name = "SOAP 1.2 UsernameToken"
file = "ok12.xml"
soap_action = "urn:example:GetPatient12"
expect = "accepted"

[[case]]
name = "SOAP 1.1 wrong password"
file = "bad11.xml"
expect = "wsse:FailedAuthentication"
status = 500

[[case]]
name = "SOAP 1.2 wrong password, Clark notation"
file = "bad12.xml"
expect = "{{{WSSE}}}FailedAuthentication"
status = 400

[[case]]
file = "./ok11.xml"
route = "/nowhere"
expect = "http:404"
"#
        ),
    );
    let out = replay(args(&dir.0, &s.base, &["--format", "json", "--jobs", "4"])).await;
    let (code, json) = report(&out);
    assert_eq!(code, Some(0), "{json:#}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        json["summary"],
        serde_json::json!({"total": 5, "passed": 5, "failed": 0, "transport_errors": 0})
    );
    let cases = json["cases"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "SOAP 1.1 UsernameToken",
            "SOAP 1.2 UsernameToken",
            "SOAP 1.1 wrong password",
            "SOAP 1.2 wrong password, Clark notation",
            "./ok11.xml"
        ],
        "manifest order, whatever finished first"
    );
    assert!(cases.iter().all(|c| c["pass"] == true && c.get("mismatch").is_none()), "{json:#}");
    assert_eq!(cases[0]["soap_version"], "1.1");
    assert_eq!(cases[1]["soap_version"], "1.2");
    assert_eq!(cases[3]["actual"], "wsse:FailedAuthentication", "reported with the usual prefix");
    assert_eq!((cases[3]["status"].as_u64(), cases[4]["status"].as_u64()), (Some(400), Some(404)));
    // The action went where each binding puts it (SOAPAction for 1.1, the action parameter for 1.2).
    let audit = s.audit_text();
    assert!(audit.contains("\"action\":\"urn:example:GetPatient\""), "{audit}");
    assert!(audit.contains("\"action\":\"urn:example:GetPatient12\""), "{audit}");

    // The same run as text: one line per case and the summary.
    let out = replay(args(&dir.0, &s.base, &[])).await;
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("PASS SOAP 1.1 UsernameToken [ok11.xml]: accepted (HTTP 200, "), "{text}");
    assert_eq!(lines[5], "5 cases: 5 passed, 0 failed (0 without an answer)");
    s.stop().await;
}

#[actix_web::test]
async fn wrong_expectations_exit_1_and_name_the_mismatch() {
    let dir = TempDir::new("mismatch");
    let s = start(&config(&dir.0, UT_ROUTE), &dir.0, None);
    ut_folder(&dir);
    dir.write(
        "cases.toml",
        r#"
[defaults]
route = "/ut"

[[case]]
name = "accepted, but expected a signature failure"
file = "ok11.xml"
expect = "wsse:FailedCheck"

[[case]]
name = "right fault, wrong status"
file = "bad11.xml"
expect = "wsse:FailedAuthentication"
status = 400

[[case]]
name = "right"
file = "bad12.xml"
expect = "wsse:FailedAuthentication"
"#,
    );
    let manifest = dir.0.join("cases.toml").display().to_string();
    let out = replay(args(&dir.0, &s.base, &["--manifest", &manifest, "--format", "json"])).await;
    let (code, json) = report(&out);
    assert_eq!(code, Some(1), "{json:#}");
    assert_eq!(json["summary"]["failed"], 2);
    assert_eq!(json["summary"]["passed"], 1);
    let c = &json["cases"];
    assert_eq!(
        (&c[0]["pass"], &c[0]["mismatch"], &c[0]["expected"], &c[0]["actual"]),
        (
            &Value::Bool(false),
            &Value::from("outcome"),
            &Value::from("wsse:FailedCheck"),
            &Value::from("accepted")
        )
    );
    assert_eq!(
        (&c[1]["mismatch"], &c[1]["expected_status"], &c[1]["status"]),
        (&"status".into(), &400.into(), &500.into())
    );
    assert_eq!(c[2]["pass"], true);

    let out = replay(args(&dir.0, &s.base, &["--manifest", &manifest])).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FAIL accepted, but expected a signature failure [ok11.xml]: expected wsse:FailedCheck, got accepted (HTTP 200, "),
        "{text}"
    );
    assert!(
        text.contains(
            "expected wsse:FailedAuthentication (HTTP 400), got wsse:FailedAuthentication (HTTP 500"
        ),
        "{text}"
    );
    assert!(text.ends_with("3 cases: 1 passed, 2 failed (0 without an answer)\n"), "{text}");
    s.stop().await;
}

#[actix_web::test]
async fn rate_limited_calls_are_http_429() {
    let dir = TempDir::new("rate");
    let s = start(
        &config(&dir.0, &format!("[rate_limit]\nburst = 1\nper_second = 0.01\n{UT_ROUTE}")),
        &dir.0,
        None,
    );
    ut_folder(&dir);
    dir.write(
        "replay.toml",
        "[defaults]\nroute = \"/ut\"\n[[case]]\nfile = \"ok11.xml\"\nexpect = \"accepted\"\n\
         [[case]]\nname = \"over the limit\"\nfile = \"ok11.xml\"\nexpect = \"http:429\"\nstatus = 429\n",
    );
    let out = replay(args(&dir.0, &s.base, &["--format", "json"])).await;
    let (code, json) = report(&out);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["cases"][1]["actual"], "http:429");
    s.stop().await;
}

/// Signed fixtures against an X.509 route on a fixed clock: accepted before the Timestamp expires, MessageExpired
/// after, FailedCheck for a tampered Body, and a second copy of the same signed message refused as a replay.
#[actix_web::test]
async fn signed_fixtures_on_a_fixed_clock() {
    let td = testdata();
    let route = format!(
        r#"
[wss.trust]
ca = ["{td}/pki/root-ca.cert.pem"]
intermediates = ["{td}/pki/intermediate-ca.cert.pem"]
crl = ["{td}/pki/root-ca.crl.pem", "{td}/pki/intermediate-ca.crl.pem"]

[[routes]]
path = "/x509"
[routes.policy]
accepted_tokens = ["x509"]
signed_parts = ["body", "timestamp"]
# The fixtures' Timestamps are valid 2026-2036.
max_timestamp_ttl_seconds = 400000000
"#,
        td = td.display()
    );
    let dir = TempDir::new("x509");
    let files = dir.0.join("fixtures");
    std::fs::create_dir(&files).unwrap();
    for f in [
        "signed/soap11-wss-str-rsa2048.xml",
        "signed/soap12-wss-str-rsa2048.xml",
        "tampered/soap11-body-text-changed.xml",
    ] {
        std::fs::copy(td.join(f), files.join(Path::new(f).file_name().unwrap())).unwrap();
    }
    let manifest = |expect11: &str, expect12: &str, again: &str| {
        format!(
            r#"
[defaults]
route = "/x509"
[[case]]
file = "soap11-wss-str-rsa2048.xml"
expect = "{expect11}"
[[case]]
file = "soap12-wss-str-rsa2048.xml"
expect = "{expect12}"
[[case]]
file = "soap11-body-text-changed.xml"
expect = "wsse:FailedCheck"
[[case]]
name = "the same signed message again"
file = "soap11-wss-str-rsa2048.xml"
expect = "{again}"
"#
        )
    };
    for (at, expect11, expect12, again) in [
        ("2026-06-01T00:00:00Z", "accepted", "accepted", "wsse:InvalidSecurity"),
        ("2037-01-01T00:00:00Z", "wsse:MessageExpired", "wsse:MessageExpired", "wsse:MessageExpired"),
    ] {
        let s = start(&config(&dir.0, &route), &dir.0, Some(at));
        std::fs::write(files.join("replay.toml"), manifest(expect11, expect12, again)).unwrap();
        let out = replay(args(&files, &s.base, &["--format", "json"])).await;
        let (code, json) = report(&out);
        assert_eq!(code, Some(0), "at {at}: {json:#}");
        if at.starts_with("2026") {
            assert!(s.audit_text().contains("message_replayed"), "the second copy is a replay");
        }
        s.stop().await;
    }
}

#[actix_web::test]
async fn shipped_folder_passes_against_the_demo_configuration() {
    let dir = TempDir::new("demo");
    // config/demo.toml with the embedded test PKI as files, an ephemeral port and a file audit trail.
    let mut text = sluis::config::DEMO_TOML.to_owned();
    for (from, to) in [
        ("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"".to_owned()),
        ("embedded:testdata/", format!("{}/", testdata().display())),
        (
            "sink = \"stdout\"",
            format!("sink = \"file\"\npath = \"{}\"\nfsync = \"never\"", dir.0.join("audit.jsonl").display()),
        ),
    ] {
        assert!(text.contains(from), "config/demo.toml changed: no {from}");
        text = text.replace(from, &to);
    }
    let s = start(&Config::from_toml(&text, &dir.0).unwrap(), &dir.0, None);
    let folder = testdata().join("replay");
    let out = replay(args(&folder, &s.base, &["--format", "json", "--jobs", "3"])).await;
    let (code, json) = report(&out);
    assert_eq!(code, Some(0), "{json:#}");
    let manifest = std::fs::read_to_string(folder.join("replay.toml")).unwrap();
    let total = manifest.lines().filter(|l| l.trim() == "[[case]]").count();
    assert!(total >= 6);
    assert_eq!(json["summary"]["passed"], total);
    // Each refusal is for the reason the folder's README says, not by accident.
    let audit = s.audit_text();
    for reason in [
        "security_header_missing",
        "malformed_soap_envelope",
        "dtd_forbidden",
        "unexpected_end_of_input",
        "duplicate_id",
        "unsupported_security_token",
    ] {
        assert!(audit.contains(&format!("\"reason\":\"{reason}\"")), "{reason} missing:\n{audit}");
    }
    s.stop().await;
}

/// What a mock endpoint received.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A mock endpoint: `/big` answers 5 MiB, `/slow` answers after 30 s, `/fault` a SOAP 1.1 fault with a foreign
/// prefix, anything else 200. It records path, Content-Type and SOAPAction.
fn mock() -> (String, Seen, actix_web::dev::ServerHandle) {
    let seen: Seen = Arc::default();
    let rec = seen.clone();
    let server = HttpServer::new(move || {
        let rec = rec.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let rec = rec.clone();
            async move {
                let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
                rec.lock().unwrap().push((req.path().to_owned(), header("content-type"), header("soapaction")));
                match req.path() {
                    "/big" => HttpResponse::Ok().body(vec![b'x'; 5 * 1024 * 1024]),
                    "/slow" => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        HttpResponse::Ok().finish()
                    }
                    "/fault" => HttpResponse::InternalServerError().content_type("text/xml").body(format!(
                        "<S:Envelope xmlns:S=\"{SOAP11}\"><S:Body><S:Fault><faultcode xmlns:x=\"{WSSE}\">x:FailedCheck\
                         </faultcode><faultstring>no</faultstring></S:Fault></S:Body></S:Envelope>"
                    )),
                    _ => HttpResponse::Ok().finish(),
                }
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind("127.0.0.1:0")
    .unwrap();
    let url = format!("http://{}", server.addrs()[0]);
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (url, seen, handle)
}

#[actix_web::test]
async fn headers_oversized_and_slow_answers_against_a_mock() {
    let (url, seen, handle) = mock();
    let dir = TempDir::new("mock");
    ut_folder(&dir);
    dir.write(
        "replay.toml",
        r#"
[[case]]
file = "ok11.xml"
route = "/plain11"
expect = "accepted"
[[case]]
file = "ok12.xml"
route = "/plain12"
soap_action = "urn:a"
expect = "accepted"
[[case]]
file = "ok11.xml"
route = "/fault"
expect = "wsse:FailedCheck"
[[case]]
file = "ok11.xml"
route = "/big"
expect = "accepted"
[[case]]
file = "ok11.xml"
route = "/slow"
expect = "accepted"
"#,
    );
    let out = replay(args(&dir.0, &url, &["--format", "json", "--timeout", "2", "--jobs", "5"])).await;
    let (code, json) = report(&out);
    assert_eq!(code, Some(1), "{json:#}");
    let c = &json["cases"];
    assert_eq!(
        (&c[0]["pass"], &c[1]["pass"], &c[2]["pass"]),
        (&true.into(), &true.into(), &true.into()),
        "{json:#}"
    );
    assert_eq!(c[3]["mismatch"], "transport");
    assert!(c[3]["error"].as_str().unwrap().contains("longer than 4194304 bytes"), "{json:#}");
    assert!(c[4]["error"].as_str().unwrap().contains("within 2 s"), "{json:#}");
    assert_eq!(json["summary"]["transport_errors"], 2);
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    let find = |p: &str| seen.iter().find(|(path, ..)| path == p).unwrap().clone();
    assert_eq!(
        find("/plain11"),
        ("/plain11".into(), Some("text/xml; charset=utf-8".into()), Some("\"\"".into())),
        "SOAP 1.1 always sends SOAPAction (empty when the manifest has none)"
    );
    assert_eq!(
        find("/plain12"),
        ("/plain12".into(), Some("application/soap+xml; charset=utf-8; action=\"urn:a\"".into()), None)
    );
    handle.stop(false).await;
}

#[test]
fn unreachable_server_is_a_failure_not_a_usage_error() {
    let dir = TempDir::new("closed");
    ut_folder(&dir);
    dir.write("replay.toml", "[[case]]\nfile = \"ok11.xml\"\nroute = \"/ut\"\nexpect = \"accepted\"\n");
    let out = Command::new(env!("CARGO_BIN_EXE_sluis"))
        .arg("replay")
        .args(args(&dir.0, &closed_port(), &["--format", "json"]))
        .output()
        .unwrap();
    let (code, json) = report(&out);
    assert_eq!(code, Some(1));
    assert_eq!(json["cases"][0]["actual"], "error");
    assert!(json["cases"][0]["error"].as_str().unwrap().contains("cannot connect"), "{json:#}");
}

#[test]
fn bad_manifests_and_arguments_exit_2_before_sending() {
    let dir = TempDir::new("usage");
    ut_folder(&dir);
    std::fs::copy(testdata().join("replay/tampered-soap11-duplicate-id.xml"), dir.0.join("signed.xml"))
        .unwrap();
    let signer = |key: &str, cert: &str| {
        let pki = testdata().join("pki");
        format!(
            "[signer]\nkey = {:?}\ncert = {:?}\n",
            pki.join(key).display().to_string(),
            pki.join(cert).display().to_string()
        )
    };
    std::fs::write(dir.0.join("not-soap.xml"), "<a xmlns='urn:a'/>").unwrap();
    // Nothing listens here: a run that got as far as sending would exit 1, not 2.
    let server = closed_port();
    let run = |manifest: &str, server: &str| {
        dir.write("replay.toml", manifest);
        let out = Command::new(env!("CARGO_BIN_EXE_sluis"))
            .arg("replay")
            .args(args(&dir.0, server, &[]))
            .output()
            .unwrap();
        if out.status.code() == Some(2) {
            assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
        }
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let ok_case = "[[case]]\nfile = \"ok11.xml\"\nroute = \"/ut\"\nexpect = \"accepted\"\n";
    let manifest = dir.0.join("replay.toml").display().to_string();
    for (text, wanted) in [
        (format!("{ok_case}bogus = true\n"), format!("{manifest}: line 5, column 1: unknown field `bogus`")),
        (
            "[[case]]\nfile = \"../replay.toml\"\nroute = \"/ut\"\nexpect = \"accepted\"\n".to_owned(),
            format!("{manifest}: case[0].file: \"../replay.toml\" must stay inside the folder"),
        ),
        (
            "[[case]]\nfile = \"/etc/hostname\"\nroute = \"/ut\"\nexpect = \"accepted\"\n".to_owned(),
            "case[0].file: \"/etc/hostname\" must be relative".to_owned(),
        ),
        (
            format!("{ok_case}[[case]]\nfile = \"ok12.xml\"\nroute = \"/ut\"\nexpect = \"wsse:Bogus:X\"\n"),
            "case[1].expect: \"wsse:Bogus:X\" the code's local part is not an XML name".to_owned(),
        ),
        ("[[case]]\nfile = \"ok11.xml\"\nexpect = \"accepted\"\n".to_owned(), "case[0].route".to_owned()),
        ("[defaults]\nroute = \"/ut\"\n".to_owned(), "no [[case]] entries".to_owned()),
        (
            "[[case]]\nfile = \"missing.xml\"\nroute = \"/ut\"\nexpect = \"accepted\"\n".to_owned(),
            format!("{}: No such file", dir.0.join("missing.xml").display()),
        ),
        (
            "[[case]]\nfile = \"not-soap.xml\"\nroute = \"/ut\"\nexpect = \"accepted\"\n".to_owned(),
            "not-soap.xml: cannot tell the SOAP version: the document element is in namespace urn:a"
                .to_owned(),
        ),
        // Signing: no [signer]; a key that is not the certificate's; a template that already has a Security
        // header; a `replace` that misses.
        (
            format!("{ok_case}sign = true\n"),
            "case[0].sign: \"true\" sign = true needs a [signer] section".to_owned(),
        ),
        (
            format!("{}{ok_case}sign = true\n", signer("leaf-rsa3072.key.pem", "leaf-rsa2048.cert.pem")),
            "leaf-rsa3072.key.pem: not the private key of".to_owned(),
        ),
        (
            format!("{}{ok_case}sign = true\n", signer("leaf-rsa2048.key.pem", "no-such.cert.pem")),
            "[signer]: ".to_owned(),
        ),
        (
            format!(
                "{}[[case]]\nfile = \"signed.xml\"\nroute = \"/ut\"\nexpect = \"accepted\"\nsign = true\n",
                signer("leaf-rsa2048.key.pem", "leaf-rsa2048.cert.pem")
            ),
            "signed.xml: cannot sign: the envelope already has a wsse:Security header".to_owned(),
        ),
        (
            format!("{ok_case}replace = [[\"no such text\", \"x\"]]\n"),
            "ok11.xml: replace: \"no such text\" does not occur in the message".to_owned(),
        ),
    ] {
        let (code, err) = run(&text, &server);
        assert_eq!(code, Some(2), "{text}\n{err}");
        assert!(err.contains(&wanted), "wanted {wanted:?} in:\n{err}");
    }
    // A manifest-given version lets a file the parser refuses be sent anyway: this one gets as far as connecting.
    let (code, err) = run(
        "[[case]]\nfile = \"not-soap.xml\"\nsoap_version = \"1.2\"\nroute = \"/ut\"\nexpect = \"accepted\"\n",
        &server,
    );
    assert_eq!(code, Some(1), "{err}");
    for bad in ["ftp://example.org", "http://example.org/?q=1", "not a url", ""] {
        let (code, err) = run(ok_case, bad);
        assert_eq!(code, Some(2), "{bad}");
        assert!(err.starts_with("sluis replay: --server"), "{err}");
    }
    // A link out of the folder is refused like `..`.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(testdata().join("replay/unsigned-soap11.xml"), dir.0.join("link.xml"))
            .unwrap();
        let (code, err) =
            run("[[case]]\nfile = \"link.xml\"\nroute = \"/ut\"\nexpect = \"accepted\"\n", &server);
        assert_eq!(code, Some(2));
        assert!(
            err.contains("case[0].file: \"link.xml\" resolves (through a link) to a file outside the folder"),
            "{err}"
        );
    }
    // Arguments clap refuses.
    let out = Command::new(env!("CARGO_BIN_EXE_sluis"))
        .args(["replay"])
        .arg(&dir.0)
        .args(["--server", &server, "--jobs", "65"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
