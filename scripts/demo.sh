#!/usr/bin/env bash
# make demo — the whole tzcensus job, end to end, on a simulated network.
#
#   scripts/demo.sh [--db CONNINFO] [--nodes N] [--latency-ms MIN:MAX]
#                   [--out DIR] [--seed S]
#
# 1. a throwaway PostgreSQL (pg_virtualenv, dropped at exit) unless --db or
#    DATABASE_URL names one;
# 2. a crawler identity with a low proof of work (the simulated world expects
#    the same low PoW: mainnet wants 26 bits, see docs/operators.md);
# 3. tzcensus-simnet: a world of 2,000 nodes on 127.X.0.0 (X random, so runs
#    in parallel do not collide) with 20-200 ms of latency per message;
# 4. two crawls (config/demo.yaml: only 127.0.0.0/8 and ::1 may be dialed),
#    each analyzed, the second with --report, so the report has a trend: the
#    first against simnet epoch 0, the second against the same world at
#    epoch 1 (5% of the listening nodes gone, as many new: simnet --epoch);
#    During the second crawl tzcensus-listen (vantage demo) takes inbound
#    handshakes from 20 simulated NATed dialers (simnet --dial) and dials
#    each back, so the report has nat.inbound;
# 5. stops everything it started and prints where the report is and the
#    headline figures.
#
# Every packet stays on loopback. The programs come from $BIN (default bin/,
# the Makefile passes it). Exit status 0 only when every step worked.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-bin}
case $BIN in /*) ;; *) BIN=$root/$BIN ;; esac
PY=/usr/bin/python3
db=${DATABASE_URL:-}
nodes=2000
latency=20:200
out=$root/out/demo
world_seed=7
pow=4          # bits: the demo identity's PoW and simnet's --expected-pow

orig_args=("$@")
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0; }
while [ "$#" -gt 0 ]; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--nodes) nodes=$2; shift 2 ;;
	--latency-ms) latency=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--seed) world_seed=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done

# Replace an earlier demo's output, but never a directory that is not one.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/.tzcensus-demo" ] &&
	[ ! -e "$out/simnet-truth.json" ]; then
	echo "demo: $out exists and is not an earlier demo's output: not overwriting it" >&2
	exit 1
fi

# No database named: run this script again inside a throwaway cluster.
# scripts/with-pg.sh starts one with pg_virtualenv -t in a temporary
# directory on a free port (so it cannot collide with `make check` or another
# demo) and drops it when this script exits, whatever the status.
if [ -z "$db" ]; then
	if [ -n "${TZCENSUS_DEMO_IN_PG:-}" ]; then
		echo "demo: the throwaway PostgreSQL did not export DATABASE_URL" >&2
		exit 1
	fi
	echo "demo: starting a throwaway PostgreSQL cluster"
	export TZCENSUS_DEMO_IN_PG=1
	# TZCENSUS_TEST_DB would make with-pg.sh reuse a database: not for the demo.
	exec env -u TZCENSUS_TEST_DB "$root/scripts/with-pg.sh" "$0" "${orig_args[@]}"
fi
if [ -n "${TZCENSUS_DEMO_IN_PG:-}" ]; then
	echo "demo: throwaway PostgreSQL cluster on port ${PGPORT:-?} (dropped at exit)"
fi

t_start=$(date +%s)
CRAWL=$BIN/tzcensus-crawl
ANALYZE=$BIN/tzcensus-analyze
SIMNET=$BIN/tzcensus-simnet
LISTEN=$BIN/tzcensus-listen
for p in "$CRAWL" "$ANALYZE" "$SIMNET" "$LISTEN"; do
	[ -x "$p" ] || { echo "demo: $p is not built (run make demo, or make first)" >&2; exit 1; }
done
[ -x "$PY" ] || { echo "demo: $PY is needed (Debian package python3)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-demo.XXXXXX")
simnet_pid=
child_pid=
listen_pid=

# Whatever happens, nothing we started stays behind: simnet and a crawler or
# analyzer still running get SIGTERM, then SIGKILL after 5 s. The database
# cluster belongs to with-pg.sh/pg_virtualenv, which drops it when we exit.
stop_pid() { # pid
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pid "$child_pid"
	stop_pid "$listen_pid"
	stop_pid "$simnet_pid"
	if [ "$rc" -ne 0 ] && [ -d "$work" ]; then
		echo "demo: FAILED (status $rc); logs follow" >&2
		for f in "$work"/*.log; do
			[ -s "$f" ] || continue
			echo "---- ${f##*/} (last lines)" >&2
			tail -n 15 "$f" >&2
		done
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a program in the background and waits for it, so the trap can stop it
# when the demo is interrupted. Usage: run LOG PROG ARG... (stdout: kept).
run() {
	local log=$1; shift
	"$@" 2>"$work/$log" &
	child_pid=$!
	local rc=0
	wait "$child_pid" || rc=$?
	child_pid=
	return "$rc"
}

