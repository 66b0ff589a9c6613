//! TLS on both sides of the gateway: the listener (rustls, NCSC "Good" suites only) and an https upstream reached
//! with a configured CA. Certificates are made per run with rcgen.

use actix_web::{App, HttpResponse, HttpServer, web};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls_pki_types::pem::PemObject;
use sluis::config::Config;
use sluis::server::{Options, Server};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const ALICE_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$GIGmTa8gdfQQRImmW9g3BQ$NDNYL/GYGAwBN/avAPp2fQ4dQdYtw4m3zCxeukK+eRs";

struct Pki {
    dir: PathBuf,
    ca_pem: String,
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A CA and a `localhost`/`127.0.0.1` server certificate it signed, written to a fresh directory.
fn pki(tag: &str) -> Pki {
    let dir = std::env::temp_dir().join(format!("sluis-tls-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    Pki { dir, ca_pem: ca.pem() }
}

fn config(dir: &Path, extra: &str) -> Config {
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
workers = 1
[server.tls]
cert = "server.pem"
key = "server.key"

[[wss.users]]
name = "alice"
password_hash = "{ALICE_HASH}"

[audit]
sink = "file"
path = "audit.jsonl"

{extra}
"#
    );
    Config::from_toml(&text, dir).unwrap()
}

fn client(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap()
}

#[actix_web::test]
async fn listener_speaks_tls_with_good_settings_only() {
    let p = pki("listener");
    let c = config(&p.dir, "[[routes]]\npath = \"/val\"\n");
    let server = Server::start(&c, Options { handle_signals: false, ..Options::default() }).unwrap();
    let port = server.addrs()[0].port();
    let handle = server.handle();
    let done = actix_web::rt::spawn(server.run());

    let r = client(&p.ca_pem).get(format!("https://localhost:{port}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    // The validation WSDL names the https address.
    let wsdl = client(&p.ca_pem).get(format!("https://localhost:{port}/val?wsdl")).send().await.unwrap();
    assert!(wsdl.text().await.unwrap().contains(&format!("location=\"https://127.0.0.1:{port}/val\"")));
    // TLS 1.2 with an AEAD suite is fine too.
    let tls12 = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only(reqwest::Certificate::from_pem_bundle(p.ca_pem.as_bytes()).unwrap())
        .tls_version_max(reqwest::tls::Version::TLS_1_2)
        .build()
        .unwrap();
    assert_eq!(tls12.get(format!("https://localhost:{port}/healthz")).send().await.unwrap().status(), 200);

    // What an old client offers is refused: TLS 1.1, and TLS 1.2 with CBC or without ECDHE (checked with OpenSSL's
    // client, when it is installed).
    if Command::new("openssl").arg("version").output().is_ok() {
        let handshake = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-servername", "localhost"])
                .args(args)
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let ok = handshake(&["-tls1_3"]);
        assert!(ok.contains("TLSv1.3"), "{ok}");
        for bad in [
            vec!["-tls1_1"],
            vec!["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA"],
            vec!["-tls1_2", "-cipher", "AES128-GCM-SHA256"],
        ] {
            let out = handshake(&bad);
            assert!(
                out.contains("Cipher is (NONE)") || out.contains("no peer certificate"),
                "{bad:?} accepted:\n{out}"
            );
        }
    }
    handle.stop(true).await;
    done.await.unwrap().unwrap();
}

#[actix_web::test]
async fn https_upstream_with_a_configured_ca() {
    let p = pki("upstream");
    // The upstream: actix with rustls, presenting the test certificate.
    let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_file_iter(p.dir.join("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = rustls_pki_types::PrivateKeyDer::from_pem_file(p.dir.join("server.key")).unwrap();
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(sluis::server::good_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let up = HttpServer::new(|| {
        App::new().default_service(web::to(|| async {
            HttpResponse::Ok().content_type("text/xml").body("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><ok/></s:Body></s:Envelope>")
        }))
    })
    .workers(1)
    .disable_signals()
    .bind_rustls_0_23("127.0.0.1:0", tls)
    .unwrap();
    let up_port = up.addrs()[0].port();
    let up = up.run();
    let up_handle = up.handle();
    actix_web::rt::spawn(up);

    let policy = "[routes.policy]\naccepted_tokens = [\"username-token\"]\nsigned_parts = []\nrequire_timestamp = false\n\
                  allow_password_text = true\n";
    let extra = format!(
        "[[routes]]\npath = \"/good\"\nupstream = \"https://localhost:{up_port}/svc\"\nupstream_ca = \"ca.pem\"\n{policy}\
         [[routes]]\npath = \"/wrong-ca\"\nupstream = \"https://localhost:{up_port}/svc\"\nupstream_ca = \"{}\"\n{policy}",
        concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/pki/root-ca.cert.pem")
    );
    let c = config(&p.dir, &extra);
    let server = Server::start(&c, Options { handle_signals: false, ..Options::default() }).unwrap();
    let port = server.addrs()[0].port();
    let handle = server.handle();
    let done = actix_web::rt::spawn(server.run());

    let body = format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header><wsse:Security xmlns:wsse=\"{}\">\
         <wsse:UsernameToken><wsse:Username>alice</wsse:Username><wsse:Password>s3cret-pw</wsse:Password>\
         </wsse:UsernameToken></wsse:Security></s:Header><s:Body><x/></s:Body></s:Envelope>",
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    );
    let call = |path: &str| {
        client(&p.ca_pem)
            .post(format!("https://localhost:{port}{path}"))
            .header("content-type", "text/xml")
            .header("soapaction", "\"\"")
            .body(body.clone())
            .send()
    };
    let r = call("/good").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<ok/>"));
    let r = call("/wrong-ca").await.unwrap();
    assert_eq!(r.status(), 502, "an upstream certificate from another CA is refused");

    handle.stop(true).await;
    done.await.unwrap().unwrap();
    up_handle.stop(true).await;
}
