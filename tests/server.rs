//! The gateway over HTTP: a real `sluis::server::Server` on an ephemeral port, a mock upstream (actix, also on an
//! ephemeral port) that records what reaches it, and reqwest as the client. Messages authenticate with a UsernameToken
//! (PasswordText over loopback), which needs no signing tool; signed messages are covered by `tests/wss_fixtures.rs`
//! and the zeep end-to-end test (`scripts/e2e-zeep.sh`).

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use sluis::config::Config;
use sluis::server::{Options, Server};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// argon2id of `s3cret-pw` (made with `sluis keys hash-secret --stdin`).
pub(crate) const ALICE_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$GIGmTa8gdfQQRImmW9g3BQ$NDNYL/GYGAwBN/avAPp2fQ4dQdYtw4m3zCxeukK+eRs";
pub(crate) const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
pub(crate) const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub(crate) const PASSWORD_TEXT: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";

/// The Security header of a UsernameToken message (so tests can check it was spliced out).
fn security_header(password: &str) -> String {
    format!(
        "<wsse:Security xmlns:wsse=\"{WSSE}\"><wsse:UsernameToken><wsse:Username>alice</wsse:Username>\
         <wsse:Password Type=\"{PASSWORD_TEXT}\">{password}</wsse:Password></wsse:UsernameToken></wsse:Security>"
    )
}

fn envelope(soap_ns: &str, password: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<s:Envelope xmlns:s=\"{soap_ns}\"><s:Header>{}</s:Header>\
         <s:Body><m:GetPatient xmlns:m=\"urn:example:patient\"><m:id>42</m:id></m:GetPatient></s:Body></s:Envelope>",
        security_header(password)
    )
}

/// A temporary directory, removed on drop.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("sluis-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `text` to `name` in the directory and returns the path.
    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test configuration: one worker, a file audit trail, the user alice, and the given extra TOML (routes etc.).
pub(crate) fn config_text(dir: &Path, extra: &str) -> String {
    format!(
        r#"
[server]
listen = "127.0.0.1:0"
workers = 1
shutdown_timeout_secs = 5
request_timeout_secs = 5

[wss]
[[wss.users]]
name = "alice"
password_hash = "{ALICE_HASH}"

[audit]
sink = "file"
path = "{}"
fsync = "never"

{extra}
"#,
        dir.join("audit.jsonl").display()
    )
}

/// A route whose policy accepts alice's UsernameToken (PasswordText, loopback), with the given extra route keys.
pub(crate) fn ut_route(path: &str, extra: &str) -> String {
    format!(
        r#"
[[routes]]
path = "{path}"
{extra}
[routes.policy]
accepted_tokens = ["username-token"]
signed_parts = []
require_timestamp = false
allow_password_text = true
"#
    )
}

struct Running {
    base: String,
    handle: actix_web::dev::ServerHandle,
    auditor: sluis::audit::Auditor,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    dir: TempDir,
}

impl Running {
    fn audit_lines(&self) -> Vec<String> {
        assert!(self.auditor.flush(Duration::from_secs(5)));
        std::fs::read_to_string(self.dir.0.join("audit.jsonl")).unwrap().lines().map(str::to_owned).collect()
    }

    async fn stop(self) -> TempDir {
        self.handle.stop(true).await;
        self.done.await.unwrap().unwrap();
        self.dir
    }
}

async fn start(tag: &str, extra: &str) -> Running {
    let dir = TempDir::new(tag);
    let config = Config::from_toml(&config_text(&dir.0, extra), &dir.0).unwrap();
    start_config(&config, dir)
}

