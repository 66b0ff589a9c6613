#!/usr/bin/env bash
# Independent signers, right now: re-signs every fixture with xmlsec1 (and signxml when its venv exists) into a
# temporary directory, then checks that sluis verifies the fresh signatures exactly as testdata/manifest.json says.
# (The committed fixtures are checked by the normal test run; this catches a drift between them and the generator.)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
testdata/gen/regenerate.sh "$out" >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
rm -f "$out.log"
SLUIS_TESTDATA_DIR="$out" cargo test --locked --test tests testdata_dsig -- --nocapture 2>&1 | grep -E "testdata:|test result"
