#!/usr/bin/env python3
"""tamper.py — derive negative (and tricky-but-valid) fixtures from the signed ones. Standard library only.

    tamper.py [OUT_DIR]              read OUT_DIR/signed + OUT_DIR/.manifest.d/sign.jsonl,
                                     write OUT_DIR/tampered and OUT_DIR/.manifest.d/tamper.jsonl (default OUT_DIR: testdata)
    tamper.py deep DEPTH [FILE]      write a DEPTH-deep document (no signature) to FILE or stdout, for tests that
                                     need the 100,000-deep case without committing it

Every edit is a byte-level string operation on the signed file (no DOM round trip), so everything that is not
deliberately changed stays byte-identical. Each output is then checked with `xmlsec1 --verify` (signer's key pinned,
KeyInfo ignored, same ID attributes as sign.sh) and the result must be the one the case states, so a fixture whose
expectation is wrong cannot land; xmlsec1's verdict is stored in the manifest entry as `xmlsec1`.
"""
import json
import os
import re
import subprocess
import sys

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

ID_ATTRS = {
    "saml-assertion": ["--id-attr:ID", f"{SAML}:Assertion", "--id-attr:ID", f"{SAMLP}:Response"],
    "saml-response": ["--id-attr:ID", f"{SAML}:Assertion", "--id-attr:ID", f"{SAMLP}:Response"],
    "soap11": ["--id-attr:Id", f"{SOAP11}:Body", "--id-attr:Id", f"{WSU}:Timestamp", "--id-attr:Id", f"{WSSE}:BinarySecurityToken"],
    "soap12": ["--id-attr:Id", f"{SOAP12}:Body", "--id-attr:Id", f"{WSU}:Timestamp", "--id-attr:Id", f"{WSSE}:BinarySecurityToken"],
    "xml": [],
}

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


class Fail(Exception):
    pass


def once(s, old, new):
    """Replace exactly one occurrence of old (it must occur exactly once)."""
    n = s.count(old)
    if n != 1:
        raise Fail(f"expected exactly one {old[:60]!r}, found {n}")
    return s.replace(old, new)


def first(s, old, new):
    if old not in s:
        raise Fail(f"missing {old[:60]!r}")
    return s.replace(old, new, 1)


def flip_b64(c):
    return "B" if c == "A" else "A"


def element(s, start_tag_prefix, end_tag, occurrence=0):
    """(start, end) byte offsets of the occurrence-th element whose start tag begins with start_tag_prefix."""
    pos = -1
    for _ in range(occurrence + 1):
        pos = s.index(start_tag_prefix, pos + 1)
    end = s.index(end_tag, pos) + len(end_tag)
    return pos, end


def strip_decl(s):
    if not s.startswith(XML_DECL):
        raise Fail("document does not start with the expected XML declaration")
    return s[len(XML_DECL):]


# ---- the edits ----------------------------------------------------------------------------------------------------------

def digest_value_alter(s):
    m = re.search(r"<ds:DigestValue>(.)", s)
    return s[: m.start(1)] + flip_b64(m.group(1)) + s[m.end(1):]


def signature_value_alter(s):
    m = re.search(r"<ds:SignatureValue>(.)", s)
    return s[: m.start(1)] + flip_b64(m.group(1)) + s[m.end(1):]


def signature_value_whitespace(s):
    m = re.search(r"<ds:SignatureValue>(.*?)</ds:SignatureValue>", s, re.S)
    v = m.group(1).replace("\n", "")
    spaced = "\n\t " + " ".join(v[i:i + 4] for i in range(0, len(v), 4)) + " \r\n  "
    return s[: m.start(1)] + spaced + s[m.end(1):]


def insert_in_value(s, element_name, what, at=10):
    m = re.search(rf"<ds:{element_name}>(.*?)</ds:{element_name}>", s, re.S)
    v = m.group(1)
    return s[: m.start(1)] + v[:at] + what + v[at:] + s[m.end(1):]


def digest_value_cdata(s):
    m = re.search(r"<ds:DigestValue>(.*?)</ds:DigestValue>", s, re.S)
    return s[: m.start(1)] + "<![CDATA[" + m.group(1) + "]]>" + s[m.end(1):]


