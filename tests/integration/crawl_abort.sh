#!/usr/bin/env bash
# SIGTERM in the middle of a crawl: exit status 3, crawls.status `aborted`,
# the visits made so far stored (and each of them right), no violation.
# Then a second crawl gets two signals: it exits at once (status 130), its
# journal is intact and --replay loads it, marking that crawl aborted.
# The world has 100-300 ms of latency per message so the crawl is still
# running when the signal comes.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

start_simnet --nodes 800 --seed 5 --latency-ms 100:300
read -r -a seeds <<<"$(seeds_args 2)"

"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --concurrency 20 --handshake-timeout 4 --set drain_timeout=1 --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" &
pid=$!
sleep 2.5
kill -0 "$pid" 2>/dev/null || { cat "$TMP/crawl.log" >&2; fail "crawl ended before the signal"; }
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
stop_simnet
tail -n 5 "$TMP/crawl.log"
cat "$TMP/summary.json"
[ "$rc" = 3 ] || fail "exit status $rc after SIGTERM, want 3"
grep -q 'aborted' "$TMP/crawl.log" || fail "no reason on stderr"
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")
dump_crawl "$id"
n=$(wc -l <"$TMP/visits.tsv")
[ "$n" -gt 0 ] || fail "no visit stored"
"$PY" "$HERE/crawl_check.py" "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" \
  "$TMP/crawl.tsv" "$TMP/violations.jsonl" "$TMP/summary.json" aborted
echo "abort by SIGTERM: ok ($n visits stored)"

# Two signals: no waiting for the drain.
start_simnet --nodes 800 --seed 6 --latency-ms 200:400
read -r -a seeds <<<"$(seeds_args 2)"
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --concurrency 50 --set drain_timeout=30 --journal "$TMP/two.journal" \
  --vantage twosignals --json >"$TMP/summary2.json" 2>"$TMP/crawl2.log" &
pid=$!
sleep 2
kill -TERM "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "the crawl ended after one signal: nothing in flight to test"
t0=$(date +%s%N)
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
stop_simnet
[ "$rc" = 130 ] || { cat "$TMP/crawl2.log" >&2; fail "exit status $rc after two signals, want 130"; }
[ "$ms" -lt 2000 ] || fail "second signal took $ms ms to exit"
"$CRAWL" --replay "$TMP/two.journal" --db "$DATABASE_URL" >"$TMP/replay.log" 2>&1 ||
  { cat "$TMP/replay.log" >&2; fail "replay of the interrupted journal failed"; }
cat "$TMP/replay.log"
st=$(psql "$DATABASE_URL" -qAt -c "SELECT status FROM crawls WHERE vantage = 'twosignals'")
[ "$st" = aborted ] || fail "crawl after two signals and a replay is '$st', want aborted"
v=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM visits v JOIN crawls c ON c.id = v.crawl_id WHERE c.vantage = 'twosignals'")
[ "$v" -gt 0 ] || fail "no visit of the interrupted crawl after replay"
echo "second signal: exit in $ms ms, journal replayed ($v visits), crawl aborted: ok"
