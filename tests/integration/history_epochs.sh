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
refresh() { # the nightly upkeep of the kept node history (schema/migrations/057)
  local n
  n=$(psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -c "SELECT node_history_refresh()")
  [ "$n" -ge 1 ] || fail "node_history_refresh() after a new crawl refreshed nothing"
}
# Refreshed after each crawl but the last, so the kept rows grow one night
# at a time (the refresh's appending path); the last night is left for the
# analyzer's refresh.
crawl_epoch 0 here; refresh
crawl_epoch 1 here; refresh
crawl_epoch 2 elsewhere; refresh # another vantage: in no history of "here"
crawl_epoch 2 here; refresh
crawl_epoch 3 here
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' \
  "$TMP/summary-3-here.json")

history_rows() { # out [computed]: node_history of this run's vantages, sorted
  # "computed": with this run's kept crawls set aside (a transaction rolled
  # back), so that every row is computed from visits.
  local aside=
  [ "${2:-}" = computed ] && aside="DELETE FROM node_history_kept_crawls
    WHERE vantage IN ('hist-here-$run', 'hist-elsewhere-$run');"
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "BEGIN; $aside
  SELECT peer_id, substring(vantage from '^hist-(.*)-$run\$'), first_seen, last_seen, crawls_public, crawls_total, uptime, streak,
         (SELECT ordinal FROM comparable_crawls cc WHERE cc.vantage = h.vantage
            AND cc.started_at = h.first_seen),
         (SELECT ordinal FROM comparable_crawls cc WHERE cc.vantage = h.vantage
            AND cc.started_at = h.last_seen)
  FROM node_history h WHERE vantage IN ('hist-here-$run', 'hist-elsewhere-$run');
  ROLLBACK" | grep -v '^\(BEGIN\|DELETE [0-9]*\|ROLLBACK\)$' | LC_ALL=C sort >"$1"
}
kept() { # rows kept for this run's vantages by the last refresh
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -c "SELECT count(*) FROM node_history_kept
    WHERE vantage IN ('hist-here-$run', 'hist-elsewhere-$run')"
}
# The last night is not kept yet: node_history computes "here" from visits.
history_rows "$TMP/node_history.tsv"

"$BIN/tzcensus-analyze" --db "$DATABASE_URL" --crawl "$id" --out "$TMP/a" --seed 3 \
  2>"$TMP/a.log" || { cat "$TMP/a.log" >&2; fail "analyze"; }

"$PY" "$HERE/history_check.py" "$TMP" "$TMP/node_history.tsv" "$TMP/a/report.json"

# The analyzer's refresh appended the last night: node_history now reads
# kept rows grown night by night, which must be exactly what computing from
# visits gives.
[ "$(kept)" -gt 0 ] || fail "tzcensus-analyze --db kept no node history rows"
[ "$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM node_history_kept_crawls
  WHERE vantage = 'hist-here-$run'")" = 4 ] || fail "the kept node history of 'here' should rest on its 4 crawls"
history_rows "$TMP/kept.tsv"
history_rows "$TMP/computed.tsv" computed
cmp -s "$TMP/computed.tsv" "$TMP/kept.tsv" ||
  { diff "$TMP/computed.tsv" "$TMP/kept.tsv" | head >&2; fail "kept node history differs from the computed one"; }
cmp -s "$TMP/node_history.tsv" "$TMP/kept.tsv" ||
  { diff "$TMP/node_history.tsv" "$TMP/kept.tsv" | head >&2; fail "node_history changed with the refresh"; }

# A gate verdict that takes a crawl out of the history makes the kept rows
# stale: the view must not serve them (it computes again), and a refresh
# must give the same rows.
first=$(psql "$DATABASE_URL" -qAt -c "SELECT crawl_id FROM comparable_crawls
  WHERE vantage = 'hist-here-$run' ORDER BY ordinal LIMIT 1 OFFSET 1")
psql "$DATABASE_URL" -q -c "UPDATE crawls SET publishable = false WHERE id = $first"
history_rows "$TMP/ungated.tsv"
cmp -s "$TMP/node_history.tsv" "$TMP/ungated.tsv" &&
  fail "node_history did not change when a crawl left the history (stale kept rows served)"
refresh
history_rows "$TMP/ungated-kept.tsv"
cmp -s "$TMP/ungated.tsv" "$TMP/ungated-kept.tsv" ||
  { diff "$TMP/ungated.tsv" "$TMP/ungated-kept.tsv" | head >&2; fail "refreshed node history differs from the computed one"; }
echo "        CHECKED: node_history kept night by night = computed from visits, and again after a crawl left the history"
