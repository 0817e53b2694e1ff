#!/usr/bin/env bash
# Node history over simnet epochs (docs/methodology.md, "Node history"): the
# same world crawled at epochs 0..3 with churn, every crawl into PostgreSQL;
# then the node_history view and report.json `history` of the last crawl must
# match what the four truth files imply (which peer ids are public at each
# epoch): first and last crawl, counts, uptime, streak, new and gone per
# night, the long-lived core, the versions. A crawl of another vantage must
# not count.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

seed=$((1000 + RANDOM % 9000))
run=$$-$RANDOM # vantages of this run only: make check shares one database
crawl_epoch() { # epoch vantage
  start_simnet --nodes 150 --seed "$seed" --epoch "$1" --churn 0.1
  cp "$TMP/truth.json" "$TMP/truth-$1-$2.json"
  read -r -a seeds <<<"$(seeds_args 3)"
  local rc=0
  "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
    "${seeds[@]}" --handshake-timeout 10 --vantage "hist-$2-$run" --json \
    >"$TMP/summary-$1-$2.json" 2>"$TMP/crawl-$1-$2.log" || rc=$?
  stop_simnet
  [ "$rc" = 0 ] || { cat "$TMP/crawl-$1-$2.log" >&2; fail "crawl of epoch $1 exited $rc"; }
}
crawl_epoch 0 here
crawl_epoch 1 here
crawl_epoch 2 elsewhere # another vantage: in no history of "here"
crawl_epoch 2 here
crawl_epoch 3 here
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' \
  "$TMP/summary-3-here.json")

psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT peer_id, substring(vantage from '^hist-(.*)-$run\$'), first_seen, last_seen, crawls_public, crawls_total, uptime, streak,
         (SELECT ordinal FROM comparable_crawls cc WHERE cc.vantage = h.vantage
            AND cc.started_at = h.first_seen),
         (SELECT ordinal FROM comparable_crawls cc WHERE cc.vantage = h.vantage
            AND cc.started_at = h.last_seen)
  FROM node_history h WHERE vantage IN ('hist-here-$run', 'hist-elsewhere-$run')" \
  >"$TMP/node_history.tsv"

"$BIN/tzcensus-analyze" --db "$DATABASE_URL" --crawl "$id" --out "$TMP/a" --seed 3 \
  2>"$TMP/a.log" || { cat "$TMP/a.log" >&2; fail "analyze"; }

"$PY" "$HERE/history_check.py" "$TMP" "$TMP/node_history.tsv" "$TMP/a/report.json"
