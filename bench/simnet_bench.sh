#!/usr/bin/env bash
# simnet benchmark (not a test): start-up time and RSS for 10,000 nodes, and
# handshakes served per second against a client in this script.
#
#   bench/simnet_bench.sh [NODES]        (default 10000; run `make all tests` first)
#
# Baselines in the same run: start-up of a 1,000-node world (ratio = cost of
# 10x the nodes), and banner grabs (connect + connection message) against the
# same nodes (ratio = what the full handshake costs on top of TCP). Every
# client run is bounded in visits and seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
B=${B:-build}
BIN=${BIN:-bin}
sim="$BIN/tzcensus-simnet"
tmp=$(mktemp -d /tmp/simnet-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
oct=$((64 + RANDOM % 180))

# the client (bench/simnet_bench_client.c) is built by make tests
client="$B/bench/simnet_bench_client"

now_ms() { date +%s%3N; }

# start N nodes; writes "wall_ms startup_ms rss_kb hwm_kb" to $tmp/start and leaves the server running
start() { # nodes base extra-flags...
  local nodes=$1 base=$2; shift 2
  rm -f "$tmp/ready"
  local t0; t0=$(now_ms)
  "$sim" --nodes "$nodes" --base "$base" --truth "$tmp/truth.json" --ready "$tmp/ready" --quiet "$@" &
  pid=$!
  for _ in $(seq 600); do [ -f "$tmp/ready" ] && break; sleep 0.01; done
  [ -f "$tmp/ready" ] || { echo "not ready after 6 s" >&2; exit 1; }
  local t1; t1=$(now_ms)
  local sm; sm=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["startup_ms"])' "$tmp/ready")
  local rss hwm
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  echo "$((t1 - t0)) $sm $rss $hwm" >"$tmp/start"
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }

echo "== simnet benchmark: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d" " -f1-3 /proc/loadavg)"
start 1000 "127.$oct.0.0"; read -r w1 s1 r1 h1 <"$tmp/start"; stop
echo "baseline 1000 nodes: ready in ${w1} ms wall (${s1} ms in-process), RSS $((r1 / 1024)) MiB"
start "$N" "127.$oct.0.0"; read -r w2 s2 r2 h2 <"$tmp/start"
listeners=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"])' "$tmp/ready")
echo "$N nodes ($listeners listeners): ready in ${w2} ms wall (${s2} ms in-process), RSS $((r2 / 1024)) MiB (peak $((h2 / 1024)) MiB)"
awk -v a="$w2" -v b="$w1" 'BEGIN { printf "ratio start-up %d / 1000 nodes: %.2fx\n", '"$N"', a / b }'

# handshakes against the running N-node world: banner baseline, then full
ban=$("$client" "$tmp/truth.json" banner 5 20000)
full=$("$client" "$tmp/truth.json" full 10 20000)
echo "banner grabs (1 client):     $ban"
echo "full handshakes (1 client):  $full"
"$client" "$tmp/truth.json" full 10 20000 >"$tmp/c1" & c1=$!
"$client" "$tmp/truth.json" full 10 20000 >"$tmp/c2" & c2=$!
wait "$c1"; wait "$c2"
echo "full handshakes (2 clients): $(cat "$tmp/c1") | $(cat "$tmp/c2")"
# both clients together: all their handshakes over the longer of the two runs
r2c=$(awk '{ok += $4; if ($8 > t) t = $8} END {printf "%.1f", ok / t}' "$tmp/c1" "$tmp/c2")
rb=$(awk '{print $NF}' <<<"$ban"); rf=$(awk '{print $NF}' <<<"$full")
awk -v f="$rf" -v b="$rb" -v t="$r2c" 'BEGIN {
  printf "handshakes served: %.0f/s with 1 client, %.0f/s with 2; full / banner = %.2fx\n", f, t, f / b }'
rss_after=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "RSS after the handshake runs: $((rss_after / 1024)) MiB"
stop

# every node listening (no no_listen share): N listeners
printf 'behaviors:\n  no_listen: 0\n' >"$tmp/all.yaml"
start "$N" "127.$oct.0.0" --config "$tmp/all.yaml"; read -r w4 s4 r4 h4 <"$tmp/start"
listeners=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"])' "$tmp/ready")
stop
echo "$N nodes, all listening ($listeners listeners): ready in ${w4} ms wall, RSS $((r4 / 1024)) MiB"

# PoW at start-up: --expected-pow 8 makes every node search a stamp
start "$N" "127.$oct.0.0" --expected-pow 8; read -r w3 s3 r3 h3 <"$tmp/start"; stop
echo "$N nodes with --expected-pow 8: ready in ${w3} ms wall"
