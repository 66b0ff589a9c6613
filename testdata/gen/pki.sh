#!/bin/sh
# pki.sh — build the sluis test PKI with the openssl command line (OpenSSL 3.0+).
#
#   testdata/gen/pki.sh [OUT_DIR]          (default: testdata/pki)
#
# Private keys are generated only when OUT_DIR/<name>.key.pem is missing; everything else (certificates, CRLs, public
# keys) is re-derived from the keys on every run and is byte-for-byte deterministic: fixed serials, fixed validity
# dates (`openssl ca -startdate/-enddate`), fixed CRL dates (`-crl_lastupdate/-crl_nextupdate`), fixed revocation
# date, and every certificate/CRL is signed by an RSA CA key with PKCS#1 v1.5 (deterministic).
# So `regenerate.sh` copies the committed keys into a fresh directory and must reproduce identical certificates.
#
# All of this is PUBLIC TEST MATERIAL. Never trust these keys for anything.
set -eu

GEN=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$GEN/../pki}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CNF=$GEN/openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Keep openssl from reading a system or user config that could change defaults.
OPENSSL_CONF=$CNF
CA_DIR=$WORK # the config reads $ENV::CA_DIR; cadir() points it at one CA's database before each `openssl ca`
export OPENSSL_CONF CA_DIR

say() { printf 'pki: %s\n' "$*" >&2; }

# key NAME rsa BITS | key NAME ec CURVE — PKCS#8 PEM, unencrypted, created only if absent.
key() {
  f=$OUT/$1.key.pem
  if [ -s "$f" ]; then return 0; fi
  case $2 in
    rsa) openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$3" -out "$f" ;;
    ec) openssl genpkey -quiet -algorithm EC -pkeyopt "ec_paramgen_curve:$3" -pkeyopt ec_param_enc:named_curve -out "$f" ;;
  esac
  say "new key $1 ($2 $3)"
}

# cadir CA — the `openssl ca` database of one CA, kept in $WORK for this run only.
cadir() {
  d=$WORK/ca-$1
  if [ ! -d "$d" ]; then
    mkdir -p "$d/newcerts"
    : >"$d/index.txt"
    printf 'unique_subject = no\n' >"$d/index.txt.attr"
    printf '1000\n' >"$d/crlnumber"
  fi
  printf '%s' "$d"
}

# issue ISSUER NAME "SUBJECT" PROFILE SERIAL START END
#   ISSUER = "self" for a self-signed certificate. START/END in GeneralizedTime (YYYYMMDDHHMMSSZ).
issue() {
  issuer=$1 name=$2 subj=$3 profile=$4 serial=$5 start=$6 end=$7
  openssl req -new -config "$CNF" -key "$OUT/$name.key.pem" -subj "$subj" -out "$WORK/$name.csr"
  if [ "$issuer" = self ]; then
    CA_DIR=$(cadir "$name")
    set -- -selfsign -keyfile "$OUT/$name.key.pem"
  else
    CA_DIR=$(cadir "$issuer")
    set -- -cert "$OUT/$issuer.cert.pem" -keyfile "$OUT/$issuer.key.pem"
  fi
  export CA_DIR
  printf '%s\n' "$serial" >"$CA_DIR/serial"
  openssl ca -config "$CNF" -batch -notext -md sha256 "$@" -in "$WORK/$name.csr" -out "$OUT/$name.cert.pem" \
    -startdate "$start" -enddate "$end" -extensions "$profile" 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
  openssl x509 -in "$OUT/$name.cert.pem" -outform DER -out "$OUT/$name.cert.der"
  openssl pkey -in "$OUT/$name.key.pem" -pubout -out "$OUT/$name.pubkey.pem"
}

# ---- keys ------------------------------------------------------------------------------------------------------------
key root-ca rsa 2048
key intermediate-ca rsa 2048
key leaf-rsa2048 rsa 2048
key leaf-rsa3072 rsa 3072
key leaf-ec-p256 ec P-256
key leaf-ec-p384 ec P-384
key leaf-expired rsa 2048
key leaf-not-yet-valid rsa 2048
key leaf-ku-keyencipherment rsa 2048
key leaf-rsa1024 rsa 1024
key untrusted-self-signed rsa 2048
key other-ca rsa 2048
key leaf-other-ca rsa 2048
key leaf-revoked rsa 2048

O="/C=NL/O=Sluis Test PKI (public test keys - do not trust)"
CA_START=20190101000000Z
LEAF_START=20250101000000Z
LEAF_END=20450101000000Z

# ---- CAs -------------------------------------------------------------------------------------------------------------
issue self root-ca "$O/CN=Sluis Test Root CA" v3_root 01 $CA_START 20491231000000Z
issue root-ca intermediate-ca "$O/CN=Sluis Test Intermediate CA" v3_intermediate 02 $CA_START 20491230000000Z
issue self other-ca "/C=NL/O=Some Other Test CA (untrusted)/CN=Other Test CA" v3_root 01 $CA_START 20491231000000Z

