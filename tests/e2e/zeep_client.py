#!/usr/bin/env python3
"""End-to-end: a real SOAP client (zeep 4.3.3, WS-Security through python-xmlsec) calls the upstream through a
running `sluis serve`.

zeep loads the service's WSDL *from sluis* (GET <route>?wsdl), so the address it calls is the one sluis rewrote. Each
case checks what zeep got back and what the upstream recorded:

- X.509 BinarySignature (RSA-SHA256, SHA-256 digests, exclusive C14N; Body and Timestamp signed), SOAP 1.1 and 1.2:
  the upstream's answer arrives; the upstream received zeep's bytes minus the wsse:Security header, byte for byte,
  with SOAPAction/Content-Type as sent and the X-Sluis-* identity headers;
- UsernameToken (PasswordText, over loopback), SOAP 1.1 and 1.2: the same;
- the signed call tampered after signing (the patient id changed in transit): wsse:FailedCheck, nothing forwarded;
- a signature by a certificate from a CA sluis does not trust: wsse:FailedAuthentication, nothing forwarded;
- a revoked certificate: wsse:InvalidSecurityToken, nothing forwarded;
- a wrong password: wsse:FailedAuthentication, nothing forwarded.

Usage: zeep_client.py SLUIS_BASE_URL RECORD_FILE PKI_DIR
Exit status 0 when every case passes; the failures are printed otherwise.
"""
import base64
import datetime
import json
import re
import sys

import lxml.etree
import xmlsec
import zeep
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsdl.utils import etree_to_string
from zeep.wsse.compose import Compose
from zeep.wsse.signature import BinarySignature
from zeep.wsse.username import UsernameToken
from zeep.wsse.utils import WSU, get_security_header, get_timestamp

SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"


class Timestamp:
    """A wsu:Timestamp (WSS 1.1 section 10) for the Security header, so BinarySignature signs it too. zeep adds one
    only through UsernameToken; this is the same element on its own."""

    def apply(self, envelope, headers):
        now = datetime.datetime.now(datetime.timezone.utc)
        security = get_security_header(envelope)
        security.append(
            WSU.Timestamp(
                WSU.Created(get_timestamp(now, zulu_timestamp=True)),
                WSU.Expires(get_timestamp(now + datetime.timedelta(minutes=5), zulu_timestamp=True)),
            )
        )
        return envelope, headers

    def verify(self, envelope):
        pass


class RequestSignature(BinarySignature):
    """zeep's BinarySignature, signing requests only: sluis relays the upstream's answer as it is, and this upstream
    does not sign its answers, so there is nothing to verify on the way back."""

    def verify(self, envelope):
        pass


class RecordingTransport(Transport):
    """Keeps the exact bytes zeep sends; optionally changes them after signing (an attacker in transit)."""

    def __init__(self, tamper=None):
        super().__init__()
        self.sent = []
        self.tamper = tamper

    def post_xml(self, address, envelope, headers):
        message = etree_to_string(envelope)
        if self.tamper:
            message = self.tamper(message)
        self.sent.append((address, message, dict(headers)))
        return self.post(address, message, headers)


