#!/usr/bin/env bash
# The RPC probe (docs/crawler.md, "Which Octez release") against simnet RPC
# servers, some of them hostile, in the throwaway PostgreSQL:
#  - every node that serves /version is stored with exactly the truth's
#    release; every hostile answer (slow, huge, not_json, redirect,
#    garbage_chunks) is stored as the matching error; a public node without
#    an RPC server as a connect error; nothing for a node that is not public;
#  - simnet's RPC log: one request per RPC node at most, none to an address
#    the policy refuses (one RPC node's /32 is denied), no redirect followed;
#  - http_proxy in the environment is not used;
#  - the analyzer's report.json releases equal the truth's counts, and its
#    report (--report) shows them: coverage line, releases.csv; the node
#    history (report.json history, from the database) gives the same
#    releases for this crawl, in its versions too;
#  - the journal replayed adds no row;
#  - a crawl with the probe off touches no RPC port (simnet's RPC log), and
#    its report says the probe was off, with no releases table; its history
#    has null releases for it and the first crawl's releases, charted over
#    time.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

cat >"$TMP/sim.yaml" <<'YAML'
rpc:
  share: 0.6
  hostile: 0.25
  slow_ms: 8000
  releases: ["v22.1=6", "v21.4=3", "v23.0~rc1=1", "v23.0+dev=1"]
YAML
start_simnet --nodes 400 --seed 23 --config "$TMP/sim.yaml" --rpc-log "$TMP/rpc.jsonl"
read -r -a seeds <<<"$(seeds_args 3)"