def with_doctype(s, internal_subset, body_edit=None):
    body = strip_decl(s)
    root = re.match(r"<([A-Za-z_:][\w.:-]*)", body).group(1)
    if body_edit:
        body = body_edit(body)
    return XML_DECL + f"<!DOCTYPE {root} [\n{internal_subset}\n]>\n" + body


BILLION_LAUGHS = "\n".join(
    ['<!ENTITY lol "lol">']
    + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
)


def nested(depth, name="a", text="deep"):
    return f"<{name}>" * depth + text + f"</{name}>" * depth


EVIL_ASSERTION = (
    '<saml:Assertion ID="{id}" IssueInstant="2026-01-01T00:00:00Z" Version="2.0">'
    "<saml:Issuer>https://idp.example.org/saml2</saml:Issuer>"
    '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">admin@example.org</saml:NameID>'
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="_sluis-request-0001" NotOnOrAfter="2036-01-01T00:00:00Z" Recipient="https://sluis.example.org/saml2/acs"/></saml:SubjectConfirmation></saml:Subject>'
    '<saml:Conditions NotBefore="2026-01-01T00:00:00Z" NotOnOrAfter="2036-01-01T00:00:00Z"><saml:AudienceRestriction><saml:Audience>https://sluis.example.org</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
    '<saml:AuthnStatement AuthnInstant="2026-01-01T00:00:00Z"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
    "</saml:Assertion>"
)


def response_assertion(s):
    return element(s, "<saml:Assertion ID=", "</saml:Assertion>")


def xsw_evil(s, where, evil_id="_evil-assertion-0001"):
    a, b = response_assertion(s)
    evil = EVIL_ASSERTION.format(id=evil_id)
    if where == "before":
        return s[:a] + evil + "\n  " + s[a:]
    return s[:b] + "\n  " + evil + s[b:]


def xsw_extensions(s):
    """Signed assertion moved into samlp:Extensions (after Issuer); an evil assertion takes its place."""
    a, b = response_assertion(s)
    signed = s[a:b]
    s = s[:a] + EVIL_ASSERTION.format(id="_evil-assertion-0001") + s[b:]
    issuer_end = s.index("</saml:Issuer>") + len("</saml:Issuer>")
    return s[:issuer_end] + "\n  <samlp:Extensions>" + signed + "</samlp:Extensions>" + s[issuer_end:]


def xsw_object(s):
    """XSW-8 style: the evil assertion carries the original ds:Signature; the original assertion, with its signature
    removed, is put into a ds:Object of that signature."""
    a, b = response_assertion(s)
    signed = s[a:b]
    sa, sb = element(signed, "<ds:Signature", "</ds:Signature>")
    sig = signed[sa:sb]
    original_unsigned = signed[:sa] + signed[sb:]
    sig_with_object = sig[: -len("</ds:Signature>")] + "<ds:Object>" + original_unsigned + "</ds:Object></ds:Signature>"
    evil = EVIL_ASSERTION.format(id="_evil-assertion-0001")
    evil = evil.replace("</saml:Issuer>", "</saml:Issuer>" + sig_with_object, 1)
    return s[:a] + evil + s[b:]


def soap_wrap(s, duplicate_id=False, where="security"):
    """Move the signed Body into wsse:Security/wrap:Wrapper (or a wrap:Wrapper header block, where="header"), put an
    unsigned Body in its place."""
    a, b = element(s, "<soap:Body", "</soap:Body>")
    signed_body = s[a:b]
    new_id = ' wsu:Id="Body-id"' if duplicate_id else ""
    evil_body = (
        f"<soap:Body{new_id}>\n"
        '    <pat:DeletePatient xmlns:pat="urn:example:sluis:patient">\n'
        '      <pat:PatientId root="2.16.840.1.113883.2.4.6.3">999911120</pat:PatientId>\n'
        "    </pat:DeletePatient>\n"
        "  </soap:Body>"
    )
    s = s[:a] + evil_body + s[b:]
    if where == "header":
        wrapper = '<wrap:Wrapper xmlns:wrap="urn:example:attack">' + signed_body + "</wrap:Wrapper>"
        header_end = s.index("</soap:Header>")
        line_start = s.rindex("\n", 0, header_end) + 1
        return s[:line_start] + "    " + wrapper + "\n" + s[line_start:]
    wrapper = '<wrap:Wrapper xmlns:wrap="urn:example:attack">' + signed_body + "</wrap:Wrapper>\n      "
    sec_end = s.index("</wsse:Security>")
    # put the wrapper right before </wsse:Security> (after the Signature)
    line_start = s.rindex("\n", 0, sec_end) + 1
    return s[:line_start] + "      " + wrapper.rstrip() + "\n" + s[line_start:]


