#!/usr/bin/env bash
# sign.sh — sign the fixture documents with the xmlsec1 command line (libxmlsec1 1.2.37 + OpenSSL 3 on Debian 12).
#
#   testdata/gen/sign.sh [OUT_DIR]        (default: testdata; reads OUT_DIR/pki, writes OUT_DIR/signed)
#
# Each case renders a template from gen/templates (the ds:Signature template is built here), signs it with
# `xmlsec1 --sign`, then verifies the result with `xmlsec1 --verify` twice:
#   * "pin": with the signer's certificate handed to xmlsec1 as the only key (--pubkey-cert-pem, KeyInfo ignored
#     except KeyName) — the cryptography must verify for every case, or the script stops and nothing lands;
#   * "chain": when the signature carries X509Data, with the test root as trust anchor and the intermediate as an
#     untrusted helper at the fixtures' verification time — the result (OK/FAIL) is compared with what the case
#     expects from a certificate check and written into the manifest entry as `xmlsec1_chain`.
# Manifest entries go to OUT_DIR/.manifest.d/sign.jsonl (merged by manifest.py).
set -euo pipefail

GEN=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$GEN/..}
OUT=$(cd "$OUT" && pwd)
PKI=$OUT/pki
TPL=$GEN/templates
SIGNED=$OUT/signed
PART=$OUT/.manifest.d/sign.jsonl
mkdir -p "$SIGNED" "$OUT/.manifest.d"
: >"$PART"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

XMLSEC_VERSION=$(xmlsec1 --version | awk '{ print $1 " " $2 }')
VTIME_XMLSEC="2026-11-25 12:00:00" # = manifest verification_time 2026-11-25T12:00:00Z
PYTHON=${PYTHON:-python3}
say() { printf 'sign: %s\n' "$*" >&2; }
die() { printf 'sign: FAIL: %s\n' "$*" >&2; exit 1; }

DS=http://www.w3.org/2000/09/xmldsig#
SAML=urn:oasis:names:tc:SAML:2.0:assertion
SAMLP=urn:oasis:names:tc:SAML:2.0:protocol
SOAP11=http://schemas.xmlsoap.org/soap/envelope/
SOAP12=http://www.w3.org/2003/05/soap-envelope
WSSE=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd
WSU=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd
X509V3=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3
B64BIN=http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary

c14n_uri() {
  case $1 in
    exc) echo "http://www.w3.org/2001/10/xml-exc-c14n#" ;;
    exc-wc) echo "http://www.w3.org/2001/10/xml-exc-c14n#WithComments" ;;
    c14n) echo "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" ;;
    c14n-wc) echo "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments" ;;
    *) die "unknown c14n $1" ;;
  esac
}
sig_uri() {
  case $1 in
    rsa-sha1) echo "${DS}rsa-sha1" ;;
    rsa-sha256 | rsa-sha384 | rsa-sha512 | ecdsa-sha256 | ecdsa-sha384 | hmac-sha256) echo "http://www.w3.org/2001/04/xmldsig-more#$1" ;;
    *) die "unknown signature method $1" ;;
  esac
}
dig_uri() {
  case $1 in
    sha1) echo "${DS}sha1" ;;
    sha256) echo "http://www.w3.org/2001/04/xmlenc#sha256" ;;
    sha384) echo "http://www.w3.org/2001/04/xmldsig-more#sha384" ;;
    sha512) echo "http://www.w3.org/2001/04/xmlenc#sha512" ;;
    *) die "unknown digest $1" ;;
  esac
}

# ---- the ds:Signature template -------------------------------------------------------------------------------------
# Knobs (reset by `defaults` before every case):
#   C14N, C14N_PL     CanonicalizationMethod (exc|exc-wc|c14n|c14n-wc) and its InclusiveNamespaces PrefixList
#   SIGALG, HMAC_LEN  SignatureMethod and an optional HMACOutputLength
#   SI_COMMENT        a comment placed inside SignedInfo (only signed under a #WithComments CanonicalizationMethod)
#   REFS              array of "URI|transform,transform|digest"; transforms: env exc exc-wc c14n c14n-wc xpath xslt
#                     ("-" for none); exc/exc-wc in a Reference carry REF_PL as PrefixList when set
#   KEYINFO           x509 | str | keyvalue | none | retrieval
defaults() {
  C14N=exc C14N_PL="" SIGALG=rsa-sha256 HMAC_LEN="" SI_COMMENT="" REF_PL="" KEYINFO=x509
  REFS=()
  NAMEID=alice@example.org
  SIGNER=leaf-rsa2048
  NODE_ID=""
  URL_MAP=()
  RESPONSE_SIGNED=""
  COMMENT_BEFORE_SUBJECT=""
  PAYLOAD=""
  unset SIGNER_FIELD MADE_BY
  CHAIN_EXPECT=OK
  EXTRA=()
}

