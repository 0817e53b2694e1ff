#!/usr/bin/env bash
# Other networks, our own proof of work, and seeds that cannot be dialed
# (docs/crawler.md, "Other networks", "Our identity", "Exit status").
#  1. A simnet world whose wrong_chain nodes are a foreign network, half of
#     it listed by no node of ours: every foreign node we meet is recorded
#     `foreign` with its Nack list stored as source foreign_nack; no point
#     only the foreign network lists is ever dialed (simnet records such a
#     dial as a violation: the file stays empty); the analyzer's graph, from
#     the database and from the journal, has none of those edges.
#  2. An identity below expected_pow: the crawl refuses (exit 2, the
#     --gen-identity command in the message), --check-config --identity says
#     the same; a crawl logs our PoW bits at start.
#  3. p2p_version 0 is refused.
#  4. No seed could be dialed: exit 5 with the reason (the policy rule, or
#     the outcome of the seeds).
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
ANALYZE="$BIN/tzcensus-analyze"

# --- 1. the foreign network ------------------------------------------------
printf 'behaviors:\n  wrong_chain: 0.06\nwrong_chain:\n  hidden: 0.5\n' >"$TMP/sim.yaml"
start_simnet --config "$TMP/sim.yaml" --nodes 400 --seed 5
read -r -a seeds <<<"$(seeds_args 3)"
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --journal "$TMP/crawl.journal" --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }
grep -q 'proof of work [0-9]* bits (expected_pow 0)' "$TMP/crawl.log" ||
  fail "the crawl did not log our PoW bits at start"
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")
dump_crawl "$id"
stop_simnet
"$PY" "$HERE/crawl_check.py" "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" \
  "$TMP/crawl.tsv" "$TMP/violations.jsonl" "$TMP/summary.json" full
[ ! -s "$TMP/violations.jsonl" ] || { cat "$TMP/violations.jsonl" >&2; fail "simnet violations"; }
"$PY" - "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" "$TMP/summary.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
visits = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
edges = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.strip()]
summary = json.load(open(sys.argv[4]))
foreign = [n for n in t["nodes"] if n["foreign"]]
only = set(t["foreign_network"]["foreign_only"])
listed = [n for n in foreign if not n["foreign_only"]]
assert len(only) >= 5 and len(listed) >= 5, (len(only), len(listed))
dialed = {v[0] for v in visits if v[1] != "policy"}
# every foreign node of ours lists is visited once and recorded foreign (motive 2)
out = {v[0]: v for v in visits}
for n in listed:
    v = out.get(n["point"])
    assert v and v[1] == "foreign" and v[6] == "2", (n["point"], v)
# no point that only the foreign network lists was dialed
assert not (only & dialed), sorted(only & dialed)
# what foreign nodes said is stored, marked foreign_nack, and names those points
fe = [e for e in edges if e[2] == "foreign_nack"]
assert {e[0] for e in fe} == {n["point"] for n in listed}, "a foreign node's list is missing"
assert only <= {e[1] for e in fe}, "foreign-only points never stored"
assert all(e[2] != "foreign_nack" for e in edges if e[0] not in {n["point"] for n in foreign})
assert summary["outcomes"]["foreign"] == len(listed), summary["outcomes"]
assert summary["outcomes"]["incompatible"] == 0, summary["outcomes"]
print("foreign: %d nodes visited and recorded foreign, %d foreign_nack rows naming all %d "
      "foreign-only points, none dialed" % (len(listed), len(fe), len(only)))
PY
# researchers' view: crawl_edges has no foreign_nack row, advertisements has them
n_view=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM crawl_edges WHERE crawl_id = $id AND source = 'foreign_nack'")
n_tab=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM advertisements WHERE crawl_id = $id AND source = 'foreign_nack'")
[ "$n_view" = 0 ] && [ "$n_tab" -gt 0 ] || fail "crawl_edges shows $n_view foreign_nack rows (table: $n_tab)"
# the analyzer: the same graph from the database and from the journal, without
# the foreign lists, and no foreign vertex counted public
for src in db journal; do
  if [ "$src" = db ]; then from=(--db "$DATABASE_URL" --crawl "$id"); else from=(--journal "$TMP/crawl.journal"); fi
  "$ANALYZE" "${from[@]}" --out "$TMP/an-$src" >"$TMP/an-$src.log" 2>&1 ||
    { cat "$TMP/an-$src.log" >&2; fail "analyze from $src"; }
