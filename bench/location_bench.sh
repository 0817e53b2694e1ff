#!/usr/bin/env bash
# Location benchmark (not a test; run `make all` first): the whole analysis of
# a 10,000-vertex R_core (G(n,m) with 200,000 edges, seed 42, as
# bench/analyze_bench.sh) whose vertices are points at random public
# addresses (90% IPv4, 10% IPv6 from 2000::/3, fixed seed), with the
# location figures (--location-db: the Debian libloc-database snapshot) and
# without (--no-location). Runs interleaved, ROUNDS each (default 5); prints
# the median wall and CPU (user+sys, /usr/bin/time) of each and the ratio.
# Target: with location within 10% of without. Lookups only: no packet sent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
A="$BIN/tzcensus-analyze"
DB=${LOCATION_DB:-/usr/share/libloc-location/location.db}
ROUNDS=${ROUNDS:-5}
tmp=$(mktemp -d /tmp/location-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

$PY - "$tmp/g.txt" <<'PY'
import ipaddress, random, sys
import networkx as nx
rnd = random.Random(42)
g = nx.gnm_random_graph(10000, 200000, seed=42)
names = {}
for v in g.nodes():
    if rnd.random() < 0.9:
        while True:
            a = ipaddress.IPv4Address(rnd.getrandbits(32))
            if a.is_global:
                break
        names[v] = "%s:9732" % a
    else:
        a = ipaddress.IPv6Address((1 << 125) | rnd.getrandbits(125))  # 2000::/3
        names[v] = "[%s]:9732" % a
with open(sys.argv[1], "w") as f:
    for u, v in g.edges():
        f.write("%s %s\n" % (names[u], names[v]))
PY

one() { # mode round -> appends "wall cpu" to $tmp/mode.txt
  local args=(--no-location)
  [ "$1" = with ] && args=(--location-db "$DB")
  /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$A" --edgelist "$tmp/g.txt" --out "$tmp/o-$1" "${args[@]}" \
    --timings >/dev/null 2>"$tmp/log-$1"
  read -r wall u s <"$tmp/t"
  echo "$wall $(echo "$u + $s" | bc -l)" >>"$tmp/$1.txt"
  [ "$1" = with ] && sed -n 's/.*location \([0-9.]*\)s$/\1/p' "$tmp/log-$1" >>"$tmp/phase.txt"
  return 0
}
for ((r = 1; r <= ROUNDS; r++)); do
  one without "$r"
  one with "$r"
done
$PY - "$tmp/o-with/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
L, a = r["location"], r["graph"]["as_level"]
print("located %d of %d public nodes (coverage %.3f) with %s of %s; %d ASes in the core graph, kappa %d"
      % (L["located"], L["public_nodes"], L["coverage"], L["vendor"], L["created"], a["vertices"],
         a["vertex_connectivity"]))
PY
$PY - "$tmp/without.txt" "$tmp/with.txt" <<'PY'
import statistics, sys
def load(p):
    rows = [tuple(map(float, l.split())) for l in open(p)]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows), rows
w0, c0, r0 = load(sys.argv[1])
w1, c1, r1 = load(sys.argv[2])
print("runs (wall s, cpu s) without: %s" % ", ".join("(%.2f, %.2f)" % r for r in r0))
print("runs (wall s, cpu s) with:    %s" % ", ".join("(%.2f, %.2f)" % r for r in r1))
print("median without location: wall %.2f s, cpu %.2f s" % (w0, c0))
print("median with location:    wall %.2f s, cpu %.2f s" % (w1, c1))
print("ratio with/without: wall %.3f, cpu %.3f (target <= 1.10)" % (w1 / w0, c1 / c0))
PY
echo "location phase (lookups of 10,000 vertices and the location figures, --timings): $(sort -n "$tmp/phase.txt" | tr '\n' ' ')s"