# deny the first RPC node that is not a seed: the crawl never dials it, so never asks it
denied=$("$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))
seeds = set(t["seeds"])
for n in t["nodes"]:
    if n.get("rpc") == "version" and n["point"] not in seeds:
        print(n["point"].rsplit(":", 1)[0]); break
' "$TMP/truth.json")
[ -n "$denied" ] || fail "no RPC node to deny"

cfg() { # cfg ENABLED
  cat "$ROOT/config/demo.yaml"
  printf 'deny: [%s/32]\nrpc_probe:\n  enabled: %s\n  ports: [8732]\n  timeout: 3\n' "$denied" "$1"
}
cfg true >"$TMP/crawl_on.yaml"
cfg false >"$TMP/crawl_off.yaml"

# a proxy in the environment must not be used (it would turn every answer into an error)
rc=0
http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9 \
"$CRAWL" --config "$TMP/crawl_on.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --journal "$TMP/crawl.journal" --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
cat "$TMP/summary.json"
[ "$rc" = 0 ] || { cat "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")

psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT p.point, r.port, coalesce(r.peer_id, ''), coalesce(r.http_status::text, ''),
         coalesce(n.release, ''), coalesce(r.error, ''), coalesce(r.commit_hash, '')
  FROM rpc_versions r JOIN points p ON p.id = r.point_id
  LEFT JOIN node_releases n ON n.crawl_id = r.crawl_id AND n.point_id = r.point_id AND n.port = r.port
  WHERE r.crawl_id = $id ORDER BY p.point" >"$TMP/rpc.tsv"
dump_crawl "$id"

"$CRAWL" --replay "$TMP/crawl.journal" --db "$DATABASE_URL" >"$TMP/replay.log" 2>&1 ||
  { cat "$TMP/replay.log" >&2; fail "replay failed"; }
rows=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM rpc_versions WHERE crawl_id = $id")
[ "$rows" = "$(wc -l <"$TMP/rpc.tsv")" ] || fail "replaying the journal changed rpc_versions: $rows rows"
n=$(wc -l <"$TMP/rpc.tsv")
grep -q "RPC answers $n read / 0 added" "$TMP/replay.log" ||
  { cat "$TMP/replay.log" >&2; fail "the replay did not read the $n RPC answers, or added some"; }

"$BIN/tzcensus-analyze" --db "$DATABASE_URL" --crawl "$id" --out "$TMP/out" --report \
  >"$TMP/analyze.log" 2>&1 ||
  { cat "$TMP/analyze.log" >&2; fail "analyzer failed"; }

"$PY" - "$TMP/truth.json" "$TMP/rpc.tsv" "$TMP/visits.tsv" "$TMP/rpc.jsonl" \
  "$TMP/out/report.json" "$denied" "$TMP/summary.json" <<'PY'
import collections, json, sys
truth, rpc_tsv, visits_tsv, log_path, report_path, denied, summary = sys.argv[1:]
t = json.load(open(truth))
bad = []
node_of = {n["point"]: n for n in t["nodes"]}
rows = {}
for line in open(rpc_tsv):
    point, port, peer, status, release, error, commit = line.rstrip("\n").split("\t")
    if (point, port) in rows:
        bad.append(f"{point}:{port} stored twice")
    rows[(point, port)] = (peer, status, release, error, commit)
public = set()
for line in open(visits_tsv):
    f = line.rstrip("\n").split("\t")
    if f[3] and f[1] not in ("foreign", "self"):
        public.add(f[0])
def addr(point):
    return point.rsplit(":", 1)[0]
# one request per public address (shared_ip nodes and [::1] share one)
by_addr = collections.defaultdict(set)
for p in public:
    by_addr[addr(p)].add(p)
rpc_node = {addr(n["point"]): n for n in t["nodes"] if n.get("rpc", "none") != "none"}
want_error = {"slow": "timeout:", "huge": "too_large:", "not_json": "not_json:",
              "redirect": "redirect:", "garbage_chunks": "transfer:", "none": "connect:"}
kinds = collections.Counter()
row_addr = collections.Counter(addr(p) for (p, port) in rows)
for a, points in sorted(by_addr.items()):
    asked = [(p, rows[(p, "8732")]) for p in sorted(points) if (p, "8732") in rows]
    if len(asked) != 1 or row_addr[a] != 1:
        bad.append(f"{a}: public, asked {len(asked)} times")
        continue
    point, (peer, status, release, error, commit) = asked[0]
    n = rpc_node.get(a)
    kind = n["rpc"] if n else "none"
    kinds[kind] += 1
    if peer != node_of.get(point, {}).get("peer_id", peer):
        bad.append(f"{point}: peer_id {peer} is not the truth's")
    if kind == "version":
        if error or release != n["release"] or status != "200" or len(commit) != 40:
            bad.append(f"{point}: release {release!r} error {error!r}, truth {n['release']}")
    elif not error.startswith(want_error[kind]) or release:
        bad.append(f"{point}: {kind} stored as error {error!r}")
for (point, port) in rows:
    if point not in public or port != "8732":
        bad.append(f"{point}: asked on {port} but not a public point")
for k in ("version", "slow", "huge", "not_json", "redirect", "garbage_chunks", "none"):
    if kinds[k] == 0:
        bad.append(f"no public node of RPC kind {k}: the world does not test it")
# simnet's log: each RPC node asked once, never the denied address, no redirect followed
asked = collections.Counter()
for line in open(log_path):
    e = json.loads(line)
    asked[e["node"]] += 1
    if e["path"] != "/version":
        bad.append(f"{e['node']}: request for {e['path']} (a redirect followed?)")
    if e["node"].rsplit(":", 1)[0] == denied:
        bad.append(f"{e['node']}: RPC request to an address the policy refuses")
for node, k in asked.items():
    if k != 1:
        bad.append(f"{node}: {k} RPC requests")
if denied + ":9732" in public:
    bad.append("the denied node was dialed")
# report.json releases: the truth's counts over the public nodes asked
rel = json.load(open(report_path))["releases"]
want = collections.Counter(n["release"] for a, n in rpc_node.items()
                           if n["rpc"] == "version" and n["point"] in public)
got = {e["release"]: e["nodes"] for e in rel["top"]}
if got != dict(want):
    bad.append(f"report releases {got} != truth {dict(want)}")
known = sum(want.values())
if rel["known"] != known or abs(rel["coverage"] - known / rel["public_nodes"]) > 1e-9:
    bad.append(f"report coverage {rel}")
# the rendered report shows the same figures
html = open(report_path.replace("report.json", "report.html"), encoding="utf-8").read()
line = "Release known for %d of %d public nodes (coverage %.1f%%)." % (
    known, rel["public_nodes"], 100 * rel["coverage"])
if line not in html or "known only for nodes with a public RPC" not in html:
    bad.append(f"report.html lacks {line!r} or the public-RPC sentence")
csv_rows = open(report_path.replace("report.json", "releases.csv")).read().splitlines()[1:]
got_csv = {r.split(",")[0].strip('"'): int(r.split(",")[1]) for r in csv_rows}
if got_csv != dict(want):
    bad.append(f"releases.csv {got_csv} != truth {dict(want)}")
# the node history (load_history_db: node_releases by point) agrees
cid = json.load(open(summary))["crawl_id"]
hc = [c for c in json.load(open(report_path))["history"]["crawls"] if c["crawl_id"] == cid]
if len(hc) != 1 or {e["release"]: e["nodes"] for e in hc[0]["releases"] or []} != dict(want):
    bad.append(f"history releases of crawl {cid}: {hc and hc[0]['releases']} != {dict(want)}")
elif sum(v["nodes"] for v in hc[0]["versions"] if "release" in v) != known:
    bad.append(f"history versions of crawl {cid} give releases to other than {known} nodes")
s = json.load(open(summary))["rpc_probe"]
if s["releases"] != known or s["asked"] != len(rows):
    bad.append(f"summary rpc_probe {s}: {known} releases, {len(rows)} rows")
for b in bad:
    print("FAIL:", b)
print(f"rpc probe: {len(by_addr)} public addresses asked, kinds {dict(kinds)}, "
      f"{known} releases, report {got}")
sys.exit(1 if bad else 0)
PY

# The probe off: the same crawl touches no RPC port.
before=$(wc -l <"$TMP/rpc.jsonl")
rc=0
"$CRAWL" --config "$TMP/crawl_off.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --json >"$TMP/summary2.json" 2>"$TMP/crawl2.log" || rc=$?
stop_simnet
[ "$rc" = 0 ] || { cat "$TMP/crawl2.log" >&2; fail "crawl without the probe exited $rc"; }
after=$(wc -l <"$TMP/rpc.jsonl")
[ "$before" = "$after" ] || fail "the probe is off, yet $((after - before)) RPC requests reached simnet"
grep -q "rpc: $before connections," "$TMP/simnet.log" ||
  { tail -n 3 "$TMP/simnet.log" >&2; fail "simnet counted RPC connections beyond the first crawl's $before"; }
id2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary2.json")
n=$(psql "$DATABASE_URL" -qAt -c "SELECT count(*) FROM rpc_versions WHERE crawl_id = $id2")
[ "$n" = 0 ] || fail "the probe is off, yet $n rpc_versions rows"
"$BIN/tzcensus-analyze" --db "$DATABASE_URL" --crawl "$id2" --out "$TMP/out2" --report \
  >"$TMP/analyze2.log" 2>&1 || { cat "$TMP/analyze2.log" >&2; fail "analyzer failed (probe off)"; }
grep -q "The crawler&#39;s RPC probe was off for this crawl" "$TMP/out2/report.html" ||
  fail "the probe-off report does not say the probe was off"
[ ! -e "$TMP/out2/releases.csv" ] || fail "the probe-off report has releases.csv"
"$PY" - "$TMP/out/report.json" "$TMP/out2" "$id" "$id2" <<'PY' || fail "releases over time"
import json, sys
first, out2, id1, id2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
top = {e["release"]: e["nodes"] for e in json.load(open(first))["releases"]["top"]}
crawls = {c["crawl_id"]: c for c in json.load(open(out2 + "/report.json"))["history"]["crawls"]}
bad = []
if crawls[id2]["releases"] is not None:
    bad.append("the probe-off crawl has releases in its history: %s" % crawls[id2]["releases"])
if {e["release"]: e["nodes"] for e in crawls[id1]["releases"] or []} != top:
    bad.append("the first crawl's releases in the second's history differ from its report")
html = open(out2 + "/report.html", encoding="utf-8").read()
if '<svg id="releases_over_time"' not in html:
    bad.append("no releases-over-time chart in the probe-off crawl's report")
rows = open(out2 + "/releases_over_time.csv").read().splitlines()[1:]
if sorted(r.split(",")[0] for r in rows if r.split(",")[0] == str(id1)) != [str(id1)] * len(top):
    bad.append("releases_over_time.csv: %d rows of crawl %d for %d releases" % (len(rows), id1, len(top)))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "crawl with the RPC probe: ok"
