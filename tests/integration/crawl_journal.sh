#!/usr/bin/env bash
# The database is away: the crawl goes on into the journal (a warning), ends
# `finished` with exit status 1 and the reason on stderr; --replay then loads
# the journal into PostgreSQL (crawl finished, every visit and edge there),
# and a second replay adds nothing. Without a journal, an unreachable
# database is a start-up error (status 1, no dial).
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
start_simnet --nodes 60 --seed 9
read -r -a seeds <<<"$(seeds_args 2)"
# A loopback port where nothing listens stands for the database being down.
nodb="postgresql://nobody@127.$OCTET.250.250:1/none?connect_timeout=2"

rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$nodb" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 1 --journal "$TMP/j" --vantage journal-test --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
[ "$rc" = 1 ] || { cat "$TMP/crawl.log" >&2; fail "exit $rc with the database away, want 1"; }
grep -q 'journal only' "$TMP/crawl.log" || fail "no warning about the journal-only crawl"
grep -q -- "--replay $TMP/j" "$TMP/crawl.log" || fail "no --replay hint on stderr"
grep -q '"status":"finished"' "$TMP/summary.json" || fail "summary: $(cat "$TMP/summary.json")"
visits=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["visits"])' "$TMP/summary.json")
edges=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["edges"])' "$TMP/summary.json")

out=$("$CRAWL" --migrate --db "$DATABASE_URL")
grep -q '^migrations: [0-9]* applied, schema version [1-9]' <<<"$out" || fail "--migrate: $out"
out=$("$CRAWL" --migrate --db "$DATABASE_URL")
grep -q '^migrations: 0 applied' <<<"$out" || fail "--migrate twice: $out"
"$CRAWL" --replay "$TMP/j" --db "$DATABASE_URL" >"$TMP/replay1" 2>&1 || { cat "$TMP/replay1"; fail "replay"; }
"$CRAWL" --replay "$TMP/j" --db "$DATABASE_URL" >"$TMP/replay2" 2>&1 || { cat "$TMP/replay2"; fail "replay 2"; }
cat "$TMP/replay1" "$TMP/replay2"
grep -q "visits $visits read / $visits added" "$TMP/replay1" || fail "first replay did not add $visits visits"
grep -q "visits $visits read / 0 added" "$TMP/replay2" || fail "second replay added visits"
got=$(psql "$DATABASE_URL" -qAt -F ' ' -c "
  SELECT c.status, (SELECT count(*) FROM visits v WHERE v.crawl_id = c.id),
         (SELECT count(*) FROM advertisements a WHERE a.crawl_id = c.id)
  FROM crawls c WHERE c.vantage = 'journal-test'")
[ "$got" = "finished $visits $edges" ] || fail "database has '$got', want 'finished $visits $edges'"

# No journal: refused at start, nothing dialed.
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$nodb" --identity "$TMP/id.json" \
  "${seeds[@]}" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "no journal, no database: exit $rc, want 1"
grep -q 'no --journal' "$TMP/err" || { cat "$TMP/err"; fail "unclear message"; }
stop_simnet
echo "database away, journal, replay: ok ($visits visits, $edges edges)"