fn start_config(config: &Config, dir: TempDir) -> Running {
    let server = Server::start(config, Options { handle_signals: false, ..Options::default() }).unwrap();
    let base = format!("http://{}", server.addrs()[0]);
    let handle = server.handle();
    let auditor = server.auditor().clone();
    let done = actix_web::rt::spawn(server.run());
    Running { base, handle, auditor, done, dir }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn post_soap11(url: &str, body: String) -> reqwest::Response {
    client()
        .post(url)
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"urn:example:GetPatient\"")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// What the mock upstream received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

struct Upstream {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    handle: actix_web::dev::ServerHandle,
}

/// A mock SOAP service: `/echo` answers 200 with a SOAP response; `/slow/<ms>` does so after a delay; `/fault`
/// answers 500 with a SOAP fault. Everything it receives is recorded.
fn upstream() -> Upstream {
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let rec = received.clone();
    let server = HttpServer::new(move || {
        let rec = rec.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let rec = rec.clone();
            async move {
                let path = req.path().to_owned();
                rec.lock().unwrap().push(Received {
                    path: path.clone(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("?").to_owned()))
                        .collect(),
                    body: body.to_vec(),
                });
                if let Some(ms) = path.strip_prefix("/slow/").and_then(|m| m.parse::<u64>().ok()) {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                if path == "/fault" {
                    return HttpResponse::InternalServerError()
                        .content_type("text/xml; charset=utf-8")
                        .body("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>upstream says no</faultstring></soap:Fault></soap:Body></soap:Envelope>");
                }
                HttpResponse::Ok()
                    .content_type("text/xml; charset=utf-8")
                    .insert_header(("x-upstream-private", "not relayed"))
                    .body("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><r:Patient xmlns:r=\"urn:example:patient\">Jan</r:Patient></soap:Body></soap:Envelope>")
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
    Upstream { url, received, handle }
}

/// An address nothing listens on.
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

fn xmllint() -> bool {
    let found = Command::new("xmllint").arg("--version").output().is_ok();
    if !found && std::env::var_os("SLUIS_REQUIRE_ORACLES").is_some() {
        panic!("xmllint is required (SLUIS_REQUIRE_ORACLES is set); run scripts/setup-debian.sh");
    }
    found
}

fn sluis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sluis"))
}

#[actix_web::test]
async fn health_ready_request_id_and_security_headers() {
    let s = start("health", &ut_route("/svc", "")).await;
    let r =
        client().get(format!("{}/healthz", s.base)).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers().get("x-ratelimit-limit").is_none(), "probes are not rate limited");
    // A malformed request id is replaced, not echoed.
    let r = client().get(format!("{}/readyz", s.base)).header("x-request-id", "a b<c>").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["audit"], "ok");
    // Unknown paths are problem+json, and still carry a request id.
    let r = client().get(format!("{}/nope", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(r.headers().contains_key("x-request-id"));
    // Wrong method on a route, or on a probe: 405 with Allow, as a problem.
    let r = client().put(format!("{}/svc", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let r = client().delete(format!("{}/healthz", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    s.stop().await;
}

#[actix_web::test]
async fn wsdl_service_address_points_at_sluis() {
    let dir = TempDir::new("wsdl");
    let text = config_text(&dir.0, &ut_route("/val", "")).replace(
        "listen = \"127.0.0.1:0\"",
        "listen = \"127.0.0.1:0\"\npublic_url = \"https://gw.example.nl/base/\"",
    );
    let s = start_config(&Config::from_toml(&text, &dir.0).unwrap(), dir);
    let r = client().get(format!("{}/val?wsdl", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/xml; charset=utf-8");
    let wsdl = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&wsdl).unwrap();
    let locations: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "address")
        .filter_map(|n| n.attribute("location"))
        .collect();
    assert_eq!(locations, ["https://gw.example.nl/base/val", "https://gw.example.nl/base/val"]);
    // The rest of the file is the built-in WSDL, byte for byte.
    let original = sluis::server::VALIDATION_WSDL
        .replace("http://localhost/rewritten-by-sluis", "https://gw.example.nl/base/val");
    assert_eq!(wsdl, original);
    let r = client().get(format!("{}/val", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 405, "GET without ?wsdl");
    s.stop().await;
}

#[actix_web::test]
async fn rate_limit_headers_and_429_problem() {
    let s =
        start("rate", &format!("[rate_limit]\nburst = 2\nper_second = 0.01\n{}", ut_route("/svc", ""))).await;
    let url = format!("{}/svc?wsdl", s.base);
    let r1 = client().get(&url).send().await.unwrap();
    assert_eq!(r1.status(), 200);
    assert_eq!(r1.headers()["x-ratelimit-limit"], "2");
    assert_eq!(r1.headers()["x-ratelimit-remaining"], "1");
    let reset: u64 = r1.headers()["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
    assert!(reset >= 1);
    let r2 = client().get(&url).send().await.unwrap();
    assert_eq!(r2.headers()["x-ratelimit-remaining"], "0");
    let r3 = client().get(&url).send().await.unwrap();
    assert_eq!(r3.status(), 429);
    assert_eq!(r3.headers()["content-type"], "application/problem+json");
    let retry: u64 = r3.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert!(r3.headers().contains_key("x-request-id"));
    let p: serde_json::Value = serde_json::from_str(&r3.text().await.unwrap()).unwrap();
    assert_eq!(p["type"], "about:blank");
    assert_eq!(p["title"], "Too Many Requests");
    assert_eq!(p["status"], 429);
    assert!(p["detail"].as_str().unwrap().contains("retry"));
    // Probes are exempt.
    assert_eq!(client().get(format!("{}/healthz", s.base)).send().await.unwrap().status(), 200);
    s.stop().await;
}

#[actix_web::test]
async fn cors_only_for_configured_origins() {
    let extra = format!("[cors]\nallowed_origins = [\"https://app.example.nl\"]\n{}", ut_route("/svc", ""));
    let s = start("cors", &extra).await;
    let url = format!("{}/svc?wsdl", s.base);
    let r = client().get(&url).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = client().get(&url).header("origin", "https://app.example.nl").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "https://app.example.nl");
    assert_eq!(r.headers()["vary"], "Origin");
    let pre = client()
        .request(reqwest::Method::OPTIONS, format!("{}/svc", s.base))
        .header("origin", "https://app.example.nl")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, soapaction")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(pre.headers()["access-control-allow-origin"], "https://app.example.nl");
    assert!(pre.headers()["access-control-allow-headers"].to_str().unwrap().contains("soapaction"));
    let pre = client()
        .request(reqwest::Method::OPTIONS, format!("{}/svc", s.base))
        .header("origin", "https://other.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 403);
    // Never a wildcard.
    assert!(
        Config::from_toml(
            &format!("[cors]\nallowed_origins = [\"*\"]\n{}", ut_route("/a", "")),
            Path::new("/")
        )
        .is_err()
    );
    s.stop().await;
}

#[actix_web::test]
async fn validation_response_for_routes_without_upstream() {
    let s = start("validate", &ut_route("/val", "")).await;
    for (ns, ct) in [(SOAP11, "text/xml; charset=utf-8"), (SOAP12, "application/soap+xml; charset=utf-8")] {
        let mut req = client()
            .post(format!("{}/val", s.base))
            .header("content-type", ct)
            .body(envelope(ns, "s3cret-pw"));
        if ns == SOAP11 {
            req = req.header("soapaction", "\"urn:sluis:validation:1#Validate\"");
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], ct);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let xml = r.text().await.unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(doc.root_element().tag_name().namespace(), Some(ns), "answered in the request's version");
        let resp = doc.descendants().find(|n| n.tag_name().name() == "ValidationResponse").unwrap();
        let text =
            |name: &str| resp.descendants().find(|n| n.tag_name().name() == name).and_then(|n| n.text());
        assert_eq!(text("Verdict"), Some("accepted"));
        assert_eq!(text("Subject"), Some("alice"));
        assert_eq!(text("TokenType"), Some("username-token"));
        assert_eq!(text("AuthLevel"), Some("2"));
        if xmllint() {
            let dir = TempDir::new("xsd");
            let file = dir.0.join("response.xml");
            std::fs::write(&file, &xml[resp.range()]).unwrap();
            let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/sluis-validation.xsd");
            let out =
                Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&file).output().unwrap();
            assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), &xml[resp.range()]);
        }
    }
    // A wrong password is a WS-Security fault in the request's version, not a validation response.
    let r = post_soap11(&format!("{}/val", s.base), envelope(SOAP11, "wrong")).await;
    assert_eq!(r.status(), 500);
    assert!(r.text().await.unwrap().contains("<faultcode>wsse:FailedAuthentication</faultcode>"));
    let r = client()
        .post(format!("{}/val", s.base))
        .header("content-type", "application/soap+xml")
        .body(envelope(SOAP12, "wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<env:Value>env:Sender</env:Value>") && body.contains("wsse:FailedAuthentication"),
        "{body}"
    );
    let lines = s.audit_lines();
    assert!(
        lines.iter().any(|l| l.contains("\"kind\":\"soap.validate\"") && l.contains("\"subject\":\"alice\""))
    );
    assert!(
        lines.iter().any(|l| l.contains("\"verdict\":\"refused\"") && l.contains("authentication_failed")),
        "{lines:#?}"
    );
    s.stop().await;
}

#[actix_web::test]
async fn forwards_the_spliced_bytes_with_identity_headers() {
    let up = upstream();
    let route = ut_route("/svc", &format!("upstream = \"{}/echo\"", up.url));
    let s = start("forward", &route).await;
    let sent = envelope(SOAP11, "s3cret-pw");
    let r = client()
        .post(format!("{}/svc", s.base))
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"urn:example:GetPatient\"")
        .header("x-request-id", "req-forward-1")
        .header("x-sluis-subject", "mallory")
        .header("authorization", "Basic c2VjcmV0")
        .body(sent.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/xml; charset=utf-8");
    assert_eq!(r.headers()["x-request-id"], "req-forward-1");
    assert!(
        r.headers().get("x-upstream-private").is_none(),
        "only status, content type and body are relayed"
    );
    assert!(r.text().await.unwrap().contains("<r:Patient xmlns:r=\"urn:example:patient\">Jan</r:Patient>"));

    let got = up.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let g = &got[0];
    assert_eq!(g.path, "/echo");
    // The client's bytes with the Security header cut out: nothing re-serialized.
    assert_eq!(String::from_utf8(g.body.clone()).unwrap(), sent.replace(&security_header("s3cret-pw"), ""));
    assert_eq!(g.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(g.header("soapaction"), Some("\"urn:example:GetPatient\""));
    assert_eq!(
        g.header("x-sluis-subject"),
        Some("alice"),
        "the client's own X-Sluis-Subject is not passed on"
    );
    assert_eq!(g.header("x-sluis-auth-level"), Some("2"));
    assert_eq!(g.header("x-sluis-issuer"), None);
    assert_eq!(g.header("x-request-id"), Some("req-forward-1"));
    assert_eq!(g.header("authorization"), None);

    // The upstream's own fault is relayed unchanged, status included.
    let s2 = {
        let route = ut_route("/svc", &format!("upstream = \"{}/fault\"", up.url));
        start("forward-fault", &route).await
    };
    let r = post_soap11(&format!("{}/svc", s2.base), envelope(SOAP11, "s3cret-pw")).await;
    assert_eq!(r.status(), 500);
    assert!(r.text().await.unwrap().contains("upstream says no"));
    let lines = s.audit_lines();
    let rec: serde_json::Value =
        serde_json::from_str(lines.iter().find(|l| l.contains("soap.request")).unwrap()).unwrap();
    assert_eq!(rec["outcome"]["verdict"], "accepted");
    assert_eq!(rec["outcome"]["upstream_status"], 200);
    assert_eq!(rec["who"]["subject"], "alice");
    assert_eq!(rec["what"]["action"], "urn:example:GetPatient");
    assert_eq!(rec["where"]["request_id"], "req-forward-1");
    assert_eq!(rec["where"]["client_ip"], "127.0.0.1");
    s2.stop().await;
    s.stop().await;
    up.handle.stop(true).await;
}

#[actix_web::test]
async fn refused_calls_never_reach_the_upstream() {
    let up = upstream();
    let s = start("refuse", &ut_route("/svc", &format!("upstream = \"{}/echo\"", up.url))).await;
    let url = format!("{}/svc", s.base);
    let r = post_soap11(&url, envelope(SOAP11, "wrong")).await;
    assert_eq!(r.status(), 500);
    assert!(r.text().await.unwrap().contains("wsse:FailedAuthentication"));
    // Not SOAP at all, and SOAP without a Security header.
    let r = client().post(&url).header("content-type", "application/json").body("{}").send().await.unwrap();
    assert_eq!(r.status(), 415);
    let bare = format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Body/></s:Envelope>");
    let r = post_soap11(&url, bare).await;
    assert!(r.text().await.unwrap().contains("wsse:InvalidSecurity"));
    // Over the route's size limit: refused before it is read.
    let big =
        format!("<s:Envelope xmlns:s=\"{SOAP11}\"><s:Body>{}</s:Body></s:Envelope>", "x".repeat(1_100_000));
    let r = post_soap11(&url, big).await;
    assert_eq!(r.status(), 413);
    assert!(up.received.lock().unwrap().is_empty(), "the upstream saw nothing");
    s.stop().await;
    up.handle.stop(true).await;
}

#[actix_web::test]
async fn upstream_down_is_502_and_slow_is_504() {
    let up = upstream();
    let extra = format!(
        "{}{}",
        ut_route("/down", &format!("upstream = \"{}/echo\"", closed_port())),
        ut_route(
            "/slow",
            &format!(
                "upstream = \"{}/slow/3000\"\nupstream_timeout_secs = 1\nupstream_connect_timeout_secs = 1",
                up.url
            )
        ),
    );
    let s = start("upstream-errors", &extra).await;
    let r = post_soap11(&format!("{}/down", s.base), envelope(SOAP11, "s3cret-pw")).await;
    assert_eq!(r.status(), 502);
    let body = r.text().await.unwrap();
    assert!(body.contains("<faultcode>soap:Server</faultcode>"), "{body}");
    let r = client()
        .post(format!("{}/slow", s.base))
        .header("content-type", "application/soap+xml")
        .body(envelope(SOAP12, "s3cret-pw"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 504);
    let body = r.text().await.unwrap();
    assert!(body.contains("<env:Value>env:Receiver</env:Value>"), "{body}");
    let lines = s.audit_lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"reason\":\"upstream_unreachable\"") && l.contains("\"http_status\":502"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"reason\":\"upstream_timeout\"") && l.contains("\"http_status\":504"))
    );
    assert!(lines.iter().all(|l| !l.contains("upstream_timeout") || l.contains("\"verdict\":\"failed\"")));
    s.stop().await;
    up.handle.stop(true).await;
}

#[actix_web::test]
async fn graceful_shutdown_drains_an_in_flight_request() {
    let up = upstream();
    let s = start("drain", &ut_route("/svc", &format!("upstream = \"{}/slow/700\"", up.url))).await;
    let url = format!("{}/svc", s.base);
    let in_flight =
        actix_web::rt::spawn(async move { post_soap11(&url, envelope(SOAP11, "s3cret-pw")).await });
    // Wait until the upstream has the request, then stop sluis.
    for _ in 0..200 {
        if !up.received.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(up.received.lock().unwrap().len(), 1);
    let base = s.base.clone();
    let handle = s.handle.clone();
    let stopping = actix_web::rt::spawn(async move { handle.stop(true).await });
    let r = in_flight.await.unwrap();
    assert_eq!(r.status(), 200, "the in-flight call completed");
    assert!(r.text().await.unwrap().contains("Jan"));
    stopping.await.unwrap();
    // New connections are refused once stopped.
    assert!(client().get(format!("{base}/healthz")).timeout(Duration::from_secs(2)).send().await.is_err());
    let Running { auditor, done, dir, .. } = s;
    done.await.unwrap().unwrap();
    let audit = std::fs::read_to_string(dir.0.join("audit.jsonl")).unwrap();
    assert!(audit.contains("\"upstream_status\":200"), "{audit}");
    assert!(audit.lines().last().unwrap().contains("server.stop"));
    assert!(!auditor.is_healthy(), "the writer stopped after the final flush");
    up.handle.stop(true).await;
}

#[actix_web::test]
async fn audit_trail_verifies_and_detects_edits_and_deletions() {
    let s = start("audit", &ut_route("/val", "")).await;
    for pw in ["s3cret-pw", "wrong", "s3cret-pw"] {
        post_soap11(&format!("{}/val", s.base), envelope(SOAP11, pw)).await;
    }
    let dir = s.stop().await;
    let file = dir.0.join("audit.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 5, "start, three calls, stop:\n{text}");

    let verify = |path: &Path| sluis().args(["audit", "verify"]).arg(path).output().unwrap();
    let ok = verify(&file);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("OK: 5 records"));

    let modified = dir.0.join("modified.jsonl");
    std::fs::write(&modified, text.replacen("\"subject\":\"alice\"", "\"subject\":\"bob\"", 1)).unwrap();
    let out = verify(&modified);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("BROKEN"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let deleted = dir.0.join("deleted.jsonl");
    let kept: String =
        text.lines().enumerate().filter(|(i, _)| *i != 2).map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(&deleted, kept).unwrap();
    let out = verify(&deleted);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("line 3"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A restarted server continues the same chain.
    let config = Config::from_toml(&config_text(&dir.0, &ut_route("/val", "")), &dir.0).unwrap();
    let s = start_config(&config, dir);
    let dir = s.stop().await;
    let out = verify(&dir.0.join("audit.jsonl"));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("OK: 7 records"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn serve_reports_config_errors_with_file_and_field() {
    let dir = TempDir::new("cli-config");
    let file = dir.0.join("bad.toml");
    std::fs::write(&file, "[[routes]]\npath = \"/ok\"\n[[routes]]\npath = \"no-slash\"\n").unwrap();
    let out = sluis().args(["serve", "--config"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml: routes[1].path: \"no-slash\" must start with '/'"), "{err}");
    std::fs::write(&file, "[server]\nlisten = \"127.0.0.1:1\"\nbogus = true\n").unwrap();
    let out = sluis().args(["serve", "--config"]).arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, column 1") && err.contains("unknown field `bogus`"), "{err}");
    std::fs::write(&file, "[wss.trust]\nca = [\"nowhere.pem\"]\n[[routes]]\npath = \"/a\"\n").unwrap();
    let out = sluis().args(["serve", "--check", "--config"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere.pem"));
}

#[test]
fn demo_configuration_starts_and_says_so() {
    // The demo listens on 127.0.0.1:8080; skip (loudly) if something else holds the port.
    if std::net::TcpListener::bind("127.0.0.1:8080").is_err() {
        eprintln!("skipping: 127.0.0.1:8080 is in use");
        return;
    }
    let mut child = sluis()
        .arg("serve")
        .current_dir(std::env::temp_dir())
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains("listening") {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("no startup");
        seen.push_str(&line);
        seen.push('\n');
    }
    assert!(seen.contains("DEMO configuration") && seen.contains("test keys"), "{seen}");
    let health = std::net::TcpStream::connect("127.0.0.1:8080").and_then(|mut s| {
        use std::io::{Read as _, Write as _};
        s.write_all(b"GET /demo?wsdl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut out = String::new();
        s.read_to_string(&mut out)?;
        Ok(out)
    });
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    let response = health.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("location=\"http://127.0.0.1:8080/demo\""));
    assert!(status.success(), "exit after SIGTERM: {status:?}");
}

#[actix_web::test]
async fn oauth_endpoints_are_mounted_and_audited() {
    use base64::Engine as _;
    let dir = TempDir::new("oauth");
    let key = sluis::trust::SigningKey::generate(sluis::trust::KeyKind::EcP256).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(key.to_pkcs8_der().unwrap());
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    std::fs::write(
        dir.0.join("es.pem"),
        format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n")),
    )
    .unwrap();
    let oauth = format!(
        r#"
[oauth]
issuer = "http://127.0.0.1"
default_audience = "https://api.example.nl"

[[oauth.signing_keys]]
kid = "es-1"
alg = "ES256"
private_key = "es.pem"
state = "active"

[[oauth.clients]]
client_id = "svc"
auth_methods = ["client_secret_basic"]
secret_hash = "{ALICE_HASH}"
grant_types = ["client_credentials"]
scopes = ["read"]
"#
    );
    let up = upstream();
    let bridge = ut_route(
        "/bridge",
        &format!("upstream = \"{}/echo\"\nexchange = true\nexchange_scopes = [\"read\"]", up.url),
    );
    let routes = format!("[metrics]\nenabled = true\n{}{bridge}", ut_route("/svc", ""));
    let config = Config::from_toml(&config_text(&dir.0, &format!("{routes}{oauth}")), &dir.0).unwrap();
    let s = start_config(&config, dir);
    let token = |secret: &'static str| {
        client()
            .post(format!("{}/oauth2/token", s.base))
            .basic_auth("svc", Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=read")
            .send()
    };
    let r = token("s3cret-pw").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers().contains_key("x-request-id"), "the edge middleware wraps the OAuth endpoints too");
    let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    let r = token("wrong").await.unwrap();
    assert_eq!(r.status(), 401);
    let r = client().get(format!("{}/oauth2/token", s.base)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), &r.headers()["allow"]), (405, &"POST".parse().unwrap()));
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let jwks = client().get(format!("{}/oauth2/jwks", s.base)).send().await.unwrap();
    assert_eq!(jwks.status(), 200);
    assert!(jwks.text().await.unwrap().contains("es-1"));
    let ready: serde_json::Value = serde_json::from_str(
        &client().get(format!("{}/readyz", s.base)).send().await.unwrap().text().await.unwrap(),
    )
    .unwrap();
    assert_eq!(ready["checks"]["oauth"], "ok");
    // The bridge: the upstream gets a JWT for alice, audience = itself, instead of anything the client sent.
    let r = client()
        .post(format!("{}/bridge", s.base))
        .header("content-type", "text/xml")
        .header("soapaction", "\"\"")
        .header("authorization", "Bearer forged")
        .body(envelope(SOAP11, "s3cret-pw"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got = up.received.lock().unwrap().clone();
    let auth = got[0].header("authorization").unwrap();
    let jwt = auth.strip_prefix("Bearer ").unwrap();
    assert_ne!(jwt, "forged");
    let payload = jwt.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap())
            .unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], format!("{}/echo", up.url));
    assert_eq!(claims["client_id"], "sluis-gateway");
    assert_eq!(claims["scope"], "read");
    // Metrics: the issued and refused tokens, counted as audited.
    let text = client().get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    for line in [
        "sluis_tokens_issued_total{grant=\"client_credentials\"} 1",
        "sluis_oauth_errors_total{error=\"invalid_client\"} 1",
        "sluis_http_requests_total{route=\"/oauth2/token\",status=\"2xx\"} 1",
        "sluis_http_requests_total{route=\"/oauth2/token\",status=\"4xx\"} 2",
        "sluis_http_requests_total{route=\"/oauth2/jwks\",status=\"2xx\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }

    let lines = s.audit_lines();
    let jti = claims["jti"].as_str().unwrap();
    assert!(
        lines.iter().any(
            |l| l.contains("\"kind\":\"soap.request\"") && l.contains(&format!("\"token_id\":\"{jti}\""))
        )
    );
    assert!(
        lines.iter().any(|l| l.contains("\"kind\":\"oauth.token\"")
            && l.contains("\"client_id\":\"svc\"")
            && l.contains("\"verdict\":\"accepted\"")
            // NEN 7513 "from where": the client address and the request id the edge determined.
            && l.contains("\"client_ip\":\"127.0.0.1\"")
            && l.contains("\"request_id\":")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"kind\":\"oauth.token\"")
                && l.contains("\"oauth_error\":\"invalid_client\"")),
        "{lines:#?}"
    );
    s.stop().await;
    up.handle.stop(true).await;
}

#[actix_web::test]
async fn metrics_count_what_the_audit_trail_records() {
    let metrics = "[metrics]\nenabled = true\n";
    let s = start("metrics", &format!("{metrics}{}", ut_route("/svc", ""))).await;
    let url = format!("{}/svc", s.base);
    assert_eq!(post_soap11(&url, envelope(SOAP11, "s3cret-pw")).await.status(), 200);
    assert_eq!(post_soap11(&url, envelope(SOAP11, "wrong")).await.status(), 500);
    assert_eq!(post_soap11(&url, envelope(SOAP11, "wrong")).await.status(), 500);
    assert_eq!(client().get(format!("{}/no/such/path-123", s.base)).send().await.unwrap().status(), 404);
    let r = client().get(format!("{}/metrics", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = r.text().await.unwrap();
    for line in [
        "sluis_decisions_total{kind=\"soap.validate\",verdict=\"accepted\"} 1",
        "sluis_decisions_total{kind=\"soap.request\",verdict=\"refused\"} 2",
        "sluis_refusals_total{kind=\"soap.request\",reason=\"authentication_failed\"} 2",
        "sluis_soap_faults_total{fault=\"wsse:FailedAuthentication\"} 2",
        "sluis_http_requests_total{route=\"/svc\",status=\"2xx\"} 1",
        "sluis_http_requests_total{route=\"/svc\",status=\"5xx\"} 2",
        "sluis_http_requests_total{route=\"other\",status=\"4xx\"} 1",
        "sluis_http_request_duration_seconds_count{route=\"/svc\"} 3",
        "sluis_audit_sink_failed 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("path-123"), "a client's path never becomes a label");
    assert!(!text.contains("alice"), "no subjects in metrics");
    s.stop().await;

    // Only the allowed addresses may read them; without [metrics] there is no such endpoint.
    let s = start(
        "metrics-deny",
        &format!("[metrics]\nenabled = true\nallow = [\"10.0.0.0/8\"]\n{}", ut_route("/svc", "")),
    )
    .await;
    let r = client().get(format!("{}/metrics", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    s.stop().await;
    let s = start("metrics-off", &ut_route("/svc", "")).await;
    assert_eq!(client().get(format!("{}/metrics", s.base)).send().await.unwrap().status(), 404);
    s.stop().await;
}
