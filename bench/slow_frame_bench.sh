#!/usr/bin/env bash
# Memory per hostile connection (benchmark, not a test: prints figures,
# asserts nothing).
#
#   bench/slow_frame_bench.sh [N]      (default 1000; run from the repo root after make)
#   MODES="base polite branch head" BIN=bin bench/slow_frame_bench.sh 100
#
# N loopback peers (bench/slow_frame_server.c) each answer the crawler's
# handshake, send one Advertise of 3 points, then announce an 8 MiB frame
# (P2P_FRAME_MAX) and send every byte of it but the last:
#   branch  as the Current_branch the crawler asked for;
#   head    as an unasked Current_head (the session stays open for the
#           crawler's whole window: head_wait 30 s);
#   junk    as head, but the frame's chunks after the first are unsealed
#           zeros of the right length (no crypto for the server: on 2 cores
#           only then do all N peers get through all but the last byte within
#           the window; a crawler that opened those chunks would fail). The
#           crawler's window is stretched to 90 s for this mode (7 Bootstrap
#           rounds 10 s apart, the peer answers one: "fewer advertise than
#           rounds"), so that every peer gets there while all are in flight;
#   polite  a normal 8.4 KiB Current_branch instead (the same crawl, peers
#           well behaved);
#   base    no peer: one seed whose port is closed (the crawler's own RSS).
# All N peers are dialed at once (--concurrency N). For each mode: the
# crawler's peak RSS (/usr/bin/time %M), its wall time, the visits by outcome
# and error, and the advertisements stored (what the visits really learned).
# BIN selects the crawler (e.g. an older build, for comparison).
set -euo pipefail
if [ -z "${DATABASE_URL:-}" ]; then
  exec scripts/with-pg.sh "$0" "$@"
fi
N=${1:-1000}
BIN=${BIN:-bin}
B=${B:-build}
MODES=${MODES:-base polite branch head junk}
TMP=$(mktemp -d /tmp/tzcensus-slowframe.XXXXXX)
SRV_PID=
cleanup() {
  if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
OCTET=$((64 + RANDOM % 180))
BASE="127.$OCTET.0.0"
"$BIN/tzcensus-crawl" --gen-identity "$TMP/id.json" --pow 0 >/dev/null

seeds_yaml() { # FIRST N: points BASE+FIRST .. BASE+FIRST+N-1, port 9732
  python3 - "$BASE" "$1" "$2" <<'EOF'
import ipaddress, sys
b = int(ipaddress.IPv4Address(sys.argv[1]))
first, n = int(sys.argv[2]), int(sys.argv[3])
print("seeds:")
for i in range(first, first + n):
    print("  - %s:9732" % ipaddress.IPv4Address(b + i))
EOF
}

cat >"$TMP/common.yaml" <<EOF
allow:
  - 127.0.0.0/8
chain: TEZOS_MAINNET
expected_pow: 0
connect_timeout: 5
handshake_timeout: 5
bootstrap_rounds: 1
head_wait: 30
retry_delay: 0.5
EOF

echo "machine: $(nproc) cores, $(uname -sr); crawler $BIN/tzcensus-crawl; N=$N"
printf '%-7s %10s %8s %s\n' mode peak_kib wall_s "visits (outcome error: count); advertisements"
for mode in $MODES; do
  { cat "$TMP/common.yaml"
    if [ "$mode" = base ]; then seeds_yaml 4000 1; else seeds_yaml 1 "$N"; fi
  } >"$TMP/$mode.yaml"
  if [ "$mode" != base ]; then
    rm -f "$TMP/ready"
    "$B/bench/slow_frame_server" "$BASE" "$N" "$mode" "$TMP/ready" >"$TMP/server.log" 2>&1 &
    SRV_PID=$!
    for _ in $(seq 1 100); do [ -f "$TMP/ready" ] && break; sleep 0.1; done
    [ -f "$TMP/ready" ] || { cat "$TMP/server.log"; echo "server did not start" >&2; exit 1; }
  fi
  extra=()
  [ "$mode" != junk ] || extra=(--bootstrap-rounds 7 --set bootstrap_interval=10)
  rc=0
  /usr/bin/time -f "%M %e" -o "$TMP/time" "$BIN/tzcensus-crawl" --config "$TMP/$mode.yaml" \
    --db "$DATABASE_URL" --identity "$TMP/id.json" --concurrency "$N" --vantage "bench-$mode" \
    "${extra[@]}" --json >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
  srv=""
  if [ -n "$SRV_PID" ]; then
    kill "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
    SRV_PID=
    srv=" [server: $(tail -n 1 "$TMP/server.log")]"
  fi
  read -r peak wall <"$TMP/time"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json" 2>/dev/null || echo "")
  what="exit $rc"
  if [[ "$id" =~ ^[0-9]+$ ]]; then
    what=$(psql "$DATABASE_URL" -qAt -c "
      SELECT string_agg(o || ' ' || e || ': ' || n, '; ' ORDER BY n DESC)
      FROM (SELECT outcome AS o, coalesce(regexp_replace(error, '[0-9]+', 'N', 'g'), '-') AS e,
                   count(*) AS n
            FROM visits WHERE crawl_id = $id GROUP BY 1, 2) s")
    adv=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM advertisements WHERE crawl_id = $id")
    what="$what; advertisements $adv (exit $rc)"
  fi
  what="$what$srv"
  printf '%-7s %10s %8s %s\n' "$mode" "$peak" "$wall" "$what"
done
