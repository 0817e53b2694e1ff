#!/usr/bin/env bash
# A local failure is not a fact about peers. The same simnet world crawled
# twice: once as usual, once under `ulimit -n 64` with --concurrency 1000
# (the descriptor limit bites: 1000 connections cannot be open). The limited
# crawl must find the same public points, record no `unreachable` visit at a
# point the truth calls listening, count no local_error point as unreachable
# in its summary, and exit 0 (its local errors, if any, stay under 1% of the
# dials). A third crawl inherits 45 open descriptors it does not know of, so
# the budget is wrong and socket() fails with EMFILE: those dials must be
# recorded as local_error (never unreachable), retried, and the crawl must
# still find the same public points.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

start_simnet --nodes 1000 --seed 13
read -r -a seeds <<<"$(seeds_args 3)"

crawl() { # NAME [ulimit [inherited descriptors]]
  local name=$1 lim=${2:-} crowd=${3:-0} rc=0
  (
    [ -z "$lim" ] || ulimit -n "$lim"
    for ((fd = 10; fd < 10 + crowd; fd++)); do eval "exec $fd</dev/null"; done
    exec "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" \
      --identity "$TMP/id.json" "${seeds[@]}" --handshake-timeout 2 --concurrency 1000 \
      --vantage "$name" --json >"$TMP/$name.json" 2>"$TMP/$name.log"
  ) || rc=$?
  tail -n 3 "$TMP/$name.log"
  cat "$TMP/$name.json"
  [ "$rc" = 0 ] || { cat "$TMP/$name.log" >&2; fail "crawl $name exited $rc"; }
  id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/$name.json")
  [[ "$id" =~ ^[0-9]+$ ]] || fail "no crawl_id in the summary of $name"
  dump_crawl "$id"
  mv "$TMP/visits.tsv" "$TMP/$name.visits.tsv"
  echo "$id" >"$TMP/$name.id"
}

# crawl_summary NAME: "points_dialed unreachable_points public_points local_error" of that crawl.
summary_row() {
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F ' ' -c "
    SELECT points_dialed, unreachable_points, public_points, local_error
    FROM crawl_summary WHERE crawl_id = $(cat "$TMP/$1.id")"
}

crawl free
crawl limited 64
crawl crowded 64 45
stop_simnet

check() { # NAME MIN_LOCAL
"$PY" - "$TMP/truth.json" "$TMP/free.visits.tsv" "$TMP/$1.visits.tsv" \
  "$TMP/free.json" "$TMP/$1.json" "$2" <<'EOF'
import json, sys
truth = json.load(open(sys.argv[1]))
listening = set()
for n in truth["nodes"]:
    if n["listening"]:
        listening.update(n.get("points", [n["point"]]))

def rows(path):
    return [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]

def public(rs):
    return {r[0] for r in rs if r[3]}

free, lim = rows(sys.argv[2]), rows(sys.argv[3])
sf, sl = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
errors = []
pf, pl = public(free), public(lim)
if pf != pl:
    errors.append("public points differ: %d without the limit, %d with it; missing %s"
                  % (len(pf), len(pl), sorted(pf - pl)[:5]))
bad = [r for r in lim if r[1] == "unreachable" and r[0] in listening]
if bad:
    errors.append("%d unreachable visits at listening points, e.g. %s" % (len(bad), bad[:3]))
local = [r for r in lim if r[1] == "local_error"]
if local and not all(r[4].startswith("local: ") for r in local):
    errors.append("local_error without a 'local: ' reason: %s" % local[:3])
if len(local) < int(sys.argv[6]):
    errors.append("%d local_error visits, want at least %s" % (len(local), sys.argv[6]))
if "local_errors" not in sl:
    errors.append("no local_errors in the --json summary")
if sl["unreachable"] != sf["unreachable"]:
    errors.append("summary unreachable %d with the limit, %d without"
                  % (sl["unreachable"], sf["unreachable"]))
if sl["public"] != sf["public"]:
    errors.append("summary public %d with the limit, %d without" % (sl["public"], sf["public"]))
print("free: %d public points, %s: %d public points, %d local_error visits, "
      "local_errors %s, max_inflight %d" % (len(pf), sys.argv[3].split("/")[-1].split(".")[0], len(pl), len(local),
                                            sl.get("local_errors"), sl["max_inflight"]))
if errors:
    print("FAIL:\n  " + "\n  ".join(errors), file=sys.stderr)
    sys.exit(1)
EOF
}
check limited 0
grep -q 'concurrency lowered to' "$TMP/limited.log" || fail "the limit did not bite"
check crowded 1
grep -q 'open-file limit reached' "$TMP/crowded.log" || fail "the crowded crawl met no EMFILE"
# The view recounts from the visits: local_error points are not dialed, not unreachable.
read -r d0 u0 p0 l0 <<<"$(summary_row free)"
read -r d1 u1 p1 l1 <<<"$(summary_row crowded)"
echo "crawl_summary: free $d0 dialed $u0 unreachable $p0 public; crowded $d1 $u1 $p1, local_error $l1"
[ "$l1" -ge 1 ] || fail "crawl_summary.local_error is $l1 for the crowded crawl"
[ "$d1 $u1 $p1" = "$d0 $u0 $p0" ] || fail "crawl_summary differs: crowded '$d1 $u1 $p1', free '$d0 $u0 $p0'"
echo "crawl under ulimit -n 64: ok"
