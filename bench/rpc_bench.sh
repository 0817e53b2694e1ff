#!/usr/bin/env bash
# RPC probe benchmark (docs/crawler.md), not a test: prints figures, asserts nothing.
#
#   bench/rpc_bench.sh [NODES] [REPEAT]   (defaults 3000 and 3; from the repo root after make)
#   SIM_FLAGS="--latency-ms 20:200" bench/rpc_bench.sh   extra simnet flags (a world with latency)
#   HOSTILE=0 bench/rpc_bench.sh      no hostile RPC server (default 0.2)
#   BLACKHOLES=1 bench/rpc_bench.sh   the no_listen points as black holes (bench/blackhole.py:
#                                     connects time out, as firewalled addresses do) and the
#                                     crawler's default connect_timeout (10 s): a crawl whose
#                                     length is set by timeouts, as a real one
#
# One simnet world of NODES nodes whose public nodes serve GET /version on
# half their addresses (rpc.share 0.5), a fifth of those hostile (slow: a
# status line then nothing for 10 s, huge: 1 MiB without a length, not_json,
# a redirect, garbage chunks), crawled into a throwaway PostgreSQL REPEAT
# times with the probe off and REPEAT times with it on, alternating, with
# the demo settings (500 in flight, handshake timeout 2 s). For each: the
# crawl's duration (its JSON summary), the crawler's CPU seconds and peak RSS
# (/usr/bin/time). Prints the medians and the on/off ratio of each.
set -euo pipefail
if [ -z "${DATABASE_URL:-}" ]; then
  exec scripts/with-pg.sh "$0" "$@"
fi
NODES=${1:-3000}
REPEAT=${2:-3}
BIN=${BIN:-bin}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tzcensus-rpcbench.XXXXXX)
SIM_PID=
HOLE_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  [ -n "$HOLE_PID" ] && kill "$HOLE_PID" 2>/dev/null && wait "$HOLE_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN/tzcensus-crawl" --gen-identity "$TMP/id.json" --pow 0 >/dev/null
cat >"$TMP/sim.yaml" <<YAML
rpc:
  share: 0.5
  hostile: ${HOSTILE:-0.2}
  slow_ms: 10000
YAML
BASE="127.$((64 + RANDOM % 180)).0.0"
# shellcheck disable=SC2086
"$BIN/tzcensus-simnet" --config "$TMP/sim.yaml" --nodes "$NODES" --seed 19 --base "$BASE" ${SIM_FLAGS:-} \
  --truth "$TMP/truth.json" --ready "$TMP/ready" --rpc-log "$TMP/rpc.jsonl" --quiet \
  >"$TMP/simnet.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 600); do [ -f "$TMP/ready" ] && break; sleep 0.1; done
[ -f "$TMP/ready" ] || { cat "$TMP/simnet.log"; exit 1; }
CRAWL_FLAGS=""
if [ -n "${BLACKHOLES:-}" ]; then
  PY_HOLES=/usr/bin/python3
  "$PY_HOLES" bench/blackhole.py "$TMP/truth.json" "$TMP/holes" &
  HOLE_PID=$!
  for _ in $(seq 600); do [ -s "$TMP/holes" ] && break; sleep 0.1; done
  [ -s "$TMP/holes" ] || { echo "black holes not ready"; exit 1; }
  echo "black holes: $(cat "$TMP/holes") points"
  CRAWL_FLAGS="--connect-timeout 10"
fi
seeds=$("$PY" -c 'import json,sys; print(" ".join("--seed "+s for s in json.load(open(sys.argv[1]))["seeds"]))' "$TMP/truth.json")
for mode in off on; do
  { cat config/demo.yaml; printf 'rpc_probe:\n  enabled: %s\n' "$([ $mode = on ] && echo true || echo false)"; } \
    >"$TMP/crawl_$mode.yaml"
done

echo "world: $NODES nodes ${SIM_FLAGS:-} ${BLACKHOLES:+(black holes)}, $("$PY" -c '
import json, sys, collections
t = json.load(open(sys.argv[1]))
print(dict(collections.Counter(n.get("rpc", "none") for n in t["nodes"])))' "$TMP/truth.json")"
for i in $(seq 1 "$REPEAT"); do
  for mode in off on; do
    /usr/bin/time -f "%M %U %S" -o "$TMP/time" "$BIN/tzcensus-crawl" --config "$TMP/crawl_$mode.yaml" \
      --db "$DATABASE_URL" --identity "$TMP/id.json" $seeds --handshake-timeout 2 $CRAWL_FLAGS --json \
      >"$TMP/sum" 2>"$TMP/log" || { cat "$TMP/log"; exit 1; }
    read -r rss user sys <"$TMP/time"
    "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
r = s.get("rpc_probe", {})
print(sys.argv[2], s["duration_s"], float(sys.argv[4]) + float(sys.argv[5]), sys.argv[3],
      s["public"], r.get("asked", 0), r.get("releases", 0), r.get("errors", 0))' \
      "$TMP/sum" "$mode" "$rss" "$user" "$sys" | tee -a "$TMP/runs"
  done
done
"$PY" - "$TMP/runs" <<'PY'
import statistics, sys
runs = {"off": [], "on": []}
for line in open(sys.argv[1]):
    f = line.split()
    runs[f[0]].append((float(f[1]), float(f[2]), int(f[3]), f[4:]))
med = {m: [statistics.median(x[i] for x in r) for i in range(3)] for m, r in runs.items()}
for m in ("off", "on"):
    d, c, k = med[m]
    print(f"probe {m:3}: median crawl {d:.2f} s, crawler CPU {c:.2f} s, peak RSS {k / 1024:.1f} MiB"
          f"  (runs: {', '.join(f'{x[0]:.2f}' for x in runs[m])} s)")
on, off = med["on"], med["off"]
print(f"on/off: crawl time {on[0] / off[0]:.3f}, CPU {on[1] / off[1]:.3f}, RSS {on[2] / off[2]:.3f}")
print("last run with the probe: public, asked, releases, errors =", " ".join(runs["on"][-1][3]))
PY