# ---- the case table -------------------------------------------------------------------------------------------------------
# (output name, base signed file, edit, manifest overrides, expected xmlsec1 verdict "OK"/"FAIL", None = do not run it)

def cases():
    A = "saml-assertion-rsa2048-sha256.xml"
    WC = "saml-assertion-exc-c14n-withcomments.xml"
    R = "saml-response-exc-c14n.xml"
    RC = "saml-response-c14n10.xml"
    RP = "saml-response-exc-c14n-prefixlist.xml"
    RCR = "saml-response-c14n10-reference-only.xml"
    RPR = "saml-response-exc-c14n-prefixlist-reference-only.xml"
    S11 = "soap11-wss-str-rsa2048.xml"
    S12 = "soap12-wss-str-rsa2048.xml"
    XSW = {"saml_expect": "invalid", "saml_reason": "assertion_not_signed"}
    c = []

    def add(name, base, edit, xmlsec1, **fields):
        c.append((name, base, edit, fields, xmlsec1))

    # -- content changes under a valid-looking signature
    add("saml-assertion-text-changed.xml", A, lambda s: once(s, ">900000001<", ">900000002<"), "FAIL",
        expect="invalid", reason="digest_mismatch", note="One character of signed text content changed (uziNumber 900000001 -> 900000002).")
    add("saml-assertion-attribute-changed.xml", A,
        lambda s: once(s, '<saml:Conditions NotBefore="2026-01-01T00:00:00Z" NotOnOrAfter="2036-01-01T00:00:00Z">',
                       '<saml:Conditions NotBefore="2026-01-01T00:00:00Z" NotOnOrAfter="2046-01-01T00:00:00Z">'), "FAIL",
        expect="invalid", reason="digest_mismatch", note="A signed attribute changed (Conditions/@NotOnOrAfter 2036 -> 2046).")
    add("saml-assertion-element-added.xml", A,
        lambda s: once(s, "<saml:Audience>https://sluis.example.org</saml:Audience>",
                       "<saml:Audience>https://sluis.example.org</saml:Audience><saml:Audience>https://evil.example</saml:Audience>"), "FAIL",
        expect="invalid", reason="digest_mismatch", note="An element added inside the signed assertion (a second Audience).")
    add("saml-assertion-id-changed.xml", A, lambda s: once(s, 'ID="_sluis-assertion-0001"', 'ID="_sluis-assertion-0009"'), "FAIL",
        expect="invalid", reason="reference_not_found", note="The assertion's ID changed, so Reference URI=#_sluis-assertion-0001 points at nothing.")
    add("saml-assertion-digestvalue-altered.xml", A, digest_value_alter, "FAIL",
        expect="invalid", reason="signature_invalid", reason_alternatives=["digest_mismatch"],
        note="First character of DigestValue changed. Both checks fail: SignedInfo no longer matches SignatureValue and the digest no longer matches. A verifier that checks SignatureValue first (XML-DSig Best Practices 1) reports signature_invalid; xmlsec1 checks References first and reports 'data and digest do not match'.")
    add("saml-assertion-signaturevalue-altered.xml", A, signature_value_alter, "FAIL",
        expect="invalid", reason="signature_invalid", note="First character of SignatureValue changed.")

    # -- encodings that must NOT change the outcome
    add("saml-assertion-signaturevalue-whitespace.xml", A, signature_value_whitespace, "OK",
        expect="valid", note="SignatureValue re-wrapped with spaces, tabs, CRLF and newlines between base64 groups: base64Binary ignores whitespace and SignatureValue is outside SignedInfo, so still valid.")
    add("saml-assertion-signaturevalue-comment.xml", A, lambda s: insert_in_value(s, "SignatureValue", "<!-- comment -->"), "OK",
        expect="valid", note="A comment inside SignatureValue splits its text into two text nodes; the value is the concatenation of the text nodes (comments are not character data), and SignatureValue is outside SignedInfo: still valid (xmlsec1: OK). A verifier that reads only the first text node fails here wrongly.")
    add("saml-assertion-digestvalue-comment.xml", A, lambda s: insert_in_value(s, "DigestValue", "<!-- comment -->"), "OK",
        expect="valid", note="A comment inside DigestValue: SignedInfo is canonicalised without comments, so the signed bytes do not change, and the DigestValue is the concatenation of its text nodes: still valid (xmlsec1: OK). A verifier that reads only the first text node reports a digest mismatch wrongly.")
    add("saml-assertion-digestvalue-whitespace.xml", A, lambda s: insert_in_value(s, "DigestValue", " \n "), "FAIL",
        expect="invalid", reason="signature_invalid",
        note="Whitespace inserted inside DigestValue. The decoded digest is unchanged (base64 whitespace is ignored) but DigestValue is inside SignedInfo and canonicalisation keeps text whitespace, so the SignatureValue no longer matches. xmlsec1: EVP_VerifyFinal failed (its References all pass).")
    add("saml-assertion-digestvalue-cdata.xml", A, digest_value_cdata, "OK",
        expect="valid", note="DigestValue text wrapped in a CDATA section: canonical XML replaces CDATA by its (escaped) character content, and base64 needs no escaping, so SignedInfo's canonical bytes are unchanged: valid.")
    add("saml-assertion-text-charref.xml", A, lambda s: once(s, ">900000001<", ">&#57;00000001<"), "OK",
        expect="valid", note="A signed character written as a character reference (&#57; for '9'): canonicalisation expands it, so the digest is unchanged: valid.")
    add("saml-assertion-attribute-charref.xml", A,
        lambda s: once(s, 'SessionIndex="_session-0001"', 'SessionIndex="&#95;session&#x2D;0001"'), "OK",
        expect="valid", note="Character references inside a signed attribute value (&#95; and &#x2D;): canonicalisation expands them: valid.")

    # -- comment injection
    add("saml-assertion-nameid-comment-injection.xml", "saml-assertion-nameid-evil-suffix.xml",
        lambda s: once(s, ">alice@example.org.evil.example<", ">alice@example.org<!---->.evil.example<"), "OK",
        expect="valid", expect_name_id="alice@example.org.evil.example",
        note="Comment injected into the signed NameID (the 2018 SAML comment-injection class): the signature stays valid because comments are not signed under exc-c14n; the NameID is the concatenation of both text nodes, alice@example.org.evil.example, never alice@example.org.")

    # -- #WithComments
    add("saml-assertion-withcomments-signedinfo-comment-removed.xml", WC,
        lambda s: re.sub(r"\n *<!-- a comment inside SignedInfo[^>]*-->", "", s, count=1), "FAIL",
        expect="invalid", reason="signature_invalid", note="The comment inside SignedInfo removed; SignedInfo is canonicalised #WithComments, so it was signed.")
    add("saml-assertion-withcomments-assertion-comment-changed.xml", WC,
        lambda s: once(s, "<!-- comment in the assertion: not signed (URI=#id removes comments) -->", "<!-- changed -->"), "OK",
        expect="valid", note="The comment inside the assertion changed. Still valid: a same-document URI=\"#id\" reference yields a node-set without comments (XML-DSig 4.3.3.3), so exc-c14n#WithComments has no comments left to render.")
    add("saml-assertion-withcomments-digestvalue-comment.xml", WC, lambda s: insert_in_value(s, "DigestValue", "<!---->"), "FAIL",
        expect="invalid", reason="signature_invalid", note="A comment inserted into DigestValue when SignedInfo is canonicalised #WithComments: the canonical SignedInfo changes, so the signature fails (contrast saml-assertion-digestvalue-comment.xml).")

    # -- DTDs, entities, depth
    add("saml-assertion-doctype-unused-entity.xml", A, lambda s: with_doctype(s, '<!ENTITY issuer "https://idp.example.org/saml2">'), "OK",
        expect="invalid", reason="dtd_forbidden", note="A DOCTYPE with an internal entity that is never used, in an otherwise correctly signed document (xmlsec1: OK; canonical XML drops the DTD). sluis refuses any DTD.")
    add("saml-assertion-doctype-internal-entity.xml", A,
        lambda s: with_doctype(s, '<!ENTITY issuer "https://idp.example.org/saml2">',
                               lambda b: once(b, "<saml:Issuer>https://idp.example.org/saml2</saml:Issuer>", "<saml:Issuer>&issuer;</saml:Issuer>")), "FAIL",
        expect="invalid", reason="dtd_forbidden", note="A DOCTYPE whose internal entity &issuer; expands to exactly the signed Issuer text, so a DTD-processing verifier that substitutes entities computes the original digest. xmlsec1 1.2.37 does not substitute and libxml2's C14N fails on the entity-reference node ('Internal error : processing docs children list').")
    add("saml-assertion-xxe.xml", A,
        lambda s: with_doctype(s, '<!ENTITY x SYSTEM "file:///etc/passwd">',
                               lambda b: once(b, "<saml:Audience>https://sluis.example.org</saml:Audience>", "<saml:Audience>https://sluis.example.org&x;</saml:Audience>")), "FAIL",
        expect="invalid", reason="dtd_forbidden", note="XXE: an external entity SYSTEM \"file:///etc/passwd\" referenced inside the signed Audience. Must be refused at the DOCTYPE, before any file is read.")
    add("saml-assertion-billion-laughs.xml", A,
        lambda s: with_doctype(s, BILLION_LAUGHS, lambda b: once(b, "<saml:Audience>https://sluis.example.org</saml:Audience>", "<saml:Audience>https://sluis.example.org&lol9;</saml:Audience>")), "FAIL",
        expect="invalid", reason="dtd_forbidden", note="Billion laughs: lol1..lol9 nested 10x (10^9 'lol's, 3 GB) referenced from signed element content. Refused at the DOCTYPE. xmlsec1 does not expand it and fails fast in C14N on the entity-reference node.")
    add("saml-assertion-billion-laughs-attribute.xml", A,
        lambda s: with_doctype(s, BILLION_LAUGHS, lambda b: once(b, "<saml:NameID Format=", "<saml:NameID lol=\"&lol9;\" Format=")), None,
        expect="invalid", reason="dtd_forbidden", note="Billion laughs referenced from an attribute value (NameID/@lol=\"&lol9;\"). Refused at the DOCTYPE. NOT run through xmlsec1 by tamper.py: libxml2 2.9.14 expands entities in attribute values even without entity substitution, and xmlsec1 1.2.37 spent ~234 s of CPU on this file here before failing with a digest mismatch.")
    add("saml-assertion-entity-ref-no-doctype.xml", A,
        lambda s: once(s, "<saml:Issuer>https://idp.example.org/saml2</saml:Issuer>", "<saml:Issuer>&idp;</saml:Issuer>"), "FAIL",
        expect="invalid", reason="entity_reference_forbidden", note="A reference to an undeclared general entity &idp; with no DOCTYPE (not well-formed; xmlsec1: \"Entity 'idp' not defined\").")
    add("saml-assertion-deep-10000.xml", A, lambda s: once(s, "<saml:NameID Format=", nested(10000, "x") + "<saml:NameID Format="), "FAIL",
        expect="invalid", reason="depth_limit_exceeded", note="10,000 nested <x> elements (no namespace) inside the signed Subject (depth 10,003). The 100,000-deep case is generated at test time: `python3 testdata/gen/tamper.py deep 100000 FILE`.")

    # -- SAML signature wrapping (XSW) on a Response carrying a signed assertion
    add("saml-response-xsw-evil-before.xml", R, lambda s: xsw_evil(s, "before"), "OK",
        expect="valid", **XSW, note="An unsigned evil Assertion (ID _evil-assertion-0001, NameID admin@example.org) inserted before the signed one. The signature over #_sluis-assertion-0002 is still valid; the SAML layer must use only the assertion the signature covers and refuse a Response with an unsigned assertion.")
    add("saml-response-xsw-evil-after.xml", R, lambda s: xsw_evil(s, "after"), "OK",
        expect="valid", **XSW, note="As xsw-evil-before, with the evil Assertion after the signed one.")
    add("saml-response-xsw-signed-in-extensions.xml", R, xsw_extensions, "OK",
        expect="valid", **XSW, note="The signed assertion moved into samlp:Extensions and an evil assertion put in its place: the signature is valid over the moved assertion; only the evil one is where a naive reader looks.")
    add("saml-response-xsw-signed-in-object.xml", R, xsw_object, "FAIL",
        expect="invalid", reason="digest_mismatch", reason_alternatives=["malformed_signature"], **XSW,
        note="XSW-8 style: the evil assertion carries the original ds:Signature whose ds:Object holds the original assertion minus its signature. With a correct enveloped-signature transform the referenced assertion is now inside the Signature element, so the whole node-set is removed and the digest fails (xmlsec1: digest mismatch). A verifier that just deletes a Signature child would find it valid; the SAML layer must still refuse it. Refusing an enveloped-signature Reference whose target lies inside its own Signature as malformed is also acceptable.")
    add("saml-response-xsw-evil-same-id.xml", R, lambda s: xsw_evil(s, "before", evil_id="_sluis-assertion-0002"), "FAIL",
        expect="invalid", reason="duplicate_id", note="An evil unsigned assertion with the SAME ID as the signed one, placed first: the ID is declared twice, so the reference is ambiguous and must be refused (xmlsec1: 'duplicate ID attribute').")
    add("saml-response-duplicate-id-on-response.xml", R, lambda s: once(s, 'ID="_sluis-response-0001"', 'ID="_sluis-assertion-0002"'), "FAIL",
        expect="invalid", reason="duplicate_id", note="The (unsigned) Response carries the same ID as the signed assertion: the signature references an ID declared on two elements.")
    add("saml-response-unsigned-attribute-changed.xml", R,
        lambda s: once(s, 'Destination="https://sluis.example.org/saml2/acs"', 'Destination="https://evil.example/acs"'), "OK",
        expect="valid", note="Response/@Destination changed. Valid at the XML-DSig level: the Response is not signed (the SAML layer checks Destination itself).")
    add("saml-response-exc-c14n-ancestor-namespace-added.xml", R,
        lambda s: once(s, 'xmlns:ext="urn:example:sluis:extension"', 'xmlns:ext="urn:example:sluis:extension" xmlns:new="urn:example:new"'), "OK",
        expect="valid", note="An unused namespace declaration added to the unsigned Response: exclusive c14n does not import it, still valid.")
    add("saml-response-c14n10-ancestor-namespace-added.xml", RC,
        lambda s: once(s, 'xmlns:ext="urn:example:sluis:extension"', 'xmlns:ext="urn:example:sluis:extension" xmlns:new="urn:example:new"'), "FAIL",
        expect="invalid", reason="signature_invalid", reason_alternatives=["digest_mismatch"],
        note="The same namespace declaration added to the Response of an inclusive-C14N-signed assertion. Inclusive c14n imports ancestor namespaces into both the assertion's digest and the canonical SignedInfo (its CanonicalizationMethod is inclusive too), so both checks fail: signature_invalid when SignatureValue is checked first, digest_mismatch (xmlsec1) when References are. See the -reference-only variant for the digest alone.")
    add("saml-response-c14n10-xml-lang-changed.xml", RC, lambda s: once(s, 'xml:lang="nl"', 'xml:lang="en"'), "FAIL",
        expect="invalid", reason="signature_invalid", reason_alternatives=["digest_mismatch"],
        note="xml:lang on the Response changed from nl to en: inclusive C14N 1.0 imports xml:* attributes of ancestors onto the apex of both the assertion and SignedInfo, so both checks fail (see saml-response-c14n10-ancestor-namespace-added.xml).")
    add("saml-response-c14n10-reference-only-ancestor-namespace-added.xml", RCR,
        lambda s: once(s, 'xmlns:ext="urn:example:sluis:extension"', 'xmlns:ext="urn:example:sluis:extension" xmlns:new="urn:example:new"'), "FAIL",
        expect="invalid", reason="digest_mismatch", note="Namespace declaration added to the Response when only the Reference uses inclusive C14N 1.0 (SignedInfo exc-c14n): the digest alone fails.")
    add("saml-response-c14n10-reference-only-xml-lang-changed.xml", RCR, lambda s: once(s, 'xml:lang="nl"', 'xml:lang="en"'), "FAIL",
        expect="invalid", reason="digest_mismatch", note="Response xml:lang nl -> en when only the Reference uses inclusive C14N 1.0: the digest alone fails (SignedInfo, exc-c14n, is unchanged).")
    add("saml-response-exc-c14n-xs-rebound.xml", R,
        lambda s: once(s, 'xmlns:xs="http://www.w3.org/2001/XMLSchema"', 'xmlns:xs="urn:example:not-xml-schema"'), "OK",
        expect="valid", note="xmlns:xs on the unsigned Response rebound: without a PrefixList exclusive c14n does not see prefixes used only in attribute values (xsi:type=\"xs:string\"), so the meaning of a signed xsi:type changes while the signature stays valid. This is why InclusiveNamespaces exists; compare saml-response-prefixlist-xs-rebound.xml.")
    add("saml-response-prefixlist-xs-rebound.xml", RP,
        lambda s: once(s, 'xmlns:xs="http://www.w3.org/2001/XMLSchema"', 'xmlns:xs="urn:example:not-xml-schema"'), "FAIL",
        expect="invalid", reason="signature_invalid", reason_alternatives=["digest_mismatch"],
        note="The same rebinding when CanonicalizationMethod and Reference both carry PrefixList=\"xs ext\": the xs binding is part of the canonical SignedInfo and of the digest, so both checks fail (signature_invalid when SignatureValue is checked first; xmlsec1 reports the digest).")
    add("saml-response-prefixlist-reference-only-xs-rebound.xml", RPR,
        lambda s: once(s, 'xmlns:xs="http://www.w3.org/2001/XMLSchema"', 'xmlns:xs="urn:example:not-xml-schema"'), "FAIL",
        expect="invalid", reason="digest_mismatch", note="The xs rebinding when only the Reference carries PrefixList=\"xs ext\": the digest alone fails.")

    # -- SOAP / WS-Security
    add("soap11-body-text-changed.xml", S11, lambda s: once(s, ">999911120<", ">999911121<"), "FAIL",
        expect="invalid", reason="digest_mismatch", wss_expect="invalid", wss_reason="digest_mismatch", note="One character of the signed Body changed (PatientId).")
    add("soap11-timestamp-expires-changed.xml", S11,
        lambda s: once(s, "<wsu:Expires>2036-01-01T00:00:00Z</wsu:Expires>", "<wsu:Expires>2046-01-01T00:00:00Z</wsu:Expires>"), "FAIL",
        expect="invalid", reason="digest_mismatch", wss_expect="invalid", wss_reason="digest_mismatch", note="The signed Timestamp's Expires changed.")
    add("soap11-wrapping-body-in-wrapper.xml", S11, soap_wrap, "OK",
        expect="valid", wss_expect="invalid", wss_reason="body_not_signed", wss_reason_alternatives=["unsupported_security_token"],
        note="Signature wrapping: the signed Body (wsu:Id=Body-id) moved into wsse:Security/wrap:Wrapper and an unsigned Body (DeletePatient) put in its place. The XML signature is valid (both references resolve and digest); the WS-Security layer must refuse because soap:Envelope/soap:Body is not the signed node. A layer that refuses any unknown element inside wsse:Security first (unsupported_security_token) is also right; soap11-wrapping-body-in-header.xml isolates body_not_signed.")
    add("soap12-wrapping-body-in-wrapper.xml", S12, soap_wrap, "OK",
        expect="valid", wss_expect="invalid", wss_reason="body_not_signed", wss_reason_alternatives=["unsupported_security_token"],
        note="As soap11-wrapping-body-in-wrapper.xml for SOAP 1.2.")
    add("soap11-wrapping-body-in-header.xml", S11, lambda s: soap_wrap(s, where="header"), "OK",
        expect="valid", wss_expect="invalid", wss_reason="body_not_signed",
        note="Signature wrapping with the signed Body moved into a wrap:Wrapper header block (a sibling of wsse:Security, no mustUnderstand) and an unsigned Body in its place: the signature is valid; the WS-Security layer must refuse because soap:Body is not the signed node.")
    add("soap11-wrapping-duplicate-id.xml", S11, lambda s: soap_wrap(s, duplicate_id=True), "FAIL",
        expect="invalid", reason="duplicate_id", wss_expect="invalid", wss_reason="duplicate_id",
        note="Signature wrapping with a duplicate wsu:Id: the new unsigned Body also carries wsu:Id=\"Body-id\", so the ID is declared on two elements (xmlsec1: 'duplicate ID attribute').")
    add("soap11-signature-removed.xml", S11, lambda s: re.sub(r"\n *<ds:Signature .*?</ds:Signature>", "", s, count=1, flags=re.S), "FAIL",
        expect="invalid", reason="signature_missing", wss_expect="invalid", wss_reason="signature_missing", signed_ids=[],
        note="The ds:Signature removed from wsse:Security (Timestamp and BinarySecurityToken left).")
    return c