inclusive_ns() { [ -n "$1" ] && printf '<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="%s"/>' "$1" || true; }

transform_xml() { # transform_xml TOKEN
  case $1 in
    env) printf '<ds:Transform Algorithm="%senveloped-signature"/>' "$DS" ;;
    exc | exc-wc | c14n | c14n-wc)
      pl=""
      case $1 in exc | exc-wc) pl=$(inclusive_ns "$REF_PL") ;; esac
      if [ -n "$pl" ]; then
        printf '<ds:Transform Algorithm="%s">%s</ds:Transform>' "$(c14n_uri "$1")" "$pl"
      else
        printf '<ds:Transform Algorithm="%s"/>' "$(c14n_uri "$1")"
      fi
      ;;
    xpath) printf '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>' ;;
    xslt) printf '%s' '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"><xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"><xsl:output method="text"/><xsl:template match="/"><xsl:value-of select="normalize-space(/)"/></xsl:template></xsl:stylesheet></ds:Transform>' ;;
    *) die "unknown transform $1" ;;
  esac
}

build_signature() { # build_signature FILE — writes the ds:Signature template, one element per line
  {
    echo '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    echo '  <ds:SignedInfo>'
    [ -n "$SI_COMMENT" ] && echo "    <!--$SI_COMMENT-->"
    pl=$(inclusive_ns "$C14N_PL")
    if [ -n "$pl" ]; then
      echo "    <ds:CanonicalizationMethod Algorithm=\"$(c14n_uri "$C14N")\">$pl</ds:CanonicalizationMethod>"
    else
      echo "    <ds:CanonicalizationMethod Algorithm=\"$(c14n_uri "$C14N")\"/>"
    fi
    if [ -n "$HMAC_LEN" ]; then
      echo "    <ds:SignatureMethod Algorithm=\"$(sig_uri "$SIGALG")\"><ds:HMACOutputLength>$HMAC_LEN</ds:HMACOutputLength></ds:SignatureMethod>"
    else
      echo "    <ds:SignatureMethod Algorithm=\"$(sig_uri "$SIGALG")\"/>"
    fi
    for ref in "${REFS[@]}"; do
      IFS='|' read -r uri transforms digest <<<"$ref"
      echo "    <ds:Reference URI=\"$uri\">"
      if [ "$transforms" != "-" ]; then
        echo '      <ds:Transforms>'
        IFS=',' read -r -a ts <<<"$transforms"
        for t in "${ts[@]}"; do echo "        $(transform_xml "$t")"; done
        echo '      </ds:Transforms>'
      fi
      echo "      <ds:DigestMethod Algorithm=\"$(dig_uri "$digest")\"/>"
      echo '      <ds:DigestValue></ds:DigestValue>'
      echo '    </ds:Reference>'
    done
    echo '  </ds:SignedInfo>'
    echo '  <ds:SignatureValue></ds:SignatureValue>'
    case $KEYINFO in
      x509) echo '  <ds:KeyInfo><ds:X509Data><ds:X509Certificate></ds:X509Certificate></ds:X509Data></ds:KeyInfo>' ;;
      str) echo "  <ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI=\"#X509Token\" ValueType=\"$X509V3\"/></wsse:SecurityTokenReference></ds:KeyInfo>" ;;
      keyvalue) echo '  <ds:KeyInfo><ds:KeyValue/></ds:KeyInfo>' ;;
      retrieval) echo "  <ds:KeyInfo><ds:RetrievalMethod Type=\"${DS}rawX509Certificate\" URI=\"http://example.com/signer.cer\"/></ds:KeyInfo>" ;;
      none) ;;
      *) die "unknown KeyInfo $KEYINFO" ;;
    esac
    echo '</ds:Signature>'
  } >"$1"
}

