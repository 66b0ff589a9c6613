#!/usr/bin/env bash
# regenerate.sh — rebuild every fixture under testdata/ (or into another directory) and check it.
#
#   testdata/gen/regenerate.sh [OUT_DIR] [--new-keys] [--no-signxml] [--compare]
#
#   OUT_DIR       default: testdata (this script's parent). For CI, a temporary directory.
#   --new-keys    generate fresh private keys. Default: reuse testdata/pki/*.key.pem (copied into OUT_DIR/pki when
#                 OUT_DIR is elsewhere), so certificates, CRLs and every RSA signature come out byte-identical.
#   --no-signxml  skip the signxml fixtures. This is automatic when the venv is missing (SIGNXML_PYTHON, default
#                 <repo>/.venv/bin/python, must import signxml). When OUT_DIR is testdata itself, the committed
#                 signxml files and their manifest entries are kept as they are.
#   --compare     after regenerating into another directory, compare with the committed testdata/: everything must
#                 be byte-identical except ECDSA signatures (randomised; every such file has "ecdsa" in its name) and
#                 files that exist on one side only because signxml was skipped.
#
# Steps: pki.sh -> sign.sh (xmlsec1) -> signxml_sign.py (venv) -> tamper.py -> bench.sh 4k 64k -> manifest.py.
# Each step verifies what it wrote with xmlsec1 and stops on the first surprise. Needs: bash, openssl (3.0),
# xmlsec1 (1.2.37 used here), python3 (standard library); on Debian 12: apt-get install -y xmlsec1 openssl python3.
set -euo pipefail

GEN=$(cd "$(dirname "$0")" && pwd)
TESTDATA=$(cd "$GEN/.." && pwd)
REPO=$(cd "$TESTDATA/.." && pwd)
OUT="" NEW_KEYS="" NO_SIGNXML="" COMPARE=""
for a in "$@"; do
  case $a in
    --new-keys) NEW_KEYS=1 ;;
    --no-signxml) NO_SIGNXML=1 ;;
    --compare) COMPARE=1 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "regenerate: unknown option $a" >&2; exit 2 ;;
    *) OUT=$a ;;
  esac
done
OUT=${OUT:-$TESTDATA}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
IN_PLACE=""
[ "$OUT" = "$TESTDATA" ] && IN_PLACE=1
say() { printf 'regenerate: %s\n' "$*" >&2; }

command -v xmlsec1 >/dev/null || { say "xmlsec1 not found (apt-get install -y xmlsec1)"; exit 1; }
command -v openssl >/dev/null || { say "openssl not found"; exit 1; }
say "$(xmlsec1 --version), $(openssl version | cut -d' ' -f1-2), $(python3 --version)"

SIGNXML_PYTHON=${SIGNXML_PYTHON:-$REPO/.venv/bin/python}
if [ -z "$NO_SIGNXML" ] && ! { [ -x "$SIGNXML_PYTHON" ] && "$SIGNXML_PYTHON" -c 'import signxml' 2>/dev/null; }; then
  say "no signxml venv at $SIGNXML_PYTHON: xmlsec1 fixtures only (see testdata/README.md to build it)"
  NO_SIGNXML=1
fi