step() { printf 'demo: [%3ss] %s\n' "$(($(date +%s) - t_start))" "$*"; }

# ---- identity ------------------------------------------------------------------
step "generating a crawler identity (PoW $pow bits; mainnet needs 26)"
run identity.log "$CRAWL" --gen-identity "$work/identity.json" --pow "$pow" >/dev/null

# ---- simnet -----------------------------------------------------------------------
# Epoch 0 for the first crawl; for the second the same world (same seed, same
# base) at epoch 1, where simnet has churned 5% of the listening nodes away
# and brought as many NATed ones up, so the report's trend is not zero.
base=127.$((64 + RANDOM % 180)).0.0
start_simnet() { # epoch [more simnet flags]
	local epoch=$1 i
	shift
	step "starting tzcensus-simnet epoch $epoch: $nodes nodes on $base, latency $latency ms, world seed $world_seed"
	rm -f "$work/ready"
	"$SIMNET" --nodes "$nodes" --seed "$world_seed" --base "$base" --latency-ms "$latency" \
		--expected-pow "$pow" --epoch "$epoch" --truth "$work/truth-$epoch.json" \
		--location-db "$work/location.db" \
		--ready "$work/ready" --violations "$work/violations-$epoch.jsonl" "$@" \
		>"$work/simnet-$epoch.out" 2>"$work/simnet-$epoch.log" &
	simnet_pid=$!
	for ((i = 0; i < 600; i++)); do
		[ -e "$work/ready" ] && break
		kill -0 "$simnet_pid" 2>/dev/null || { echo "demo: tzcensus-simnet exited before it was ready" >&2; exit 1; }
		sleep 0.1
	done
	[ -e "$work/ready" ] || { echo "demo: tzcensus-simnet not ready after 60 s" >&2; exit 1; }
}
# The crawler must never have done anything an Octez node would punish.
stop_simnet() { # epoch
	local epoch=$1
	stop_pid "$simnet_pid"
	simnet_pid=
	if [ -s "$work/violations-$epoch.jsonl" ]; then
		echo "demo: simnet recorded protocol violations by the crawler:" >&2
		head -n 5 "$work/violations-$epoch.jsonl" >&2
		exit 1
	fi
}
start_simnet 0

# Seeds: three public nodes of the world, as the bootstrap names are on mainnet:
# the public ones among the truth file's seed points first (they never churn,
# so they serve the second crawl too), then other public nodes.
mapfile -t seeds < <("$PY" - "$work/truth-0.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
pub = [n["point"] for n in t["nodes"] if n.get("behavior") == "public"]
first = [p for p in t.get("seeds", []) if p in set(pub)]
print("\n".join((first + [p for p in pub if p not in first])[:3]))
EOF
)
[ "${#seeds[@]}" -gt 0 ] || { echo "demo: the simulated world has no public node to seed from" >&2; exit 1; }
seed_args=()
for s in "${seeds[@]}"; do seed_args+=(--seed "$s"); done
step "simnet ready; seeds: ${seeds[*]}"

