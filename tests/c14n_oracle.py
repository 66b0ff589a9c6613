#!/usr/bin/env python3
"""libxml2 as the oracle for sluis's canonicalization (driven by tests/c14n_oracle.rs; one process per batch).

Usage: c14n_oracle.py JOBS.json OUT.json

JOBS.json: {"docs": [path, ...],
            "jobs": [{"doc": i, "mode": 0 | 1, "comments": 0 | 1, "prefixes": [str] | null,
                      "apex": k, "exclude": m}, ...]}
  mode 0 = Canonical XML 1.0, 1 = Exclusive C14N 1.0 (libxml2's XML_C14N_1_0 / XML_C14N_EXCLUSIVE_1_0).
  apex 0 = the whole document, k >= 1 = the subtree of the k-th element in document order, i.e. XPath (//*)[k].
  exclude 0 = nothing, m >= 1 = minus the subtree of the m-th element (the enveloped-signature transform).

Two answers per job:
  "x": libxml2's xmlC14NDocDumpMemory called through ctypes with an explicit XPath node-set, which is how xmlsec
       canonicalizes same-document references: the document-subset semantics of C14N 1.0 section 2.4 (the apex
       inherits in-scope namespaces and, for inclusive C14N, xml:* attributes of its ancestors). For the whole
       document without exclusion no node-set is passed (libxml2 then canonicalizes the document as such).
  "l": lxml's etree.tostring(element, method="c14n", ...) for jobs without exclusion, only to check how far lxml's
       serialization of a detached subtree agrees with the node-set semantics (it does not inherit xml:* attributes).
Each is base64 of the output, or null with the error in "xe" / "le".
"""

import base64
import ctypes
import ctypes.util
import json
import sys

from lxml import etree  # imported first: ctypes then binds the very libxml2 that lxml uses

lib = ctypes.CDLL(ctypes.util.find_library("xml2") or "libxml2.so.2")
libc = ctypes.CDLL(None)
vp = ctypes.c_void_p

lib.xmlReadMemory.restype = vp
lib.xmlReadMemory.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
lib.xmlFreeDoc.argtypes = [vp]
lib.xmlXPathNewContext.restype = vp
lib.xmlXPathNewContext.argtypes = [vp]
lib.xmlXPathFreeContext.argtypes = [vp]
lib.xmlXPathEvalExpression.restype = vp
lib.xmlXPathEvalExpression.argtypes = [ctypes.c_char_p, vp]
lib.xmlXPathFreeObject.argtypes = [vp]
lib.xmlXPathDifference.restype = vp
lib.xmlXPathDifference.argtypes = [vp, vp]
lib.xmlXPathFreeNodeSet.argtypes = [vp]
lib.xmlC14NDocDumpMemory.restype = ctypes.c_int
lib.xmlC14NDocDumpMemory.argtypes = [vp, vp, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                     ctypes.POINTER(vp)]
libc.free.argtypes = [vp]

# xmlReadMemory options: keep the tree as written (no entity substitution is needed: the inputs have no DTD).
XML_PARSE_NONET = 1 << 11


class XPathObject(ctypes.Structure):
    # struct _xmlXPathObject { xmlXPathObjectType type; xmlNodeSetPtr nodesetval; ... }
    _fields_ = [("type", ctypes.c_int), ("nodesetval", vp)]


def subtree_expr(k):
    e = "(//*)[%d]" % k
    return ("%s/descendant-or-self::node() | %s/descendant-or-self::*/@* | %s/descendant-or-self::*/namespace::*"
            % (e, e, e)).encode()


WHOLE = b"//. | //@* | //namespace::*"


def libxml2_c14n(doc, job):
    nodes = None
    owned = []
    owned_sets = []
    ctx = None
    try:
        if job["apex"] or job["exclude"]:
            ctx = lib.xmlXPathNewContext(doc)
            expr = subtree_expr(job["apex"]) if job["apex"] else WHOLE
            obj = lib.xmlXPathEvalExpression(expr, ctx)
            if not obj:
                return None, "xpath"
            owned.append(obj)
            nodes = XPathObject.from_address(obj).nodesetval
            if job["exclude"]:
                obj2 = lib.xmlXPathEvalExpression(subtree_expr(job["exclude"]), ctx)
                if not obj2:
                    return None, "xpath"
                owned.append(obj2)
                nodes = lib.xmlXPathDifference(nodes, XPathObject.from_address(obj2).nodesetval)
                owned_sets.append(nodes)
        prefixes = None
        if job["prefixes"] is not None:
            arr = (ctypes.c_char_p * (len(job["prefixes"]) + 1))()
            for i, p in enumerate(job["prefixes"]):
                arr[i] = p.encode()
            arr[len(job["prefixes"])] = None
            prefixes = arr
        out = vp()
        n = lib.xmlC14NDocDumpMemory(doc, nodes, job["mode"], prefixes, job["comments"], ctypes.byref(out))
        if n < 0 or not out:
            return None, "c14n failed"
        data = ctypes.string_at(out, n)
        libc.free(out)
        return data, None
    finally:
        for o in owned_sets:
            lib.xmlXPathFreeNodeSet(o)
        for o in owned:
            lib.xmlXPathFreeObject(o)
        if ctx:
            lib.xmlXPathFreeContext(ctx)


def lxml_c14n(tree, job):
    target = tree if job["apex"] == 0 else tree.xpath("(//*)[%d]" % job["apex"])[0]
    prefixes = job["prefixes"] if job["mode"] == 1 else None
    return etree.tostring(target, method="c14n", exclusive=bool(job["mode"]), with_comments=bool(job["comments"]),
                          inclusive_ns_prefixes=prefixes)


def main():
    with open(sys.argv[1], "rb") as f:
        spec = json.load(f)
    docs = []
    for path in spec["docs"]:
        with open(path, "rb") as f:
            data = f.read()
        doc = lib.xmlReadMemory(data, len(data), None, None, XML_PARSE_NONET)
        try:
            tree = etree.ElementTree(etree.fromstring(data, etree.XMLParser(strip_cdata=False,
                                                                              resolve_entities=False)))
        except Exception:  # noqa: BLE001 - reported per job
            tree = None
        docs.append((doc, tree))
    results = []
    for job in spec["jobs"]:
        doc, tree = docs[job["doc"]]
        r = {}
        if doc:
            data, err = libxml2_c14n(doc, job)
        else:
            data, err = None, "parse failed"
        r["x"] = base64.b64encode(data).decode() if data is not None else None
        if err:
            r["xe"] = err
        if job["exclude"] == 0 and tree is not None:
            try:
                r["l"] = base64.b64encode(lxml_c14n(tree, job)).decode()
            except Exception as e:  # noqa: BLE001
                r["l"], r["le"] = None, str(e)
        results.append(r)
    for doc, _ in docs:
        if doc:
            lib.xmlFreeDoc(doc)
    with open(sys.argv[2], "w") as f:
        json.dump({"libxml2": etree.LIBXML_VERSION, "results": results}, f)


if __name__ == "__main__":
    main()