# render TEMPLATE OUT — fill the placeholders of a template
render() {
  build_signature "$WORK/sig.xml"
  if [ -n "$RESPONSE_SIGNED" ]; then
    (
      REFS=("#_sluis-response-0001|env,exc|sha256")
      KEYINFO=x509 SI_COMMENT="" C14N=exc C14N_PL="" REF_PL=""
      build_signature "$WORK/respsig.xml"
    )
  else
    : >"$WORK/respsig.xml"
  fi
  if [ "$KEYINFO" = str ] || [ -n "${WANT_BST:-}" ]; then
    printf '<wsse:BinarySecurityToken EncodingType="%s" ValueType="%s" wsu:Id="X509Token">%s</wsse:BinarySecurityToken>\n' \
      "$B64BIN" "$X509V3" "$(openssl x509 -in "$PKI/$SIGNER.cert.pem" -outform DER | base64 -w0)" >"$WORK/bst.xml"
  else
    : >"$WORK/bst.xml"
  fi
  awk -v sig="$WORK/sig.xml" -v resp="$WORK/respsig.xml" -v bst="$WORK/bst.xml" -v nameid="$NAMEID" \
    -v comment="$COMMENT_BEFORE_SUBJECT" -v payload="$PAYLOAD" '
    function splice(file, indent,   line) {
      while ((getline line < file) > 0) print indent line
      close(file)
    }
    /@SIGNATURE@/ { match($0, /^ */); splice(sig, substr($0, 1, RLENGTH)); next }
    /@RESPONSE_SIGNATURE@/ { match($0, /^ */); splice(resp, substr($0, 1, RLENGTH)); next }
    /@BST@/ { match($0, /^ */); splice(bst, substr($0, 1, RLENGTH)); next }
    /@PAYLOAD@/ { if (payload != "") { match($0, /^ */); print substr($0, 1, RLENGTH) payload }; next }
    /<saml:Subject>/ && comment != "" { match($0, /^ */); print substr($0, 1, RLENGTH) "<!--" comment "-->" }
    { gsub(/@NAMEID@/, nameid); print }
  ' "$TPL/$1" >"$2"
}

idattrs() { # the xmlsec1 --id-attr options for a document kind
  case $1 in
    saml-assertion | saml-response) echo "--id-attr:ID $SAML:Assertion --id-attr:ID $SAMLP:Response" ;;
    soap11) echo "--id-attr:Id $SOAP11:Body --id-attr:Id $WSU:Timestamp --id-attr:Id $WSSE:BinarySecurityToken" ;;
    soap12) echo "--id-attr:Id $SOAP12:Body --id-attr:Id $WSU:Timestamp --id-attr:Id $WSSE:BinarySecurityToken" ;;
    xml) echo "" ;;
  esac
}

urlmap_args() {
  for m in "${URL_MAP[@]}"; do
    printf -- '--url-map:%s\n%s\n' "${m%%=*}" "${m#*=}"
  done
}

# make NAME KIND TEMPLATE — sign, verify, record. Manifest fields come from EXPECT, REASON, NOTE, IDS, TRUST, EXTRA.
make() {
  name=$1 kind=$2 tpl=$3
  out=$SIGNED/$name
  render "$tpl" "$WORK/tpl.xml"
  # shellcheck disable=SC2046
  mapfile -t um < <(urlmap_args)
  keyargs=(--privkey-pem "$PKI/$SIGNER.key.pem,$PKI/$SIGNER.cert.pem")
  # shellcheck disable=SC2207
  ids=($(idattrs "$kind"))
  if [ -n "$RESPONSE_SIGNED" ]; then
    xmlsec1 --sign "${keyargs[@]}" "${ids[@]}" --node-id _sluis-assertion-0002 --output "$WORK/inner.xml" "$WORK/tpl.xml" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "$name: sign (inner)"; }
    mv "$WORK/inner.xml" "$WORK/tpl.xml"
  fi
  nodeargs=()
  [ -n "$NODE_ID" ] && [ -z "$RESPONSE_SIGNED" ] && nodeargs=(--node-id "$NODE_ID")
  xmlsec1 --sign "${keyargs[@]}" "${ids[@]}" "${nodeargs[@]}" "${um[@]}" --output "$out" "$WORK/tpl.xml" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "$name: sign"; }
  verify_pin "$name" "$kind" "$out"
  chain=""
  if grep -q '<ds:X509Certificate>' "$out" || [ "$KEYINFO" = retrieval ]; then
    chain=$(verify_chain "$kind" "$out")
    [ "$chain" = "$CHAIN_EXPECT" ] || die "$name: xmlsec1 chain verification gave $chain, expected $CHAIN_EXPECT"
    EXTRA+=("xmlsec1_chain=$chain")
  fi
  record "$name" "$kind"
  say "ok: signed/$name${chain:+ (chain: $chain)}"
}