# ---- keys ----------------------------------------------------------------------------------------------------------------
mkdir -p "$OUT/pki"
if [ -n "$NEW_KEYS" ]; then
  rm -f "$OUT"/pki/*.key.pem
elif [ -z "$IN_PLACE" ]; then
  cp "$TESTDATA"/pki/*.key.pem "$OUT/pki/"
fi

# ---- clean what the generators own -----------------------------------------------------------------------------------------
rm -rf "$OUT/.manifest.d" "$OUT/tampered"
mkdir -p "$OUT/.manifest.d" "$OUT/signed"
if [ -n "$NO_SIGNXML" ] && [ -n "$IN_PLACE" ]; then
  # keep the committed signxml fixtures and carry their manifest entries over
  find "$OUT/signed" -name '*.xml' ! -name 'signxml-*' -delete
  python3 - "$OUT/manifest.json" "$OUT/.manifest.d/signxml.jsonl" <<'EOF'
import json, sys
try:
    entries = json.load(open(sys.argv[1], encoding="utf-8"))
except FileNotFoundError:
    entries = []
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for e in entries:
        if e["file"].startswith("signed/signxml-"):
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
EOF
else
  rm -f "$OUT"/signed/*.xml
fi
rm -f "$OUT/bench/envelope-4k.xml" "$OUT/bench/envelope-64k.xml"

# ---- generate ------------------------------------------------------------------------------------------------------------------
"$GEN/pki.sh" "$OUT/pki"
"$GEN/sign.sh" "$OUT"
[ -n "$NO_SIGNXML" ] || "$SIGNXML_PYTHON" "$GEN/signxml_sign.py" "$OUT"
python3 "$GEN/tamper.py" "$OUT"
"$GEN/bench.sh" "$OUT" 4k 64k
python3 "$GEN/manifest.py" "$OUT"

# ---- in place: keep committed ECDSA signatures when only the (randomised) SignatureValue differs ------------------------------
if [ -n "$IN_PLACE" ] && git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
  python3 - "$REPO" "$GEN" <<'EOF'
import json, os, re, subprocess, sys
repo, gen = sys.argv[1], sys.argv[2]
sys.path.insert(0, gen)
from tamper import ID_ATTRS  # the same --id-attr options the generators use
entries = {e["file"]: e for e in json.load(open(f"{repo}/testdata/manifest.json", encoding="utf-8"))}
names = subprocess.run(["git", "-C", repo, "ls-files", "testdata/signed", "testdata/tampered", "testdata/bench"],
                       capture_output=True, text=True, check=True).stdout.split()
kept = 0
for path in names:
    if "ecdsa" not in path.rsplit("/", 1)[-1]:
        continue
    committed = subprocess.run(["git", "-C", repo, "show", "HEAD:" + path], capture_output=True).stdout
    try:
        fresh = open(f"{repo}/{path}", "rb").read()
    except FileNotFoundError:
        continue
    strip = lambda b: re.sub(rb"<ds:SignatureValue>.*?</ds:SignatureValue>", b"", b, flags=re.S)
    if committed and committed != fresh and strip(committed) == strip(fresh):
        e = entries[path[len("testdata/"):]]
        open(f"{repo}/{path}", "wb").write(committed)
        ok = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", f"{repo}/testdata/{e['signer']}", "--enabled-key-data",
                             "key-name"] + ID_ATTRS[e["kind"]] + [f"{repo}/{path}"], capture_output=True).returncode == 0
        if not ok:  # should not happen: same SignedInfo, same key; keep the fresh signature then
            open(f"{repo}/{path}", "wb").write(fresh)
            continue
        kept += 1
print(f"regenerate: kept {kept} committed ECDSA signature(s) whose SignedInfo is unchanged", file=sys.stderr)
EOF
fi

# ---- compare with the committed fixtures ----------------------------------------------------------------------------------------
if [ -n "$COMPARE" ] && [ -z "$IN_PLACE" ]; then
  python3 - "$TESTDATA" "$OUT" "${NO_SIGNXML:-0}" <<'EOF'
import json, os, sys
ref, new, no_signxml = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
def files(root):
    out = set()
    for d in ("pki", "signed", "tampered", "bench"):
        for dirpath, _, names in os.walk(os.path.join(root, d)):
            for n in names:
                out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out
a, b = files(ref), files(new)
skip_signxml = lambda p: no_signxml and os.path.basename(p).startswith("signxml-")
same = differ_ok = 0
bad = []
for p in sorted(a | b):
    if p.endswith("README.md") or p == "bench/envelope-1m.xml":
        continue
    if p not in a or p not in b:
        if not skip_signxml(p):
            bad.append(f"only in {'committed' if p in a else 'regenerated'}: {p}")
        continue
    if open(os.path.join(ref, p), "rb").read() == open(os.path.join(new, p), "rb").read():
        same += 1
    elif "ecdsa" in os.path.basename(p):
        differ_ok += 1
    else:
        bad.append(f"differs: {p}")
ma = {e["file"]: e for e in json.load(open(os.path.join(ref, "manifest.json")))}
mb = {e["file"]: e for e in json.load(open(os.path.join(new, "manifest.json")))}
for f in sorted(set(ma) | set(mb)):
    if skip_signxml(f):
        continue
    if ma.get(f) != mb.get(f):
        bad.append(f"manifest entry differs: {f}")
print(f"regenerate: compare: {same} identical, {differ_ok} ECDSA files differ as expected, {len(bad)} unexpected", file=sys.stderr)
for line in bad:
    print("regenerate: compare: " + line, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
fi
say "done: $OUT"
