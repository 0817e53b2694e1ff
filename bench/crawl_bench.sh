#!/usr/bin/env bash
# Crawl benchmark (docs/crawler.md, "Performance"), not a test: prints figures, asserts nothing.
#
#   bench/crawl_bench.sh [NODES]        (default 10000; run from the repo root after make)
#   QUICK=1 bench/crawl_bench.sh [NODES]  only the baseline and the no-latency
#                                         world at 2000 in flight (for profiling;
#                                         REPEAT=N crawls it N times,
#                                         SIM_CONFIG=F gives simnet a world file,
#                                         CRAWL_FLAGS="..." adds crawler flags)
#   LATENCY_ONLY=1 bench/crawl_bench.sh    only the baseline and the three
#                                         latency worlds
#   CRAWL_WRAP="strace -c -f -o F" ...     runs the crawler under a profiler
#                                         (its CPU figures then include the wrapper's)
#
# In one run, on this machine:
#   0. baseline: the libsodium crypto of one crawler-side handshake, alone, on
#      one core (bench/crypto_handshake.c) -> handshakes/s per core; and the
#      kernel's floor: the same visit's TCP alone, and a refused dial, as
#      client CPU (bench/tcp_floor.c) -> the best ratio any crawler could
#      reach in each world (crypto + floors);
#   1. a simnet world of NODES nodes without latency, crawled into a
#      throwaway PostgreSQL: wall time, dials/s, crawler CPU seconds,
#      handshakes per crawler-CPU-second and their ratio to the baseline,
#      peak RSS; run at 200 and at 2000 connections in flight, the RSS slope
#      between the two is the memory per in-flight connection;
#   2. the same size with 20-200 ms latency per message and 30% unreachable
#      (no_listen) nodes: wall time against the deepest discovery chain's
#      round trips plus one connect timeout; first with the unreachable
#      points refusing (closed port), then as black holes (bench/blackhole.py
#      fills a listener's accept queue on each, so connects time out), with
#      the default retry of a timed-out connect (2 s later, 4 s deadline) and
#      without it; then the black holes with the retry and every nack, private
#      and wrong_chain node closing as Octez <= v21 (simnet old_close).
# The crawler and simnet share the 2 cores; CPU time is the crawler's own
# (user + sys from /usr/bin/time), so "the core it gets" is what it used.
set -euo pipefail
if [ -z "${DATABASE_URL:-}" ]; then
  exec scripts/with-pg.sh "$0" "$@"
fi
NODES=${1:-10000}
BIN=${BIN:-bin}
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/tzcensus-bench.XXXXXX)
SIM_PID=
HOLE_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  [ -n "$HOLE_PID" ] && kill "$HOLE_PID" 2>/dev/null && wait "$HOLE_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

crypto=$("${B:-build}/bench/crypto_handshake" 3 | awk '{print $2}')
echo "baseline: crypto-only crawler handshakes per CPU-second (one core): $crypto"
# The kernel's floor: the same visit in TCP alone (bench/tcp_floor.c), 2000 in
# flight, the second Bootstrap 100 ms after the first answer, as the crawl.
floor=$("${B:-build}/bench/tcp_floor" $((64 + RANDOM % 180)) 10000 2000 100)
floor_visit=$(awk '/per_visit/ {print $2}' <<<"$floor")
floor_refused=$(awk '/per_refused/ {print $2}' <<<"$floor")
echo "floor: a visit in TCP alone costs $floor_visit us of client CPU ($(awk '/per_visit/ {print "user " $4 ", sys " $6}' <<<"$floor")), a refused dial $floor_refused us"

"$BIN/tzcensus-crawl" --gen-identity "$TMP/id.json" --pow 0 >/dev/null
"$BIN/tzcensus-crawl" --migrate --db "$DATABASE_URL" >/dev/null

