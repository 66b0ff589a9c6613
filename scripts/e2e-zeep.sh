#!/usr/bin/env bash
# End-to-end test with a real SOAP client: Python zeep (BinarySignature and UsernameToken) calls a test upstream
# (tests/e2e/upstream.py) through a running `sluis serve`, SOAP 1.1 and 1.2; tampered, untrusted and wrong-password
# calls get the right fault and never reach the upstream (tests/e2e/zeep_client.py has the cases).
#
# Installs what it needs on a fresh Debian 12 machine (sudo when not root), following ../shared/README.md "Python
# interop clients": lxml and python-xmlsec built from source against the system libxml2/libxmlsec1 (PyPI wheels bundle
# different libxml2 builds and fail), in the git-ignored .venv/, created only if missing and reused between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV="$ROOT/.venv"

# --- system packages -------------------------------------------------------------------------------------------
need=()
for pkg in libxml2-dev libxslt1-dev libxmlsec1-dev libltdl-dev pkg-config gcc xmlsec1 python3-venv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "e2e-zeep: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- the Python client's venv (the recipe of ../shared/README.md) ---------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  /usr/bin/python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import setuptools_scm, pkgconfig' >/dev/null 2>&1; then
  "$VENV/bin/pip" install -q setuptools wheel "setuptools_scm[toml]==10.3.4" "pkgconfig==1.6.0"
fi
if ! "$PY" -c 'import lxml, sys; sys.exit(lxml.__version__ != "5.3.2")' >/dev/null 2>&1; then
  "$VENV/bin/pip" install -q --no-binary lxml lxml==5.3.2
fi
if ! "$PY" -c 'import xmlsec, lxml.etree as e; assert e.LIBXML_VERSION == xmlsec.get_libxml_version()' >/dev/null 2>&1; then
  # --no-deps: a forced reinstall would otherwise replace the source-built lxml with a binary wheel (own libxml2).
  "$VENV/bin/pip" install -q --no-cache-dir --no-build-isolation --no-binary xmlsec --force-reinstall --no-deps xmlsec==1.3.14
fi
if ! "$PY" -c 'import zeep, sys; sys.exit(zeep.__version__ != "4.3.3")' >/dev/null 2>&1; then
  "$VENV/bin/pip" install -q --no-binary lxml zeep==4.3.3
fi
"$PY" -c 'import lxml.etree as e, xmlsec; assert e.LIBXML_VERSION == xmlsec.get_libxml_version(), "lxml & xmlsec libxml2 mismatch"'

# --- sluis -----------------------------------------------------------------------------------------------------
cargo build --locked --quiet --bin sluis
SLUIS="$ROOT/target/debug/sluis"

WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "e2e-zeep: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

"$PY" tests/e2e/upstream.py "$WORK/upstream.jsonl" "$WORK/upstream.port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$WORK/upstream.port" ] && break; sleep 0.05; done
UPSTREAM_PORT=$(cat "$WORK/upstream.port")
SLUIS_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$SLUIS_PORT"
PKI="$ROOT/testdata/pki"

# Alice's PasswordText hash, made by sluis itself.
ALICE_HASH=$(printf 's3cret-pw' | "$SLUIS" keys hash-secret --stdin | sed -n 's/^secret_hash = "\(.*\)"$/\1/p')

cat >"$WORK/sluis.toml" <<EOF
[server]
listen = "127.0.0.1:$SLUIS_PORT"
public_url = "$BASE"
workers = 2
shutdown_timeout_secs = 10

[wss]
[wss.trust]
ca = ["$PKI/root-ca.cert.pem"]
intermediates = ["$PKI/intermediate-ca.cert.pem"]
crl = ["$PKI/root-ca.crl.pem", "$PKI/intermediate-ca.crl.pem"]

[[wss.users]]
name = "alice"
password_hash = "$ALICE_HASH"

[audit]
sink = "file"
path = "$WORK/audit.jsonl"

[rate_limit]
burst = 1000
per_second = 1000

# zeep BinarySignature: Body and Timestamp signed with an X.509 certificate of the test PKI.
[[routes]]
path = "/e2e/x509"
upstream = "http://127.0.0.1:$UPSTREAM_PORT/patient"
wsdl = "$ROOT/tests/e2e/patient.wsdl"
[routes.policy]
accepted_tokens = ["x509"]
signed_parts = ["body", "timestamp"]
min_auth_level = 4

# zeep UsernameToken: PasswordText, accepted only because the connection is from loopback.
[[routes]]
path = "/e2e/ut"
upstream = "http://127.0.0.1:$UPSTREAM_PORT/patient"
wsdl = "$ROOT/tests/e2e/patient.wsdl"
[routes.policy]
accepted_tokens = ["username-token"]
signed_parts = []
require_timestamp = false
allow_password_text = true
EOF

"$SLUIS" serve --config "$WORK/sluis.toml" 2>"$WORK/sluis.log" &
SLUIS_PID=$!
pids+=($SLUIS_PID)
for _ in $(seq 200); do
  if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$BASE/readyz" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$SLUIS_PID" 2>/dev/null; then cat "$WORK/sluis.log" >&2; echo "e2e-zeep: sluis did not start" >&2; exit 1; fi
  sleep 0.05
done

status=0
"$PY" tests/e2e/zeep_client.py "$BASE" "$WORK/upstream.jsonl" "$PKI" || status=$?

# Graceful stop, then the audit trail must verify.
kill -TERM "$SLUIS_PID"
wait "$SLUIS_PID" || { echo "e2e-zeep: sluis exited with $?" >&2; status=1; }
"$SLUIS" audit verify "$WORK/audit.jsonl" || status=1
if [ "$status" -ne 0 ]; then
  echo "--- sluis log ---" >&2
  tail -n 50 "$WORK/sluis.log" >&2
  echo "e2e-zeep: FAILED" >&2
  exit 1
fi
echo "e2e-zeep: passed"
