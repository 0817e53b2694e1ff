#!/usr/bin/env bash
# One peer id at many points: 30 simnet nodes run one cloned identity
# (topology.shared_identity), 50-100 ms of latency per node, and all 30 are
# seeds, so the crawler meets the same peer id 30 times at once. It holds a
# session behind another of the same peer id (a node with two points would
# Nack Already_connected), but never past the node's authentication deadline:
# every one of the 30 points must end `ok` (none `handshake_timeout`), and
# the whole world must match the truth (crawl_check.py).
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

cat >"$TMP/world.yaml" <<'YAML'
topology:
  shared_identity: 30
YAML
start_simnet --config "$TMP/world.yaml" --nodes 300 --seed 31 --latency-ms 50:100
seeds=()
while read -r p; do seeds+=(--seed "$p"); done < <("$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))
for n in t["nodes"]:
    if n["shared_identity"]:
        print(n["point"])
' "$TMP/truth.json")
[ "${#seeds[@]}" = 60 ] || fail "want 30 shared-identity points, got $((${#seeds[@]} / 2))"

rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --vantage shared-id --json --verbose \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
stop_simnet
cat "$TMP/summary.json"
[ "$rc" = 0 ] || { tail -n 20 "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")
dump_crawl "$id"
"$PY" - "$TMP/truth.json" "$TMP/visits.tsv" <<'PY'
import collections, json, sys
truth = json.load(open(sys.argv[1]))
shared = {n["point"] for n in truth["nodes"] if n["shared_identity"]}
got = collections.defaultdict(list)
for l in open(sys.argv[2]):
    point, outcome, attempt, peer, error, head, motive = l.rstrip("\n").split("\t")
    if point in shared:
        got[point].append("%s (%s)" % (outcome, error) if error else outcome)
bad = {p: v for p, v in got.items() if v != ["ok"]}
print("shared identity: %d points, %d ok" % (len(shared), sum(v == ["ok"] for v in got.values())))
if bad or len(got) != len(shared):
    for p, v in sorted(bad.items())[:10]:
        print("%s: %s" % (p, v), file=sys.stderr)
    sys.exit(1)
PY
"$PY" "$HERE/crawl_check.py" "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" \
  "$TMP/crawl.tsv" "$TMP/violations.jsonl" "$TMP/summary.json" full
held=$(grep -c 'holding the handshake' "$TMP/crawl.log" || true)
went=$(grep -c 'held to its deadline' "$TMP/crawl.log" || true)
echo "sessions held: $held; went on at the hold's deadline: $went"
[ "$held" -gt 0 ] || fail "no session was held: the test does not exercise the hold"
echo "shared identity: ok"
