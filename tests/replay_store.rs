//! Replay protection shared between instances through Redis ([`sluis::store::SharedStore`]): each test starts its
//! own `redis-server` on a free loopback port (skipped when it is missing, unless `SLUIS_REQUIRE_ORACLES=1`). Two
//! "instances" are two contexts, servers or authorization servers using the same store: what one accepted (or
//! revoked), the other refuses; when the store is gone, both refuse (fail closed) and `/readyz` says so.

use crate::server::{PASSWORD_TEXT, SOAP11, TempDir, WSSE, config_text, ut_route};
use crate::wss::{V, ca_context, run, x509_message};
use sluis::clock::DateTime;
use sluis::config::Config;
use sluis::policy::RoutePolicy;
use sluis::server::{Options, Server};
use sluis::store::{ReplayCache, ReplayError, SharedStore, SharedStoreConfig};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `redis-server` of this test's own, stopped on drop.
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Option<Redis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Redis::start_on(port)
    }

    fn start_on(port: u16) -> Option<Redis> {
        if !crate::tool_available("redis-server") {
            return None;
        }
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Owned from here on: dropping it (also when the assertion below fails) stops the server.
        let redis = Redis { child, url: format!("redis://127.0.0.1:{port}/0") };
        assert!(listening(port), "redis-server did not start on port {port}");
        Some(redis)
    }

    fn store(&self, prefix: &str) -> ReplayCache {
        let config = SharedStoreConfig {
            url: self.url.clone(),
            key_prefix: prefix.into(),
            timeout: Duration::from_millis(500),
            pool_size: 4,
            root_ca_pem: None,
        };
        ReplayCache::shared(SharedStore::connect(config).unwrap())
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits up to 2 s for something to listen on `port`.
fn listening(port: u16) -> bool {
    (0..100).any(|_| {
        let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if !up {
            std::thread::sleep(Duration::from_millis(20));
        }
        up
    })
}

fn t(ms: i64) -> DateTime {
    DateTime::from_unix_millis(1_795_608_000_000 + ms)
}

#[test]
fn instances_share_what_was_used() {
    let Some(mut redis) = Redis::start() else { return };
    let (a, b) = (redis.store("t1:"), redis.store("t1:"));
    assert!(a.is_shared() && a.is_reachable());
    assert_eq!(a.check_and_insert("n", "x", t(60_000), t(0)), Ok(()));
    assert_eq!(
        b.check_and_insert("n", "x", t(60_000), t(1)),
        Err(ReplayError::Replayed),
        "the other instance"
    );
    assert_eq!(a.check_and_insert("n", "x", t(60_000), t(2)), Err(ReplayError::Replayed), "the same one");
    assert_eq!(b.check_and_insert("other-namespace", "x", t(60_000), t(3)), Ok(()));
    // Another key prefix is another deployment.
    assert_eq!(redis.store("t2:").check_and_insert("n", "x", t(60_000), t(4)), Ok(()));
    // Entries expire with their identifier: 150 ms here.
    assert_eq!(a.check_and_insert("n", "short", t(150), t(0)), Ok(()));
    assert_eq!(b.check_and_insert("n", "short", t(150), t(0)), Err(ReplayError::Replayed));
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(b.check_and_insert("n", "short", t(150), t(0)), Ok(()), "expired in Redis");
    // Already expired: nothing to record, nothing to refuse.
    assert_eq!(a.check_and_insert("n", "old", t(0), t(10)), Ok(()));
    // The store is gone: refuse, never accept unrecorded.
    redis.stop();
    assert_eq!(a.check_and_insert("n", "y", t(60_000), t(0)), Err(ReplayError::Unavailable));
    assert!(!a.is_reachable());
    // A Redis back on the same address: the pooled connections are stale, and a new one is used.
    let port: u16 = redis.url.rsplit(':').next().unwrap().trim_end_matches("/0").parse().unwrap();
    let _again = Redis::start_on(port).unwrap();
    assert_eq!(b.check_and_insert("n", "after-restart", t(60_000), t(0)), Ok(()));
    assert_eq!(a.check_and_insert("n", "after-restart", t(60_000), t(0)), Err(ReplayError::Replayed));
}

#[test]
fn connecting_checks_the_address() {
    let Some(redis) = Redis::start() else { return };
    let bad = |url: &str| {
        let config = SharedStoreConfig {
            url: url.into(),
            key_prefix: "x:".into(),
            timeout: Duration::from_millis(200),
            pool_size: 1,
            root_ca_pem: None,
        };
        SharedStore::connect(config).map(|_| ()).map_err(|e| e.to_string())
    };
    assert!(bad(&redis.url).is_ok());
    assert!(bad("http://127.0.0.1/").is_err());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = bad(&format!("redis://:secret-pw@127.0.0.1:{closed}/0")).unwrap_err();
    assert!(!err.contains("secret-pw"), "{err}");
}

#[test]
fn gateway_instances_refuse_each_others_replays() {
    let Some(redis) = Redis::start() else { return };
    let one = ca_context().with_replay_cache(redis.store("gw:"));
    let two = ca_context().with_replay_cache(redis.store("gw:"));
    let policy = RoutePolicy::default();
    let xml = x509_message(&crate::wss::Msg::default(), "leaf-rsa2048");
    assert!(run(&one, &policy, V::S11, &xml).is_ok());
    let refused = run(&two, &policy, V::S11, &xml).unwrap_err();
    assert_eq!(refused.reason.code(), "message_replayed");
}

fn ut_envelope(nonce: &str) -> String {
    format!(
        "<s:Envelope xmlns:s=\"{SOAP11}\"><s:Header><wsse:Security xmlns:wsse=\"{WSSE}\" \
         xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">\
         <wsse:UsernameToken><wsse:Username>alice</wsse:Username>\
         <wsse:Password Type=\"{PASSWORD_TEXT}\">s3cret-pw</wsse:Password>\
         <wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary\">{nonce}</wsse:Nonce><wsu:Created>{}</wsu:Created></wsse:UsernameToken></wsse:Security>\
         </s:Header><s:Body><m:GetPatient xmlns:m=\"urn:example:patient\"><m:id>42</m:id></m:GetPatient>\
         </s:Body></s:Envelope>",
        sluis::clock::Clock::now(&sluis::clock::SystemClock).to_rfc3339()
    )
}

#[actix_web::test]
async fn servers_sharing_a_store_and_readiness() {
    let Some(mut redis) = Redis::start() else { return };
    let route = ut_route("/svc", "");
    let store = format!("[replay_store]\nurl = \"{}\"\nkey_prefix = \"srv:\"\n", redis.url);
    let mut servers = Vec::new();
    for tag in ["a", "b"] {
        let dir = TempDir::new(&format!("replay-store-{tag}"));
        let config = Config::from_toml(&config_text(&dir.0, &format!("{store}{route}")), &dir.0).unwrap();
        let server = Server::start(&config, Options { handle_signals: false, ..Options::default() }).unwrap();
        let base = format!("http://{}", server.addrs()[0]);
        let handle = server.handle();
        actix_web::rt::spawn(server.run());
        servers.push((base, handle, dir));
    }
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let post = |base: &str, body: String| {
        client
            .post(format!("{base}/svc"))
            .header("content-type", "text/xml; charset=utf-8")
            .header("soapaction", "\"\"")
            .body(body)
            .send()
    };
    let (a, b) = (servers[0].0.clone(), servers[1].0.clone());
    let text = client.get(format!("{a}/readyz")).send().await.unwrap().text().await.unwrap();
    let ready: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ready["checks"]["replay_cache"], "ok (shared)");
    // A UsernameToken nonce used at one instance is a replay at the other.
    let msg = ut_envelope("MDEyMzQ1Njc4OWFiY2RlZg==");
    let r = post(&a, msg.clone()).await.unwrap();
    let status = r.status();
    let audit = std::fs::read_to_string(servers[0].2.0.join("audit.jsonl")).unwrap_or_default();
    assert_eq!(status, 200, "{}\n{audit}", r.text().await.unwrap());
    let r = post(&b, msg).await.unwrap();
    assert_eq!(r.status(), 500);
    let body = r.text().await.unwrap();
    assert!(body.contains("wsse:FailedAuthentication"), "{body}");
    // The store is gone: both refuse, and neither is ready.
    redis.stop();
    let r = post(&a, ut_envelope("ZmVkY2JhOTg3NjU0MzIxMA==")).await.unwrap();
    assert_eq!(r.status(), 500);
    assert!(r.text().await.unwrap().contains("wsse:InvalidSecurity"));
    let r = client.get(format!("{b}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let ready: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(ready["checks"]["replay_cache"], "unreachable");
    for (_, handle, _) in servers {
        handle.stop(true).await;
    }
}

#[test]
fn configuration_of_the_store() {
    let dir = TempDir::new("replay-store-config");
    let load = |extra: &str| {
        Config::from_toml(&config_text(&dir.0, &format!("{extra}[[routes]]\npath = \"/x\"\n")), &dir.0)
            .and_then(|c| c.security_context().map(|_| ()))
            .map_err(|e| e.to_string())
    };
    assert!(load("[replay_store]\nurl = \"http://x\"\n").unwrap_err().contains("replay_store.url"));
    assert!(load("[replay_store]\n").unwrap_err().contains("give url or url_env"));
    assert!(
        load("[replay_store]\nurl_env = \"SLUIS_TEST_NO_SUCH_VARIABLE\"\n").unwrap_err().contains("not set")
    );
    assert!(
        load("[replay_store]\nurl = \"redis://127.0.0.1:1/0\"\ntimeout_ms = 1\n")
            .unwrap_err()
            .contains("timeout_ms")
    );
    // Nothing listens: startup stops with the reason (and without the password).
    let err = load("[replay_store]\nurl = \"redis://:pw-123@127.0.0.1:1/0\"\n").unwrap_err();
    assert!(err.contains("replay_store") && !err.contains("pw-123"), "{err}");
}

#[test]
fn token_endpoints_share_revocations_and_jtis() {
    use crate::oauth::fixture::{Fixture, SECRET, config_text, default_keys, parse};
    use sluis::oauth::AuthorizationServer;
    use std::sync::Arc;
    let Some(mut redis) = Redis::start() else { return };
    let base = Fixture::with_tail(&default_keys(), "", "");
    let config = parse(&config_text(&default_keys(), ""));
    let instance = || {
        let cache = Arc::new(redis.store("as:"));
        let clock = Arc::new(sluis::clock::SystemClock);
        let server = AuthorizationServer::with_replay_cache(&config, &base.dir, clock, cache).unwrap();
        Fixture { dir: base.dir.clone(), server: Arc::new(server) }
    };
    let (a, b) = (instance(), instance());
    let token = a.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap().access_token;
    assert_eq!(b.introspect(&token, "rs").unwrap()["active"], true);
    // Revoked at one instance: inactive at the other.
    a.revoke(&token, "svc").unwrap();
    assert_eq!(b.introspect(&token, "rs").unwrap()["active"], false);
    // The store is gone: introspection answers inactive (fail closed), revocation says it failed.
    let other = a.token("grant_type=client_credentials", Some(("svc", SECRET))).unwrap().access_token;
    redis.stop();
    assert_eq!(b.introspect(&other, "rs").unwrap()["active"], false);
    let refusal = b.revoke(&other, "svc").unwrap_err();
    assert_eq!(refusal.reason().code(), "oauth_replay_store_unavailable");
    assert_eq!(refusal.status(), 500);
}

#[test]
fn rediss_with_a_private_ca() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    if !crate::tool_available("redis-server") {
        return;
    }
    let dir = TempDir::new("redis-tls");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let ca_pem = dir.write("ca.pem", &ca.pem());
    let cert = dir.write("server.pem", &leaf.pem());
    let key_file = dir.write("server.key", &key.serialize_pem());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("redis-server")
        .args(["--port", "0", "--tls-port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "no", "--tls-auth-clients", "no"])
        .arg("--tls-cert-file")
        .arg(&cert)
        .arg("--tls-key-file")
        .arg(&key_file)
        .arg("--tls-ca-cert-file")
        .arg(&ca_pem)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _redis = Redis { child, url: format!("rediss://127.0.0.1:{port}/0") };
    assert!(listening(port), "redis-server (TLS) did not start");
    let config = |root: Option<Vec<u8>>| SharedStoreConfig {
        url: format!("rediss://127.0.0.1:{port}/0"),
        key_prefix: "tls:".into(),
        timeout: Duration::from_millis(1000),
        pool_size: 1,
        root_ca_pem: root,
    };
    // The system roots do not know this CA: no connection.
    assert!(SharedStore::connect(config(None)).is_err());
    // With it, the store works over TLS.
    let store = SharedStore::connect(config(Some(ca.pem().into_bytes()))).unwrap();
    let cache = ReplayCache::shared(store);
    assert_eq!(cache.check_and_insert("n", "x", t(60_000), t(0)), Ok(()));
    assert_eq!(cache.check_and_insert("n", "x", t(60_000), t(1)), Err(ReplayError::Replayed));
}
