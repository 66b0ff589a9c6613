#!/usr/bin/env python3
"""Writes N token-request bodies for the load benchmark, one per line: RFC 7522 saml2-bearer grants, each with a fresh
SAML 2.0 assertion (bearer assertions are one-time use) signed by signxml with the testbed's SAML issuer key.

    make_bench_bodies.py WORKDIR N OUT [VALIDITY_SECONDS]

Signs on every CPU (multiprocessing). The assertions are valid from now for VALIDITY_SECONDS (default 300, within the
testbed's 600 s maximum assertion lifetime), so the benchmark must run within that window.
"""
import base64
import json
import multiprocessing
import os
import sys
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, methods

GRANT = "urn:ietf:params:oauth:grant-type:saml2-bearer"


def ts(base, delta):
    return (base + timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make(args):
    bed, count, validity = args
    # Parsed once: cryptography validates an RSA private key on every load, which would dominate the signing time.
    key = serialization.load_pem_private_key(open(bed["saml_key"], "rb").read(), password=None)
    cert = open(bed["saml_cert"], "rb").read()
    token = bed["base"] + "/oauth2/token"
    signer = XMLSigner(method=methods.enveloped, signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    now = datetime.now(timezone.utc)
    out = []
    for _ in range(count):
        aid = "_" + uuid.uuid4().hex
        xml = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" Version="2.0" IssueInstant="{ts(now, -10)}"><saml:Issuer>{bed["saml_issuer"]}</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/><saml:Subject><saml:NameID>user-{aid[1:9]}@example.org</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{ts(now, validity)}" Recipient="{token}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{ts(now, -30)}" NotOnOrAfter="{ts(now, validity)}"><saml:AudienceRestriction><saml:Audience>{bed["base"]}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{ts(now, -20)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>editor</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"""
        signed = signer.sign(etree.fromstring(xml), key=key, cert=cert, reference_uri=aid, id_attribute="ID")
        assertion = base64.urlsafe_b64encode(etree.tostring(signed)).rstrip(b"=").decode()
        out.append(urllib.parse.urlencode({"grant_type": GRANT, "assertion": assertion, "scope": "read write"}))
    return out


def main(work, n, path, validity=300):
    with open(os.path.join(work, "testbed.json")) as f:
        bed = json.load(f)
    procs = os.cpu_count() or 1
    chunks = [(bed, n // procs + (1 if i < n % procs else 0), validity) for i in range(procs)]
    with multiprocessing.Pool(procs) as pool, open(path, "w") as f:
        for lines in pool.imap(make, chunks):
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], *(int(a) for a in sys.argv[4:5]))
