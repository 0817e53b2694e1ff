#!/usr/bin/env bash
# Journal cost benchmark (not a test): prints figures, asserts nothing.
#
#   bench/journal_bench.sh [NODES] [RUNS]    (defaults 3000, 3; from the repo root after make)
#   BIN=DIR bench/journal_bench.sh ...       another build's tzcensus-crawl (to compare)
#
# Crawls a simnet world of NODES nodes without latency into the journal only
# (the database is a loopback port where nothing listens), RUNS times, and
# prints per run: wall seconds, the crawler's CPU seconds (user + sys, from
# /usr/bin/time), the journal's records and bytes; then one more run under
# strace -c for the write() and fsync() calls the journal costs.
set -euo pipefail
NODES=${1:-3000}
RUNS=${2:-3}
BIN=${BIN:-bin}
TMP=$(mktemp -d /tmp/tzcensus-jbench.XXXXXX)
SIM_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
OCTET=$((64 + RANDOM % 180))
bin/tzcensus-simnet --base "127.$OCTET.0.0" --nodes "$NODES" --seed 3 --truth "$TMP/truth.json" \
  --ready "$TMP/ready" --quiet >"$TMP/simnet.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 600); do [ -f "$TMP/ready" ] && break; sleep 0.1; done
[ -f "$TMP/ready" ] || { echo "simnet not ready" >&2; exit 1; }
bin/tzcensus-crawl --gen-identity "$TMP/id.json" --pow 0 >/dev/null
seeds=$(/usr/bin/python3 -c 'import json,sys; print(" ".join("--seed " + s for s in json.load(open(sys.argv[1]))["seeds"][:3]))' "$TMP/truth.json")
nodb="postgresql://nobody@127.$OCTET.250.250:1/none?connect_timeout=2"
run() { # prefix...
  rm -f "$TMP/j"
  "$@" "$BIN/tzcensus-crawl" --config config/demo.yaml --db "$nodb" --identity "$TMP/id.json" \
    $seeds --concurrency 1000 --handshake-timeout 2 --journal "$TMP/j" --vantage jbench \
    >/dev/null 2>"$TMP/crawl.log" || true
}
echo "journal benchmark: $NODES nodes, crawler $BIN/tzcensus-crawl, $(nproc) cores, $(uname -r)"
for i in $(seq 1 "$RUNS"); do
  t0=$(date +%s.%N)
  run /usr/bin/time -f "%U %S" -o "$TMP/time"
  t1=$(date +%s.%N)
  read -r u s < <(tail -n 1 "$TMP/time")
  printf 'run %d: wall %.2f s, crawler CPU %.2f s (user %s, sys %s), journal %d bytes\n' \
    "$i" "$(echo "$t1 - $t0" | bc)" "$(echo "$u + $s" | bc)" "$u" "$s" "$(stat -c %s "$TMP/j")"
done
if command -v strace >/dev/null; then
  run strace -f -c -e trace=write,fsync,fdatasync -o "$TMP/strace"
  echo "syscalls of one run (strace -c; the crawler's other write() calls included):"
  grep -E 'write|fsync|calls' "$TMP/strace"
fi
