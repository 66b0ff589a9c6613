#!/usr/bin/env python3
"""manifest.py — merge OUT_DIR/.manifest.d/*.jsonl into OUT_DIR/manifest.json and check it. Standard library only.

    manifest.py [OUT_DIR] [--keep-parts]      (default OUT_DIR: testdata)
    manifest.py --check [OUT_DIR]             only check an existing OUT_DIR/manifest.json

Checks: required fields and types, `expect` / `reason` / `wss_*` / `saml_*` values, every path named in an entry
exists, and every fixture file under signed/, tampered/ and bench/ (*.xml, except bench/envelope-1m.xml, which is
generated at bench time) has exactly one entry, listed in OUT_DIR/README.md when there is one.
"""
import glob
import json
import os
import sys

REASONS = {
    # the sluis reason codes the fixtures use (src/reason/*.rs)
    "dtd_forbidden", "entity_reference_forbidden", "depth_limit_exceeded", "digest_mismatch", "signature_invalid",
    "algorithm_not_allowed", "untrusted_key", "certificate_expired", "certificate_not_yet_valid",
    "certificate_revoked", "key_usage_not_allowed", "key_too_small", "duplicate_id", "reference_not_found",
    "transform_not_allowed", "external_reference", "key_info_not_allowed", "hmac_not_allowed", "signature_missing",
    "malformed_signature",
}
WSS_REASONS = REASONS | {"body_not_signed", "timestamp_not_signed", "unsupported_security_token"}  # src/reason/wss.rs
SAML_REASONS = {"assertion_not_signed"}  # src/reason/saml.rs
KINDS = {"saml-assertion", "saml-response", "soap11", "soap12", "xml"}
REQUIRED = ["file", "kind", "signer", "trust", "verification_time", "expect", "reason", "signed_ids", "made_by", "note"]
NOT_IN_MANIFEST = {"bench/envelope-1m.xml"}


def check_outcome(where, e, expect_key, reason_key, reasons):
    expect = e.get(expect_key)
    if expect not in ("valid", "invalid"):
        return [f"{where}: {expect_key} must be valid|invalid, is {expect!r}"]
    reason = e.get(reason_key)
    if expect == "valid" and reason is not None:
        return [f"{where}: {reason_key} must be null when {expect_key} is valid"]
    if expect == "invalid" and reason not in reasons:
        return [f"{where}: {reason_key} {reason!r} is not a known code"]
    return []


def check(entries, root):
    errors = []
    seen = set()
    for e in entries:
        f = e.get("file", "?")
        for k in REQUIRED:
            if k not in e:
                errors.append(f"{f}: missing {k}")
        if f in seen:
            errors.append(f"{f}: duplicate entry")
        seen.add(f)
        if e.get("kind") not in KINDS:
            errors.append(f"{f}: unknown kind {e.get('kind')!r}")
        errors += check_outcome(f, e, "expect", "reason", REASONS)
        for alt in e.get("reason_alternatives", []):
            if alt not in REASONS:
                errors.append(f"{f}: unknown alternative reason {alt}")
        for alt in e.get("wss_reason_alternatives", []):
            if alt not in WSS_REASONS:
                errors.append(f"{f}: unknown alternative wss reason {alt}")
        if "wss_expect" in e:
            errors += check_outcome(f, e | {"wss_reason": e.get("wss_reason")}, "wss_expect", "wss_reason", WSS_REASONS)
        if "saml_expect" in e:
            errors += check_outcome(f, e | {"saml_reason": e.get("saml_reason")}, "saml_expect", "saml_reason", SAML_REASONS)
        for v in e.get("variants", []):
            errors += check_outcome(f + " (variant)", v | {"reason": v.get("reason")}, "expect", "reason", REASONS)
        paths = [f] + ([e["signer"]] if e.get("signer") else [])
        for t in [e.get("trust", {})] + [v["trust"] for v in e.get("variants", []) if "trust" in v]:
            for k in ("pinned", "ca", "intermediates", "crl"):
                if not isinstance(t.get(k), list):
                    errors.append(f"{f}: trust.{k} must be a list")
                paths += t.get(k, [])
        for k in ("hmac_key", "derived_from"):
            if e.get(k):
                paths.append(e[k])
        for p in paths:
            if not os.path.exists(os.path.join(root, p)):
                errors.append(f"{f}: {p} does not exist")
    fixtures = set()
    for d in ("signed", "tampered", "bench"):
        for p in glob.glob(os.path.join(root, d, "*.xml")):
            fixtures.add(os.path.relpath(p, root))
    for p in sorted(fixtures - seen - NOT_IN_MANIFEST):
        errors.append(f"{p}: no manifest entry")
    readme = os.path.join(root, "README.md")
    if os.path.exists(readme):
        text = open(readme, encoding="utf-8").read()
        for f in sorted(seen):
            if f"`{os.path.basename(f)}`" not in text:
                errors.append(f"{f}: not listed in README.md")
    return errors


def main(argv):
    only_check = "--check" in argv
    keep = "--keep-parts" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    out = os.path.join(root, "manifest.json")
    if only_check:
        with open(out, encoding="utf-8") as f:
            entries = json.load(f)
    else:
        entries = []
        parts = sorted(glob.glob(os.path.join(root, ".manifest.d", "*.jsonl")))
        if not parts:
            raise SystemExit(f"manifest: no parts in {root}/.manifest.d (run regenerate.sh)")
        for p in parts:
            with open(p, encoding="utf-8") as f:
                entries += [json.loads(line) for line in f if line.strip()]
        order = {"signed": 0, "tampered": 1, "bench": 2}
        entries.sort(key=lambda e: (order.get(e["file"].split("/")[0], 9), e["file"]))
    errors = check(entries, root)
    if errors:
        for err in errors:
            print("manifest: " + err, file=sys.stderr)
        raise SystemExit(f"manifest: {len(errors)} error(s)")
    if not only_check:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(entries, f, indent=2, ensure_ascii=False)
            f.write("\n")
        if not keep:
            for p in glob.glob(os.path.join(root, ".manifest.d", "*.jsonl")):
                os.unlink(p)
            os.rmdir(os.path.join(root, ".manifest.d"))
    valid = sum(1 for e in entries if e["expect"] == "valid")
    print(f"manifest: {len(entries)} entries ({valid} valid, {len(entries) - valid} invalid) in {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
