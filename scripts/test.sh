#!/usr/bin/env bash
# Runs every test sluis has. This is the README's test command and what CI runs.
#   1. installs the oracles and tools the tests need (scripts/setup-debian.sh);
#   2. runs the Rust test suite, with the differential tests required to find their oracles;
#   3. re-signs fixtures with xmlsec1 right now and checks that sluis verifies the fresh signatures.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-debian.sh

export SLUIS_REQUIRE_ORACLES=1
export SLUIS_REQUIRE_VECTORS="${SLUIS_REQUIRE_VECTORS:-0}"
cargo test --locked --all-targets
cargo test --locked --doc

if [ -x scripts/interop.sh ]; then
  scripts/interop.sh
fi

# End-to-end with a real SOAP client: zeep (WS-Security BinarySignature and UsernameToken) through a running
# `sluis serve` to a test upstream, SOAP 1.1 and 1.2 (installs its Python venv in .venv/ on first run).
scripts/e2e-zeep.sh
echo "all tests passed"
scripts/oauth-client-test.sh
