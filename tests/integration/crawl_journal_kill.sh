#!/usr/bin/env bash
# The journal's loss bound: a crawl into the journal only (the database is
# away) is killed with SIGKILL; --replay then loads every visit the crawler
# had counted one progress line before the kill. The crawler writes the
# journal at every loop iteration, and two progress lines are always in two
# iterations, so what the earlier line counted was in the file before the
# later one was printed (docs/storage.md, "Journal"). Before that bound a
# journal was written every 512 records and this kill lost them all. The
# crawl is then marked aborted (no CrawlEnd, no crawler alive).
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
start_simnet --nodes 400 --seed 21 --latency-ms 100:300
read -r -a seeds <<<"$(seeds_args 2)"
nodb="postgresql://nobody@127.$OCTET.250.250:1/none?connect_timeout=2"

"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$nodb" --identity "$TMP/id.json" \
  "${seeds[@]}" --concurrency 5 --handshake-timeout 4 --journal "$TMP/j" \
  --vantage kill-test --set log_interval=0.5 >/dev/null 2>"$TMP/crawl.log" &
pid=$!
# done N of each progress line, in order.
done_counts() { sed -n 's/.*info: discovered [0-9]*, done \([0-9]*\),.*/\1/p' "$TMP/crawl.log"; }
# Wait (at most 30 s) for a progress line with visits done, then for the next one.
first=
for i in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || { cat "$TMP/crawl.log" >&2; fail "the crawl ended before the kill"; }
  mapfile -t counts < <(done_counts)
  if [ -z "$first" ]; then
    for k in "${!counts[@]}"; do
      if [ "${counts[$k]}" -gt 0 ]; then first=$k; break; fi
    done
  fi
  if [ -n "$first" ] && [ "${#counts[@]}" -gt $((first + 1)) ]; then break; fi
  sleep 0.05
done
[ -n "$first" ] && [ "${#counts[@]}" -gt $((first + 1)) ] || fail "no two progress lines in 15 s"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
counted=${counts[$first]}
echo "killed after progress lines: ${counts[*]}; the line before the last counted $counted visits"

"$CRAWL" --replay "$TMP/j" --db "$DATABASE_URL" >"$TMP/replay.log" 2>&1 ||
  { cat "$TMP/replay.log" >&2; fail "replay of the killed crawl's journal"; }
cat "$TMP/replay.log"
grep -q 'damaged' "$TMP/replay.log" && fail "a killed crawl left damaged records"
got=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM visits v JOIN crawls c ON c.id = v.crawl_id
                                     WHERE c.vantage = 'kill-test'")
[ "$got" -ge "$counted" ] || fail "replay loaded $got visits, the crawler had counted $counted before the kill"
st=$(psql "$DATABASE_URL" -qAt -c "SELECT status FROM crawls WHERE vantage = 'kill-test'")
[ "$st" = aborted ] || fail "killed crawl after replay is '$st', want aborted"
stop_simnet
echo "SIGKILL with the database away: $got visits replayed, >= the $counted counted a progress line before the kill: ok"
