#!/usr/bin/env bash
# tzcensus-simnet from the outside: refused bases, configuration errors with
# file:line:column, the shipped config/simnet.yaml, determinism of the truth
# file (same seed -> same bytes, other seed -> other world), churn epochs
# (epoch 0 = no flag; epoch 1 changes exactly the churned nodes), the planted
# topology checked by an INDEPENDENT graph library (networkx: the cut between
# the two halves has the planted size, the articulation points of the public
# graph are exactly the island bridges), the ready file and a clean SIGTERM.
set -euo pipefail
BIN=${BIN:-bin}
PY=/usr/bin/python3
sim="$BIN/tzcensus-simnet"
tmp=$(mktemp -d /tmp/tzcensus-simnet.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
oct=${SIMNET_OCTET:-$((64 + RANDOM % 180))}
base="127.$oct.0.0"

# --- refused bases and bad flags: non-zero exit, a clear message ------------
for bad in 10.0.0.1 192.168.1.1 8.8.8.8 ::2 localhost 127.1; do
  if "$sim" --base "$bad" --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then
    fail "--base $bad accepted"
  fi
  grep -q "127.0.0.0/8" "$tmp/err" || fail "--base $bad: unclear error: $(cat "$tmp/err")"
done
echo "refused bases: ok"
if "$sim" --latency-ms 5 --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then fail "--latency-ms 5 accepted"; fi
grep -q "MIN:MAX" "$tmp/err" || fail "latency error unclear"
if "$sim" --latency-ms 9:3 --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then fail "latency 9:3 accepted"; fi
if "$sim" --nodes 0 --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then fail "--nodes 0 accepted"; fi
if "$sim" --dry-run 2>"$tmp/err"; then fail "missing --truth accepted"; fi
grep -q -- "--truth" "$tmp/err" || fail "missing --truth: unclear error"

# --- configuration errors carry file:line:column -------------------------------
printf 'nodes: 50\ntopology:\n  bottlneck: 3\n' >"$tmp/typo.yaml"
if "$sim" --config "$tmp/typo.yaml" --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then fail "typo accepted"; fi
grep -q "typo.yaml:3:3" "$tmp/err" || fail "no position for an unknown key: $(cat "$tmp/err")"
printf 'behaviors:\n  public: 1\n  gossip: 1\n' >"$tmp/beh.yaml"
if "$sim" --config "$tmp/beh.yaml" --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then fail "bad behaviour accepted"; fi
grep -q "beh.yaml:3:" "$tmp/err" || fail "no position for a bad behaviour: $(cat "$tmp/err")"
printf 'latency:\n  min_ms: -4\n' >"$tmp/neg.yaml"
if "$sim" --config "$tmp/neg.yaml" --truth "$tmp/t.json" --dry-run 2>"$tmp/err"; then fail "negative latency accepted"; fi
grep -q "neg.yaml:2:" "$tmp/err" || fail "no position for a bad value: $(cat "$tmp/err")"
echo "config errors: ok"

# --- the shipped config loads, and flags override it --------------------------
"$sim" --config config/simnet.yaml --nodes 40 --seed 3 --truth "$tmp/cfg.json" --dry-run 2>/dev/null
[ "$($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["node_count"], t["seed"])' "$tmp/cfg.json")" = "40 3" ] \
  || fail "flags did not override config/simnet.yaml"

# --- determinism ------------------------------------------------------------
"$sim" --nodes 500 --seed 7 --base "$base" --truth "$tmp/a.json" --dry-run 2>/dev/null
"$sim" --nodes 500 --seed 7 --base "$base" --truth "$tmp/b.json" --dry-run 2>/dev/null
"$sim" --nodes 500 --seed 8 --base "$base" --truth "$tmp/c.json" --dry-run 2>/dev/null
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "same seed, different truth files"
cmp -s "$tmp/a.json" "$tmp/c.json" && fail "different seeds, same truth file"
echo "determinism: ok"

# --- churn: epoch 0 is today's world, epoch k > 0 a deterministic change of it ---
"$sim" --nodes 500 --seed 7 --base "$base" --epoch 0 --truth "$tmp/e0.json" --dry-run 2>/dev/null
cmp -s "$tmp/a.json" "$tmp/e0.json" || fail "--epoch 0 changed the truth file"
"$sim" --nodes 500 --seed 7 --base "$base" --epoch 1 --truth "$tmp/e1.json" --dry-run 2>/dev/null
"$sim" --nodes 500 --seed 7 --base "$base" --epoch 1 --truth "$tmp/e1b.json" --dry-run 2>/dev/null
"$sim" --nodes 500 --seed 7 --base "$base" --epoch 2 --truth "$tmp/e2.json" --dry-run 2>/dev/null
"$sim" --nodes 500 --seed 7 --base "$base" --epoch 1 --churn 0.2 --truth "$tmp/e1c.json" --dry-run 2>/dev/null
cmp -s "$tmp/e1.json" "$tmp/e1b.json" || fail "same seed and epoch, different truth files"
cmp -s "$tmp/e1.json" "$tmp/e2.json" && fail "epochs 1 and 2 gave the same world"
printf 'epoch: 1\nchurn: 0.2\n' >"$tmp/churn.yaml"
"$sim" --config "$tmp/churn.yaml" --nodes 500 --seed 7 --base "$base" --truth "$tmp/e1y.json" --dry-run 2>/dev/null
cmp -s "$tmp/e1c.json" "$tmp/e1y.json" || fail "YAML epoch/churn keys differ from the flags"
if "$sim" --churn 1.5 --truth "$tmp/t.json" --dry-run 2>/dev/null; then fail "--churn 1.5 accepted"; fi
if "$sim" --epoch -1 --truth "$tmp/t.json" --dry-run 2>/dev/null; then fail "--epoch -1 accepted"; fi
"$PY" - "$tmp/a.json" "$tmp/e1.json" 0.05 "$tmp/e1c.json" 0.2 <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert "epoch" not in a and "churn" not in a
for path, share in zip(sys.argv[2::2], sys.argv[3::2]):
    share = float(share)
    b = json.load(open(path))
    assert b["epoch"] == 1, b.get("epoch")
    ch = b["churn"]
    assert abs(ch["share"] - share) < 1e-9
    down, up = ch["went_down"], ch["came_up"]
    listening = sum(1 for n in a["nodes"] if n["behavior"] != "no_listen")
    k = round(share * listening)
    assert len(down) == len(up) == k > 0, (len(down), len(up), k)
    assert len(set(down)) == k and len(set(up)) == k
    na = {n["point"]: n for n in a["nodes"]}
    nb = {n["point"]: n for n in b["nodes"]}
    assert list(na) == list(nb)
    protected = set(a["seeds"]) | {isl["bridge"] for isl in a["islands"]}
    protected |= {m for isl in a["islands"] for m in isl["members"]}
    if a["bottleneck"]:
        protected |= set(a["bottleneck"]["cut"])
    assert not protected & set(down), protected & set(down)
    assert b["seeds"] == a["seeds"] and b["islands"] == a["islands"]
    assert b["bottleneck"] == a["bottleneck"]
    changed = set()
    for p in na:
        x, y = na[p], nb[p]
        for key in ("peer_id", "points", "public_key", "advertises", "head_level", "role",
                    "island", "bridge", "latency_ms", "pow_bits"):
            assert x[key] == y[key], (p, key)
        if x != y:
            changed.add(p)
    assert changed == set(down) | set(up), changed ^ (set(down) | set(up))
    for p in down:
        assert na[p]["listening"] and na[p]["behavior"] != "no_listen"
        assert nb[p]["behavior"] == "no_listen" and not nb[p]["listening"]
        assert nb[p]["expected_outcome"] == "refused"
    for p in up:
        assert na[p]["behavior"] == "no_listen"
        assert nb[p]["behavior"] == "public" and nb[p]["listening"]
        assert nb[p]["expected_outcome"] == "ok"
    cb = b["behaviors"]
    assert cb["no_listen"] == a["behaviors"]["no_listen"]
    assert cb["public"] == a["behaviors"]["public"] + k - sum(
        1 for p in down if na[p]["behavior"] == "public")
print("churn: epoch 0 unchanged; epoch 1 changes exactly %d + %d nodes" % (k, k))
PY

# --- the planted topology, checked with networkx ---------------------------------
"$PY" - "$tmp/a.json" <<'PY'
import json, sys
import networkx as nx
t = json.load(open(sys.argv[1]))
nodes = t["nodes"]
assert t["format"] == "tzcensus-simnet-truth/1"
assert t["node_count"] == len(nodes) == 500
for k in ("seed", "chain_name", "expected_pow"):
    assert k in t, k
for n in nodes:
    for k in ("point", "peer_id", "behavior", "advertises", "head_level"):
        assert k in n, k
    assert n["peer_id"].startswith("id") and len(n["peer_id"]) == 30
owner = {p: i for i, n in enumerate(nodes) for p in n["points"]}
assert len(owner) == sum(len(n["points"]) for n in nodes), "a point used twice"
# every no_listen node appears in some list, and lists only name known points or data points
listed = {p for n in nodes for p in n["advertises"]}
data = set(t["data_points"])
assert listed <= set(owner) | data
assert all(n["points"][0] in listed for n in nodes if n["behavior"] == "no_listen")
assert data and data <= listed
for p in data:
    a = p.rsplit(":", 1)[0]
    assert a.startswith(("10.", "192.168.", "172.", "192.0.2.", "198.51.100.", "203.0.113.")), p
# the foreign network: wrong_chain nodes list only each other, and those marked
# foreign_only are listed by no node of our chain
F = {i for i, n in enumerate(nodes) if n["behavior"] == "wrong_chain"}
assert F and all(n["foreign"] == (i in F) for i, n in enumerate(nodes))
only = {i for i in F if nodes[i]["foreign_only"]}
assert len(only) == len(F) // 2 and {nodes[i]["point"] for i in only} == set(t["foreign_network"]["foreign_only"])
for i in F:
    assert {owner[p] for p in nodes[i]["advertises"]} == F - {i}, nodes[i]["point"]
assert not any(owner.get(p) in only for i, n in enumerate(nodes) if i not in F for p in n["advertises"])
# the public graph R of our network: nodes that send a connection message of our chain
R = {i for i, n in enumerate(nodes)
     if n["behavior"] not in ("no_listen", "stall", "silent_close", "wrong_chain")}
G = nx.Graph()
G.add_nodes_from(R)
for i, n in enumerate(nodes):
    for p in n["advertises"]:
        j = owner.get(p)
        if j is not None and i in R and j in R and i != j:
            G.add_edge(i, j)
comps = sorted(nx.connected_components(G), key=len, reverse=True)
core = G.subgraph(comps[0])
aps = set(nx.articulation_points(core))
bridges = {owner[i["bridge"]] for i in t["islands"]}
assert len(bridges) == 2 and aps == bridges, (aps, bridges)
A = [i for i, n in enumerate(nodes) if n["role"] == "core_a"]
B = [i for i, n in enumerate(nodes) if n["role"] == "core_b"]
H = G.copy()
H.add_edges_from(("s", a) for a in A)
H.add_edges_from(("t", b) for b in B)
k = nx.node_connectivity(H, "s", "t")
cut = {owner[p] for p in t["bottleneck"]["cut"]}
assert k == t["bottleneck"]["size"] == len(cut) == 2, k
H.remove_nodes_from(cut)
assert not nx.has_path(H, "s", "t"), "the planted cut does not separate the halves"
# heavy tail: the best-connected answering node lists several times the median
deg = sorted(len(n["advertises"]) for n in nodes if n["reveals"] == "advertise")
assert deg[-1] >= 3 * deg[len(deg) // 2], deg[-5:]
print("CHECKED: planted cut", k, "separates the halves; articulation points = bridges",
      sorted(nodes[b]["point"] for b in bridges))
PY

# --- a port already taken: a clear error and a clean exit status 1, no crash -----
$PY - "$tmp/port" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.bind(("::1", 0)); s.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(20)
PY
holder=$!
for _ in $(seq 100); do [ -f "$tmp/port" ] && break; sleep 0.05; done
printf 'topology:\n  v6_port_base: %s\n' "$(cat "$tmp/port")" >"$tmp/taken.yaml"
for attempt in 1 2 3; do # another suite may hold one of our IPv4 points: try another range
  set +e
  "$sim" --config "$tmp/taken.yaml" --nodes 60 --base "127.$((64 + RANDOM % 180)).0.0" \
    --truth "$tmp/tk.json" 2>"$tmp/err"
  rc=$?
  set -e
  grep -q "cannot listen on \[::1\]" "$tmp/err" && break
done
kill "$holder" 2>/dev/null || true
[ "$rc" = 1 ] || fail "taken port: exit status $rc, want 1"
grep -q "cannot listen on \[::1\]:$(cat "$tmp/port"): Address already in use" "$tmp/err" \
  || fail "taken port: unclear error: $(cat "$tmp/err")"
echo "taken port: ok"

# --- base ::1: every node on [::1], one port each -----------------------------------
"$sim" --base ::1 --nodes 40 --truth "$tmp/v6.json" --dry-run 2>/dev/null
$PY -c 'import json,sys; t=json.load(open(sys.argv[1])); assert all(p.startswith("[::1]:") for n in t["nodes"] for p in n["points"]), "not all on ::1"' "$tmp/v6.json"
if "$sim" --base ::1 --nodes 20000 --truth "$tmp/v6.json" --dry-run 2>/dev/null; then fail "20000 nodes on ::1 accepted"; fi

# --- a live run: ready file, listeners, clean SIGTERM -----------------------------
for attempt in 1 2 3; do # another suite may hold one of our points: try another range
  # epoch 1: the churned nodes too must be bound (came up) or refused (went down)
  "$sim" --nodes 300 --seed 5 --base "$base" --epoch 1 --truth "$tmp/live.json" --ready "$tmp/ready" \
    --violations "$tmp/v.jsonl" 2>"$tmp/log" &
  pid=$!
  for _ in $(seq 200); do [ -f "$tmp/ready" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  [ -f "$tmp/ready" ] && break
  wait "$pid" || true
  pid=
  echo "simnet on $base did not start: $(tail -1 "$tmp/log")" >&2
  base="127.$((64 + RANDOM % 180)).0.0"
done
[ -f "$tmp/ready" ] || fail "no ready file: $(cat "$tmp/log")"
[ -f "$tmp/live.json" ] || fail "ready before the truth file"
$PY - "$tmp/live.json" "$tmp/ready" <<'PY'
import json, socket, sys
t = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
assert t["epoch"] == 1 and len(t["churn"]["came_up"]) > 0 and len(t["churn"]["went_down"]) > 0
listening = [p for n in t["nodes"] if n["behavior"] != "no_listen" for p in n["points"]]
assert r["listeners"] == len(listening), (r, len(listening))
def dial(p):
    h, port = p.rsplit(":", 1)
    h = h.strip("[]")
    s = socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET)
    s.settimeout(2)
    try:
        s.connect((h, int(port))); return "open"
    except ConnectionRefusedError:
        return "refused"
    finally:
        s.close()
# every listening point accepts, every no_listen point refuses
for n in t["nodes"]:
    want = "refused" if n["behavior"] == "no_listen" else "open"
    for p in n["points"]:
        assert dial(p) == want, (p, n["behavior"])
print("CHECKED:", len(listening), "listening points open, no_listen points refused")
PY
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "still running after SIGTERM"
wait "$pid" || fail "non-zero exit after SIGTERM: $(tail -3 "$tmp/log")"
pid=
grep -q "stopping" "$tmp/log" || fail "no clean stop logged"
echo "live: ok"
