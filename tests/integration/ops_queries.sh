#!/usr/bin/env bash
# Every SQL query of docs/researchers.md runs without error against the real
# schema, on a database of its own holding a small crawled and analyzed
# simnet world (or, before the programs are built, on the bare migrations).
#
#   tests/integration/ops_queries.sh                    the test (make check)
#   tests/integration/ops_queries.sh --update-docs URL  rewrites each query's
#       "Output on the demo data" block with its output on database URL
#       (fill it first with: scripts/demo.sh --db URL)
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
doc=docs/researchers.md

extract() { # -> one file per query in $1: q01.sql, q02.sql, ...
	"$PY" - "$doc" "$1" <<'PYEOF'
import os, re, sys
doc, outdir = sys.argv[1:3]
blocks = re.findall(r"```sql\n(.*?)```", open(doc).read(), re.S)
for i, q in enumerate(blocks, 1):
    open(os.path.join(outdir, "q%02d.sql" % i), "w").write(q)
print(len(blocks))
PYEOF
}
runq() { # url, file -> aligned output, as a reader's psql shows it
	psql -X -q -v ON_ERROR_STOP=1 -P pager=off -P footer=on -d "$1" -f "$2"
}

if [ "${1:-}" = --update-docs ]; then
	url=${2:?usage: $0 --update-docs DATABASE_URL}
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	n=$(extract "$tmp")
	for q in "$tmp"/q*.sql; do
		runq "$url" "$q" >"${q%.sql}.out" 2>&1 || { cat "${q%.sql}.out"; echo "query $q failed"; exit 1; }
	done
	"$PY" - "$doc" "$tmp" <<'PYEOF'
import os, re, sys
doc, tmp = sys.argv[1:3]
text = open(doc).read()
i = 0
def repl(m):
    global i
    i += 1
    out = open(os.path.join(tmp, "q%02d.out" % i)).read().rstrip("\n")
    return m.group(1) + out + "\n```"
text = re.sub(r"(```sql\n.*?```\n\nOutput on the demo data:\n\n```\n).*?\n```", repl, text, flags=re.S)
open(doc, "w").write(text)
print("updated %d outputs in %s" % (i, doc))
PYEOF
	exit $?
fi

# ---- the test -----------------------------------------------------------------------
: "${DATABASE_URL:?run under scripts/with-pg.sh (make check)}"
[ -d schema/migrations ] || { echo "SKIP: no schema/migrations in this tree yet"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-queries.XXXXXX")
dbname=tzc_queries_$$
simnet_pid=
cleanup() {
	if [ -n "$simnet_pid" ]; then kill "$simnet_pid" 2>/dev/null; wait "$simnet_pid" 2>/dev/null; fi
	psql -X -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -X -q -d "$DATABASE_URL" -c "CREATE DATABASE $dbname" || { echo "FAIL: CREATE DATABASE $dbname"; exit 1; }
db=$("$PY" -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$dbname")

have_progs=1
for p in crawl analyze simnet; do [ -x "$BIN/tzcensus-$p" ] || have_progs=0; done
if [ "$have_progs" = 1 ]; then
	base=127.$((64 + RANDOM % 180)).0.0
	"$BIN/tzcensus-simnet" --nodes 200 --seed 3 --base "$base" --expected-pow 0 \
		--truth "$tmp/truth.json" --ready "$tmp/ready" >"$tmp/simnet.log" 2>&1 &
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
	"$BIN/tzcensus-crawl" --gen-identity "$tmp/id.json" --pow 0 >/dev/null 2>"$tmp/gen.log" ||
		{ cat "$tmp/gen.log"; echo "FAIL: --gen-identity"; exit 1; }
	for n in 1 2; do
		"$BIN/tzcensus-crawl" --config config/demo.yaml --db "$db" --identity "$tmp/id.json" \
			--expected-pow 0 --seed "$seed" --json >"$tmp/crawl$n.json" 2>"$tmp/crawl$n.log" ||
			{ tail -n 20 "$tmp/crawl$n.log"; echo "FAIL: crawl $n"; exit 1; }
		"$BIN/tzcensus-analyze" --db "$db" --crawl latest --out "$tmp/an$n" >/dev/null 2>"$tmp/an$n.log" ||
			{ tail -n 20 "$tmp/an$n.log"; echo "FAIL: analyze $n"; exit 1; }
	done
	echo "database: two crawls of a 200-node simnet world, analyzed"
else
	# Bare schema: the migrations as plain SQL, in order.
	for f in schema/migrations/*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -1 -d "$db" -f "$f" >/dev/null || { echo "FAIL: $f"; exit 1; }
	done
	echo "SKIP: programs not built: queries checked against the bare migrations only"
fi

n=$(extract "$tmp")
[ "$n" -ge 10 ] || { echo "FAIL: $doc has $n queries, want at least 10"; exit 1; }
fail=0
rows=0
for q in "$tmp"/q*.sql; do
	if ! out=$(runq "$db" "$q" 2>&1); then
		echo "FAIL: query ${q##*/} of $doc:"; cat "$q"; echo "$out"; fail=1
		continue
	fi
	# psql's footer "(N rows)" / "(1 row)".
	r=$(grep -Eo '^\(([0-9]+) rows?\)' <<<"$out" | grep -Eo '[0-9]+' | tail -n 1)
	[ "${r:-0}" -gt 0 ] && rows=$((rows + 1))
done
if grep -q '^(generated)$' "$doc"; then echo "FAIL: $doc still has outputs to generate"; fail=1; fi
echo "CHECKED: $n queries of $doc ran; $rows returned rows"
exit $fail
