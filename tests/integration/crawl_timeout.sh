#!/usr/bin/env bash
# A connect that times out: a loopback listener with a full accept queue
# drops our SYNs. --probe reports `timeout`; a crawl records the visit with
# attempt 1 and, after retry_delay, the retry as its own visit with attempt 2,
# then finishes.
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
"$CRAWL" --probe "$addr:$port" --allow 127.0.0.0/8 --identity "$TMP/id.json" \
  --connect-timeout 1 >"$TMP/probe.json" || rc=$?
[ "$rc" = 1 ] || fail "probe exit $rc, want 1"
grep -q '"outcome": "timeout"' "$TMP/probe.json" || { cat "$TMP/probe.json"; fail "probe: no timeout"; }

"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  --seed "$addr:$port" --connect-timeout 1 --set connect_retries=1 --set retry_delay=0.5 \
  --vantage timeout-test --json >"$TMP/summary.json" 2>"$TMP/crawl.log" ||
  { cat "$TMP/crawl.log" >&2; fail "crawl failed"; }
cat "$TMP/summary.json"
got=$(psql "$DATABASE_URL" -qAt -F ' ' -c "
  SELECT v.outcome, v.attempt FROM visits v JOIN crawls c ON c.id = v.crawl_id
  WHERE c.vantage = 'timeout-test' ORDER BY v.seq" | tr '\n' ',')
[ "$got" = "timeout 1,timeout 2," ] || fail "visits are '$got', want 'timeout 1,timeout 2,'"
grep -q '"retries":1' "$TMP/summary.json" || fail "summary does not count the retry"
echo "connect timeout and retry: ok"