# ---- running ----------------------------------------------------------------------------------------------------------------

def xmlsec1_verdict(path, entry, gen_dir, out_dir):
    args = ["xmlsec1", "--verify"]
    if entry.get("hmac_key"):
        args += ["--hmackey", os.path.join(out_dir, entry["hmac_key"])]
    else:
        args += ["--pubkey-cert-pem", os.path.join(out_dir, entry["signer"]), "--enabled-key-data", "key-name"]
    args += ID_ATTRS[entry["kind"]]
    # no --node-id: xmlsec1 verifies the first ds:Signature in document order (every saml-response base here has
    # only the assertion's signature, and in the XSW-8 case the first one is the moved signature)
    args.append(path)
    p = subprocess.run(args, capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode == 0 and "\nOK" in "\n" + out:
        return "OK", ""
    m = re.search(r"error=\d+:([^:\n]*):?([^\n]*)", out)
    detail = (m.group(1) + (": " + m.group(2) if m.group(2) else "")).strip() if m else ""
    m2 = re.search(r"^Error: (.*)$", out, re.M)
    if m2 and ("duplicate" in m2.group(1) or not detail):
        detail = m2.group(1)
    return "FAIL", detail.replace(path, os.path.basename(path))[:200]


def main(out_dir):
    gen_dir = os.path.dirname(os.path.abspath(__file__))
    signed_dir = os.path.join(out_dir, "signed")
    tampered_dir = os.path.join(out_dir, "tampered")
    os.makedirs(tampered_dir, exist_ok=True)
    base_entries = {}
    with open(os.path.join(out_dir, ".manifest.d", "sign.jsonl"), encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            base_entries[e["file"]] = e
    part = os.path.join(out_dir, ".manifest.d", "tamper.jsonl")
    failures = 0
    with open(part, "w", encoding="utf-8") as pf:
        for name, base, edit, fields, want in cases():
            base_entry = base_entries["signed/" + base]
            with open(os.path.join(signed_dir, base), encoding="utf-8", newline="") as f:
                src = f.read()
            try:
                doc = edit(src)
            except Fail as err:
                print(f"tamper: FAIL: {name}: {err}", file=sys.stderr)
                failures += 1
                continue
            if doc == src:
                print(f"tamper: FAIL: {name}: edit changed nothing", file=sys.stderr)
                failures += 1
                continue
            path = os.path.join(tampered_dir, name)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(doc)
            if want is None:
                verdict, detail = "not run", "too slow in xmlsec1, see note"
            else:
                verdict, detail = xmlsec1_verdict(path, base_entry, gen_dir, out_dir)
            if want is not None and verdict != want:
                print(f"tamper: FAIL: {name}: xmlsec1 says {verdict} {detail}, the case expects {want}", file=sys.stderr)
                os.unlink(path)
                failures += 1
                continue
            entry = {
                "file": "tampered/" + name,
                "kind": base_entry["kind"],
                "signer": base_entry["signer"],
                "trust": base_entry["trust"],
                "verification_time": base_entry["verification_time"],
                "expect": fields.pop("expect"),
                "reason": fields.pop("reason", None),
                "signed_ids": fields.pop("signed_ids", base_entry["signed_ids"]),
                "made_by": "tamper.py",
                "note": fields.pop("note"),
                "derived_from": "signed/" + base,
                **({"key_source": base_entry["key_source"]} if "key_source" in base_entry else {}),
                "xmlsec1": verdict + (f" ({detail})" if detail else ""),
            }
            if "wss_expect" in base_entry and "wss_expect" not in fields:
                entry["wss_expect"] = entry["expect"]
                if entry["reason"]:
                    entry["wss_reason"] = entry["reason"]
            entry.update(fields)
            pf.write(json.dumps(entry, ensure_ascii=False) + "\n")
            print(f"tamper: ok: tampered/{name} (xmlsec1: {entry['xmlsec1']})", file=sys.stderr)
    if failures:
        raise SystemExit(f"tamper: {failures} case(s) failed")


def deep(depth, path=None):
    doc = XML_DECL + nested(depth) + "\n"
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.write(doc)
    else:
        sys.stdout.write(doc)


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] == "deep":
        deep(int(argv[1]), argv[2] if len(argv) > 2 else None)
    else:
        main(os.path.abspath(argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")))