verify_pin() { # the cryptographic check with the signer's key pinned; must succeed
  name=$1 kind=$2 file=$3
  # shellcheck disable=SC2207
  ids=($(idattrs "$kind"))
  nodeargs=()
  [ -n "$NODE_ID" ] && [ -z "$RESPONSE_SIGNED" ] && nodeargs=(--node-id "$NODE_ID")
  xmlsec1 --verify --pubkey-cert-pem "$PKI/$SIGNER.cert.pem" --enabled-key-data key-name "${ids[@]}" "${nodeargs[@]}" "${um[@]}" \
    "$file" >"$WORK/vout" 2>&1 || { cat "$WORK/vout" >&2; rm -f "$file"; die "$name: xmlsec1 --verify (pinned key) failed"; }
  if [ -n "$RESPONSE_SIGNED" ]; then
    xmlsec1 --verify --pubkey-cert-pem "$PKI/$SIGNER.cert.pem" --enabled-key-data key-name "${ids[@]}" --node-id _sluis-assertion-0002 \
      "$file" >"$WORK/vout" 2>&1 || { cat "$WORK/vout" >&2; rm -f "$file"; die "$name: xmlsec1 --verify of the inner signature failed"; }
  fi
}

verify_chain() { # prints OK or FAIL: the certificate path check xmlsec1 does for X509Data
  kind=$1 file=$2
  # shellcheck disable=SC2207
  ids=($(idattrs "$kind"))
  nodeargs=()
  [ -n "$NODE_ID" ] && nodeargs=(--node-id "$NODE_ID")
  if xmlsec1 --verify --trusted-pem "$PKI/root-ca.cert.pem" --untrusted-pem "$PKI/intermediate-ca.cert.pem" \
    --verification-gmt-time "$VTIME_XMLSEC" "${ids[@]}" "${nodeargs[@]}" "${um[@]}" "$file" >"$WORK/cout" 2>&1; then
    echo OK
  else
    echo FAIL
  fi
}

record() {
  name=$1 kind=$2
  "$PYTHON" "$GEN/record.py" "$PART" "file=signed/$name" "kind=$kind" "signer=${SIGNER_FIELD-pki/$SIGNER.cert.pem}" \
    "trust=$TRUST" "expect=$EXPECT" "reason=$REASON" "signed_ids=$IDS" "made_by=${MADE_BY:-$XMLSEC_VERSION}" "note=$NOTE" \
    ${EXTRA[@]+"${EXTRA[@]}"}
}

