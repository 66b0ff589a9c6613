//! Tests of the trust module: verification and signing (`verify.rs`), certificates and the trust store (`store.rs`),
//! and the third-party keys of `../shared/vectors` (here, skipped when that folder is absent).
//!
//! Keys and certificates are generated in the tests (aws-lc-rs and rcgen) where possible; what neither can make
//! (RSA-1024 and SHA-1 signatures, cross-hash ECDSA, legacy key formats) comes from `src/trust/testdata/`, made by
//! `testdata/generate.sh`. The openssl-made test PKI of `testdata/pki/` (project root) is used for RSA chains and CRLs.

mod store;
mod verify;

use std::path::{Path, PathBuf};

use super::der;
use super::*;
use crate::reason::TrustReason;

/// A file of `src/trust/testdata/`.
pub(super) fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/trust/testdata").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A file of the project's `testdata/pki/`.
pub(super) fn pki(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn vectors_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors");
    if dir.join("dsig").is_dir() {
        Some(dir)
    } else {
        eprintln!("shared/vectors absent: skipping");
        None
    }
}

/// Every key and certificate of the libxmlsec1 vectors parses, and DSA / P-521 ones are refused as unsupported
/// rather than malformed (or a panic).
#[test]
fn third_party_vector_keys_parse() {
    let Some(dir) = vectors_dir() else { return };
    let mut seen = 0;
    for sub in ["dsig/keys", "dsig/keys/rsa", "dsig/keys/ec", "dsig/keys/dsa"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("pem") {
                continue;
            }
            let name = path.display().to_string();
            let certs = pem::load_certificates(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            for cert in certs {
                let expect_unsupported = name.contains("dsa") || name.contains("521");
                match cert.public_key() {
                    Ok(key) => assert!(!expect_unsupported, "{name}: {key:?}"),
                    Err(e) => {
                        assert!(expect_unsupported, "{name}: {e}");
                        assert_eq!(e, TrustReason::UnsupportedKeyType, "{name}");
                    }
                }
                assert!(!cert.subject().is_empty(), "{name}");
                seen += 1;
            }
        }
    }
    let interop = dir.join("dsig/xmldsig11-interop-2012/keys");
    for (file, want) in [
        ("p256-key.crt", Ok(KeyKind::EcP256)),
        ("p384-key.crt", Ok(KeyKind::EcP384)),
        ("p521-key.crt", Err(TrustReason::UnsupportedKeyType)),
        ("rsa-key.crt", Ok(KeyKind::Rsa { bits: 1024 })),
        ("p256-key.der", Ok(KeyKind::EcP256)),
        ("p384-key.der", Ok(KeyKind::EcP384)),
        ("p521-key.der", Err(TrustReason::UnsupportedKeyType)),
        ("rsa-key.der", Ok(KeyKind::Rsa { bits: 1024 })),
    ] {
        let path = interop.join(file);
        if !path.exists() {
            continue;
        }
        let got = match pem::load_public_key(&path) {
            Ok(k) => Ok(k.kind()),
            Err(pem::LoadError::Refused(r)) => Err(r),
            Err(other) => panic!("{file}: {other}"),
        };
        assert_eq!(got, want, "{file}");
        // The certificate and its bare key are the same key.
        if let (Some(stem), Ok(_)) = (file.strip_suffix(".crt"), want) {
            let from_cert = pem::load_public_key(&path).unwrap();
            let bare = pem::load_public_key(&interop.join(format!("{stem}.der"))).unwrap();
            assert_eq!(from_cert, bare, "{file}");
        }
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} vector keys found");

    // libxmlsec1's test leaves carry basicConstraints cA=TRUE (OpenSSL's default `req` profile). OpenSSL accepts them
    // as signers; rustls-webpki, and so sluis, does not accept a CA certificate as the end entity of a CA path.
    // Such certificates can still be pinned.
    let keys = dir.join("dsig/keys");
    let load = |f: &str| pem::load_certificates(&keys.join(f)).unwrap().remove(0);
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.add_ca(&load("cacert.pem")).unwrap();
    b.add_intermediate(load("ca2cert.pem"));
    let store = b.build();
    let at = crate::clock::DateTime::parse("2026-11-25T12:00:00Z").unwrap();
    assert_eq!(
        store.trust_certificate(&load("rsa/rsa-2048-cert.pem"), &[], at).map(|_| ()),
        Err(TrustReason::ChainInvalid("CA certificate used as end entity"))
    );
    assert_eq!(
        store.trust_certificate(&load("dsa/dsa-2048-cert.pem"), &[], at).map(|_| ()),
        Err(TrustReason::UnsupportedKeyType)
    );
    let mut b = TrustStore::builder(KeyPolicy::default());
    b.pin_certificate(load("rsa/rsa-2048-cert.pem")).unwrap();
    b.pin_certificate(load("rsa/rsa-expired-cert.pem")).unwrap();
    let pinned = b.build();
    assert!(pinned.trust_certificate(&load("rsa/rsa-2048-cert.pem"), &[], at).is_ok());
    assert_eq!(
        pinned.trust_certificate(&load("rsa/rsa-expired-cert.pem"), &[], at).map(|_| ()),
        Err(TrustReason::CertificateExpired)
    );
}

#[test]
fn shareable_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PublicKey>();
    send_sync::<SigningKey>();
    send_sync::<Certificate>();
    send_sync::<TrustStore>();
    send_sync::<TrustedKey>();
}
