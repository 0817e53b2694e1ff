#!/usr/bin/env bash
# `make demo` from a fresh clone, as a new user would run it: it must build,
# crawl the simulated world twice, write out/demo/report.html with every
# section, print the headline (its trend non-zero: the second crawl meets simnet
# --epoch 1), leave no process behind, and work a second
# time in the same tree.
#
# Skipped (exit 0, "SKIP") when TZCENSUS_SKIP_DEMO_TEST=1, under
# `make check SANITIZE=1` (the plain suite runs it once), and while the
# programs are not all in the tree. The demo never runs `make check`, so this
# test cannot recurse; TZCENSUS_SKIP_DEMO_TEST=1 is exported to it anyway.
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3

if [ "${TZCENSUS_SKIP_DEMO_TEST:-0}" = 1 ]; then
	echo "SKIP: demo test (TZCENSUS_SKIP_DEMO_TEST=1)"
	exit 0
fi
if [ "$BIN" != bin ]; then
	echo "SKIP: demo test runs in the plain build only (BIN=$BIN)"
	exit 0
fi
for f in crawler/main.c analyzer/main.c simnet/main.c; do
	if ! git cat-file -e "HEAD:$f" 2>/dev/null; then
		echo "SKIP: demo test: $f is not committed yet, make demo cannot work"
		exit 0
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-demo-test.XXXXXX")
pgid=
cleanup() {
	[ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

git clone -q "$(git rev-parse --show-toplevel)" "$tmp/repo" || { echo "FAIL: git clone"; exit 1; }

# Runs make demo in its own session with a deadline; the whole process group
# is killed if it overruns. The demo gets no database from us: it must start
# (and drop) its own.
run_demo() { # log, deadline_s, make args...
	local log=$1 deadline=$2 rc
	shift 2
	(
		cd "$tmp/repo" || exit 1
		exec env -u DATABASE_URL -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
			-u TZCENSUS_TEST_DB -u MAKEFLAGS -u MAKELEVEL TZCENSUS_SKIP_DEMO_TEST=1 \
			setsid make "$@"
	) >"$log" 2>&1 &
	pgid=$!
	local t0=$SECONDS
	while kill -0 "$pgid" 2>/dev/null; do
		if [ $((SECONDS - t0)) -ge "$deadline" ]; then
			kill -TERM -- "-$pgid" 2>/dev/null
			sleep 5
			kill -KILL -- "-$pgid" 2>/dev/null
			wait "$pgid" 2>/dev/null
			pgid=
			echo "FAIL: make $* did not finish within $deadline s"
			tail -n 40 "$log"
			return 124
		fi
		sleep 1
	done
	wait "$pgid"
	rc=$?
	pgid=
	echo "make $* took $((SECONDS - t0)) s (status $rc)"
	return "$rc"
}

# Processes still running from the clone (its programs) or its database.
leftovers() {
	local p exe found=
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case $exe in "$tmp"/*) found="$found ${p#/proc/}($exe)" ;; esac
	done
	port=$(sed -n 's/.*throwaway PostgreSQL cluster on port \([0-9]*\).*/\1/p' "$1" | head -n 1)
	if [ -n "$port" ] && ss -Hltn "sport = :$port" | grep -q .; then
		found="$found postgres-on-port-$port"
	fi
	[ -z "$found" ] || bad "processes left behind:$found"
}

check_report() { # log
	local out=$tmp/repo/out/demo
	grep -q 'out/demo/report.html' "$1" || bad "the demo did not print where the report is"
	grep -q 'public nodes' "$1" || bad "the demo did not print the headline figures"
	for f in report.html report.md report.json; do
		[ -s "$out/$f" ] || bad "out/demo/$f is missing or empty"
	done
	[ -s "$out/report.json" ] || return
	"$PY" - "$out" <<'PYEOF' || fail=1
import json, os, re, sys
out = sys.argv[1]
r = json.load(open(os.path.join(out, "report.json")))
html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
ok = True
def bad(msg):
    global ok
    print("FAIL: " + msg)
    ok = False
for k in ("crawl", "counts", "graph", "concentration", "trend"):
    if k not in r:
        bad("report.json lacks %r" % k)
c = r.get("counts", {})
if not isinstance(c.get("public"), int) or c["public"] <= 0:
    bad("report.json: no public node found (counts.public = %r)" % c.get("public"))
if not isinstance(c.get("points_seen"), int) or c["points_seen"] < c.get("public", 0):
    bad("report.json: counts.points_seen = %r" % c.get("points_seen"))
if (r.get("trend") or {}).get("previous_crawl_id") is None:
    bad("report.json: no trend against the first crawl (trend.previous_crawl_id is null)")
# The second crawl meets simnet at epoch 1: churned nodes make the trend non-zero,
# and never more than the truth's churn (new: came up; gone: went down).
tr = r.get("trend") or {}
try:
    ch = json.load(open(os.path.join(out, "simnet-truth.json"))).get("churn") or {}
except (OSError, ValueError) as e:
    ch = {}
    bad("simnet-truth.json: %s" % e)
up, down = len(ch.get("came_up") or []), len(ch.get("went_down") or [])
if up == 0 or down == 0:
    bad("simnet-truth.json: the second crawl's world has no churn (%r)" % ch)
for k, most in (("new", up), ("gone", down)):
    v = tr.get(k)
    if not isinstance(v, int) or not 0 < v <= most:
        bad("report.json: trend.%s = %r, want 1..%d (the churned nodes)" % (k, v, most))
if not isinstance(tr.get("delta_public"), int) or tr["delta_public"] != tr.get("new", 0) - tr.get("gone", 0):
    bad("report.json: trend.delta_public = %r, want new - gone" % tr.get("delta_public"))
# A reader sees at once that the demo report describes a simulated network.
if "<h1>Simulated Tezos network" not in html:
    bad("report.html's title does not say the network is simulated")
# Every section of the report (ids of its <section> elements): the demo runs
# with a location database, a listener with dialers and a stored history.
for sec in ("provenance", "headline", "size", "reachability", "resilience", "versions",
            "concentration", "location", "nat", "stability", "methodology"):
    if not re.search(r'<section[^>]*\bid="%s"' % sec, html):
        bad("report.html has no section id=%r" % sec)
# What those sections show comes from report.json: the located nodes, the
# listener's inbound peers, and the two crawls of the node history.
asn = (r.get("concentration") or {}).get("by_asn") or {}
if not isinstance(asn.get("nakamoto"), int) or asn["nakamoto"] < 1 or not asn.get("top"):
    bad("report.json: concentration.by_asn = %r, want a Nakamoto coefficient and top ASes" % asn)
inbound = (r.get("nat") or {}).get("inbound") or {}
if not isinstance(inbound.get("peers"), int) or inbound["peers"] < 1:
    bad("report.json: nat.inbound = %r, want the listener's peers" % inbound)
hist = r.get("history") or {}
if len(hist.get("crawls") or []) != 2:
    bad("report.json: history.crawls has %d crawls, want the demo's 2" % len(hist.get("crawls") or []))
if html.count("<svg") < 3:
    bad("report.html has %d inline charts, want at least 3" % html.count("<svg"))
if re.search(r"<script|https?://[^\s\"']+\.(js|css|woff2?)", html, re.I):
    bad("report.html loads a script or fetches a resource")
if ok:
    print("ok: report with %s public of %s points, %d charts; trend %s new, %s gone" % (
        c.get("public"), c.get("points_seen"), html.count("<svg"), tr.get("new"), tr.get("gone")))
sys.exit(0 if ok else 1)
PYEOF
}

# 1. From a fresh clone: build and the full 2,000-node demo.
if run_demo "$tmp/demo1.log" 280 -j2 demo; then
	sed -n '/^Report:/,$p' "$tmp/demo1.log"
	check_report "$tmp/demo1.log"
else
	bad "make demo (fresh clone)"
	tail -n 60 "$tmp/demo1.log"
fi
leftovers "$tmp/demo1.log"

# 2. A second run in the same tree works too (nothing to build this time).
rm -f "$tmp/repo/out/demo/report.html"
if run_demo "$tmp/demo2.log" 150 demo; then
	check_report "$tmp/demo2.log"
else
	bad "make demo (second run)"
	tail -n 60 "$tmp/demo2.log"
fi
leftovers "$tmp/demo2.log"

exit $fail
