//! `cargo bench --bench oauth_mint`: what one token exchange costs on one core, by part — signing the access token
//! (through `jsonwebtoken` and directly with the `trust` layer's pre-parsed key) per algorithm, and whole exchanges
//! through the library API (no HTTP): client_credentials with a cached secret, JWT-bearer, SAML 2.0 bearer.
//! `scripts/bench-oauth.sh` measures the same exchanges over HTTP with wrk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use jsonwebtoken::{EncodingKey, Header};
use sluis::oauth::alg::JwsAlgorithm;
use sluis::oauth::config::KeyState;
use sluis::oauth::keys::{SigningKeys, pem_encode};
use sluis::trust::{KeyKind, SigningKey};

fn measure(budget: Duration, mut f: impl FnMut()) -> (f64, u64) {
    let warm = Instant::now();
    while warm.elapsed() < budget / 10 {
        f();
    }
    let mut rounds = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget {
        f();
        rounds += 1;
    }
    (start.elapsed().as_nanos() as f64 / rounds as f64, rounds)
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("SLUIS_BENCH_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(1500),
    );
    let claims = serde_json::json!({"iss": "https://as.example.nl", "sub": "svc", "aud": "https://api.example.nl",
        "exp": 1_800_000_000, "iat": 1_799_999_700, "nbf": 1_799_999_700, "jti": "0123456789abcdefghijkl",
        "client_id": "svc", "scope": "read write"});
    for (alg, kind) in [
        (JwsAlgorithm::RS256, KeyKind::Rsa { bits: 2048 }),
        (JwsAlgorithm::PS256, KeyKind::Rsa { bits: 2048 }),
        (JwsAlgorithm::ES256, KeyKind::EcP256),
        (JwsAlgorithm::EdDSA, KeyKind::Ed25519),
    ] {
        let key = SigningKey::generate(kind).unwrap();
        let pem = pem_encode("PRIVATE KEY", &key.to_pkcs8_der().unwrap());
        let encoding = match kind {
            KeyKind::Rsa { .. } => EncodingKey::from_rsa_pem(pem.as_bytes()),
            KeyKind::Ed25519 => EncodingKey::from_ed_pem(pem.as_bytes()),
            _ => EncodingKey::from_ec_pem(pem.as_bytes()),
        }
        .unwrap();
        let mut header = Header::new(alg.to_jsonwebtoken());
        header.typ = Some("at+jwt".into());
        header.kid = Some("k".into());
        let set = SigningKeys::from_keys(vec![("k".into(), alg, KeyState::Active, key)]).unwrap();
        let (ns, rounds) = measure(budget, || {
            black_box(jsonwebtoken::encode(&header, &claims, &encoding).unwrap());
        });
        println!("mint alg={alg} via=jsonwebtoken::encode rounds={rounds} ns_per_op={ns:.0}");
        let (ns, rounds) = measure(budget, || {
            black_box(set.sign(&claims).unwrap());
        });
        println!("mint alg={alg} via=sluis(pre-parsed key) rounds={rounds} ns_per_op={ns:.0}");
    }
}
