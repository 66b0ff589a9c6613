//! The integration test binary: one binary, one module per area (ripgrep/rustls style).

// Tests fail by panicking; the no-panic rule is for the library.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod c14n;
mod vectors_dsig;
mod c14n_gen;
mod c14n_oracle;
mod c14n_vectors;
mod saml;
mod saml_xsw;
mod saml_encryption;
mod oauth;
mod wss_fixtures;
mod vectors_saml;
mod server;
mod oauth_saml;
mod wss;
mod fuzz_seeds;
mod testdata_dsig;
mod server_tls;
mod saml_trust;
mod wss_attacks;
mod wss_saml;
mod soap_faults;
mod wss_cli;
mod wss_policy;
mod cli_verify;
mod oauth_http;
mod wss_keyinfo;
mod wss_cost;
