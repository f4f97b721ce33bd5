#!/usr/bin/env bash
# `make bench`, verify part 2: the VNN-COMP 2021 ACAS Xu instances (tests/data/acasxu,
# see its SOURCE.md) through `verify --instances`, with a short limit per instance
# (BENCH_VERIFY_TIMEOUT, default 10 s) and 1 thread: decided count, verdicts compared
# with ground_truth.csv's consensus, total time.
set -euo pipefail
cli=$1
data=$(cd "$(dirname "$0")/../tests/data/acasxu" && pwd)
limit=${BENCH_VERIFY_TIMEOUT:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# instances.csv as in the competition (onnx, vnnlib, timeout); truth per line
awk -F, -v d="$data" -v t="$limit" '$1 == "acasxu" { print d "/" $2 "," d "/" $3 "," t }' \
    "$data/ground_truth.csv" > "$tmp/instances.csv"
awk -F, '$1 == "acasxu" { print $4 }' "$data/ground_truth.csv" > "$tmp/truth"
start=$(date +%s.%N)
"$cli" verify --instances "$tmp/instances.csv" --threads 1 --results "$tmp/results.csv" 2> /dev/null || true
end=$(date +%s.%N)
tail -n +2 "$tmp/results.csv" | paste -d, - "$tmp/truth" | awk -F, -v s0="$start" -v s1="$end" -v t="$limit" '
    { n++; s += $5
      if ($3 == "holds" || $3 == "violated") { dec++; if ($3 != $7) { wrong++; print "  WRONG: " $1 " " $2 " " $3 " (consensus " $7 ")" } }
      else { a = $1; b = $2; sub(/.*run2a_/, "", a); sub(/_batch.*/, "", a); sub(/.*\//, "", b); sub(/\.vnnlib/, "", b); un = un " " a "/" b } }
    END { printf "verify instances, ACAS Xu (VNN-COMP 2021), %s s each, 1 thread: %d of %d decided, %d wrong, %.1f s in all (wall %.1f s)\n", t, dec, n, wrong, s, s1 - s0
          if (un != "") print "  unknown:" un
          exit wrong > 0 }'
