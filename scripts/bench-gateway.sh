#!/usr/bin/env bash
# SOAP calls per second and latency percentiles through `sluis serve`, with wrk: a ~4.5 KB SOAP 1.1 envelope signed by
# `sluis sign` (X.509 BinarySecurityToken, RSA-2048, exclusive C14N over Body and Timestamp) POSTed to a route without
# upstream (the built-in validation response), so the figure is the gateway's own work: HTTP, the one parse, signature
# and certificate-path checks, Timestamp, policy, the hash-chained audit record and the access log.
#
#   scripts/bench-gateway.sh [RATE] [SECONDS]        (defaults: 1000 20)
#
# 2 workers, audit to a file, rate limits off, and `reject_replayed_messages = false` so the one signed envelope stays
# acceptable (in production every signed message is new). wrk runs one thread on the same machine: both share the
# 2 cores. Prints RESULT lines for the fixed load and for a flat-out run.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-1000}
SECS=${2:-20}
CONNS=8

command -v wrk >/dev/null || { echo "bench-gateway: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build --release --locked --bin sluis -q
SLUIS=target/release/sluis
WORK=$(mktemp -d /tmp/sluis-gateway-bench.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PKI=$(pwd)/testdata/pki
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/config.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
workers = 2

[wss]
reject_replayed_messages = false

[wss.trust]
ca = ["$PKI/root-ca.cert.pem"]
intermediates = ["$PKI/intermediate-ca.cert.pem"]

[[routes]]
path = "/bench"

[audit]
sink = "file"
path = "$WORK/audit.jsonl"

[rate_limit]
enabled = false
TOML

# The envelope: a Body of 6 records (~4.5 KB with its Security header), signed now, valid for an hour.
python3 - "$WORK/template.xml" <<'PY'
import sys
records = "".join(
    f'<r:record id="{i}"><r:patient>NL-{100000 + i}</r:patient><r:code system="urn:oid:2.16.840.1.113883.6.96">'
    f'{38341003 + i}</r:code><r:note>routine follow-up, no changes</r:note></r:record>'
    for i in range(6))
open(sys.argv[1], "w").write(
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    f'<r:GetRecords xmlns:r="urn:example:records">{records}</r:GetRecords></soap:Body></soap:Envelope>')
PY
"$SLUIS" sign --key "$PKI/leaf-rsa2048.key.pem" --cert "$PKI/leaf-rsa2048.cert.pem" --ttl 3600 \
  "$WORK/template.xml" -o "$WORK/envelope.xml"
echo "bench-gateway: envelope $(wc -c <"$WORK/envelope.xml") bytes" >&2

"$SLUIS" serve --config "$WORK/config.toml" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening" "$WORK/server.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/bench"
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
  -H 'SOAPAction: "urn:example:GetRecords"' --data-binary @"$WORK/envelope.xml" "$URL")
[ "$status" = 200 ] || { echo "bench-gateway: the envelope is refused ($status)" >&2; cat "$WORK/server.log" >&2; exit 1; }
SOAP_BODY_FILE="$WORK/envelope.xml" wrk -t1 -c4 -d2s -s benches/soap_gateway.lua "$URL" >/dev/null

run() { # name, rate, seconds, conns
  local out
  out=$(SOAP_BODY_FILE="$WORK/envelope.xml" SOAP_RATE="$2" SOAP_CONNS="$4" \
    wrk -t1 -c"$4" -d"${3}s" --timeout 5s -s benches/soap_gateway.lua "$URL" | grep '^RESULT')
  echo "${out/RESULT/RESULT $1 offered=$( [ "$2" = 0 ] && echo max || echo "$2/s" )}"
}
run soap11_x509 "$RATE" "$SECS" "$CONNS"
run soap11_x509 0 5 16
