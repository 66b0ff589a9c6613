//! `cargo bench --bench verify`: XML-DSig verification of signed SOAP envelopes, the same work the libxmlsec1 peer
//! (`../shared/peers/xmlsec_verify`) does per round: parse, index IDs, canonicalize, digest, verify the signature.
//!
//! Reads `envelope-4k.xml`, `envelope-64k.xml` and `envelope-1m.xml` from `$SLUIS_BENCH_DIR` (default
//! `testdata/bench`; the 1 MB one is generated at bench time by `testdata/gen/bench.sh`), pins
//! `signer-pubkey.pem` as a bare key (the peer's fastest configuration), and prints one line per file:
//! `sluis FILE bytes=N rounds=R ns_per_verify=T`, then the crypto floor for the 4 KB envelope: one RSA-2048
//! verification plus SHA-256 over the canonical bytes of the signed Body.
//! `scripts/bench-vs-xmlsec.sh` runs this and the peer on the same files and prints the ratios.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use sluis::c14n::{self, NodeSet};
use sluis::clock::DateTime;
use sluis::dsig::{self, DSIG_NS, IdIndex, IdPolicy, VerifyOptions};
use sluis::trust::{KeyPolicy, PublicKey, TrustStore};
use sluis::xml::{Document, Limits};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn verify_once(bytes: &[u8], store: &TrustStore, ids_policy: &IdPolicy, options: &VerifyOptions) {
    let doc = Document::parse(bytes, &Limits::soap()).unwrap();
    let ids = IdIndex::build(&doc, ids_policy).unwrap();
    let sig = doc.descendants().find(|n| n.is(DSIG_NS, "Signature")).unwrap();
    let view = dsig::verify(&doc, &ids, sig.id(), store, options).unwrap();
    black_box(view.references().len());
}

/// Runs `f` for about `budget` after a warm-up and returns nanoseconds per call and the round count.
fn measure(budget: Duration, mut f: impl FnMut()) -> (f64, u64) {
    let warm = Instant::now();
    while warm.elapsed() < budget / 10 {
        f();
    }
    let mut rounds = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget {
        for _ in 0..8 {
            f();
        }
        rounds += 8;
    }
    (start.elapsed().as_nanos() as f64 / rounds as f64, rounds)
}

fn main() {
    let dir = std::env::var_os("SLUIS_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/bench"));
    // `cargo test --all-targets` runs this binary without `--bench`: then one short smoke round per file.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let default_millis = if benchmarking { 3000 } else { 20 };
    let budget = Duration::from_millis(
        std::env::var("SLUIS_BENCH_MILLIS").ok().and_then(|v| v.parse().ok()).unwrap_or(default_millis),
    );
    let key = PublicKey::from_pem(&std::fs::read(dir.join("signer-pubkey.pem")).unwrap()).unwrap();
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.pin_key(key.clone()).unwrap();
    let store = b.build();
    let ids_policy = IdPolicy::wss_saml();
    let options =
        VerifyOptions { policy: KeyPolicy::default(), at: DateTime::from_unix_seconds(1_795_608_000) };

    for name in ["envelope-4k.xml", "envelope-64k.xml", "envelope-1m.xml"] {
        let path = dir.join(name);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipping {} (not found; see testdata/gen/bench.sh)", path.display());
            continue;
        };
        let (ns, rounds) = measure(budget, || verify_once(&bytes, &store, &ids_policy, &options));
        println!("sluis {} bytes={} rounds={rounds} ns_per_verify={ns:.0}", path.display(), bytes.len());
    }

    // The crypto floor for the 4 KB envelope: what no implementation can avoid.
    if let Ok(bytes) = std::fs::read(dir.join("envelope-4k.xml")) {
        let doc = Document::parse(&bytes, &Limits::soap()).unwrap();
        let ids = IdIndex::build(&doc, &ids_policy).unwrap();
        let sig = doc.descendants().find(|n| n.is(DSIG_NS, "Signature")).unwrap();
        let parsed = dsig::read_signature(sig, &options.policy).unwrap();
        let signed_info = c14n::to_vec(&doc, &NodeSet::subtree(parsed.signed_info), &parsed.c14n).unwrap();
        let reference = &parsed.references[0];
        let dsig::ReferenceUri::Id(id) = &reference.uri else { panic!("expected #id") };
        let body = ids.get(id).unwrap();
        let canonical_body =
            c14n::to_vec(&doc, &NodeSet::subtree(body), &reference.c14n.clone().unwrap_or_default()).unwrap();
        let (ns, _) = measure(budget, || {
            let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, black_box(&canonical_body));
            black_box(d);
            key.verify(parsed.method.algorithm, &signed_info, &parsed.value, &options.policy).unwrap();
        });
        println!("floor envelope-4k.xml body_bytes={} ns_per_verify={ns:.0}", canonical_body.len());
    }
}
