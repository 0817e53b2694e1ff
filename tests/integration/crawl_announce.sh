#!/usr/bin/env bash
# --announce-port: the nodes we visit register our point (our source address :
# the announced port) and advertise it, as Octez does for an incoming peer
# that announces a port. Three crawls of one simnet world: the first announces
# port 0 (the default) and no list holds a point at the test port; the second
# announces it and the lists of its own later rounds hold it; the third
# announces 0 again and still meets it, from the nodes' memory.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
start_simnet --nodes 120 --seed 47
port=$((40000 + RANDOM % 20000))

crawl() { # crawl NAME ARGS... : prints the crawl id
  local rc=0
  "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
    $(seeds_args 3) --vantage "announce-$1" --json "${@:2}" \
    >"$TMP/$1.json" 2>"$TMP/$1.log" || rc=$?
  [ "$rc" = 0 ] || { tail -n 20 "$TMP/$1.log" >&2; fail "crawl $1 exited $rc"; }
  "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/$1.json"
}
# lists holding a point at the test port, and their advertisers
ours() {
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -c "
    SELECT count(*) || ' ' || count(DISTINCT a.from_point_id)
    FROM advertisements a JOIN points t ON t.id = a.to_point_id
    WHERE a.crawl_id = $1 AND t.point LIKE '127.%:$port'"
}

a=$(crawl silent)
b=$(crawl announce --announce-port "$port")
c=$(crawl after)
stop_simnet
ra=$(ours "$a"); rb=$(ours "$b"); rc=$(ours "$c")
echo "entries advertisers at port $port: silent $ra, announce $rb, after $rc"
[ "$ra" = "0 0" ] || fail "port 0 announced, yet our point was advertised: $ra"
set -- $rb
[ "$1" -gt 0 ] && [ "$2" -ge 10 ] || fail "announced port not advertised by >= 10 nodes: $rb"
set -- $rc
[ "$2" -ge 10 ] || fail "the nodes forgot our point: $rc"
grep -q "client points registered" "$TMP/simnet.log" || fail "no registration count in the log"
echo "PASS crawl_announce"
