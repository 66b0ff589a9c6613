//! The listener's TLS configuration: rustls 0.23 with aws-lc-rs, restricted to what the NCSC's "ICT-beveiligingsrichtlijnen
//! voor Transport Layer Security" (2025) rate **Good**:
//!
//! - protocol versions TLS 1.3 and TLS 1.2 only (rustls has no older ones);
//! - TLS 1.3 suites: AES-256-GCM, AES-128-GCM, ChaCha20-Poly1305 (AEAD only, as TLS 1.3 requires);
//! - TLS 1.2 suites: ECDHE with ECDSA or RSA authentication and AES-GCM or ChaCha20-Poly1305 — AEAD with forward
//!   secrecy only; no CBC, no static RSA key exchange, no finite-field DHE (rustls implements none of these anyway);
//! - key exchange groups: X25519MLKEM768 (hybrid post-quantum), X25519, secp256r1, secp384r1;
//! - the server's preference order decides (`ignore_client_order`), listing TLS 1.3 and AES-256 first; rustls always
//!   negotiates TLS 1.3 with a client that offers it;
//! - no TLS compression, no renegotiation, no session tickets beyond rustls's stateless TLS 1.3 tickets; ALPN
//!   `http/1.1` only (the server does not speak HTTP/2).

use crate::config::{ConfigError, Material};
use rustls::crypto::aws_lc_rs as provider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// Builds the listener's rustls configuration from the certificate chain and key files.
pub(crate) fn server_config(cert: &Material, key: &Material) -> Result<rustls::ServerConfig, ConfigError> {
    let err =
        |m: &Material, msg: String| ConfigError::new(&m.config, &m.field, format!("{}: {msg}", m.display()));
    let cert_pem = cert.read()?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| err(cert, format!("not a PEM certificate chain: {e}")))?;
    if certs.is_empty() {
        return Err(err(cert, "no certificate in file".into()));
    }
    let key_pem = key.read()?;
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| err(key, format!("not a PEM private key: {e}")))?;

    let provider = good_provider();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| err(cert, format!("TLS configuration: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| err(key, format!("certificate and key do not form a usable pair: {e}")))?;
    config.ignore_client_order = true;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The aws-lc-rs provider narrowed to the NCSC "Good" suites and groups (see the module documentation).
pub fn good_provider() -> rustls::crypto::CryptoProvider {
    use provider::cipher_suite as cs;
    use provider::kx_group as kx;
    rustls::crypto::CryptoProvider {
        cipher_suites: vec![
            cs::TLS13_AES_256_GCM_SHA384,
            cs::TLS13_AES_128_GCM_SHA256,
            cs::TLS13_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ],
        kx_groups: vec![kx::X25519MLKEM768, kx::X25519, kx::SECP256R1, kx::SECP384R1],
        ..provider::default_provider()
    }
}
