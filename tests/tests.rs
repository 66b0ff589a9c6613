//! The integration test binary: one binary, one module per area (ripgrep/rustls style).

// Tests fail by panicking; the no-panic rule is for the library.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod c14n;
mod c14n_gen;
mod c14n_oracle;
mod c14n_vectors;
mod cli_verify;
mod fuzz_seeds;
mod module_order;
mod oauth;
mod oauth_http;
mod oauth_saml;
mod replay;
mod replay_store;
mod saml;
mod saml_encryption;
mod saml_trust;
mod saml_xsw;
mod server;
mod server_tls;
mod sign;
mod soap_faults;
mod testdata_dsig;
mod vectors_dsig;
mod vectors_saml;
mod wss;
mod wss_attacks;
mod wss_cli;
mod wss_cost;
mod wss_fixtures;
mod wss_keyinfo;
mod wss_policy;
mod wss_saml;

/// Whether the external program `name` runs (`name --version` succeeds). Tests that need an independent tool
/// (xmlsec1, redis-server, …) skip without it — unless `SLUIS_REQUIRE_ORACLES=1` (CI, `scripts/test.sh`), where a
/// missing tool is a failure, so a broken install step cannot silently turn checks off.
pub(crate) fn tool_available(name: &str) -> bool {
    let found = std::process::Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("SLUIS_REQUIRE_ORACLES").as_deref() != Ok("1"),
            "SLUIS_REQUIRE_ORACLES=1 but {name} is missing (scripts/setup-debian.sh installs it)"
        );
        eprintln!("{name} not found: skipping");
    }
    found
}
