#!/usr/bin/env bash
# Token exchanges per second and latency percentiles of the OAuth token endpoint over HTTP, with wrk:
#   1. client_credentials (client_secret_basic; argon2id verified once, then the success cache) at a fixed offered load
#      and flat out;
#   2. RFC 7522 saml2-bearer exchanges (a fresh signxml-signed SAML 2.0 assertion per request: parse, verify the
#      RSA-SHA256 signature over exclusive c14n, conditions, bearer confirmation, replay cache, mint) at the same load
#      and flat out.
# Access tokens are RS256 (RSA-2048) by default; OAUTH_BENCH_ALG=ES256 signs them with the P-256 key instead (the
# testbed's rotated configuration). Target: p99 < 5 ms at 1,000 exchanges/s on a 2-core machine.
#
#   scripts/bench-oauth.sh [RATE] [SECONDS]        (defaults: 1000 20)
#
# The server is `sluis serve` (2 workers, access logs and the audit trail on, as deployed; or SLUIS_OAUTH_SERVER taking
# `CONFIG ADDR WORKERS`); wrk runs one thread on the same machine, so both share the 2 cores. Prints `RESULT` lines (wrk's own summary is kept in $WORK for inspection).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-1000}
SECS=${2:-20}
CONNS=${OAUTH_CONNS:-20}

command -v wrk >/dev/null || { echo "bench-oauth: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
VENV=.venv-oauth
if [ ! -x "$VENV/bin/pytest" ] || ! "$VENV/bin/python" -c 'import jwt, requests, signxml, cryptography' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    'requests>=2.31' 'PyJWT[crypto]>=2.8' 'signxml>=3.2' 'cryptography>=42' 'lxml>=5' 'pytest>=8'
fi
cargo build --release --locked --bin sluis -q

WORK=$(mktemp -d /tmp/sluis-oauth-bench.XXXXXX)
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VENV/bin/python" tests/oauth_client/setup_testbed.py target/release/sluis "$WORK" "$PORT"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# One body per SAML exchange: the fixed-load run, the flat-out run (up to ~8,000/s) and a margin. A flat-out run that
# outruns its bodies replays them: those requests are refused (non200) and ok_rate stays the figure to read.
MAX_SECS=3
NBODIES=$((RATE * SECS + 8000 * MAX_SECS + 1000))
echo "bench-oauth: signing $NBODIES SAML assertions with signxml ..." >&2
"$VENV/bin/python" tests/oauth_client/make_bench_bodies.py "$WORK" "$NBODIES" "$WORK/bodies.txt" 540
head -n $((RATE * SECS + 500)) "$WORK/bodies.txt" >"$WORK/bodies-fixed.txt"
tail -n +$((RATE * SECS + 501)) "$WORK/bodies.txt" >"$WORK/bodies-max.txt"

CONFIG="$WORK/config.toml"
if [ "${OAUTH_BENCH_ALG:-RS256}" = ES256 ]; then CONFIG="$WORK/config-rotated.toml"; fi
if [ -n "${SLUIS_OAUTH_SERVER:-}" ]; then
  $SLUIS_OAUTH_SERVER "$CONFIG" "127.0.0.1:$PORT" 2 >"$WORK/server.log" 2>&1 &
else
  target/release/sluis serve --config "$CONFIG" >"$WORK/server.log" 2>&1 &
fi
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening" "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done

SECRET=$("$VENV/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1]))['secret'])" "$WORK/testbed.json")
SVC="Basic $(printf 'svc:%s' "$SECRET" | base64 -w0)"
PORTAL="Basic $(printf 'portal:%s' "$SECRET" | base64 -w0)"
URL="http://127.0.0.1:$PORT/oauth2/token"
# Warm up: the first request per client pays argon2id; connections and caches settle.
curl -sf -o /dev/null -H "Authorization: $SVC" -d grant_type=client_credentials "$URL"
# (portal authenticates before its assertion is looked at, so a refused grant warms its secret cache entry too)
curl -s -o /dev/null -H "Authorization: $PORTAL" -d "grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer&assertion=x" "$URL"
OAUTH_AUTH="$SVC" wrk -t1 -c4 -d2s -s benches/oauth_token.lua "$URL" >/dev/null

run() { # name, rate, seconds, conns, extra env...
  local name=$1 rate=$2 secs=$3 conns=$4; shift 4
  local out
  out=$(env OAUTH_RATE="$rate" OAUTH_CONNS="$conns" OAUTH_THREADS=1 "$@" \
    wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s -s benches/oauth_token.lua "$URL" | tee "$WORK/$name.wrk" | grep '^RESULT')
  echo "${out/RESULT/RESULT $name alg=${OAUTH_BENCH_ALG:-RS256} offered=$( [ "$rate" = 0 ] && echo max || echo "$rate/s" )}"
}

run client_credentials "$RATE" "$SECS" "$CONNS" OAUTH_AUTH="$SVC"
run client_credentials 0 "$MAX_SECS" 16 OAUTH_AUTH="$SVC"
run saml2_bearer "$RATE" "$SECS" "$CONNS" OAUTH_AUTH="$PORTAL" OAUTH_BODIES="$WORK/bodies-fixed.txt"
run saml2_bearer 0 "$MAX_SECS" 16 OAUTH_AUTH="$PORTAL" OAUTH_BODIES="$WORK/bodies-max.txt"