class E2E:
    def __init__(self, base, record_file, pki):
        self.base = base.rstrip("/")
        self.record_file = record_file
        self.pki = pki
        self.failures = []
        self.passed = 0

    def records(self):
        with open(self.record_file, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failures.append(f"{name}: {detail}")
            print(f"FAIL {name}: {detail}", flush=True)

    def signature(self, leaf):
        return Compose([
            Timestamp(),
            RequestSignature(
                f"{self.pki}/{leaf}.key.pem",
                f"{self.pki}/{leaf}.cert.pem",
                signature_method=xmlsec.Transform.RSA_SHA256,
                digest_method=xmlsec.Transform.SHA256,
            ),
        ])

    def service(self, route, wsse, soap12, tamper=None):
        transport = RecordingTransport(tamper)
        client = zeep.Client(f"{self.base}{route}?wsdl", wsse=wsse, transport=transport)
        port = "PatientSoap12Port" if soap12 else "PatientSoap11Port"
        service = client.bind("PatientService", port)
        address = service._binding_options["address"]
        self.check(f"{route} wsdl address", address == f"{self.base}{route}", f"zeep would call {address}")
        return service, transport

    def accepted(self, name, route, wsse, soap12, subject_part, level):
        before = len(self.records())
        service, transport = self.service(route, wsse, soap12)
        try:
            result = service.GetPatient(id="42")
        except Exception as e:  # noqa: BLE001 - report any failure as a failed case
            self.check(name, False, f"call failed: {e!r}")
            return
        self.check(name, result.name == "Jan Jansen" and result.id == "42", f"answer {result}")
        self.check(f"{name} subject", subject_part in (result.subject or ""), f"upstream saw subject {result.subject!r}")
        self.check(f"{name} auth level", result.authLevel == level, f"upstream saw level {result.authLevel!r}")
        records = self.records()
        self.check(f"{name} forwarded once", len(records) == before + 1, f"{len(records) - before} requests")
        if len(records) != before + 1:
            return
        got = records[-1]
        _, sent, sent_headers = transport.sent[-1]
        body = base64.b64decode(got["body"])
        start, end = sent.find(b"<wsse:Security"), sent.find(b"</wsse:Security>")
        expected = sent[:start] + sent[end + len(b"</wsse:Security>"):] if start >= 0 <= end else None
        self.check(f"{name} spliced bytes", body == expected, f"upstream body differs:\n{body!r}\nvs\n{expected!r}")
        h = got["headers"]
        self.check(f"{name} content-type", h.get("content-type") == sent_headers.get("Content-Type"),
                   f"{h.get('content-type')!r} vs {sent_headers.get('Content-Type')!r}")
        if not soap12:
            self.check(f"{name} soapaction", h.get("soapaction") == sent_headers.get("SOAPAction"),
                       f"{h.get('soapaction')!r}")
        self.check(f"{name} request id", re.fullmatch(r"[0-9a-f]{32}", h.get("x-request-id", "")) is not None,
                   f"{h.get('x-request-id')!r}")

    def refused(self, name, route, wsse, soap12, code, tamper=None):
        before = len(self.records())
        service, _ = self.service(route, wsse, soap12, tamper)
        try:
            service.GetPatient(id="42")
            self.check(name, False, "call was accepted")
            return
        except Fault as f:
            if soap12:
                sub = [f"{q.namespace == 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd' and 'wsse:' or ''}{q.localname}"
                       for q in (f.subcodes or [])]
                got = (f.code, sub)
                want = ("env:Sender" if f.code.startswith("env:") else f.code, [code])
                ok = f.code.endswith("Sender") and sub == [code]
            else:
                got = f.code
                want = code
                ok = f.code == code
            self.check(name, ok, f"fault {got!r}, expected {want!r} ({f.message!r})")
        except Exception as e:  # noqa: BLE001
            self.check(name, False, f"expected a SOAP fault, got {e!r}")
        self.check(f"{name}: upstream saw nothing", len(self.records()) == before,
                   f"{len(self.records()) - before} requests reached the upstream")

    def run(self):
        print(f"zeep {zeep.__version__}, lxml libxml2 {lxml.etree.LIBXML_VERSION}, xmlsec libxml2 "
              f"{xmlsec.get_libxml_version()}", flush=True)
        good = self.signature("leaf-rsa2048")
        for soap12 in (False, True):
            v = "1.2" if soap12 else "1.1"
            self.accepted(f"x509 SOAP {v}", "/e2e/x509", good, soap12, "Sluis Test", "4")
            self.accepted(f"UsernameToken SOAP {v}", "/e2e/ut", UsernameToken("alice", "s3cret-pw"), soap12,
                          "alice", "2")
            self.refused(f"tampered SOAP {v}", "/e2e/x509", good, soap12, "wsse:FailedCheck",
                         tamper=lambda m: m.replace(b">42<", b">43<", 1))
            self.refused(f"untrusted CA SOAP {v}", "/e2e/x509", self.signature("leaf-other-ca"), soap12,
                         "wsse:FailedAuthentication")
            self.refused(f"revoked certificate SOAP {v}", "/e2e/x509", self.signature("leaf-revoked"), soap12,
                         "wsse:InvalidSecurityToken")
            self.refused(f"wrong password SOAP {v}", "/e2e/ut", UsernameToken("alice", "wrong"), soap12,
                         "wsse:FailedAuthentication")
        print(f"e2e-zeep: {self.passed} checks passed, {len(self.failures)} failed", flush=True)
        return 0 if not self.failures else 1


if __name__ == "__main__":
    sys.exit(E2E(sys.argv[1], sys.argv[2], sys.argv[3]).run())
