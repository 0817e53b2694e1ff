#!/usr/bin/env bash
# Local errors above 1% of the dials: the crawl is stored, exits 4, and the
# publication gate refuses it. A fault injector (fail_dial_socket.c, through
# LD_PRELOAD) makes the crawler's first 40 dial sockets fail with ENOBUFS;
# those visits must be local_error ("local: socket: ..."), every such point
# dialed again later, the crawl must find the same public points as a crawl
# without faults, and `tzcensus-analyze --gate` must refuse it for its local
# errors while it publishes the crawl without faults.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
ANALYZE="$BIN/tzcensus-analyze"

${CC:-cc} -shared -fPIC -O1 -o "$TMP/fail_dial_socket.so" "$HERE/fail_dial_socket.c" -ldl
# A sanitizer build wants its runtime first: let the injector go before it.
if ldd "$CRAWL" 2>/dev/null | grep -q libasan; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
fi

start_simnet --nodes 300 --seed 17
read -r -a seeds <<<"$(seeds_args 3)"

crawl() { # NAME WANT_RC [injected failures]
  local name=$1 want=$2 fails=${3:-0} rc=0
  (
    if [ "$fails" -gt 0 ]; then
      export LD_PRELOAD="$TMP/fail_dial_socket.so" TZ_FAIL_DIAL_SOCKETS=$fails TZ_FAIL_ERRNO=105
    fi
    exec "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" \
      --identity "$TMP/id.json" "${seeds[@]}" --handshake-timeout 2 --vantage "$name" \
      --json >"$TMP/$name.json" 2>"$TMP/$name.log"
  ) || rc=$?
  tail -n 2 "$TMP/$name.log"
  [ "$rc" = "$want" ] || { cat "$TMP/$name.log" >&2; fail "crawl $name exited $rc, want $want"; }
  id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/$name.json")
  [[ "$id" =~ ^[0-9]+$ ]] || fail "no crawl_id in the summary of $name"
  echo "$id" >"$TMP/$name.id"
  dump_crawl "$id"
  mv "$TMP/visits.tsv" "$TMP/$name.visits.tsv"
  mv "$TMP/crawl.tsv" "$TMP/$name.crawl.tsv"
}

crawl clean 0
crawl faulty 4 40 # ENOBUFS is 105 on Linux
stop_simnet
grep -q "crawl incomplete: 40 local errors" "$TMP/faulty.log" ||
  fail "no 'crawl incomplete' message on stderr"
[ "$(cut -f1 "$TMP/faulty.crawl.tsv")" = finished ] || fail "the faulty crawl is not stored as finished"

"$PY" - "$TMP/clean.visits.tsv" "$TMP/faulty.visits.tsv" "$TMP/clean.json" "$TMP/faulty.json" <<'EOF'
import json, sys
rows = lambda p: [l.rstrip("\n").split("\t") for l in open(p) if l.strip()]
clean, faulty = rows(sys.argv[1]), rows(sys.argv[2])
sc, sf = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
errors = []
local = [r for r in faulty if r[1] == "local_error"]
if len(local) != 40:
    errors.append("%d local_error visits, want 40" % len(local))
bad = [r for r in local if not r[4].startswith("local: socket: ")]
if bad:
    errors.append("local_error without its reason: %s" % bad[:2])
# every point that failed locally was dialed for real afterwards
last = {}
for r in faulty:
    last[r[0]] = r[1]
stuck = sorted(p for p in {r[0] for r in local} if last[p] == "local_error")
if stuck:
    errors.append("points left with a local_error: %s" % stuck[:5])
pub = lambda rs: {r[0] for r in rs if r[3]}
if pub(clean) != pub(faulty):
    errors.append("public points differ: %d clean, %d faulty" % (len(pub(clean)), len(pub(faulty))))
if sf.get("local_errors") != 40:
    errors.append("summary local_errors %s, want 40" % sf.get("local_errors"))
for k in ("public", "unreachable"):
    if sf[k] != sc[k]:
        errors.append("summary %s %d, clean crawl %d" % (k, sf[k], sc[k]))
print("clean: %d public, %d unreachable; faulty: %d local_error visits, %d public, %d unreachable"
      % (sc["public"], sc["unreachable"], len(local), sf["public"], sf["unreachable"]))
if errors:
    print("FAIL:\n  " + "\n  ".join(errors), file=sys.stderr)
    sys.exit(1)
EOF

# The gate: the clean crawl is published, the faulty one refused for its local
# errors (other tests' crawls may share the database: no history is compared).
rc=0
"$ANALYZE" --db "$DATABASE_URL" --crawl "$(cat "$TMP/clean.id")" --out "$TMP/a-clean" --gate \
  --gate-min-history 1000 \
  >/dev/null 2>"$TMP/gate-clean.log" || rc=$?
[ "$rc" = 0 ] || { cat "$TMP/gate-clean.log" >&2; fail "--gate on the clean crawl exited $rc"; }
rc=0
"$ANALYZE" --db "$DATABASE_URL" --crawl "$(cat "$TMP/faulty.id")" --out "$TMP/a-faulty" --gate \
  --gate-min-history 1000 \
  >/dev/null 2>"$TMP/gate-faulty.log" || rc=$?
[ "$rc" = 3 ] || { cat "$TMP/gate-faulty.log" >&2; fail "--gate on the faulty crawl exited $rc, want 3"; }
grep -q "local errors" "$TMP/gate-faulty.log" || { cat "$TMP/gate-faulty.log" >&2; fail "the gate refused for another reason"; }
note=$(psql "$DATABASE_URL" -qAt -c "SELECT publishable || ' ' || publication_note FROM crawls WHERE id = $(cat "$TMP/faulty.id")")
echo "gate: $note"
[[ "$note" == "false refused: 40 local errors"* ]] || fail "crawls.publishable/publication_note: $note"
echo "crawl with local errors: ok"
