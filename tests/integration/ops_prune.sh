#!/usr/bin/env bash
# tzcensus-crawl --prune-days N (retention) on synthetic rows: crawls of 100,
# 40 and 1 days ago with visits, advertisements, analyses and node_metrics.
# --prune-days 30 removes the visits and advertisements of the two old
# crawls only, keeps every crawl row, analysis and node_metrics row, points
# and peers, and keeps each pruned crawl's crawl_summary row (as it was) in
# crawl_totals; the analyzer refuses a pruned crawl; a second run removes
# nothing; bad values are usage errors.
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
[ -x "$BIN/tzcensus-crawl" ] || { echo "SKIP: $BIN/tzcensus-crawl is not built yet"; exit 0; }
: "${DATABASE_URL:?run under scripts/with-pg.sh (make check)}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-prune-test.XXXXXX")
dbname=tzc_prune_$$
cleanup() {
	psql -X -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

psql -X -q -d "$DATABASE_URL" -c "CREATE DATABASE $dbname" || { echo "FAIL: CREATE DATABASE"; exit 1; }
db=$("$PY" -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$dbname")
"$BIN/tzcensus-crawl" --migrate --db "$db" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; echo "FAIL: migrate"; exit 1; }
q() { psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

# Three crawls (ages 100, 40, 1 days), each: 20 points, 12 answer ok (with
# a peer id), 5 refuse, 3 time out; each answering point advertises 4.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$tmp/sql.log" 2>&1 <<'EOF' || { cat "$tmp/sql.log"; echo "FAIL: synthetic rows"; exit 1; }
INSERT INTO points (addr, port, first_seen, last_seen)
SELECT ('10.9.0.' || i)::inet, 9732, now() - interval '200 days', now() FROM generate_series(1, 20) i;
INSERT INTO peers (peer_id, first_seen, last_seen)
SELECT 'idsPeer' || i, now() - interval '200 days', now() FROM generate_series(1, 20) i;
INSERT INTO crawls (uuid, started_at, finished_at, status, vantage, config)
SELECT gen_random_uuid(), now() - make_interval(days => d), now() - make_interval(days => d) + interval '5 minutes',
       'finished', 'v', '{"chain": "TEZOS_MAINNET"}'
FROM unnest(ARRAY[100, 40, 1]) d ORDER BY d DESC;
INSERT INTO visits (crawl_id, seq, point_id, started_at, outcome, peer_id, chain_name)
SELECT c.id, p.id, p.id, c.started_at,
       CASE WHEN p.id <= 12 THEN 'ok' WHEN p.id <= 17 THEN 'refused' ELSE 'timeout' END,
       CASE WHEN p.id <= 12 THEN 'idsPeer' || p.id END,
       CASE WHEN p.id <= 12 THEN 'TEZOS_MAINNET' END
FROM crawls c, points p;
INSERT INTO advertisements (crawl_id, seq, from_point_id, to_point_id, source, round, rank, list_len, seen_at)
SELECT c.id, p.id * 10 + r, p.id, ((p.id + r) % 20) + 1, 'advertise', 0, r, 4, c.started_at
FROM crawls c, points p, generate_series(0, 3) r WHERE p.id <= 12;
INSERT INTO analyses (crawl_id, analyzer_version, seed, anonymized, metrics)
SELECT id, 'test', 1, false, '{"counts": {"public": 12}}' FROM crawls;
INSERT INTO node_metrics (analysis_id, crawl_id, node, kind, class, points, degree, in_core,
                          is_articulation, cut_off_if_removed, articulation_seen)
SELECT a.id, a.crawl_id, 'idsPeer1', 'peer_id', 'public', '{10.9.0.1:9732}', 4, true, false, 0, false
FROM analyses a;
EOF
ids=($(q "SELECT id FROM crawls ORDER BY started_at"))
[ "${#ids[@]}" -eq 3 ] || { echo "FAIL: 3 crawls expected"; exit 1; }
old="${ids[0]},${ids[1]}"
q "SELECT to_jsonb(s) FROM crawl_summary s WHERE crawl_id IN ($old) ORDER BY crawl_id" >"$tmp/before.json"
[ "$(q "SELECT public_nodes FROM crawl_summary WHERE crawl_id = ${ids[0]}")" = 12 ] ||
	bad "the synthetic crawl should count 12 public nodes before pruning"

# Kept node history of the three nights (schema/migrations/057_node_history_kept.sql).
[ "$(q "SELECT node_history_refresh()")" = 1 ] || bad "node_history_refresh() should refresh the one vantage"
[ "$(q "SELECT min(crawls_total) || ' ' || min(crawls_public) FROM node_history_kept WHERE vantage = 'v'")" = "3 3" ] ||
	bad "the kept node history should span the three nights"

"$BIN/tzcensus-crawl" --prune-days 30 --db "$db" >"$tmp/prune.out" 2>"$tmp/prune.err" ||
	{ cat "$tmp/prune.err"; bad "--prune-days 30 exited non-zero"; }
grep -q "^prune: 2 crawls older than 30 days pruned, 40 visits and 96 advertisements removed$" "$tmp/prune.out" ||
	{ cat "$tmp/prune.out"; bad "--prune-days 30 should report 2 crawls, 40 visits, 96 advertisements"; }

[ "$(q "SELECT count(*) FROM visits WHERE crawl_id IN ($old)")" = 0 ] || bad "old crawls' visits remain"
[ "$(q "SELECT count(*) FROM advertisements WHERE crawl_id IN ($old)")" = 0 ] || bad "old crawls' advertisements remain"
[ "$(q "SELECT count(*) FROM visits WHERE crawl_id = ${ids[2]}")" = 20 ] || bad "the recent crawl lost visits"
[ "$(q "SELECT count(*) FROM advertisements WHERE crawl_id = ${ids[2]}")" = 48 ] || bad "the recent crawl lost advertisements"
[ "$(q "SELECT count(*) FROM crawls")" = 3 ] || bad "crawl rows were removed"
[ "$(q "SELECT count(*) FROM analyses")" = 3 ] || bad "analyses were removed"
[ "$(q "SELECT count(*) FROM node_metrics")" = 3 ] || bad "node_metrics were removed"
[ "$(q "SELECT count(*) FROM points")" = 20 ] || bad "points were removed"
[ "$(q "SELECT count(*) FROM peers")" = 20 ] || bad "peers were removed"
[ "$(q "SELECT string_agg(crawl_id::text || ':' || visits_removed || ':' || advertisements_removed, ' ' ORDER BY crawl_id) FROM crawl_totals")" = "${ids[0]}:20:48 ${ids[1]}:20:48" ] ||
	bad "crawl_totals should hold the two old crawls with 20 visits and 48 advertisements removed each"
q "SELECT summary FROM crawl_totals ORDER BY crawl_id" >"$tmp/after.json"
"$PY" - "$tmp/before.json" "$tmp/after.json" <<'PYEOF' || bad "crawl_totals.summary differs from crawl_summary before pruning"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == 2 and a == b, (a, b)
assert all(x["public_nodes"] == 12 and x["refused"] == 5 for x in b), b
PYEOF

# The analyzer refuses a pruned crawl (its visits are gone) instead of
# reporting an empty network.
if [ -x "$BIN/tzcensus-analyze" ]; then
	"$BIN/tzcensus-analyze" --db "$db" --crawl "${ids[0]}" --out "$tmp/an" >/dev/null 2>"$tmp/an.err" &&
		bad "tzcensus-analyze of a pruned crawl should fail"
	grep -q "was pruned" "$tmp/an.err" || { cat "$tmp/an.err"; bad "tzcensus-analyze should say the crawl was pruned"; }
fi

# The prune refreshed the kept node history: it now rests on the recent
# crawl alone, and node_history reads it.
[ "$(q "SELECT string_agg(crawl_id::text, ' ') FROM node_history_kept_crawls")" = "${ids[2]}" ] ||
	bad "--prune-days should refresh the kept node history to the unpruned crawl"
# Node history leaves the pruned crawls out (their visits are gone): the
# recent crawl alone, where every one of its 12 nodes was public, not three
# nights with two empty ones.
[ "$(q "SELECT count(*) || ' ' || min(crawls_total) || ' ' || max(crawls_total) || ' ' || min(uptime) || ' ' || min(streak)
        FROM node_history WHERE vantage = 'v'")" = "12 1 1 1 1" ] ||
	bad "node_history should count only the unpruned crawl: $(q "SELECT count(*), min(crawls_total), max(crawls_total), min(uptime) FROM node_history WHERE vantage = 'v'")"
if [ -x "$BIN/tzcensus-analyze" ]; then
	"$BIN/tzcensus-analyze" --db "$db" --crawl "${ids[2]}" --out "$tmp/recent" >/dev/null 2>"$tmp/recent.err" ||
		{ cat "$tmp/recent.err"; bad "tzcensus-analyze of the recent crawl failed"; }
	"$PY" - "$tmp/recent/report.json" <<'PYEOF' || bad "report.json history should hold the unpruned crawl only"
import json, sys
h = json.load(open(sys.argv[1]))["history"]
crawls = h["crawls"]
assert len(crawls) == 1 and crawls[0]["public_nodes"] == 12, crawls
assert h["uptime"]["stable_nodes"] == 12, h["uptime"]
PYEOF
fi

# Idempotent: nothing left to prune.
"$BIN/tzcensus-crawl" --prune-days 30 --db "$db" >"$tmp/prune2.out" 2>&1 || bad "second --prune-days exited non-zero"
grep -q "^prune: 0 crawls older than 30 days pruned, 0 visits and 0 advertisements removed$" "$tmp/prune2.out" ||
	{ cat "$tmp/prune2.out"; bad "a second --prune-days should remove nothing"; }
for v in 0 -1 x 36501 ''; do
	"$BIN/tzcensus-crawl" --prune-days "$v" --db "$db" >/dev/null 2>&1
	[ $? -eq 2 ] || bad "--prune-days '$v' should be a usage error (2)"
done
"$BIN/tzcensus-crawl" --prune-days 5 --migrate --db "$db" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--prune-days with --migrate should be a usage error"

[ "$fail" = 0 ] && echo "ok: ops_prune"
exit "$fail"
