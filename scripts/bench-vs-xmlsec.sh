#!/usr/bin/env bash
# Verification speed, sluis against libxmlsec1, on the same signed envelopes in one run, and the ratios.
#
#   scripts/bench-vs-xmlsec.sh [MILLIS_PER_FILE]
#
# Builds the peer (../shared/peers/build.sh), generates the ~1 MB envelope next to the committed 4 KB and 64 KB ones,
# runs `cargo bench --bench verify` and the peer with the bare public key (its fastest configuration), and prints a
# table. Run it on a quiet machine: both sides are single-threaded and the ratio is what counts.
set -euo pipefail
cd "$(dirname "$0")/.."
millis=${1:-3000}
peer_dir=../shared/peers
[ -x "$peer_dir/build.sh" ] || { echo "bench-vs-xmlsec: $peer_dir is absent" >&2; exit 2; }
peer=$("$peer_dir/build.sh" | tail -1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bench"
cp testdata/bench/envelope-4k.xml testdata/bench/envelope-64k.xml testdata/bench/signer-*.pem "$work/bench/"
testdata/gen/bench.sh "$work" 1m >/dev/null 2>&1

SLUIS_BENCH_DIR="$work/bench" SLUIS_BENCH_MILLIS="$millis" cargo bench --quiet --bench verify 2>/dev/null | tee "$work/sluis.txt"

printf '\n%-18s %10s %14s %14s %8s\n' file bytes "sluis ns" "xmlsec1 ns" ratio
for f in envelope-4k.xml envelope-64k.xml envelope-1m.xml; do
  bytes=$(wc -c <"$work/bench/$f")
  # Rounds so that the peer runs for roughly as long as sluis did.
  rounds=$((millis * 1000000 / (bytes * 400 + 100000) + 5))
  ours=$(grep " $work/bench/$f " "$work/sluis.txt" | sed 's/.*ns_per_verify=//')
  theirs=$("$peer" "$work/bench/signer-pubkey.pem" "$work/bench/$f" "$rounds" 2>/dev/null | sed 's/.*ns_per_verify=//')
  printf '%-18s %10s %14s %14s %7.1fx\n' "$f" "$bytes" "$ours" "$theirs" "$(echo "$theirs / $ours" | bc -l)"
done
floor=$(grep '^floor ' "$work/sluis.txt" | sed 's/.*ns_per_verify=//')
ours4k=$(grep " $work/bench/envelope-4k.xml " "$work/sluis.txt" | sed 's/.*ns_per_verify=//')
printf '\ncrypto floor at 4 KB (one RSA-2048 verify + SHA-256 of the canonical Body): %s ns; sluis is %.2fx the floor\n' \
  "$floor" "$(echo "$ours4k / $floor" | bc -l)"
