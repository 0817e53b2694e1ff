#!/usr/bin/env bash
# tzcensus-listen benchmark (not a test): N inbound simnet dialers (default
# 1000, every kind) against one listener without a database. Reports the
# listener's peak RSS, its CPU time (user + sys) per inbound handshake, the
# wall time until every dialer was classified, and the share classified as
# the truth says.
#
#   bench/listen_bench.sh [N]            (run `make all` first)
#
# Baseline in the same run: the listener idle for the same wall time (its
# RSS and CPU with no dialer), so the figures per handshake are the dialers'
# cost only. Bounded: the listener stops after at most 120 s.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
BIN=${BIN:-bin}
tmp=$(mktemp -d /tmp/listen-bench.XXXXXX)
lpid=
spid=
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null
  [ -n "$lpid" ] && kill "$lpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
oct=$((64 + RANDOM % 180))
port=$((20000 + RANDOM % 9000))
"$BIN/tzcensus-crawl" --gen-identity "$tmp/id.json" --pow 0 >/dev/null
cat >"$tmp/listen.yaml" <<YAML
advertise_wait: 0.5
dialback_timeout: 2
max_dialbacks: 512
YAML
cat >"$tmp/sim.yaml" <<YAML
dialers:
  count: $N
  spread: 5
  mix: {forwarded: 1, nat_refused: 1, nat_silent: 1, port_zero: 1, shared: 1}
YAML
clk=$(getconf CLK_TCK)
cpu_s() { awk -v t="$clk" '{print ($14 + $15) / t}' /proc/$1/stat; }
hwm_kb() { awk '/VmHWM/ {print $2}' /proc/$1/status; }

run_listener() { # tag
  "$BIN/tzcensus-listen" --listen "127.$oct.250.1:$port" --identity "$tmp/id.json" --no-db \
    --expected-pow 0 --allow 127.0.0.0/8 --config "$tmp/listen.yaml" --duration 120 --json \
    >"$tmp/$1.json" 2>"$tmp/$1.log" &
  lpid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$tmp/$1.log" && break; sleep 0.1; done
}

# the dialers
run_listener dial
t0=$(date +%s%3N)
"$BIN/tzcensus-simnet" --base "127.$oct.0.0" --nodes 20 --truth "$tmp/truth.json" --quiet \
  --config "$tmp/sim.yaml" --dial "127.$oct.250.1:$port" >"$tmp/sim.log" 2>&1 &
spid=$!
for _ in $(seq 1200); do # at most 120 s
  n=$(grep -c 'dial-back ' "$tmp/dial.log" || true)
  [ "$n" -ge "$N" ] && break
  sleep 0.1
done
t1=$(date +%s%3N)
cpu=$(cpu_s "$lpid")
hwm=$(hwm_kb "$lpid")
kill -TERM "$lpid"
wait "$lpid" || true
lpid=
kill "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
spid=
wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) / 1000}')

# the baseline: idle for the same wall time
run_listener idle
sleep "$wall_s"
cpu0=$(cpu_s "$lpid")
hwm0=$(hwm_kb "$lpid")
kill -TERM "$lpid"
wait "$lpid" || true
lpid=

/usr/bin/python3 - "$tmp/truth.json" "$tmp/dial.json" "$N" "$wall_s" "$cpu" "$hwm" "$cpu0" "$hwm0" <<'PY'
import json, sys
truth, summ = json.load(open(sys.argv[1]))["dialers"], json.load(open(sys.argv[2]))
n, wall, cpu, hwm, cpu0, hwm0 = int(sys.argv[3]), *map(float, sys.argv[4:])
peers = {p["peer_id"]: p["class"] for p in summ["peers"]}
right = sum(peers.get(d["peer_id"]) == d["expected_class"] for d in truth)
hs = summ["handshakes"]
print(f"dialers {n}: {hs} inbound handshakes, {summ['sessions']} sessions, "
      f"{sum(summ['dialbacks'].values())} dial-back decisions, refused {summ['refused']}")
print(f"classified as the truth says: {right}/{len(truth)} ({100.0 * right / len(truth):.1f} %)")
print(f"wall until all classified: {wall:.1f} s; peak sessions {summ['sessions_peak']}, "
      f"peak unfinished {summ['unfinished_peak']}")
print(f"listener peak RSS: {hwm / 1024:.1f} MiB (idle baseline {hwm0 / 1024:.1f} MiB)")
print(f"listener CPU: {cpu:.2f} s (idle baseline {cpu0:.2f} s) = "
      f"{1000 * (cpu - cpu0) / max(hs, 1):.2f} ms per inbound handshake "
      f"(dial-back included)")
PY
