#!/usr/bin/env bash
# One definition of the headline figures (docs/methodology.md, "Definitions"):
# a simnet world with every behaviour, crawled into PostgreSQL and a journal,
# then the census figures read five ways -- the crawler's --json summary, the
# crawl_summary view, the point_classes view point by point, report.json
# `counts` from the database and from the journal -- must agree with each
# other and with the classes simnet's truth file implies.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

start_simnet --nodes 240 --seed 41
read -r -a seeds <<<"$(seeds_args 3)"
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --journal "$TMP/crawl.journal" --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
stop_simnet
[ "$rc" = 0 ] || { cat "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")
[[ "$id" =~ ^[0-9]+$ ]] || fail "no crawl_id in the summary"

psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT public_nodes, public_points, foreign_points, unverified_points, unreachable_points,
         undialed_points, public_ratio, points_discovered, points_dialed
  FROM crawl_summary WHERE crawl_id = $id" >"$TMP/crawl_summary.tsv"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT point, class, coalesce(node, '') FROM point_classes WHERE crawl_id = $id" \
  >"$TMP/point_classes.tsv"

ANALYZE="$BIN/tzcensus-analyze"
"$ANALYZE" --db "$DATABASE_URL" --crawl "$id" --out "$TMP/adb" --seed 3 2>"$TMP/adb.log" ||
  { cat "$TMP/adb.log" >&2; fail "analyze --db"; }
"$ANALYZE" --journal "$TMP/crawl.journal" --out "$TMP/ajn" --seed 3 2>"$TMP/ajn.log" ||
  { cat "$TMP/ajn.log" >&2; fail "analyze --journal"; }

"$PY" "$HERE/definitions_check.py" "$TMP/truth.json" "$TMP/summary.json" \
  "$TMP/crawl_summary.tsv" "$TMP/point_classes.tsv" "$TMP/adb" "$TMP/ajn"