# ====================================================================================================================
# SAML 2.0 assertions (root element saml:Assertion, enveloped signature)
# ====================================================================================================================
A=_sluis-assertion-0001
saml() { # saml NAME — the common SAML assertion case with the current knobs
  [ ${#REFS[@]} -gt 0 ] || REFS=("#$A|env,exc|sha256")
  IDS=${IDS:-$A}
  make "$1" saml-assertion saml-assertion.xml
  unset IDS
}
good() { TRUST=ca EXPECT=valid REASON=""; }

defaults; good; NOTE="Baseline: enveloped signature, exc-c14n, RSA-SHA256, SHA-256, KeyInfo X509Certificate of leaf-rsa2048."
saml saml-assertion-rsa2048-sha256.xml

defaults; good; SIGNER=leaf-rsa3072 SIGALG=rsa-sha512 REFS=("#$A|env,exc|sha512")
NOTE="RSA-3072 with RSA-SHA512 and SHA-512; xmlsec1 wraps the 88-character DigestValue over two lines (base64 line breaks are part of the signed SignedInfo)."
saml saml-assertion-rsa3072-sha512.xml

defaults; good; SIGNER=leaf-ec-p256 SIGALG=ecdsa-sha256
NOTE="ECDSA P-256 with SHA-256 (SignatureValue is r||s, 64 bytes). ECDSA signatures are randomised: regenerating gives different bytes."
saml saml-assertion-ecdsa-p256-sha256.xml

defaults; good; SIGNER=leaf-ec-p384 SIGALG=ecdsa-sha384 REFS=("#$A|env,exc|sha384")
NOTE="ECDSA P-384 with SHA-384, digest SHA-384 (SignatureValue is r||s, 96 bytes)."
saml saml-assertion-ecdsa-p384-sha384.xml

defaults; good; C14N_PL=xs REF_PL=xs
NOTE="exc-c14n with InclusiveNamespaces PrefixList=\"xs\" on both the CanonicalizationMethod and the Reference transform: xmlns:xs (used only inside xsi:type attribute values) is rendered on the assertion apex and on SignedInfo."
saml saml-assertion-exc-c14n-prefixlist.xml

defaults; good; C14N=c14n REFS=("#$A|env,c14n|sha256")
NOTE="Inclusive Canonical XML 1.0 (REC-xml-c14n-20010315) for SignedInfo and the Reference."
saml saml-assertion-c14n10.xml

defaults; good; C14N=exc-wc REFS=("#$A|env,exc-wc|sha256") SI_COMMENT=" a comment inside SignedInfo: signed, because SignedInfo is canonicalised #WithComments "
COMMENT_BEFORE_SUBJECT=" comment in the assertion: not signed (URI=#id removes comments) "
NOTE="exc-c14n#WithComments for SignedInfo and the Reference. The comment inside SignedInfo is part of the signed bytes; the comment in the assertion is not, because a same-document URI=\"#id\" dereference removes comments before any #WithComments transform (XML-DSig 4.3.3.3)."
saml saml-assertion-exc-c14n-withcomments.xml

defaults; good; C14N=c14n-wc REFS=("#$A|env,c14n-wc|sha256") SI_COMMENT=" signed comment "
COMMENT_BEFORE_SUBJECT=" unsigned comment "
NOTE="Inclusive C14N 1.0 #WithComments for SignedInfo and the Reference; SignedInfo comment signed, assertion comment not (URI=\"#id\")."
saml saml-assertion-c14n10-withcomments.xml

defaults; TRUST=ca EXPECT=invalid REASON=algorithm_not_allowed SIGALG=rsa-sha1 REFS=("#$A|env,exc|sha1")
NOTE="RSA-SHA1 signature over a SHA-1 digest: cryptographically valid (xmlsec1 verifies it) but refused by default policy."
saml saml-assertion-rsa-sha1.xml

defaults; TRUST=ca EXPECT=invalid REASON=algorithm_not_allowed REFS=("#$A|env,exc|sha1")
NOTE="RSA-SHA256 SignatureMethod but a SHA-1 DigestMethod in the Reference: refused by default policy."
saml saml-assertion-digest-sha1.xml

defaults; TRUST=ca EXPECT=invalid REASON=key_too_small SIGNER=leaf-rsa1024
NOTE="Signed with the RSA-1024 leaf (issued by the trusted intermediate, chain otherwise fine: xmlsec1 accepts it)."
saml saml-assertion-rsa1024.xml

defaults; TRUST=ca EXPECT=invalid REASON=untrusted_key SIGNER=untrusted-self-signed CHAIN_EXPECT=FAIL
EXTRA=('variants:json=[{"trust": "pin:pki/untrusted-self-signed.cert.pem", "expect": "valid", "note": "valid when this exact certificate is pinned"}]')
NOTE="Signed by a self-signed certificate outside the test PKI."
saml saml-assertion-untrusted-self-signed.xml

defaults; TRUST=ca EXPECT=invalid REASON=untrusted_key SIGNER=leaf-other-ca CHAIN_EXPECT=FAIL
EXTRA=('variants:json=[{"trust": "other-ca", "expect": "valid", "note": "valid if other-ca were a trust anchor"}]')
NOTE="Signed by a leaf of a different CA (other-ca) that is not a trust anchor."
saml saml-assertion-other-ca.xml

defaults; TRUST=ca EXPECT=invalid REASON=certificate_expired SIGNER=leaf-expired CHAIN_EXPECT=FAIL
EXTRA=('variants:json=[{"trust": "ca", "verification_time": "2020-06-01T00:00:00Z", "expect": "valid", "note": "the whole chain was valid in 2020"}]')
NOTE="Signer certificate valid 2020-01-01..2021-01-01."
saml saml-assertion-cert-expired.xml

defaults; TRUST=ca EXPECT=invalid REASON=certificate_not_yet_valid SIGNER=leaf-not-yet-valid CHAIN_EXPECT=FAIL
EXTRA=('variants:json=[{"trust": "ca", "verification_time": "2041-01-01T00:00:00Z", "expect": "valid"}]')
NOTE="Signer certificate valid from 2040-01-01."
saml saml-assertion-cert-not-yet-valid.xml

defaults; TRUST=ca EXPECT=invalid REASON=certificate_revoked SIGNER=leaf-revoked
EXTRA=('variants:json=[{"trust": "ca-nocrl", "expect": "valid", "note": "without the CRL nothing says it is revoked"}]')
NOTE="Signer certificate (serial 0x2005) is listed in pki/intermediate-ca.crl.pem (revoked 2026-06-01, keyCompromise). xmlsec1 1.2.37 has no CRL option, so xmlsec1_chain is OK; pki.sh checks the revocation with openssl verify -crl_check."
saml saml-assertion-cert-revoked.xml

defaults; TRUST=ca EXPECT=invalid REASON=key_usage_not_allowed SIGNER=leaf-ku-keyencipherment
NOTE="Signer certificate keyUsage is keyEncipherment only (no digitalSignature/nonRepudiation); xmlsec1 does not check keyUsage."
saml saml-assertion-ku-keyencipherment.xml

defaults; good; NAMEID=alice@example.org.evil.example
NOTE="A legitimately signed assertion for NameID alice@example.org.evil.example: the base of tampered/saml-assertion-nameid-comment-injection.xml."
EXTRA=("expect_name_id=alice@example.org.evil.example")
saml saml-assertion-nameid-evil-suffix.xml

defaults; KEYINFO=keyvalue TRUST=pin:pki/leaf-rsa2048.pubkey.pem EXPECT=valid REASON=""
EXTRA=('variants:json=[{"trust": "ca", "expect": "invalid", "reason": "untrusted_key", "note": "a bare KeyValue cannot be chained to a CA"}]')
NOTE="KeyInfo carries only ds:KeyValue/RSAKeyValue; valid with the signer's public key pinned."
saml saml-assertion-keyvalue.xml

defaults; KEYINFO=none TRUST=pin:pki/leaf-rsa2048.cert.pem EXPECT=valid REASON=""
NOTE="No KeyInfo at all; valid with the signer's certificate pinned (the verifier must try the pinned key)."
saml saml-assertion-no-keyinfo.xml

defaults; TRUST=ca EXPECT=invalid REASON=transform_not_allowed REFS=("#$A|xpath,exc|sha256")
NOTE="Reference uses an XPath transform (REC-xpath-19991116, not(ancestor-or-self::ds:Signature)) instead of enveloped-signature; cryptographically valid per xmlsec1, refused by transform policy."
saml saml-assertion-xpath-transform.xml

defaults; TRUST=ca EXPECT=invalid REASON=key_info_not_allowed KEYINFO=retrieval
URL_MAP=("http://example.com/signer.cer=$PKI/$SIGNER.cert.der")
NOTE="KeyInfo is a RetrievalMethod pointing at http://example.com/signer.cer (rawX509Certificate). xmlsec1 verified it with --url-map to the DER certificate; a verifier must not fetch it. With a pinned key a verifier could ignore the RetrievalMethod, but sluis refuses it."
saml saml-assertion-retrievalmethod.xml

# ====================================================================================================================
# SAML 2.0 responses (unsigned samlp:Response carrying a signed assertion; base of the XSW fixtures)
# ====================================================================================================================
R=_sluis-assertion-0002
resp() {
  [ ${#REFS[@]} -gt 0 ] || REFS=("#$R|env,exc|sha256")
  IDS=${IDS:-$R}
  NODE_ID=$R
  make "$1" saml-response saml-response.xml
  unset IDS
}
defaults; good; NOTE="Unsigned Response (xml:lang=\"nl\", extra namespace declarations) with an assertion signed with exc-c14n, RSA-SHA256. The Response attributes and namespace declarations are not signed."
EXTRA=("saml_signed_assertion=$R")
resp saml-response-exc-c14n.xml

defaults; good; C14N=c14n REFS=("#$R|env,c14n|sha256")
NOTE="As saml-response-exc-c14n.xml but inclusive C14N 1.0: every namespace declared on the Response and its xml:lang=\"nl\" are imported onto the assertion apex and signed."
EXTRA=("saml_signed_assertion=$R")
resp saml-response-c14n10.xml

defaults; good; C14N_PL="xs ext" REF_PL="xs ext"
NOTE="exc-c14n with PrefixList=\"xs ext\" on both: xs and ext are declared only on the (unsigned) Response and used only in xsi:type values; the PrefixList makes their bindings part of the signed assertion."
EXTRA=("saml_signed_assertion=$R")
resp saml-response-exc-c14n-prefixlist.xml

defaults; good; REFS=("#$R|env,c14n|sha256")
NOTE="SignedInfo canonicalised with exc-c14n but the Reference with inclusive C14N 1.0: the Response's namespaces and xml:lang are part of the digest only, not of SignedInfo, so changing them fails the digest alone."
EXTRA=("saml_signed_assertion=$R")
resp saml-response-c14n10-reference-only.xml

defaults; good; REF_PL="xs ext"
NOTE="PrefixList=\"xs ext\" on the Reference transform only (SignedInfo plain exc-c14n): the xs/ext bindings of the Response are part of the digest only."
EXTRA=("saml_signed_assertion=$R")
resp saml-response-exc-c14n-prefixlist-reference-only.xml

defaults; good; RESPONSE_SIGNED=1 IDS="_sluis-response-0001,$R"
NOTE="Two signatures: the assertion (signed first) and the Response (enveloped, signed second, covering the signed assertion). The first ds:Signature in document order is the Response's; the assertion's is at Response/Assertion/Signature."
EXTRA=("saml_signed_assertion=$R")
resp saml-response-both-signed.xml

# ====================================================================================================================
# SOAP with WS-Security (wsse:Security: Timestamp, BinarySecurityToken, Signature over Body and Timestamp)
# ====================================================================================================================
wss() { # wss NAME soap11|soap12
  [ ${#REFS[@]} -gt 0 ] || REFS=("#Body-id|exc|sha256" "#Timestamp-id|exc|sha256")
  IDS=${IDS:-Body-id,Timestamp-id}
  EXTRA+=("wss_expect=${WSS_EXPECT:-$EXPECT}")
  if [ -n "${WSS_REASON:-}" ]; then EXTRA+=("wss_reason=$WSS_REASON"); elif [ -n "$REASON" ]; then EXTRA+=("wss_reason=$REASON"); fi
  [ "$KEYINFO" = str ] && EXTRA+=("key_source=bst")
  make "$1" "$2" "$2.xml"
  unset IDS WSS_EXPECT WSS_REASON
}
for v in 11 12; do
  defaults; good; KEYINFO=str
  NOTE="SOAP 1.${v#1} envelope, wsse:Security with wsu:Timestamp (2026-01-01..2036-01-01), BinarySecurityToken (X509v3, leaf-rsa2048) and a signature over #Body-id and #Timestamp-id (exc-c14n, RSA-SHA256); KeyInfo is a SecurityTokenReference to #X509Token (xmlsec1 was given the key explicitly)."
  wss "soap$v-wss-str-rsa2048.xml" "soap$v"

  defaults; good; KEYINFO=x509
  NOTE="SOAP 1.${v#1} envelope as soap$v-wss-str-rsa2048.xml but without BinarySecurityToken: KeyInfo is X509Data/X509Certificate."
  wss "soap$v-wss-x509data.xml" "soap$v"
done

defaults; good; KEYINFO=str SIGNER=leaf-ec-p256 SIGALG=ecdsa-sha256
NOTE="SOAP 1.1, WS-Security, BinarySecurityToken of leaf-ec-p256, ECDSA-SHA256 over Body and Timestamp."
wss soap11-wss-str-ecdsa-p256.xml soap11

defaults; TRUST=ca EXPECT=invalid REASON=algorithm_not_allowed KEYINFO=str SIGALG=rsa-sha1 REFS=("#Body-id|exc|sha1" "#Timestamp-id|exc|sha1")
NOTE="SOAP 1.1, WS-Security with RSA-SHA1/SHA-1 (what zeep's BinarySignature writes by default): cryptographically valid, refused by default policy."
wss soap11-wss-rsa-sha1.xml soap11

# ====================================================================================================================
# Plain XML documents (whole-document URI="" references)
# ====================================================================================================================
xmldoc() {
  [ ${#REFS[@]} -gt 0 ] || REFS=("|env,exc|sha256")
  IDS=${IDS:-}
  make "$1" xml xml-document.xml
  unset IDS
}
defaults; good; NOTE="Whole-document enveloped signature (Reference URI=\"\"), exc-c14n, RSA-SHA256."
xmldoc xml-enveloped-uri-empty.xml

defaults; TRUST=ca EXPECT=invalid REASON=external_reference REFS=("|env,exc|sha256" "http://example.com/x.xml|-|sha256")
URL_MAP=("http://example.com/x.xml=$TPL/external-x.xml")
NOTE="Second Reference has URI=\"http://example.com/x.xml\" (no transforms). xmlsec1 signed and verified it with --url-map to gen/templates/external-x.xml; a verifier must never fetch it."
xmldoc xml-external-reference.xml

defaults; TRUST=ca EXPECT=invalid REASON=transform_not_allowed REFS=("|env,xslt|sha256")
NOTE="Reference with an XSLT transform (REC-xslt-19991116; the stylesheet outputs normalize-space of the document); xmlsec1 signs and verifies it, sluis must refuse the transform."
xmldoc xml-xslt-transform.xml

defaults; TRUST=ca EXPECT=invalid REASON=depth_limit_exceeded
PAYLOAD=$(for _ in $(seq 70); do printf '<doc:Level>'; done; printf 'diep'; for _ in $(seq 70); do printf '</doc:Level>'; done)
NOTE="A correctly signed document whose payload nests 70 doc:Level elements (depth 72 with the root): over the default max_depth of 64, so the parser refuses it before any cryptography."
xmldoc xml-deep-70.xml

# ---- HMAC (symmetric) signatures: sluis accepts none of them ---------------------------------------------------------
HMAC_KEY=$PKI/hmac-key.bin # the 6 ASCII bytes "secret" (no newline), the HMAC test secret
printf 'secret' >"$HMAC_KEY"
hmac_make() { # hmac_make NAME — xmlsec1 HMAC signature (and verification) with the shared test secret
  name=$1
  render xml-document.xml "$WORK/tpl.xml"
  xmlsec1 --sign --hmackey "$HMAC_KEY" --store-signatures --print-debug --output "$SIGNED/$name" "$WORK/tpl.xml" >"$WORK/debug" 2>"$WORK/err" || { cat "$WORK/err" >&2; die "$name: sign"; }
  xmlsec1 --verify --hmackey "$HMAC_KEY" "$SIGNED/$name" >"$WORK/vout" 2>&1 || { cat "$WORK/vout" >&2; die "$name: verify"; }
}
defaults; SIGALG=hmac-sha256 KEYINFO=none REFS=("|env,exc|sha256") TRUST=none EXPECT=invalid REASON=hmac_not_allowed IDS=""
hmac_make xml-hmac-sha256.xml
SIGNER_FIELD="" MADE_BY="" NOTE="HMAC-SHA256 over the whole document, key = the 6 ASCII bytes \"secret\" (pki/hmac-key.bin). Valid for xmlsec1; sluis allows no HMAC SignatureMethod."
EXTRA=("hmac_key=pki/hmac-key.bin")
record xml-hmac-sha256.xml xml
say "ok: signed/xml-hmac-sha256.xml"

# Truncated HMAC (CVE-2009-0217): xmlsec1 refuses HMACOutputLength < 80 even to sign, so sign with 256 bits, take the
# canonical SignedInfo xmlsec1 hashed (--store-signatures), change the length to 8 in it and in the document, and
# compute the 8-bit HMAC here. The digest of the document is xmlsec1's; only the SignatureValue is made by hand.
defaults; SIGALG=hmac-sha256 HMAC_LEN=256 KEYINFO=none REFS=("|env,exc|sha256")
hmac_make xml-hmac-sha256-truncated-8.xml
"$PYTHON" - "$WORK/debug" "$SIGNED/xml-hmac-sha256-truncated-8.xml" "$HMAC_KEY" <<'EOF'
import base64, hashlib, hmac, re, sys
debug, doc, keyfile = sys.argv[1:]
key = open(keyfile, "rb").read()
d = open(debug, "rb").read()
m = re.search(rb"== PreSigned data - start buffer:\n(.*?)\n== PreSigned data - end buffer", d, re.S)
pre = m.group(1)
s = open(doc, "rb").read()
full = re.search(rb"<ds:SignatureValue>(.*?)</ds:SignatureValue>", s, re.S).group(1)
assert base64.b64decode(full) == hmac.new(key, pre, hashlib.sha256).digest(), "pre-signature buffer does not match"
pre8 = pre.replace(b"<ds:HMACOutputLength>256</ds:HMACOutputLength>", b"<ds:HMACOutputLength>8</ds:HMACOutputLength>")
assert pre8 != pre
sig8 = base64.b64encode(hmac.new(key, pre8, hashlib.sha256).digest()[:1])
s = s.replace(b"<ds:HMACOutputLength>256</ds:HMACOutputLength>", b"<ds:HMACOutputLength>8</ds:HMACOutputLength>")
s = s.replace(b"<ds:SignatureValue>" + full + b"</ds:SignatureValue>", b"<ds:SignatureValue>" + sig8 + b"</ds:SignatureValue>")
open(doc, "wb").write(s)
EOF
if xmlsec1 --verify --hmackey "$HMAC_KEY" "$SIGNED/xml-hmac-sha256-truncated-8.xml" >"$WORK/vout" 2>&1; then
  die "xmlsec1 accepted an 8-bit HMAC"
fi
grep -q "HMAC min output length=80" "$WORK/vout" || { cat "$WORK/vout" >&2; die "unexpected xmlsec1 error for the 8-bit HMAC"; }
SIGNER_FIELD="" MADE_BY="$XMLSEC_VERSION + sign.sh" TRUST=none EXPECT=invalid REASON=hmac_not_allowed IDS=""
NOTE="HMAC-SHA256 truncated to HMACOutputLength 8 (one byte of SignatureValue), key \"secret\": a correct 8-bit HMAC of the canonical SignedInfo, made by hand from xmlsec1's pre-signature buffer because xmlsec1 refuses output lengths under 80 bits (CVE-2009-0217) - it rejects this file with 'HMAC min output length=80'."
EXTRA=("hmac_key=pki/hmac-key.bin")
record xml-hmac-sha256-truncated-8.xml xml
say "ok: signed/xml-hmac-sha256-truncated-8.xml (hand-made 8-bit HMAC)"

say "done: $(wc -l <"$PART") signed fixtures"
