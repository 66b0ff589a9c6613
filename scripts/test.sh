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
echo "all tests passed"
