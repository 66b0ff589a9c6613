#!/usr/bin/env bash
# bench.sh — signed SOAP 1.1 envelopes for the verification benchmarks (sluis vs the libxmlsec1 peer in
# ../shared/peers).
#
#   testdata/gen/bench.sh [OUT_DIR] [SIZE ...]      SIZE: 4k 64k 1m (default: 4k 64k; OUT_DIR default: testdata)
#
# Writes OUT_DIR/bench/envelope-<SIZE>.xml: a SOAP 1.1 envelope whose Body (wsu:Id="Body-id") holds a deterministic
# clinical-records payload (gen/bench_payload.py), signed by xmlsec1 with leaf-rsa2048: RSA-SHA256, SHA-256,
# exc-c14n, one Reference, signature in wsse:Security, KeyInfo a SecurityTokenReference with the
# certificate's SubjectKeyIdentifier. Sizes: the largest envelope not above
# 4,096 / 65,536 / 999,000 bytes. Also writes bench/signer-cert.pem and bench/signer-pubkey.pem (bare
# SubjectPublicKeyInfo) for the peer (`xmlsec_verify CERT.pem FILE.xml N`).
#
# The 1 MB envelope is NOT committed: benchmarks generate it at bench time with
#   testdata/gen/bench.sh "$TMPDIR" 1m     (needs OUT_DIR/pki: copy or link testdata/pki there first, or use testdata)
# RSA PKCS#1 v1.5 signatures and the payload are deterministic, so every run produces identical bytes.
set -euo pipefail

GEN=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$GEN/..}
[ $# -gt 0 ] && shift
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(4k 64k)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PKI=$OUT/pki
[ -f "$PKI/leaf-rsa2048.key.pem" ] || PKI=$GEN/../pki
BENCH=$OUT/bench
PYTHON=${PYTHON:-python3}
mkdir -p "$BENCH" "$OUT/.manifest.d"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAIL: %s\n' "$*" >&2; exit 1; }

SOAP11=http://schemas.xmlsoap.org/soap/envelope/
KEY=(--privkey-pem "$PKI/leaf-rsa2048.key.pem,$PKI/leaf-rsa2048.cert.pem")
IDS=(--id-attr:Id "$SOAP11:Body")
XMLSEC_VERSION=$(xmlsec1 --version | awk '{ print $1 " " $2 }')

cp "$PKI/leaf-rsa2048.cert.pem" "$BENCH/signer-cert.pem"
openssl x509 -in "$PKI/leaf-rsa2048.cert.pem" -noout -pubkey >"$BENCH/signer-pubkey.pem"

# KeyInfo names the signer's certificate by its SubjectKeyIdentifier in a SecurityTokenReference (WSS X.509 Token
# Profile 1.1 §3.2), a form WS-Security clients use when the service already holds the certificate. Neither verifier
# parses a certificate per message then: sluis is given the key pinned, and the libxmlsec1 peer, which does not
# resolve SecurityTokenReference, uses the bare public key it is given (its fastest configuration).
SKI_B64=$(openssl x509 -in "$PKI/leaf-rsa2048.cert.pem" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n' | xxd -r -p | base64 -w0)
template() { # template RECORDS
  "$PYTHON" "$GEN/bench_payload.py" template "$1" | sed "s|@SKI@|$SKI_B64|"
}

sign() { # sign RECORDS OUT
  template "$1" >"$WORK/t.xml"
  xmlsec1 --sign "${KEY[@]}" "${IDS[@]}" --output "$2" "$WORK/t.xml" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "sign"; }
}

# the bytes signing adds (DigestValue, SignatureValue, certificate) do not depend on the payload
sign 0 "$WORK/empty.xml"
template 0 >"$WORK/t0.xml"
OVERHEAD=$(($(wc -c <"$WORK/empty.xml") - $(wc -c <"$WORK/t0.xml")))

for size in "${SIZES[@]}"; do
  case $size in
    4k) target=4096 ;;
    64k) target=65536 ;;
    1m) target=999000 ;;
    *) die "unknown size $size (4k, 64k, 1m)" ;;
  esac
  n=$("$PYTHON" "$GEN/bench_payload.py" fit "$target" "$OVERHEAD")
  f=$BENCH/envelope-$size.xml
  sign "$n" "$f"
  read -r bytes nodes < <("$PYTHON" "$GEN/bench_payload.py" count "$f")
  [ "$bytes" -le "$target" ] || die "$f is $bytes bytes, over $target"
  [ "$bytes" -lt 1000000 ] && [ "$nodes" -lt 200000 ] || die "$f: $bytes bytes, $nodes nodes (limits 1,000,000 / 200,000)"
  xmlsec1 --verify --pubkey-cert-pem "$BENCH/signer-cert.pem" --enabled-key-data key-name "${IDS[@]}" "$f" >"$WORK/v" 2>&1 || { cat "$WORK/v" >&2; die "$f does not verify (pinned)"; }
  xmlsec1 --verify --pubkey-pem "$BENCH/signer-pubkey.pem" --enabled-key-data key-name "${IDS[@]}" "$f" >"$WORK/v" 2>&1 || { cat "$WORK/v" >&2; die "$f does not verify (public key)"; }
  say "ok: bench/envelope-$size.xml: $bytes bytes, $nodes nodes, $n records"
  if [ "$size" != 1m ]; then
    "$PYTHON" "$GEN/record.py" "$OUT/.manifest.d/bench-$size.jsonl" "file=bench/envelope-$size.xml" kind=soap11 \
      signer=pki/leaf-rsa2048.cert.pem trust=ca expect=valid signed_ids=Body-id key_source=ski "made_by=$XMLSEC_VERSION" \
      "note=Benchmark envelope (~$size): $n clinical records in a signed Body (RSA-SHA256, SHA-256, exc-c14n, one Reference to #Body-id, KeyInfo STR with the signer's SubjectKeyIdentifier); the Timestamp is not signed. $bytes bytes, $nodes XML nodes." \
      wss_expect=invalid wss_reason=timestamp_not_signed \
      "wss_note=Only the Body is signed: refused by the default route policy (Body and Timestamp signed), valid under a policy that requires only the Body." \
      "bytes:json=$bytes" "nodes:json=$nodes"
  fi
done
