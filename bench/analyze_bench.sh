#!/usr/bin/env bash
# Analyzer benchmark (not a test; run `make all` first):
#  1. the whole analysis (load, model, igraph metrics, vertex connectivity with
#     witness cut, sampled betweenness, attack curves, all output files) of a
#     10,000-vertex R_core with 200,000 edges (G(n,m), seed 42); target < 30 s.
#     Baseline in the same run: 1,000 vertices / 20,000 edges. networkx's
#     linear-time part (components, articulation points, core numbers) on the
#     10,000-vertex graph for comparison.
#  2. vertex connectivity at 1,000 vertices against networkx's
#     node_connectivity on the same graphs (random 6-regular, G(1000, 10000));
#     target >= 20x. python3-igraph is not installed here, and igraph's own
#     vertex_connectivity is O(V^5) (~an hour at 1,000 vertices, see
#     docs/analyzer.md "Algorithms"), so it is not run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
A="$BIN/tzcensus-analyze"
tmp=$(mktemp -d /tmp/analyze-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
run() { # edgelist outdir -> prints "wall vconn_s"
  local t0 t1
  t0=$(now)
  "$A" --edgelist "$1" --out "$2" --timings 2>"$2.log" >/dev/null
  t1=$(now)
  local v
  v=$(sed -n 's/.*vconn \([0-9.]*\)s.*/\1/p' "$2.log")
  echo "$(echo "$t1 - $t0" | bc -l) $v"
}

echo "== whole analysis"
$PY bench/analyze_bench.py gen gnm 10000 200000 42 "$tmp/big.txt"
$PY bench/analyze_bench.py gen gnm 1000 20000 42 "$tmp/small.txt"
read -r small_wall _ <<<"$(run "$tmp/small.txt" "$tmp/small")"
read -r big_wall big_v <<<"$(run "$tmp/big.txt" "$tmp/big")"
grep timings "$tmp/big.log"
nxl=$($PY bench/analyze_bench.py nx-linear "$tmp/big.txt")
printf 'baseline 1,000 v / 20,000 e: %.2f s\n' "$small_wall"
printf '10,000 v / 200,000 e:        %.2f s (ratio %.1fx the baseline; target < 30 s)\n' \
  "$big_wall" "$(echo "$big_wall / $small_wall" | bc -l)"
echo "networkx components + articulation points + core numbers on the same graph: ${nxl%% *} s"

echo "== vertex connectivity at 1,000 vertices"
for g in "regular 1000 6" "gnm 1000 10000"; do
  set -- $g
  f="$tmp/k-$1.txt"
  $PY bench/analyze_bench.py gen "$1" "$2" "$3" 7 "$f"
  read -r wall v <<<"$(run "$f" "$tmp/k-$1")"
  k=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["graph"]["core"]["vertex_connectivity"])' "$tmp/k-$1/report.json")
  read -r nk nt <<<"$($PY bench/analyze_bench.py nx-kappa "$f")"
  [ "$k" = "$nk" ] || { echo "MISMATCH: kappa $k vs networkx $nk" >&2; exit 1; }
  printf '%-8s n=%s: kappa %s; ours %.3f s (whole run %.2f s), networkx %.2f s: %.0fx (target >= 20x)\n' \
    "$1" "$2" "$k" "$v" "$wall" "$nt" "$(echo "$nt / $v" | bc -l)"
done
