#!/usr/bin/env bash
# scripts/tzcensus-nightly against a small simnet world and a database of its
# own: a good night publishes (dated directory, latest link, report, metrics
# file in node_exporter's format agreeing with report.json); --keep prunes;
# a night whose database is gone fails with status 1, says why on stderr,
# keeps the last published report and the last success timestamp, and the
# next night replays its journal first (the crawl reaches the database, is
# analyzed in its own directory and joins the site); --site puts each
# published night under SITE/nights/ID/ and rebuilds SITE/index.html;
# --prune-days runs the retention; a night where no seed answers is refused
# by the publication gate.
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
for p in crawl analyze simnet; do
	if [ ! -x "$BIN/tzcensus-$p" ]; then
		echo "SKIP: $BIN/tzcensus-$p is not built yet"
		exit 0
	fi
done
: "${DATABASE_URL:?run under scripts/with-pg.sh (make check)}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-nightly-test.XXXXXX")
dbname=tzc_nightly_$$
simnet_pid=
cleanup() {
	if [ -n "$simnet_pid" ]; then kill "$simnet_pid" 2>/dev/null; wait "$simnet_pid" 2>/dev/null; fi
	psql -X -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# A database of our own: other tests' crawls must not move the gate's median.
psql -X -q -d "$DATABASE_URL" -c "CREATE DATABASE $dbname" || { echo "FAIL: CREATE DATABASE $dbname"; exit 1; }
db=$("$PY" -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$dbname")

base=127.$((64 + RANDOM % 180)).0.0
"$BIN/tzcensus-simnet" --nodes 150 --seed 11 --base "$base" --expected-pow 0 \
	--truth "$tmp/truth.json" --ready "$tmp/ready" --violations "$tmp/violations.jsonl" \
	>"$tmp/simnet.log" 2>&1 &
simnet_pid=$!
for ((i = 0; i < 300; i++)); do
	[ -e "$tmp/ready" ] && break
	kill -0 "$simnet_pid" 2>/dev/null || break
	sleep 0.1
done
[ -e "$tmp/ready" ] || { cat "$tmp/simnet.log"; echo "FAIL: simnet not ready"; exit 1; }
seed=$("$PY" -c '
import json, sys
print(next(n["point"] for n in json.load(open(sys.argv[1]))["nodes"] if n["behavior"] == "public"))' "$tmp/truth.json")

"$BIN/tzcensus-crawl" --gen-identity "$tmp/identity.json" --pow 0 >"$tmp/gen.log" 2>&1 ||
	{ cat "$tmp/gen.log"; echo "FAIL: --gen-identity"; exit 1; }
cat >"$tmp/crawl.yaml" <<EOF
allow: [127.0.0.0/8, "::1"]
expected_pow: 0
concurrency: 200
connect_timeout: 2
handshake_timeout: 3
connect_retries: 0
EOF

out=$tmp/reports
metrics=$tmp/metrics
nightly() { # log-name, extra args...
	local name=$1; shift
	scripts/tzcensus-nightly --bin "$BIN" --config "$tmp/crawl.yaml" --identity "$tmp/identity.json" \
		--out "$out" --metrics-dir "$metrics" --vantage nightly-test "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
}
prom_value() { # metric line prefix (name or name{labels})
	awk -v m="$1" '$1 == m { print $2 }' "$metrics/tzcensus.prom"
}

# ---- night 1: publishes -------------------------------------------------------------
if ! nightly n1 --db "$db" -- --seed "$seed"; then
	cat "$tmp/n1.err"
	bad "night 1 exited non-zero"
fi
[ "$fail" = 0 ] || { echo "night 1 failed; stopping here"; exit 1; }
run1=$(readlink "$out/latest")
[ -n "$run1" ] && [ -d "$out/$run1" ] || bad "night 1: no latest link to a dated directory"
[[ $run1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z$ ]] || bad "night 1: '$run1' is not a dated name"
for f in report.html report.md report.json crawl.journal crawl.json; do
	[ -s "$out/$run1/$f" ] || bad "night 1: $f missing"
done
[ -s "$tmp/violations.jsonl" ] && bad "simnet recorded violations: $(head -n 3 "$tmp/violations.jsonl")"
ls -a "$metrics" | grep -q '\.tmp$' && bad "a temporary metrics file was left behind"
"$PY" - "$metrics/tzcensus.prom" "$out/$run1/report.json" <<'PYEOF' || fail=1
import json, re, sys, time
prom, rep = sys.argv[1:3]
r = json.load(open(rep))
vals, typed = {}, set()
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+-]+|NaN)$')
for n, line in enumerate(open(prom), 1):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        typed.add(line.split()[2]); continue
    if line.startswith("# HELP ") or not line:
        continue
    m = line_re.match(line)
    if not m:
        sys.exit("FAIL: %s:%d is not Prometheus text format: %r" % (prom, n, line))
    if m.group(1) not in typed:
        sys.exit("FAIL: %s:%d: %s has no # TYPE line before it" % (prom, n, m.group(1)))
    vals[m.group(1) + (m.group(2) or "")] = float(m.group(3))
c = r["counts"]
want = {
    "tzcensus_points_seen": c["points_seen"],
    "tzcensus_public_nodes": c["public"],
    "tzcensus_crawl_id": r["crawl"]["id"],
    "tzcensus_nightly_published": 1,
    "tzcensus_nightly_gate_passed": 1,
    'tzcensus_nightly_step_failed{step="crawl"}': 0,
}
for k, v in c.get("outcomes", {}).items():
    want['tzcensus_visits{outcome="%s"}' % k] = v
for k, v in want.items():
    if vals.get(k) != float(v):
        sys.exit("FAIL: metric %s = %r, want %r" % (k, vals.get(k), v))
for k in ("tzcensus_crawl_duration_seconds", "tzcensus_core_vertex_connectivity",
          "tzcensus_last_success_timestamp_seconds"):
    if k not in vals:
        sys.exit("FAIL: metric %s missing" % k)
if abs(vals["tzcensus_last_success_timestamp_seconds"] - time.time()) > 600:
    sys.exit("FAIL: last success timestamp is not now")
print("ok: night 1 metrics agree with report.json (%d samples)" % len(vals))
PYEOF
success1=$(prom_value tzcensus_last_success_timestamp_seconds)

# ---- night 2: --keep 1 prunes night 1 ----------------------------------------------------
sleep 1 # dated names have one-second resolution
nightly n2 --db "$db" --keep 1 --publish "$tmp/www" --site "$tmp/site" -- --seed "$seed" ||
	{ cat "$tmp/n2.err"; bad "night 2 exited non-zero"; }
run2=$(readlink "$out/latest")
[ "$run2" != "$run1" ] || bad "night 2 did not move latest"
[ -e "$out/$run1" ] && bad "night 2 with --keep 1 did not prune $run1"
cmp -s "$tmp/www/report.html" "$out/$run2/report.html" || bad "night 2 did not publish report.html into --publish"
ls "$tmp/www" | grep -Eq 'journal|\.log$' && bad "night 2 published its journal or logs"
ls -a "$tmp" | grep -q '^\.tzcensus-publish' && bad "night 2 left a temporary publish directory"
id2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl"]["id"])' "$out/$run2/report.json")
cmp -s "$tmp/site/nights/$id2/report.html" "$out/$run2/report.html" || bad "night 2 is not in the site's nights/$id2/"
grep -q "href=\"nights/$id2/report.html\"" "$tmp/site/index.html" || bad "the site does not link night 2's report"
ls "$tmp/site/nights/$id2" | grep -Eq 'journal|\.log$|journal.stored' && bad "night 2 put its journal or logs into the site"
[ -e "$out/$run2/journal.stored" ] || bad "night 2 (crawl status 0) did not mark its journal stored"

# A second run while one holds the lock refuses with status 3.
flock "$out/.nightly.lock" scripts/tzcensus-nightly --bin "$BIN" --config "$tmp/crawl.yaml" \
	--identity "$tmp/identity.json" --out "$out" --metrics-dir "$metrics" --db "$db" >/dev/null 2>&1
rc=$?
[ "$rc" = 3 ] || bad "a run while the lock is held exited $rc, want 3"
success2=$(prom_value tzcensus_last_success_timestamp_seconds)

# ---- night 3: the database is gone -------------------------------------------------------------
sleep 1
bad_db=$("$PY" -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/tzc_no_such_db")))' "$DATABASE_URL")
nightly n3 --db "$bad_db" --keep 1 -- --seed "$seed"
rc=$?
[ "$rc" = 1 ] || bad "night 3 (no database) exited $rc, want 1"
grep -q 'crawl failed' "$tmp/n3.err" || bad "night 3 did not say the crawl failed on stderr"
[ -s "$tmp/n3.out" ] && bad "night 3 printed on stdout (cron would mail a success summary)"
[ "$(readlink "$out/latest")" = "$run2" ] || bad "night 3 moved latest"
[ -d "$out/$run2" ] || bad "night 3 pruned the published report"
[ "$(prom_value 'tzcensus_nightly_step_failed{step="crawl"}')" = 1 ] || bad "night 3: step_failed{crawl} is not 1"
[ "$(prom_value tzcensus_nightly_published)" = 0 ] || bad "night 3: published is not 0"
[ "$(prom_value tzcensus_last_success_timestamp_seconds)" = "$success2" ] ||
	bad "night 3 changed the last success timestamp"
run3=$(cd "$out" && ls -d 20*Z* | sort | tail -n 1)
[ -s "$out/$run3/crawl.journal" ] || bad "night 3 left no journal"
[ -e "$out/$run3/journal.stored" ] && bad "night 3 (database gone) marked its journal stored"

# ---- night 3r: the database is back: night 3's journal is replayed first ------------------
sleep 1
crawls_before=$(psql -X -qAt -d "$db" -c "SELECT count(*) FROM crawls")
nightly n3r --db "$db" --keep 5 --site "$tmp/site" --prune-days 1 -- --seed "$seed" ||
	{ cat "$tmp/n3r.err"; bad "night 3r exited non-zero"; }
[ -e "$out/$run3/journal.stored" ] || { cat "$tmp/n3r.err"; bad "night 3r did not replay night 3's journal"; }
grep -q "(1 new)" "$out/$run3/replay.log" 2>/dev/null || bad "night 3r's replay did not create night 3's crawl"
crawls_after=$(psql -X -qAt -d "$db" -c "SELECT count(*) FROM crawls")
[ "$crawls_after" = $((crawls_before + 2)) ] || bad "night 3r: $crawls_before crawls before, $crawls_after after, want +2 (night 3 and 3r)"
id3=$(sed -n 's/.*last crawl id \([0-9][0-9]*\).*/\1/p' "$out/$run3/replay.log")
[ -s "$out/$run3/report.html" ] || bad "night 3's replayed crawl was not analyzed into its directory"
[ -n "$id3" ] && [ -s "$tmp/site/nights/$id3/report.html" ] || bad "night 3's replayed crawl is not in the site"
grep -q "href=\"nights/$id3/report.html\"" "$tmp/site/index.html" || bad "the site does not link night 3's report"
[ "$(prom_value tzcensus_nightly_journals_replayed)" = 1 ] || bad "night 3r: journals_replayed is not 1"
[ "$(prom_value tzcensus_nightly_journals_pending)" = 0 ] || bad "night 3r: journals_pending is not 0"
run3r=$(readlink "$out/latest")
grep -q "^prune: 0 crawls older than 1 day pruned" "$out/$run3r/prune.log" 2>/dev/null ||
	bad "night 3r did not run the retention (--prune-days 1)"
# Night 1 ran without --site: listed (it is in the database), its report not kept there.
[ "$(grep -c '<tr id="crawl-' "$tmp/site/index.html")" = 4 ] || bad "the site should list 4 nights (1, 2, 3 replayed, 3r)"
# A second run finds nothing to replay.
sleep 1
nightly n3s --db "$db" --keep 5 -- --seed "$seed" || bad "night 3s exited non-zero"
[ "$(prom_value tzcensus_nightly_journals_replayed)" = 0 ] || bad "night 3s replayed a journal again"
latest3=$(readlink "$out/latest")
[ "$latest3" != "$run3r" ] || bad "night 3s did not publish"

# ---- night 3b: stopped by SIGTERM (systemd stop) mid-crawl -------------------------------
sleep 1
setsid scripts/tzcensus-nightly --bin "$BIN" --config "$tmp/crawl.yaml" --identity "$tmp/identity.json" \
	--out "$out" --metrics-dir "$metrics" --vantage nightly-test --db "$db" --keep 5 -- --seed "$seed" \
	>"$tmp/n3b.out" 2>"$tmp/n3b.err" &
pid=$!
sleep 1.5
kill -TERM -- "-$pid" 2>/dev/null
wait "$pid"
rc=$?
[ "$rc" = 1 ] || bad "night 3b (SIGTERM) exited $rc, want 1"
grep -q 'interrupted' "$tmp/n3b.err" || bad "night 3b did not say it was interrupted"
[ "$(readlink "$out/latest")" = "$latest3" ] || bad "night 3b moved latest"
[ "$(prom_value 'tzcensus_nightly_step_failed{step="crawl"}')" = 1 ] || bad "night 3b: metrics not written after SIGTERM"

# ---- night 4: no seed answers: the gate refuses ---------------------------------------------
kill "$simnet_pid"; wait "$simnet_pid" 2>/dev/null; simnet_pid=
sleep 1
nightly n4 --db "$db" --keep 5 -- --seed "$seed"
rc=$?
[ "$rc" = 1 ] || bad "night 4 (no seed answered) exited $rc, want 1"
grep -Eq '(gate|crawl) failed' "$tmp/n4.err" || bad "night 4 gave no reason on stderr"
[ "$(readlink "$out/latest")" = "$latest3" ] || bad "night 4 moved latest"
echo "night 4 said: $(grep -E 'failed' "$tmp/n4.err" | head -n 1)"

echo "CHECKED: 7 nights (publish, prune, database gone, replay, SIGTERM, nothing answered); success timestamps $success1 $success2"
exit $fail
