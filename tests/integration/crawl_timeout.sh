#!/usr/bin/env bash
# A connect that times out: a loopback listener with a full accept queue
# drops our SYNs. --probe reports `timeout`; a crawl records the visit with
# attempt 1 and, after retry_delay, the retry as its own visit with attempt 2
# and the shorter deadline retry_connect_timeout, then ends: with no seed that
# answered, it exits 5 and says why.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
addr="127.$OCTET.$((RANDOM % 250)).$((1 + RANDOM % 250))"
port=$((20000 + RANDOM % 20000))
"$PY" "$HERE/hold_backlog.py" "$addr" "$port" "$TMP/held" 20 &
SIM_PID=$! # crawl_teardown stops it
for _ in $(seq 50); do [ -f "$TMP/held" ] && break; sleep 0.1; done
[ -f "$TMP/held" ] || fail "listener not ready"

rc=0
"$CRAWL" --probe "$addr:$port" --allow 127.0.0.0/8 --identity "$TMP/id.json" --expected-pow 0 \
  --connect-timeout 1 >"$TMP/probe.json" || rc=$?
[ "$rc" = 1 ] || fail "probe exit $rc, want 1"
grep -q '"outcome": "timeout"' "$TMP/probe.json" || { cat "$TMP/probe.json"; fail "probe: no timeout"; }

rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  --seed "$addr:$port" --connect-timeout 3 --set connect_retries=1 --set retry_delay=0.5 \
  --set retry_connect_timeout=0.3 \
  --vantage timeout-test --json >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
# its only seed never answered: a crawl that could dial no seed exits 5 and says why
[ "$rc" = 5 ] || { cat "$TMP/crawl.log" >&2; fail "crawl exit $rc, want 5"; }
grep -q "no seed could be dialed: 0 of 1 refused by the address policy, 1 dialed without an answer (first: $addr:$port timeout" "$TMP/crawl.log" ||
  { cat "$TMP/crawl.log" >&2; fail "no reason given for the failed crawl"; }
cat "$TMP/summary.json"
got=$(psql "$DATABASE_URL" -qAt -F ' ' -c "
  SELECT v.outcome, v.attempt FROM visits v JOIN crawls c ON c.id = v.crawl_id
  WHERE c.vantage = 'timeout-test' ORDER BY v.seq" | tr '\n' ',')
[ "$got" = "timeout 1,timeout 2," ] || fail "visits are '$got', want 'timeout 1,timeout 2,'"
grep -q '"retries":1' "$TMP/summary.json" || fail "summary does not count the retry"
# The first attempt waited connect_timeout (3 s) before the retry was due; the
# retry waited retry_connect_timeout (0.3 s), not 3 s, before the crawl ended.
read -r gap last <<<"$(psql "$DATABASE_URL" -qAt -F ' ' -c "
  SELECT extract(epoch FROM max(v.started_at) - min(v.started_at)),
         extract(epoch FROM c.finished_at - max(v.started_at))
  FROM visits v JOIN crawls c ON c.id = v.crawl_id
  WHERE c.vantage = 'timeout-test' GROUP BY c.finished_at")"
echo "attempt 2 started ${gap}s after attempt 1; the crawl ended ${last}s after it"
awk -v g="$gap" 'BEGIN { exit !(g >= 3.4) }' || fail "retry came ${gap}s after attempt 1, want >= 3.4 (3 s + 0.5 s)"
awk -v l="$last" 'BEGIN { exit !(l < 2.0) }' || fail "retry lasted ${last}s: not retry_connect_timeout"
echo "connect timeout and retry: ok"
