#!/bin/sh
# make-encrypted.sh — regenerate xmlsec1-encrypted-response.xml: a SAML 2.0 Response whose assertion was signed by
# `xmlsec1 --sign` (RSA-SHA256 / SHA-256, exclusive C14N, leaf-rsa3072) and then encrypted by `xmlsec1 --encrypt`
# (RSA-OAEP-MGF1P key transport to leaf-rsa2048's certificate, AES-256-GCM content), so that sluis's decryption is
# checked against an independent implementation. Run from the repository root with xmlsec1 1.2.37+ (OpenSSL):
#
#   sh src/saml/testdata/make-encrypted.sh
#
# The output differs on every run (random session key and IV); the test only needs it to decrypt and verify.
set -eu
PKI=testdata/pki
OUT=src/saml/testdata
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/assertion.xml" <<XML
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_xmlsec_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.xmlsec.example</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_xmlsec_a1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">xmlsec-user@example.org</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="2036-01-01T00:00:00Z" Recipient="https://sp.example.org/acs"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="2026-01-01T00:00:00Z" NotOnOrAfter="2036-01-01T00:00:00Z"><saml:AudienceRestriction><saml:Audience>https://sp.example.org</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="2026-01-01T00:00:00Z"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:X509</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement></saml:Assertion>
XML

xmlsec1 --sign --privkey-pem "$PKI/leaf-rsa3072.key.pem" \
  --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion \
  --output "$TMP/signed-assertion.xml" "$TMP/assertion.xml"

# The data document: the signed assertion where the EncryptedData will go.
{
  printf '%s' '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_xmlsec_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="https://sp.example.org/acs"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.xmlsec.example</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
  sed '1{/^<?xml/d}' "$TMP/signed-assertion.xml" | tr -d '\n'
  printf '%s\n' '</saml:EncryptedAssertion></samlp:Response>'
} > "$TMP/data.xml"

cat > "$TMP/template.xml" <<XML
<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>
XML

xmlsec1 --encrypt --pubkey-cert-pem "$PKI/leaf-rsa2048.cert.pem" --session-key aes-256 \
  --xml-data "$TMP/data.xml" --node-name urn:oasis:names:tc:SAML:2.0:assertion:Assertion \
  --output "$OUT/xmlsec1-encrypted-response.xml" "$TMP/template.xml"
echo "wrote $OUT/xmlsec1-encrypted-response.xml"
