#!/usr/bin/env bash
# End to end: simnet worlds with planted islands and a planted bottleneck,
# crawled by tzcensus-crawl into PostgreSQL and a journal, analyzed by
# tzcensus-analyze from both: the articulation points are the bridge nodes,
# the core's vertex connectivity equals the planted cut, networkx agrees on
# the exported files, --db and --journal give the same figures, and the
# results are stored in analyses/node_metrics with a trend on the second crawl.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
CROSS="$HERE/analyzer_crosscheck.py"
CHECK="$HERE/analyzer_e2e_check.py"

world() { # name islands bottleneck min_degree listed_by
  sed -e "s/^  islands: .*/  islands: $2/" -e "s/^  bottleneck: .*/  bottleneck: $3/" \
      -e "s/^  min_degree: .*/  min_degree: $4/" -e "s/^  listed_by: .*/  listed_by: $5/" \
      "$ROOT/config/simnet.yaml" >"$TMP/$1.yaml"
}

crawl_world() { # name seed
  start_simnet --config "$TMP/$1.yaml" --nodes 160 --seed "$2"
  cp "$TMP/truth.json" "$TMP/$1.truth.json"
  read -r -a seeds <<<"$(seeds_args 3)"
  "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
    "${seeds[@]}" --handshake-timeout 2 --journal "$TMP/$1.journal" --json \
    >"$TMP/$1.summary.json" 2>"$TMP/$1.crawl.log" || { cat "$TMP/$1.crawl.log" >&2; fail "crawl"; }
  stop_simnet
}

ANALYZE="$BIN/tzcensus-analyze"
# Three earlier crawls of the same vantage and chain whose stored analyses
# say 100,000 public nodes: the gate must refuse a crawl of 78 (checked at
# the end).
"$CRAWL" --migrate --db "$DATABASE_URL" >/dev/null
for i in 1 2 3; do
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -c "
    WITH c AS (INSERT INTO crawls (uuid, started_at, finished_at, status, vantage, config)
               VALUES (gen_random_uuid(), now() - interval '$i day', now() - interval '$i day', 'finished',
                       'demo', '{\"chain\": \"TEZOS_MAINNET\"}')
               RETURNING id)
    INSERT INTO analyses (crawl_id, analyzer_version, seed, anonymized, metrics)
    SELECT id, 'fixture', 1, false,
           '{\"schema_version\": 1, \"counts\": {\"public\": 100000, \"outcomes\": {\"ok\": 100000}}}'
    FROM c" >/dev/null
done
world islands 2 2 3 3
world bottleneck 0 3 4 4
crawl_world islands 21
crawl_world bottleneck 22

# World 1, from the database (latest finished crawl is world 2: name it).
id1=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/islands.summary.json")
id2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/bottleneck.summary.json")
"$ANALYZE" --db "$DATABASE_URL" --crawl "$id1" --out "$TMP/a1" --seed 5
"$PY" "$CHECK" islands "$TMP/islands.truth.json" "$TMP/a1"
"$PY" "$CROSS" check "$TMP/a1"

# World 2: default crawl = latest finished; then the same crawl from its journal.
"$ANALYZE" --db "$DATABASE_URL" --out "$TMP/a2" --seed 5 --report 2>"$TMP/a2.log"
# the analyzer's report.json has every key the report's tables and charts name
! grep "report.json lacks" "$TMP/a2.log" || fail "the report names keys report.json lacks"
"$PY" "$CHECK" bottleneck "$TMP/bottleneck.truth.json" "$TMP/a2"
"$PY" "$CROSS" check "$TMP/a2"
"$ANALYZE" --journal "$TMP/bottleneck.journal" --out "$TMP/a2j" --seed 5
"$PY" "$CHECK" same "$TMP/a2" "$TMP/a2j"
"$PY" "$CHECK" contract "$TMP/a2"
[ -s "$TMP/a2/report.html" ] || fail "--report wrote no report.html"

# Stored: two analyses; the second has a trend against the first; node_metrics rows.
n=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM analyses WHERE crawl_id IN ($id1, $id2)")
[ "$n" = 2 ] || fail "expected 2 analyses rows, got $n"
prev=$(psql "$DATABASE_URL" -qAt -c "SELECT metrics->'trend'->>'previous_crawl_id' FROM analyses WHERE crawl_id = $id2")
[ "$prev" = "$id1" ] || fail "trend.previous_crawl_id = '$prev', want $id1"
rows=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM node_metrics WHERE crawl_id = $id2")
want=$("$PY" -c 'import sys; print(sum(1 for _ in open(sys.argv[1])) - 1)' "$TMP/a2/nodes.csv")
[ "$rows" = "$want" ] || fail "node_metrics has $rows rows, nodes.csv $want"

# --anonymize: no loopback address of the world is left in any file.
"$ANALYZE" --journal "$TMP/islands.journal" --out "$TMP/anon" --anonymize
if grep -rE '127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+' "$TMP/anon" >/dev/null; then
  fail "--anonymize left a point in the outputs"
fi
# --gate against that history: refused, exit 3, no report rendered, analysis stored.
rc=0
"$ANALYZE" --db "$DATABASE_URL" --crawl "$id2" --out "$TMP/gated" --gate --report 2>"$TMP/gate.log" || rc=$?
[ "$rc" = 3 ] || { cat "$TMP/gate.log" >&2; fail "--gate exit $rc, want 3"; }
grep -q "refused" "$TMP/gate.log" || fail "no refusal reason logged"
[ ! -e "$TMP/gated/report.html" ] || fail "a refused crawl got a report"
[ -s "$TMP/gated/report.json" ] || fail "a refused crawl must still have its files"
mark=$(psql "$DATABASE_URL" -qAt -c "SELECT publishable, publication_note <> '' FROM crawls WHERE id = $id2")
[ "$mark" = "f|t" ] || fail "a refused crawl must be marked unpublishable in the database (got '$mark')"
# The thresholds are configurable: a band and a mix wide enough let it through.
"$ANALYZE" --db "$DATABASE_URL" --crawl "$id2" --out "$TMP/gated2" --gate --report \
  --gate-band 0:1000 --gate-max-shift 1 2>"$TMP/gate2.log" || { cat "$TMP/gate2.log" >&2; fail "wide gate thresholds still refused"; }
[ -s "$TMP/gated2/report.html" ] || fail "a crawl that passed the gate got no report"
mark=$(psql "$DATABASE_URL" -qAt -c "SELECT publishable FROM crawls WHERE id = $id2")
[ "$mark" = t ] || fail "a crawl that passed the gate must be marked publishable (got '$mark')"
rc=0
"$ANALYZE" --db "$DATABASE_URL" --crawl "$id2" --gate --gate-band 2:1 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--gate-band 2:1 must be a usage error (exit $rc)"
unmarked=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM crawls WHERE id <> $id2 AND publishable IS NOT NULL")
[ "$unmarked" = 0 ] || fail "crawls never gated must keep publishable NULL"

echo "CHECKED: bridges = articulation points, vertex connectivity = planted cut, db = journal"
