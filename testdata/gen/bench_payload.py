#!/usr/bin/env python3
"""bench_payload.py — deterministic SOAP 1.1 envelope templates for the verification benchmarks. Standard library only.

    bench_payload.py template RECORDS > template.xml            envelope with RECORDS patient records and an unsigned
                                                                 ds:Signature template over #Body-id
    bench_payload.py fit TARGET_BYTES OVERHEAD                   the largest RECORDS whose signed envelope stays
                                                                 <= TARGET_BYTES, given the signing OVERHEAD in bytes
    bench_payload.py count FILE                                  bytes and XML nodes (elements, attributes incl.
                                                                 namespace declarations, text runs, comments, PIs)

The payload is a realistic clinical-records response: nested elements with attributes, text and entity-escaped
characters, pseudo-random but fixed (a 32-bit LCG with a fixed seed, so every run yields the same bytes).
"""
import sys
import xml.parsers.expat

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <soap:Header>
    <wsa:Action>urn:example:sluis:records:GetRecordsResponse</wsa:Action>
    <wsa:MessageID>urn:uuid:6f1c2a3e-0000-4000-8000-00000000b001</wsa:MessageID>
    <wsse:Security soap:mustUnderstand="1">
      <wsu:Timestamp wsu:Id="Timestamp-id">
        <wsu:Created>2026-01-01T00:00:00Z</wsu:Created>
        <wsu:Expires>2036-01-01T00:00:00Z</wsu:Expires>
      </wsu:Timestamp>
      <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:SignedInfo>
          <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
          <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
          <ds:Reference URI="#Body-id">
            <ds:Transforms>
              <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
            </ds:Transforms>
            <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
            <ds:DigestValue></ds:DigestValue>
          </ds:Reference>
        </ds:SignedInfo>
        <ds:SignatureValue></ds:SignatureValue>
        <ds:KeyInfo><wsse:SecurityTokenReference><wsse:KeyIdentifier ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">@SKI@</wsse:KeyIdentifier></wsse:SecurityTokenReference></ds:KeyInfo>
      </ds:Signature>
    </wsse:Security>
  </soap:Header>
  <soap:Body wsu:Id="Body-id">
    <rec:GetRecordsResponse xmlns:rec="urn:example:sluis:records" patient="999911120" generated="2026-01-01T00:00:00Z">
"""
TAIL = """    </rec:GetRecordsResponse>
  </soap:Body>
</soap:Envelope>
"""

OBSERVATIONS = [
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 100, 160),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 100),
    ("8867-4", "Heart rate", "/min", 50, 110),
    ("29463-7", "Body weight", "kg", 50, 110),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 180),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11, 17),
]
PERFORMERS = [
    ("01.015", "Dr. A. Arts"),
    ("30.000", "J. de Vries & M. Jansen"),
    ("17.000", "Apotheek \"De Gaper\""),
    ("01.018", "Dr. S. <Bakker>"),
]
NOTES = [
    "Gemeten in rust, zittend.",
    "Controle na medicatiewijziging.",
    "Waarde > referentie; herhalen over 3 maanden.",
    "Patiënt nuchter. Geen bijzonderheden.",
]


class Lcg:
    def __init__(self, seed=20261125):
        self.x = seed

    def next(self, n):
        self.x = (1103515245 * self.x + 12345) & 0x7FFFFFFF
        return self.x % n


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def record(i, rng):
    code, name, unit, lo, hi = OBSERVATIONS[rng.next(len(OBSERVATIONS))]
    role, who = PERFORMERS[rng.next(len(PERFORMERS))]
    value = lo + rng.next(hi - lo + 1)
    day, hour, minute = 1 + rng.next(28), rng.next(24), rng.next(60)
    month = 1 + (i % 12)
    s = (
        f'      <rec:Record id="r{i:06d}" type="observation" status="final">\n'
        f'        <rec:Code system="2.16.840.1.113883.6.1" code="{code}">{esc(name)}</rec:Code>\n'
        f'        <rec:Value unit="{esc(unit)}" precision="0">{value}</rec:Value>\n'
        f"        <rec:Effective>2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z</rec:Effective>\n"
        f'        <rec:Performer role="{role}"><rec:Name>{esc(who)}</rec:Name></rec:Performer>\n'
    )
    if rng.next(3) == 0:
        s += f'        <rec:Note lang="nl">{esc(NOTES[rng.next(len(NOTES))])}</rec:Note>\n'
    s += "      </rec:Record>\n"
    return s


def records(n):
    rng = Lcg()
    return [record(i + 1, rng) for i in range(n)]


def template(n):
    return HEAD + "".join(records(n)) + TAIL


def fit(target, overhead):
    base = len((HEAD + TAIL).encode("utf-8")) + overhead
    total, n = base, 0
    rng = Lcg()
    while True:
        r = len(record(n + 1, rng).encode("utf-8"))
        if total + r > target:
            return n
        total += r
        n += 1


def count(path):
    data = open(path, "rb").read()
    nodes = 0
    in_text = False
    p = xml.parsers.expat.ParserCreate()

    def start(name, attrs):
        nonlocal nodes, in_text
        nodes += 1 + len(attrs)
        in_text = False

    def end(name):
        nonlocal in_text
        in_text = False

    def text(data):
        nonlocal nodes, in_text
        if not in_text:
            nodes += 1
            in_text = True

    def other(*_):
        nonlocal nodes, in_text
        nodes += 1
        in_text = False

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = text
    p.CommentHandler = other
    p.ProcessingInstructionHandler = other
    p.Parse(data, True)
    return len(data), nodes


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "template":
        sys.stdout.write(template(int(sys.argv[2])))
    elif cmd == "fit":
        print(fit(int(sys.argv[2]), int(sys.argv[3])))
    elif cmd == "count":
        size, nodes = count(sys.argv[2])
        print(size, nodes)
    else:
        raise SystemExit(__doc__)
