#!/usr/bin/env bash
# Nacks lost to old nodes' abortive close (docs/crawler.md, "Lost Nacks"): a
# simnet world with every behaviour in which every node closes as Octez <= v21
# does (no TCP_NODELAY; with the client's bytes unread its Nack is never sent
# and the close resets), 0-30 ms of latency per node. The crawl must still
# record every nack node `nack` with its motive and its list (crawl_check.py:
# outcome, motive and edges against the truth), every wrong_chain node
# `foreign` with its Nack's motive (and no point that only the foreign network
# lists dialed: a violation), every private node `closed`, one visit per point,
# and simnet must have reset connections (the model did fire).
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

cat >"$TMP/world.yaml" <<'YAML'
old_close:
  public: 1
  stall: 1
  silent_close: 1
  nack: 1
  private: 1
  wrong_chain: 1
  old_version: 1
  low_pow: 1
  shared_ip: 1
  multihomed: 1
YAML
start_simnet --config "$TMP/world.yaml" --nodes 400 --seed 23 --latency-ms 0:30
read -r -a seeds <<<"$(seeds_args 3)"

rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --vantage oldclose --json --verbose \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
stop_simnet
cat "$TMP/summary.json"
[ "$rc" = 0 ] || { tail -n 20 "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }
resets=$(sed -n 's/.* \([0-9][0-9]*\) old-close resets.*/\1/p' "$TMP/simnet.log")
echo "simnet: ${resets:-?} old-close resets"
[ "${resets:-0}" -gt 0 ] || { tail -n 3 "$TMP/simnet.log" >&2; fail "no old-close reset: the world does not model the loss"; }

id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")
dump_crawl "$id"
"$PY" "$HERE/crawl_check.py" "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" \
  "$TMP/crawl.tsv" "$TMP/violations.jsonl" "$TMP/summary.json" full

# Every nack node recorded once, `nack`, with its motive and at least one
# Nack edge; private nodes `closed`; no point visited twice.
"$PY" - "$TMP/truth.json" "$TMP/visits.tsv" "$TMP/edges.tsv" <<'PY'
import collections, json, sys
truth = json.load(open(sys.argv[1]))
visits = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
edges = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.strip()]
by_point = collections.defaultdict(list)
for point, outcome, attempt, peer, error, head, motive in visits:
    by_point[point].append((outcome, motive, error))
nack_src = collections.Counter(e[0] for e in edges if e[2] == "nack")
bad = []
n_nack = n_priv = 0
for n in truth["nodes"]:
    p = n["point"]
    assert n["old_close"] or n["behavior"] == "no_listen", p
    if n["behavior"] == "nack":
        n_nack += 1
        got = by_point.get(p, [])
        if [(o, m) for o, m, _ in got] != [("nack", str(n["nack_motive"]))]:
            bad.append("nack node %s: visits %s" % (p, got))
        elif n["advertises"] and nack_src[p] == 0:
            bad.append("nack node %s: no nack edge" % p)
    elif n["behavior"] == "private":
        n_priv += 1
        got = by_point.get(p, [])
        if [o for o, _, _ in got] != ["closed"]:
            bad.append("private node %s: visits %s" % (p, got))
twice = [p for p, v in by_point.items() if len(v) > 1 and not any("Already_connected" in e for _, _, e in v)]
if twice:
    bad.append("points visited more than once: %s" % twice[:5])
print("nack nodes %d, private nodes %d, nack edges %d" % (n_nack, n_priv, sum(nack_src.values())))
if n_nack == 0 or n_priv == 0:
    bad.append("the world has no nack or no private node")
if bad:
    print("\n".join(bad[:20]), file=sys.stderr)
    sys.exit(1)
PY
redials=$(grep -c 'dialing again in lock step' "$TMP/crawl.log" || true)
echo "crawler: $redials lock-step redials after a reset"
echo "old close: ok"