run_world() { # name, nodes, concurrency, "crawler flags", simnet args...
  local name=$1 nodes=$2 conc=$3 flags=$4; shift 4
  local octet attempt
  for attempt in 1 2 3; do # another suite may hold the random range: retry
    octet=$((64 + RANDOM % 180))
    rm -f "$TMP/ready"
    "$BIN/tzcensus-simnet" --base "127.$octet.0.0" --nodes "$nodes" --seed 42 \
      --truth "$TMP/truth.json" --ready "$TMP/ready" --violations "$TMP/viol.jsonl" \
      --quiet "$@" >"$TMP/sim.log" 2>&1 &
    SIM_PID=$!
    for _ in $(seq 600); do
      [ -f "$TMP/ready" ] && break
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
    done
    [ -f "$TMP/ready" ] && break
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
  done
  [ -f "$TMP/ready" ] || { cat "$TMP/sim.log"; echo "simnet not ready"; exit 1; }
  if [ -n "${BLACKHOLES:-}" ]; then
    rm -f "$TMP/holes"
    "$PY" bench/blackhole.py "$TMP/truth.json" "$TMP/holes" &
    HOLE_PID=$!
    for _ in $(seq 600); do [ -s "$TMP/holes" ] && break; sleep 0.1; done
    [ -s "$TMP/holes" ] || { echo "black holes not ready"; exit 1; }
  fi
  local seeds
  seeds=$("$PY" -c 'import json,sys; print(" ".join("--seed "+s for s in json.load(open(sys.argv[1]))["seeds"]))' "$TMP/truth.json")
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" ${CRAWL_WRAP:-} \
    "$BIN/tzcensus-crawl" --config config/demo.yaml --db "$DATABASE_URL" \
    --identity "$TMP/id.json" $seeds --concurrency "$conc" --json --set log_interval=3600 $flags \
    >"$TMP/summary.json" 2>"$TMP/crawl.log" || { tail "$TMP/crawl.log"; exit 1; }
  kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=
  if [ -n "$HOLE_PID" ]; then
    echo "  black holes (connect times out): $(cat "$TMP/holes") points"
    kill "$HOLE_PID"; wait "$HOLE_PID" 2>/dev/null || true; HOLE_PID=
  fi
  "$PY" - "$name" "$TMP/summary.json" "$TMP/time" "$TMP/truth.json" "$crypto" "$TMP/viol.jsonl" "${BASE_KB:-0}" \
    "$floor_visit" "$floor_refused" <<'PY'
import json, sys
name, summ, timef, truthf, crypto, violf, base_kb, fv, fr = sys.argv[1:10]
s = json.load(open(summ))
wall, user, sys_, rss_kb = open(timef).read().split()[-4:]
cpu = float(user) + float(sys_)
t = json.load(open(truthf))
lat = max(n["latency_ms"] for n in t["nodes"])
dials = s["dials"]
hs = sum(s["outcomes"].get(k, 0) for k in ("ok", "nack", "incompatible", "foreign", "closed"))
viol = sum(1 for l in open(violf) if l.strip())
print("%s: %d nodes, %d points, %d dials, %d handshakes (ok %d), %d edges, violations %d"
      % (name, len(t["nodes"]), s["points_discovered"], dials, hs, s["outcomes"]["ok"],
         s["edges"], viol))
print("  wall %.2f s (crawl %.2f s), crawler CPU %.2f s (user %s, sys %s), peak RSS %.1f MiB"
      % (float(wall), s["duration_s"], cpu, user, sys_, int(rss_kb) / 1024))
print("  dials/s (wall) %.0f; handshakes per crawler-CPU-second %.0f = %.2f x crypto-only %s/s"
      % (dials / s["duration_s"], hs / cpu, hs / cpu / float(crypto), crypto))
# The best any crawler could do in this world on this machine: crypto plus the
# TCP floor per handshake, the refused-dial floor for every other dial.
crypto_s = hs / float(crypto)
floor_s = hs * float(fv) / 1e6 + (dials - hs) * float(fr) / 1e6
print("  ceiling: crypto %.3f s + TCP floor %.3f s = %.3f s of CPU -> at best %.2f x crypto-only;"
      " this crawl: %.2f x, %.0f us per handshake above the floors"
      % (crypto_s, floor_s, crypto_s + floor_s, crypto_s / (crypto_s + floor_s),
         hs / cpu / float(crypto), (cpu - crypto_s - floor_s) / hs * 1e6))
print("  deepest discovery chain %d hops; max node latency %d ms; outcomes %s"
      % (s["max_depth"], lat, {k: v for k, v in s["outcomes"].items() if v}))
qkb = s.get("db_queue_peak_bytes", 0) / 1024
print("  database queue peak %.0f KiB (capped by db_queue_mb)" % qkb)
if int(base_kb):
    print("  RSS per in-flight connection: (%d - %s base - %.0f queue) KiB / %d peak in flight"
          " = %.1f KiB (an upper bound: includes the 10,000-point frontier)"
          % (int(rss_kb), base_kb, qkb, s["max_inflight"],
             (int(rss_kb) - int(base_kb) - qkb) / max(1, s["max_inflight"])))
if lat:
    # A hop is what a pipelined visit must wait for: the node's connection
    # message (it leaves at accept + latency), then its Ack and first
    # Advertise, which it produces when our metadata, Ack and Bootstrap
    # arrive: 2 node delays (lock step needed 3; earlier runs counted 4).
    # Every hop is charged the world's largest node latency.
    bound = s["max_depth"] * 2 * lat / 1000 + 10
    print("  latency bound: %d hops x 2 x %d ms + one connect timeout 10 s = %.1f s; "
          "wall/bound = %.2f (target <= 1.5)" % (s["max_depth"], lat, bound, s["duration_s"] / bound))
PY
  LAST_KB=$(awk '{print $4}' "$TMP/time")
  LAST_INFLIGHT=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_inflight"])' "$TMP/summary.json")
  LAST_QKB=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("db_queue_peak_bytes", 0) // 1024)' "$TMP/summary.json")
}

