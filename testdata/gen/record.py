#!/usr/bin/env python3
"""record.py — append one manifest entry (a JSON line) to a part file; manifest.py merges the parts.

    record.py PART_FILE key=value ... [key:json=JSON ...]

Keys are the manifest fields (see testdata/README.md). Conveniences:
  trust=PRESET          expands a named trust configuration (see TRUST below; "pin:PATH[,PATH]" pins certs/keys)
  signed_ids=a,b        comma-separated list
  key:json=...          any field given as raw JSON (variants, reason_alternatives, ...); inside a variant, a string
                        "trust" is expanded the same way
Standard library only.
"""
import json
import sys

VERIFICATION_TIME = "2026-11-25T12:00:00Z"

CA = ["pki/root-ca.cert.pem"]
INTERMEDIATES = ["pki/intermediate-ca.cert.pem"]
CRLS = ["pki/intermediate-ca.crl.pem", "pki/root-ca.crl.pem"]


def trust(preset):
    if isinstance(preset, dict):
        return preset
    if preset == "ca":
        return {"pinned": [], "ca": CA, "intermediates": INTERMEDIATES, "crl": CRLS}
    if preset == "ca-nocrl":
        return {"pinned": [], "ca": CA, "intermediates": INTERMEDIATES, "crl": []}
    if preset == "other-ca":
        return {"pinned": [], "ca": ["pki/other-ca.cert.pem"], "intermediates": [], "crl": []}
    if preset.startswith("pin:"):
        return {"pinned": preset[4:].split(","), "ca": [], "intermediates": [], "crl": []}
    if preset == "none":
        return {"pinned": [], "ca": [], "intermediates": [], "crl": []}
    raise SystemExit(f"record.py: unknown trust preset {preset!r}")


ORDER = ["file", "kind", "signer", "trust", "verification_time", "expect", "reason", "signed_ids", "made_by", "note"]


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    part = argv[0]
    e = {"signer": None, "verification_time": VERIFICATION_TIME, "reason": None, "signed_ids": []}
    for arg in argv[1:]:
        key, sep, value = arg.partition("=")
        if not sep:
            raise SystemExit(f"record.py: expected key=value, got {arg!r}")
        if key.endswith(":json"):
            e[key[:-5]] = json.loads(value)
        elif key == "signed_ids":
            e[key] = [v for v in value.split(",") if v]
        elif value == "" and key in ("signer", "reason"):
            e[key] = None
        else:
            e[key] = value
    e["trust"] = trust(e.get("trust", "ca"))
    for v in e.get("variants", []):
        if "trust" in v:
            v["trust"] = trust(v["trust"])
    for k in ("file", "kind", "expect", "made_by", "note"):
        if k not in e:
            raise SystemExit(f"record.py: {e.get('file')}: missing {k}")
    out = {k: e[k] for k in ORDER if k in e}
    out.update({k: v for k, v in e.items() if k not in out})
    with open(part, "a", encoding="utf-8") as f:
        f.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
