#!/usr/bin/env python3
"""signxml_sign.py — SAML assertions signed by Python signxml (a second, independent signer besides xmlsec1).

    VENV/bin/python testdata/gen/signxml_sign.py [OUT_DIR]      (default OUT_DIR: testdata)

Needs signxml 5.2.0 with lxml built against the system libxml2 (see testdata/README.md, "signxml venv").
Writes OUT_DIR/signed/signxml-*.xml and OUT_DIR/.manifest.d/signxml.jsonl. Every output is verified with
`xmlsec1 --verify` (signer's key pinned, then the certificate chain at the fixtures' verification time) before it
is recorded; a failure stops the script.

No InclusiveNamespaces PrefixList here: signxml 5.2.0 digests with the PrefixList but leaves it out of the written
Transform, so its PrefixList signatures never verify (see /work/shared/README.md); xmlsec1 signs those cases.
"""
import importlib.metadata
import json
import os
import subprocess
import sys

from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods

GEN = os.path.dirname(os.path.abspath(__file__))
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ASSERTION_ID = "_sluis-assertion-0001"
VERSION = "signxml " + importlib.metadata.version("signxml")
TRUST_CA = {
    "pinned": [],
    "ca": ["pki/root-ca.cert.pem"],
    "intermediates": ["pki/intermediate-ca.cert.pem"],
    "crl": ["pki/intermediate-ca.crl.pem", "pki/root-ca.crl.pem"],
}

CASES = [
    # (file, signer, signature method, digest, note)
    ("signxml-saml-assertion-rsa2048-sha256.xml", "leaf-rsa2048", SignatureMethod.RSA_SHA256, DigestAlgorithm.SHA256,
     "signxml enveloped signature on a SAML assertion: exc-c14n (no PrefixList), RSA-SHA256, SHA-256, KeyInfo X509Data."),
    ("signxml-saml-assertion-ecdsa-p256-sha256.xml", "leaf-ec-p256", SignatureMethod.ECDSA_SHA256, DigestAlgorithm.SHA256,
     "signxml enveloped signature on a SAML assertion: exc-c14n, ECDSA-SHA256 (P-256), SHA-256, KeyInfo X509Data. ECDSA is randomised: regenerating gives different bytes."),
]


def template():
    with open(os.path.join(GEN, "templates", "saml-assertion.xml"), encoding="utf-8") as f:
        s = f.read()
    # signxml puts the signature where a <ds:Signature Id="placeholder"/> element is (SAML wants it after Issuer)
    s = s.replace("@SIGNATURE@", '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>')
    s = s.replace("@NAMEID@", "alice@example.org")
    return s.encode("utf-8")


def xmlsec1(args):
    p = subprocess.run(["xmlsec1", "--verify", "--id-attr:ID", f"{SAML}:Assertion"] + args, capture_output=True, text=True)
    return p.returncode == 0, p.stdout + p.stderr


def main(out_dir):
    pki = os.path.join(out_dir, "pki")
    signed_dir = os.path.join(out_dir, "signed")
    os.makedirs(signed_dir, exist_ok=True)
    os.makedirs(os.path.join(out_dir, ".manifest.d"), exist_ok=True)
    entries = []
    for name, signer, sig, dig, note in CASES:
        with open(os.path.join(pki, signer + ".key.pem"), "rb") as f:
            key = f.read()
        with open(os.path.join(pki, signer + ".cert.pem"), "rb") as f:
            cert = f.read()
        root = etree.fromstring(template())
        signed = XMLSigner(
            method=methods.enveloped,
            signature_algorithm=sig,
            digest_algorithm=dig,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        ).sign(root, key=key, cert=cert, reference_uri=ASSERTION_ID, id_attribute="ID")
        path = os.path.join(signed_dir, name)
        with open(path, "wb") as f:
            f.write(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))
        ok, out = xmlsec1(["--pubkey-cert-pem", os.path.join(pki, signer + ".cert.pem"), "--enabled-key-data", "key-name", path])
        if not ok:
            os.unlink(path)
            raise SystemExit(f"signxml_sign: FAIL: {name}: xmlsec1 (pinned key) does not verify it:\n{out}")
        ok, out = xmlsec1(["--trusted-pem", os.path.join(pki, "root-ca.cert.pem"), "--untrusted-pem",
                           os.path.join(pki, "intermediate-ca.cert.pem"), "--verification-gmt-time", "2026-11-25 12:00:00", path])
        if not ok:
            os.unlink(path)
            raise SystemExit(f"signxml_sign: FAIL: {name}: xmlsec1 (certificate chain) does not verify it:\n{out}")
        entries.append({
            "file": "signed/" + name,
            "kind": "saml-assertion",
            "signer": f"pki/{signer}.cert.pem",
            "trust": TRUST_CA,
            "verification_time": "2026-11-25T12:00:00Z",
            "expect": "valid",
            "reason": None,
            "signed_ids": [ASSERTION_ID],
            "made_by": VERSION,
            "note": note,
            "xmlsec1_chain": "OK",
        })
        print(f"signxml: ok: signed/{name}", file=sys.stderr)
    with open(os.path.join(out_dir, ".manifest.d", "signxml.jsonl"), "w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(GEN, "..")))
