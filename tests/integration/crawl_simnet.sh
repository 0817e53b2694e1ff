#!/usr/bin/env bash
# The crawler against a simnet world of 600 nodes with every behaviour, stored
# in the throwaway PostgreSQL: recall of every node that can complete a
# handshake, each visit's outcome against the node's behaviour in the truth
# file, advertised edges against what the nodes know, nothing dialed outside
# the allow list (private/documentation points recorded as `policy`), and no
# violation of Octez's rules seen by simnet. Then the journal of the same
# crawl replayed into the database adds nothing.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

start_simnet --nodes 600 --seed 11
read -r -a seeds <<<"$(seeds_args 3)"

rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --journal "$TMP/crawl.journal" --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
tail -n 5 "$TMP/crawl.log"
cat "$TMP/summary.json"
[ "$rc" = 0 ] || { cat "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }

id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")
[[ "$id" =~ ^[0-9]+$ ]] || fail "no crawl_id in the summary"
dump_crawl "$id"
"$PY" "$HERE/crawl_check.py" "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" \
  "$TMP/crawl.tsv" "$TMP/violations.jsonl" "$TMP/summary.json" full

# The journal holds the same crawl: replaying it adds no row.
before=$(psql "$DATABASE_URL" -qAt -c "SELECT (SELECT count(*) FROM visits) || ' ' || (SELECT count(*) FROM advertisements)")
"$CRAWL" --replay "$TMP/crawl.journal" --db "$DATABASE_URL" >"$TMP/replay.log" 2>&1 ||
  { cat "$TMP/replay.log" >&2; fail "replay failed"; }
after=$(psql "$DATABASE_URL" -qAt -c "SELECT (SELECT count(*) FROM visits) || ' ' || (SELECT count(*) FROM advertisements)")
[ "$before" = "$after" ] || fail "replaying the crawl's journal changed the rows: $before -> $after"
# seed_from_db: a second crawl of the same vantage with no seed at all starts
# from the points that answered in the first one and finds the same nodes.
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  --seed-from-db --handshake-timeout 2 --json >"$TMP/summary2.json" 2>"$TMP/crawl2.log" || rc=$?
stop_simnet
[ "$rc" = 0 ] || { cat "$TMP/crawl2.log" >&2; fail "seed_from_db crawl exited $rc"; }
grep -q 'seed_from_db: [1-9][0-9]* points' "$TMP/crawl2.log" || fail "no points seeded from the database"
ok1=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcomes"]["ok"])' "$TMP/summary.json")
ok2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["outcomes"]["ok"])' "$TMP/summary2.json")
[ "$ok1" = "$ok2" ] || fail "seed_from_db crawl found $ok2 ok points, the first crawl $ok1"
echo "seed_from_db: $ok2 ok points again"
echo "crawl against simnet: ok"