# ---- two crawls, each analyzed -----------------------------------------------------
rm -rf "$out"
mkdir -p "$out"
echo "written by scripts/demo.sh; replaced by the next run" >"$out/.tzcensus-demo"
crawl() { # n
	local n=$1 id
	step "crawl $n of 2 ..."
	run "crawl-$n.log" "$CRAWL" --config "$root/config/demo.yaml" --db "$db" \
		--identity "$work/identity.json" --expected-pow "$pow" "${seed_args[@]}" \
		--vantage demo --journal "$work/crawl-$n.journal" --json >"$work/crawl-$n.json"
	id=$("$PY" -c '
import json, sys
v = json.load(open(sys.argv[1])).get("crawl_id")
print(v if isinstance(v, int) else "")' "$work/crawl-$n.json")
	if [ -z "$id" ]; then
		echo "demo: crawl $n has no crawl_id: it was not stored in the database" >&2
		return 1
	fi
	echo "$id" >"$work/crawl-$n.id"
	step "crawl $n finished: crawl id $id"
}
crawl 1
step "analyzing crawl $(cat "$work/crawl-1.id") (kept in the database as history)"
run analyze-1.log "$ANALYZE" --db "$db" --crawl "$(cat "$work/crawl-1.id")" \
	--location-db "$work/location.db" --providers "$root/config/simnet-providers.yaml" \
	--out "$work/analysis-1" --json >"$work/analyze-1.json"
stop_simnet 0
# The listener (docs/listener.md) on 127.X.250.1, with its own identity; the
# dialers of simnet epoch 1 dial it while the second crawl runs.
listen_at=${base%.*.*}.250.1:9732
run identity-listen.log "$CRAWL" --gen-identity "$work/listen-identity.json" --pow "$pow" >/dev/null
printf 'dialback_timeout: 2\nadvertise_wait: 1\n' >"$work/listen.yaml"
"$LISTEN" --listen "$listen_at" --identity "$work/listen-identity.json" --db "$db" \
	--vantage demo --expected-pow "$pow" --allow 127.0.0.0/8 --config "$work/listen.yaml" \
	--json >"$work/listen.json" 2>"$work/listen.log" &
listen_pid=$!
for ((i = 0; i < 100; i++)); do
	grep -q 'listening on' "$work/listen.log" 2>/dev/null && break
	kill -0 "$listen_pid" 2>/dev/null || { echo "demo: tzcensus-listen exited at start" >&2; exit 1; }
	sleep 0.1
done
step "tzcensus-listen on $listen_at; simnet epoch 1 brings 20 NATed dialers"
printf 'dialers:\n  count: 20\n  spread: 1\n' >"$work/dialers.yaml"
start_simnet 1 --dial "$listen_at" --config "$work/dialers.yaml"
step "simnet epoch 1 ready: $("$PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))["churn"]
print("%d nodes went down, %d came up" % (len(c["went_down"]), len(c["came_up"])))' "$work/truth-1.json")"
crawl 2
stop_pid "$listen_pid" # SIGTERM: it finishes the dial-backs in flight and stores the rest
listen_pid=
step "listener stopped: $("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))["dialbacks"]
print(", ".join("%s %d" % kv for kv in sorted(d.items()) if kv[1]))' "$work/listen.json")"
step "analyzing crawl $(cat "$work/crawl-2.id") and writing the report"
run analyze-2.log "$ANALYZE" --db "$db" --crawl "$(cat "$work/crawl-2.id")" \
	--location-db "$work/location.db" --providers "$root/config/simnet-providers.yaml" \
	--out "$out" --report --json --title "Simulated Tezos network (tzcensus demo)" \
	>"$work/analyze-2.json"

stop_simnet 1
cp "$work/truth-0.json" "$out/simnet-truth-0.json"
cp "$work/truth-1.json" "$out/simnet-truth.json"
cp "$work/crawl-1.json" "$work/crawl-2.json" "$out/"

for f in report.html report.md report.json; do
	[ -s "$out/$f" ] || { echo "demo: $out/$f is missing" >&2; exit 1; }
done

# ---- headline ---------------------------------------------------------------------
elapsed=$(($(date +%s) - t_start))
"$PY" - "$out/report.json" "$out/simnet-truth.json" "$elapsed" "${out#"$root"/}" <<'EOF'
import collections, json, sys
r = json.load(open(sys.argv[1]))
t = json.load(open(sys.argv[2]))
elapsed, where = sys.argv[3], sys.argv[4]