if [ -n "${QUICK:-}" ]; then
  for _ in $(seq "${REPEAT:-1}"); do
    run_world "no latency" "$NODES" 2000 "${CRAWL_FLAGS:-}" ${SIM_CONFIG:+--config "$SIM_CONFIG"}
  done
  exit 0
fi
if [ -z "${LATENCY_ONLY:-}" ]; then
# The fixed base: the same program crawling a 30-node world one connection at a time.
run_world "base (30 nodes, 1 in flight)" 30 1 "" >"$TMP/base.txt"
BASE_KB=$LAST_KB
echo "base RSS (30-node world, 1 connection in flight): $BASE_KB KiB"
run_world "no latency, at most 200 in flight" "$NODES" 200 ""
KB1=$LAST_KB; N1=$LAST_INFLIGHT; Q1=$LAST_QKB
run_world "no latency" "$NODES" 2000 ""
KB2=$LAST_KB; N2=$LAST_INFLIGHT; Q2=$LAST_QKB
# The database queue is bounded by db_queue_mb whatever the concurrency (part
# of the fixed base) but fills faster when more visits end per second: the
# slope is taken without it.
echo "RSS slope, same world at two concurrencies, database queue set aside:" \
  "(($KB2 - $Q2) - ($KB1 - $Q1)) KiB / ($N2 - $N1) in flight =" \
  "$(awk -v a="$KB2" -v b="$KB1" -v qa="$Q2" -v qb="$Q1" -v m="$N2" -v n="$N1" \
    'BEGIN { printf "%.1f", ((a - qa) - (b - qb)) / (m - n) }') KiB per connection;" \
  "with the queue: $(awk -v a="$KB2" -v b="$KB1" -v m="$N2" -v n="$N1" 'BEGIN { printf "%.1f", (a - b) / (m - n) }') KiB"
fi
cat >"$TMP/lat.yaml" <<'YAML'
latency:
  min_ms: 20
  max_ms: 200
behaviors:
  public: 0.45
  no_listen: 0.30
  stall: 0.03
  silent_close: 0.03
  nack: 0.05
  private: 0.03
  wrong_chain: 0.02
  old_version: 0.03
  low_pow: 0.02
  shared_ip: 0.03
  multihomed: 0.01
YAML
run_world "20-200 ms latency, 30% unreachable (refused)" "$NODES" 2000 "" --config "$TMP/lat.yaml"
# The same world with the unreachable 30% as black holes: every connect to
# them times out, once with the default retry and once without.
# Timeouts as on the Internet: the crawler's defaults (connect 10 s, one
# retry 2 s later with a 4 s deadline), not demo.yaml's short test values.
BLACKHOLES=1 run_world "20-200 ms latency, 30% black holes, retry once" "$NODES" 5000 \
  "--connect-timeout 10 --set connect_retries=1 --set retry_delay=2 --set retry_connect_timeout=4" \
  --config "$TMP/lat.yaml"
BLACKHOLES=1 run_world "20-200 ms latency, 30% black holes, no retry" "$NODES" 5000 \
  "--connect-timeout 10 --set connect_retries=0" --config "$TMP/lat.yaml"
# The black-hole world with the default retry again, every nack, private and
# wrong_chain node closing as Octez <= v21 (old_close: the Nack is lost to a
# reset when our early bytes lie unread; the crawler dials such a point again
# in lock step).
cp "$TMP/lat.yaml" "$TMP/old.yaml"
cat >>"$TMP/old.yaml" <<'YAML'
old_close:
  nack: 1
  private: 1
  wrong_chain: 1
YAML
BLACKHOLES=1 run_world "20-200 ms latency, 30% black holes, retry once, old close" "$NODES" 5000 \
  "--connect-timeout 10 --set connect_retries=1 --set retry_delay=2 --set retry_connect_timeout=4" \
  --config "$TMP/old.yaml"
