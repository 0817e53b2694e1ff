#!/usr/bin/env bash
# Two crawlers of one vantage. While a crawl of vantage "paris" runs, a
# second crawler of "paris" is refused: exit 75, a clear message, no crawl
# row, its journal file not even opened; the first crawl's row stays
# `running` and ends `finished`, its visits right by simnet's truth.
# Meanwhile the first crawler's writer session is killed: a warning says the
# database was lost (with the rows queued), another that it is back.
# Then a crawler of "paris" killed with SIGKILL leaves its crawl `running`;
# once its process is gone, the next crawl of "paris" marks it aborted.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
start_simnet --nodes 200 --seed 12 --latency-ms 100:300
read -r -a seeds <<<"$(seeds_args 2)"
sql() { psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -c "$1"; }
# No shell function: a background job must be the crawler itself (kill -KILL).
crawl=("$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json"
  "${seeds[@]}" --handshake-timeout 4)
# wait_for SQL WANT: polls (at most 30 s) until the query returns WANT.
wait_for() {
  local i got=
  for i in $(seq 1 300); do
    got=$(sql "$1")
    [ "$got" = "$2" ] && return 0
    sleep 0.1
  done
  fail "waited 30 s for '$1' = '$2', last '$got'"
}
"$CRAWL" --migrate --db "$DATABASE_URL" >/dev/null

"${crawl[@]}" --vantage paris --concurrency 10 --json >"$TMP/a.json" 2>"$TMP/a.log" &
pid_a=$!
wait_for "SELECT count(*) FROM crawls WHERE vantage = 'paris' AND status = 'running'" 1

rc=0
"${crawl[@]}" --vantage paris --journal "$TMP/b.journal" >"$TMP/b.out" 2>"$TMP/b.log" || rc=$?
cat "$TMP/b.log"
kill -0 "$pid_a" 2>/dev/null || fail "the first crawl ended before the second started: nothing tested"
[ "$rc" = 75 ] || fail "second crawler of the vantage: exit $rc, want 75"
grep -q 'another crawl of vantage paris is running' "$TMP/b.log" || fail "unclear message"
[ "$(sql "SELECT count(*) || ' ' || min(status) FROM crawls WHERE vantage = 'paris'")" = "1 running" ] ||
  fail "crawl rows after the refusal: $(sql "SELECT id, status FROM crawls")"
# Refused before it opened its journal (it might be the running crawler's).
[ ! -e "$TMP/b.journal" ] || fail "the refused crawler created its journal"

# The writer's session (not the lock's) goes away mid-crawl.
wait_for "SELECT count(*) > 0 FROM visits v JOIN crawls c ON c.id = v.crawl_id WHERE c.vantage = 'paris'" t
killed=$(sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
              WHERE application_name = 'tzcensus' AND pid <> pg_backend_pid()")
[ "$killed" -ge 1 ] || fail "no writer session to kill"
rc=0
wait "$pid_a" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/a.log" >&2; fail "first crawl: exit $rc"; }
grep 'database: ' "$TMP/a.log" || true
grep -q 'warn.*database: lost (db: .*); [0-9]* rows queued' "$TMP/a.log" || fail "no warning when the database was lost"
grep -q 'warn.*database: back after [0-9.]* s; [0-9]* rows queued' "$TMP/a.log" || fail "no warning when the database came back"
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/a.json")
dump_crawl "$id"
"$PY" "$HERE/crawl_check.py" "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" \
  "$TMP/crawl.tsv" "$TMP/violations.jsonl" "$TMP/a.json" full
[ "$(sql "SELECT status FROM crawls WHERE id = $id")" = finished ] || fail "first crawl not finished"

# A crawler killed outright: its crawl stays running until the next one.
"${crawl[@]}" --vantage paris --concurrency 10 >/dev/null 2>"$TMP/c.log" &
pid_c=$!
wait_for "SELECT count(*) FROM crawls WHERE vantage = 'paris' AND status = 'running'" 1
kill -KILL "$pid_c"
wait "$pid_c" 2>/dev/null || true
# The server drops the dead process's sessions, and with them its lock.
wait_for "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'tzcensus%'" 0
rc=0
"${crawl[@]}" --vantage paris --concurrency 100 >/dev/null 2>"$TMP/d.log" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/d.log" >&2; fail "crawl after the killed one: exit $rc"; }
grep -q '1 crawl(s) of vantage paris left running by a crash marked aborted' "$TMP/d.log" ||
  { cat "$TMP/d.log" >&2; fail "the killed crawl was not reported aborted"; }
got=$(sql "SELECT string_agg(status, ' ' ORDER BY id) FROM crawls WHERE vantage = 'paris'")
[ "$got" = "finished aborted finished" ] || fail "crawls of paris: $got"
stop_simnet
echo "two crawlers of one vantage: second refused (75), first finished; writer lost and back logged; killed crawl aborted by the next: ok"