# ---- good leaves (issued by the intermediate) -------------------------------------------------------------------------
issue intermediate-ca leaf-rsa2048 "$O/OU=Signing/CN=leaf-rsa2048" v3_leaf_sign 1001 $LEAF_START $LEAF_END
issue intermediate-ca leaf-rsa3072 "$O/OU=Signing/CN=leaf-rsa3072" v3_leaf_sign_clientauth 1002 $LEAF_START $LEAF_END
issue intermediate-ca leaf-ec-p256 "$O/OU=Signing/CN=leaf-ec-p256" v3_leaf_sign 1003 $LEAF_START $LEAF_END
issue intermediate-ca leaf-ec-p384 "$O/OU=Signing/CN=leaf-ec-p384" v3_leaf_sign_clientauth 1004 $LEAF_START $LEAF_END

# ---- negative leaves ----------------------------------------------------------------------------------------------------
issue intermediate-ca leaf-expired "$O/OU=Negative/CN=leaf-expired" v3_leaf_sign 2001 20200101000000Z 20210101000000Z
issue intermediate-ca leaf-not-yet-valid "$O/OU=Negative/CN=leaf-not-yet-valid" v3_leaf_sign 2002 20400101000000Z $LEAF_END
issue intermediate-ca leaf-ku-keyencipherment "$O/OU=Negative/CN=leaf-ku-keyencipherment" v3_leaf_keyencipherment 2003 $LEAF_START $LEAF_END
issue intermediate-ca leaf-rsa1024 "$O/OU=Negative/CN=leaf-rsa1024" v3_leaf_sign 2004 $LEAF_START $LEAF_END
issue intermediate-ca leaf-revoked "$O/OU=Negative/CN=leaf-revoked" v3_leaf_sign 2005 $LEAF_START $LEAF_END
issue self untrusted-self-signed "/C=NL/O=Nobody (untrusted)/CN=untrusted-self-signed" v3_selfsigned_leaf 3001 $LEAF_START $LEAF_END
issue other-ca leaf-other-ca "/C=NL/O=Some Other Test CA (untrusted)/CN=leaf-other-ca" v3_leaf_sign 3002 $LEAF_START $LEAF_END

# ---- CRLs ------------------------------------------------------------------------------------------------------------
# Revoke leaf-revoked (serial 2005) with a fixed revocation date, then write the CRLs with fixed dates.
CA_DIR=$(cadir intermediate-ca)
export CA_DIR
openssl ca -config "$CNF" -batch -cert "$OUT/intermediate-ca.cert.pem" -keyfile "$OUT/intermediate-ca.key.pem" \
  -revoke "$OUT/leaf-revoked.cert.pem" -crl_reason keyCompromise 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
awk 'BEGIN { FS = OFS = "\t" } $1 == "R" && $4 == "2005" { $3 = "260601000000Z,keyCompromise" } { print }' \
  "$CA_DIR/index.txt" >"$WORK/index.new" && mv "$WORK/index.new" "$CA_DIR/index.txt"
gencrl() { # gencrl CA NAME
  CA_DIR=$(cadir "$1")
  export CA_DIR
  openssl ca -config "$CNF" -batch -gencrl -md sha256 -cert "$OUT/$1.cert.pem" -keyfile "$OUT/$1.key.pem" \
    -crl_lastupdate 20260601000000Z -crl_nextupdate 20491231000000Z -crlexts crl_ext -out "$OUT/$2.crl.pem" \
    2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
  openssl crl -in "$OUT/$2.crl.pem" -outform DER -out "$OUT/$2.crl.der"
}
gencrl intermediate-ca intermediate-ca
gencrl root-ca root-ca

cat "$OUT/intermediate-ca.cert.pem" "$OUT/root-ca.cert.pem" >"$OUT/ca-chain.pem"
rm -f "$OUT"/*.csr

# ---- self-check with `openssl verify` at the fixtures' verification time -------------------------------------------------
AT=$(date -u -d 2026-11-25T12:00:00Z +%s)
check() { # check NAME EXPECTED_SUBSTRING [extra openssl verify args]
  name=$1 want=$2
  shift 2
  got=$(openssl verify -attime "$AT" -CAfile "$OUT/root-ca.cert.pem" -untrusted "$OUT/intermediate-ca.cert.pem" \
    -crl_check_all -CRLfile "$OUT/intermediate-ca.crl.pem" -CRLfile "$OUT/root-ca.crl.pem" "$@" \
    "$OUT/$name.cert.pem" 2>&1 || true)
  case $got in
    *"$want"*) ;;
    *) say "FAIL: $name: expected '$want', got: $got"; exit 1 ;;
  esac
}
for n in leaf-rsa2048 leaf-rsa3072 leaf-ec-p256 leaf-ec-p384 leaf-ku-keyencipherment leaf-rsa1024; do
  check "$n" "$n.cert.pem: OK"
done
check leaf-expired "certificate has expired"
check leaf-not-yet-valid "certificate is not yet valid"
check leaf-revoked "certificate revoked"
check untrusted-self-signed "self-signed certificate"
check leaf-other-ca "unable to get local issuer certificate"
# the expired leaf was good in 2020 (the CAs are valid from 2019)
got=$(openssl verify -attime "$(date -u -d 2020-06-01T00:00:00Z +%s)" -CAfile "$OUT/root-ca.cert.pem" \
  -untrusted "$OUT/intermediate-ca.cert.pem" "$OUT/leaf-expired.cert.pem" 2>&1) || { say "FAIL: leaf-expired in 2020: $got"; exit 1; }
say "ok: $(ls "$OUT"/*.cert.pem | wc -l) certificates, 2 CRLs in $OUT"
