#!/usr/bin/env bash
# Runs every test sluis has. This is the README's test command and what CI runs.
#   1. installs the oracles and tools the tests need (scripts/setup-debian.sh);
#   2. runs the Rust test suite, with the differential tests required to find their oracles;
#   3. re-signs fixtures with xmlsec1 right now and checks that sluis verifies the fresh signatures;
#   4. the end-to-end runs with real clients: zeep through a live gateway, a Python OAuth client.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-debian.sh

export SLUIS_REQUIRE_ORACLES=1
# The third-party vectors sit beside the project when ../shared is present (CI has it): then they must run.
if [ -d ../shared/vectors ]; then export SLUIS_REQUIRE_VECTORS="${SLUIS_REQUIRE_VECTORS:-1}"; fi
cargo test --locked --all-targets
cargo test --locked --doc

if [ -x scripts/interop.sh ]; then
  scripts/interop.sh
fi

# End-to-end with a real SOAP client: zeep (WS-Security BinarySignature and UsernameToken) through a running
# `sluis serve` to a test upstream, SOAP 1.1 and 1.2 (installs its Python venv in .venv/ on first run).
scripts/e2e-zeep.sh

# A real OAuth client (requests + PyJWT) against the token endpoint: every grant and client authentication method,
# every token checked against the published JWKS, across a key rotation.
scripts/oauth-client-test.sh
echo "all tests passed"