def g(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d

def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return "%.3f" % v
    return str(v)

c = r.get("counts", {})
core = g(r, "graph", "core") or {}
reach = g(r, "graph", "reachable") or {}
conc = g(r, "concentration", "by_prefix", "ipv4_24") or {}
trend = r.get("trend") or {}
truth = collections.Counter(n.get("behavior") for n in t.get("nodes", []))
print()
print("Report: %s/report.html  (also report.md, report.json, CSVs)" % where)
print("Crawl %s, vantage %s; previous crawl %s" % (
    fmt(g(r, "crawl", "id")), fmt(g(r, "crawl", "vantage")), fmt(trend.get("previous_crawl_id"))))
print()
print("  points seen             %s" % fmt(c.get("points_seen")))
print("  points dialed           %s" % fmt(c.get("points_dialed")))
print("  public nodes            %s  (public ratio %s)" % (fmt(c.get("public")), fmt(c.get("public_ratio"))))
print("  points: public %s, foreign %s, unverified %s, unreachable %s, undialed %s" % (
    fmt(c.get("public_points")), fmt(c.get("foreign")), fmt(c.get("unverified")),
    fmt(c.get("unreachable")), fmt(c.get("undialed"))))
print("  outcomes                %s" % ", ".join("%s %s" % kv for kv in sorted((c.get("outcomes") or {}).items())))
print("  core                    %s nodes, vertex connectivity %s, min cut %s" % (
    fmt(core.get("vertices")), fmt(core.get("vertex_connectivity")),
    fmt(len(core["min_vertex_cut"]) if isinstance(core.get("min_vertex_cut"), list) else None)))
bb = g(r, "graph", "backbone") or {}
print("  backbone                %s nodes, vertex connectivity %s" % (
    fmt(bb.get("vertices")), fmt(bb.get("vertex_connectivity"))))
ap = reach.get("articulation_points")
print("  single points of failure %s" % fmt(len(ap) if isinstance(ap, list) else None))
print("  /24 concentration       Nakamoto %s, HHI %s" % (fmt(conc.get("nakamoto")), fmt(conc.get("hhi"))))
ba, bc = g(r, "concentration", "by_asn") or {}, g(r, "concentration", "by_country") or {}
top_as = (ba.get("top") or [{}])[0]
print("  where the nodes are     Nakamoto by AS %s, by country %s; largest AS%s %s (%s); %s ASes halve the core" % (
    fmt(ba.get("nakamoto")), fmt(bc.get("nakamoto")), fmt(top_as.get("asn")), fmt(top_as.get("name")),
    fmt(top_as.get("share")), fmt(g(r, "graph", "core", "attack_curves", "by_asn", "ases_to_half"))))
print("  change since crawl %s    %s public, %s new, %s gone" % (
    fmt(trend.get("previous_crawl_id")), fmt(trend.get("delta_public")),
    fmt(trend.get("new") if not isinstance(trend.get("new"), list) else len(trend["new"])),
    fmt(trend.get("gone") if not isinstance(trend.get("gone"), list) else len(trend["gone"]))))
print()
print("Ground truth of the simulated world (%s nodes): %s" % (
    sum(truth.values()), ", ".join("%s %d" % kv for kv in sorted(truth.items()))))
# Public nodes (docs/methodology.md, "Definitions"): every behaviour but the
# three that never send a connection message (nothing bound, accept-and-stall,
# accept-and-close) and the one announcing another chain (foreign) -- counted
# as public only by a crawler that still records it as `incompatible`.
other = truth.get("wrong_chain", 0) if c.get("foreign") else 0
answering = sum(v for k, v in truth.items()
                if k not in ("no_listen", "stall", "silent_close")) - other
print("Nodes of that world that answer a handshake: %d; the crawl found %s public nodes." % (
    answering, fmt(c.get("public"))))
inb = g(r, "nat", "inbound")
if inb:
    print("Inbound (tzcensus-listen): %s peers dialed in; %s; hidden from the crawl %s" % (
        fmt(inb.get("peers")),
        ", ".join("%s %s" % kv for kv in sorted((inb.get("by_class") or {}).items()) if kv[1]),
        fmt(inb.get("hidden_share"))))
print("Demo wall time: %s s" % elapsed)
EOF
