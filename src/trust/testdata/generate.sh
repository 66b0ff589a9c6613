#!/bin/sh
# generate.sh — fixtures for src/trust tests that aws-lc-rs cannot make itself (it refuses to sign with RSA-1024, with
# SHA-1, or with ECDSA hashes that differ from the curve's), plus key formats to load (PKCS#1, SEC 1, PKCS#8 Ed25519)
# and key types sluis must refuse (DSA, P-521). OpenSSL 3.0 command line.
#
#   src/trust/testdata/generate.sh        (writes next to itself; regenerating replaces every key and signature)
#
# PUBLIC TEST MATERIAL: these private keys are published on purpose. Never trust them for anything.
set -eu
cd "$(dirname "$0")"
export OPENSSL_CONF=/dev/null
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

printf 'sluis trust test message\n' >msg.txt

# RSA-1024: only the public key and one signature (the test lowers the policy to accept it).
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$W/rsa1024.pem"
openssl pkey -in "$W/rsa1024.pem" -pubout -out rsa1024.pub.pem
openssl dgst -sha256 -sign "$W/rsa1024.pem" -out rsa1024-pkcs1-sha256.sig msg.txt

# RSA-2048 as a PKCS#1 "RSA PRIVATE KEY", its key as a PKCS#1 "RSA PUBLIC KEY", SHA-1 and PSS signatures.
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/rsa2048.pem"
openssl rsa -in "$W/rsa2048.pem" -traditional -out rsa2048.pkcs1.key.pem 2>/dev/null
openssl rsa -in "$W/rsa2048.pem" -RSAPublicKey_out -out rsa2048.pkcs1.pub.pem 2>/dev/null
openssl dgst -sha1 -sign "$W/rsa2048.pem" -out rsa2048-pkcs1-sha1.sig msg.txt
for h in sha1 sha256; do
  openssl dgst -$h -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sign "$W/rsa2048.pem" \
    -out rsa2048-pss-$h.sig msg.txt
done

# EC P-256 and P-384 as SEC 1 "EC PRIVATE KEY", with DER ECDSA signatures over hashes aws-lc-rs cannot sign with.
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$W/p256.pem"
openssl ec -in "$W/p256.pem" -out p256.sec1.key.pem 2>/dev/null
for h in sha1 sha384 sha512; do openssl dgst -$h -sign "$W/p256.pem" -out p256-$h.der.sig msg.txt; done
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$W/p384.pem"
openssl ec -in "$W/p384.pem" -out p384.sec1.key.pem 2>/dev/null
for h in sha1 sha256 sha512; do openssl dgst -$h -sign "$W/p384.pem" -out p384-$h.der.sig msg.txt; done

# Ed25519 as PKCS#8 v1 (what OpenSSL writes: no public key inside) and a signature made by OpenSSL.
openssl genpkey -quiet -algorithm ED25519 -out ed25519.pkcs8.key.pem
openssl pkeyutl -sign -rawin -inkey ed25519.pkcs8.key.pem -in msg.txt -out ed25519.sig

# Key types sluis refuses.
openssl genpkey -quiet -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$W/dsa.param"
openssl genpkey -quiet -paramfile "$W/dsa.param" -out "$W/dsa.pem"
openssl pkey -in "$W/dsa.pem" -pubout -out dsa.pub.pem
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$W/p521.pem"
openssl pkey -in "$W/p521.pem" -pubout -out p521.pub.pem
echo "trust testdata: done" >&2
