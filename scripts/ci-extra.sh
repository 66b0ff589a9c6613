#!/usr/bin/env bash
# CI checks beyond the tests: supply chain and fuzz smoke runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- supply chain -----------------------------------------------------------------------------------------------
command -v cargo-audit >/dev/null 2>&1 || cargo install --locked cargo-audit >/dev/null 2>&1 || true
if command -v cargo-audit >/dev/null 2>&1 && cargo audit --version >/dev/null 2>&1; then
  # The advisory database lives on GitHub; where it cannot be fetched, say so and fall back to the local deny-list.
  if ! cargo audit --deny warnings 2>"${TMPDIR:-/tmp}/audit.err"; then
    if grep -qiE "fetch|network|resolve|connect|git" "${TMPDIR:-/tmp}/audit.err"; then
      echo "ci-extra: cargo audit could not fetch the advisory database; using the local deny-list" >&2
    else
      cat "${TMPDIR:-/tmp}/audit.err" >&2
      exit 1
    fi
  fi
fi
# Advisories this project has met, checked against Cargo.lock whatever the network allows:
#   RUSTSEC-2026-0258 (h2 0.3, pulled by actix-web's http2 feature and by awc), RUSTSEC-2023-0071 (rsa, Marvin),
#   and the TLS/crypto stacks sluis deliberately does not use.
if grep -qE '^name = "h2"' -A1 Cargo.lock && grep -A1 '^name = "h2"' Cargo.lock | grep -q 'version = "0\.3\.'; then
  echo "ci-extra: h2 0.3 is in the dependency tree (RUSTSEC-2026-0258)" >&2; exit 1
fi
for crate in rsa openssl openssl-sys native-tls awc; do
  if grep -q "^name = \"$crate\"$" Cargo.lock; then
    echo "ci-extra: $crate is in the dependency tree; sluis uses aws-lc-rs/rustls only" >&2; exit 1
  fi
done

# --- fuzz smoke ------------------------------------------------------------------------------------------------
if rustup toolchain list | grep -q nightly; then
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz >/dev/null 2>&1
  for target in xml_parse c14n dsig_verify saml_validate oauth_form wss_gateway; do
    corpus=$(mktemp -d)
    cp fuzz/seeds/"$target"/* "$corpus"/
    (cd fuzz && cargo +nightly fuzz run -O "$target" "$corpus" -- -max_total_time="${FUZZ_SECONDS:-10}" -max_len=65536) \
      >"${TMPDIR:-/tmp}/fuzz-$target.log" 2>&1 || { tail -40 "${TMPDIR:-/tmp}/fuzz-$target.log"; exit 1; }
    rm -rf "$corpus"
    echo "ci-extra: fuzz $target: $(grep -o 'Done [0-9]* runs' "${TMPDIR:-/tmp}/fuzz-$target.log" | tail -1)"
  done
else
  echo "ci-extra: no nightly toolchain; fuzz targets not run" >&2
fi