done
"$PY" - "$TMP/truth.json" "$TMP/an-db" "$TMP/an-journal" <<'PY'
import csv, json, sys
t = json.load(open(sys.argv[1]))
# Our nodes list some foreign points (they learn only by connecting that those
# are another network's): such an edge may stay, a leaf outside R. But no edge
# comes from a foreign node's list: none joins two foreign vertices, none
# reaches a point only the foreign network lists.
foreign = [n for n in t["nodes"] if n["foreign"]]
fv = {p for n in foreign for p in n["points"]} | {n["peer_id"] for n in foreign}
ov = {p for n in foreign if n["foreign_only"] for p in n["points"]} | \
     {n["peer_id"] for n in foreign if n["foreign_only"]}
ours_public = {n["peer_id"] for n in t["nodes"]
               if n["expected_outcome"] in ("ok", "nack", "closed")}
graphs = []
for d in sys.argv[2:]:
    edges = list(csv.DictReader(open(d + "/edges.csv")))
    both = [e for e in edges if e["source"] in fv and e["target"] in fv]
    assert not both, ("an edge between two foreign vertices", both[:3])
    ends = {e[k] for e in edges for k in ("source", "target")}
    assert not (ends & ov), ("a foreign-only vertex in the graph", sorted(ends & ov)[:3])
    r = json.load(open(d + "/report.json"))
    graphs.append(len(edges))
    pub = r["counts"]["public"]
    assert pub == len(ours_public), (d, pub, len(ours_public))
assert graphs[0] == graphs[1], graphs
print("analyzer: %d edges from the database and the journal, none from a foreign list, %d public"
      % (graphs[0], pub))
PY

# --- 2. our own proof of work -----------------------------------------------
"$CRAWL" --gen-identity "$TMP/weak.json" --pow 0 >/dev/null
rc=0
"$CRAWL" --db "$DATABASE_URL" --seed 127.0.0.1:9 --allow 127.0.0.0/8 --identity "$TMP/weak.json" \
  --expected-pow 40 >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] || { cat "$TMP/err" >&2; fail "weak identity: exit $rc, want 2"; }
grep -q 'below expected_pow 40' "$TMP/err" && grep -q -- '--gen-identity .* --pow 40' "$TMP/err" ||
  { cat "$TMP/err" >&2; fail "weak identity: the message does not give the --gen-identity command"; }
rc=0
"$CRAWL" --seed 127.0.0.1:9 --identity "$TMP/weak.json" --expected-pow 40 --check-config \
  >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- '--gen-identity' "$TMP/err" ||
  { cat "$TMP/out" "$TMP/err" >&2; fail "--check-config --identity: exit $rc for a weak identity"; }
out=$("$CRAWL" --seed 127.0.0.1:9 --identity "$TMP/weak.json" --expected-pow 0 --check-config)
grep -q 'meets expected_pow 0' <<<"$out" || fail "--check-config --identity: $out"
echo "proof of work: weak identity refused (exit 2), --check-config says so"

# --- 3. p2p_version 0 --------------------------------------------------------
rc=0
"$CRAWL" --seed 127.0.0.1:9 --set p2p_version=0 --check-config >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'Nack_v_0' "$TMP/err" || { cat "$TMP/err" >&2; fail "p2p_version 0: exit $rc"; }
echo "p2p_version 0: refused"

# --- 4. no seed could be dialed -----------------------------------------------
# a documentation address refused by the default policy: nothing is sent
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  --seed 192.0.2.7:9732 --vantage noseed-policy >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 5 ] || { cat "$TMP/err" >&2; fail "policy-refused seed: exit $rc, want 5"; }
grep -q 'no seed could be dialed' "$TMP/err" && grep -q '192.0.2.0/24' "$TMP/err" ||
  { cat "$TMP/err" >&2; fail "policy-refused seed: the message does not name the rule"; }
# a loopback port nobody listens on: refused
port=$((20000 + RANDOM % 20000))
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  --seed "127.$OCTET.250.250:$port" --vantage noseed-refused >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 5 ] && grep -q "127.$OCTET.250.250:$port refused" "$TMP/err" ||
  { cat "$TMP/err" >&2; fail "refused seed: exit $rc, want 5 and the reason"; }
st=$(psql "$DATABASE_URL" -qAt -c "SELECT string_agg(status, ',' ORDER BY id) FROM crawls WHERE vantage LIKE 'noseed-%'")
[ "$st" = "failed,failed" ] || fail "crawls without a dialable seed are '$st', want failed,failed"
echo "no dialable seed: exit 5 with the reason"
echo "crawl foreign/pow/seeds: ok"
