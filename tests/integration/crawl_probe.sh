#!/usr/bin/env bash
# --probe against one node of each simnet behaviour: the JSON says what the
# truth file says (outcome, peer id, head level, advertised points), exit
# status 0 only for a completed handshake; a documentation-range address is
# refused by policy without a packet; no violation recorded by simnet.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

start_simnet --nodes 300 --seed 3

"$PY" - "$TMP/truth.json" >"$TMP/targets.tsv" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
seen = {}
for n in t["nodes"]:
    if not n.get("foreign_only"):  # never to be dialed: a violation in simnet
        seen.setdefault(n["behavior"], n)
for b, n in sorted(seen.items()):
    print("%s\t%s" % (b, n["point"]))
PY
nb=$(wc -l <"$TMP/targets.tsv")
[ "$nb" -ge 11 ] || fail "the world has only $nb behaviours"

while IFS=$'\t' read -r beh point; do
  rc=0
  "$CRAWL" --probe "$point" --allow 127.0.0.0/8 --allow ::1 --identity "$TMP/id.json" \
    --handshake-timeout 2 --expected-pow 0 >"$TMP/probe.json" 2>"$TMP/probe.err" || rc=$?
  "$PY" - "$TMP/truth.json" "$TMP/probe.json" "$beh" "$point" "$rc" <<'PY' || { cat "$TMP/probe.json" "$TMP/probe.err" >&2; fail "probe $beh $point"; }
import json, sys
truth, probe, beh, point, rc = sys.argv[1:6]
t = json.load(open(truth))
p = json.load(open(probe))
n = next(n for n in t["nodes"] if point in n.get("points", [n["point"]]))
EXPECT = {"public": "ok", "old_version": "ok", "low_pow": "ok", "shared_ip": "ok",
          "multihomed": "ok", "no_listen": "refused", "stall": "handshake_timeout",
          "silent_close": "silent_close", "nack": "nack", "private": "closed",
          "wrong_chain": "foreign"}
want = n.get("expected_outcome", EXPECT[beh])
assert p["point"] == point, p["point"]
assert p["outcome"] == want, (beh, p["outcome"], want, p["error"])
assert (rc == "0") == (want == "ok"), ("exit status", rc)
if want in ("ok", "nack", "foreign", "closed"):
    assert p["peer_id"] == n["peer_id"], (p["peer_id"], n["peer_id"])
    assert p["chain_name"] == n["chain_name"], p["chain_name"]
    assert p["pow_bits"] == n["pow_bits"], (p["pow_bits"], n["pow_bits"])
    assert p["distributed_db_version"] == n["ddb_version"]
if want in ("ok", "closed"):
    assert p["private_node"] == n["private_node"], p["private_node"]
if want == "ok":
    assert p["head"]["level"] == n["head_level"], (p["head"], n["head_level"])
    got = {a["point"] for a in p["advertised"]}
    assert got <= set(n["advertises"]), got - set(n["advertises"])
    if n["advertises"]:
        assert got, "no advertised point"
if n.get("nack_motive") is not None:
    assert p["nack_motive"] == n["nack_motive"], (p["nack_motive"], n["nack_motive"])
if want == "nack":
    assert p["nack_motive_name"] == "Too_many_connections", p["nack_motive_name"]
    assert {a["point"] for a in p["advertised"]} <= set(n["advertises"])
if want == "foreign":
    assert p["chain_ok"] is False
if want in ("refused",):
    assert p["peer_id"] is None
print("probe %-13s %-22s -> %s" % (beh, point, p["outcome"]))
PY
done <"$TMP/targets.tsv"

# A documentation address: policy, exit 1, and no connection attempted.
rc=0
"$CRAWL" --probe 203.0.113.7:9732 --identity "$TMP/id.json" --expected-pow 0 >"$TMP/probe.json" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "probe of 203.0.113.7 exit $rc, want 1"
grep -q '"outcome": "policy"' "$TMP/probe.json" || fail "203.0.113.7 not refused by policy"
grep -q '"connect_ms": null' "$TMP/probe.json" || fail "203.0.113.7 was dialed"

stop_simnet
if [ -s "$TMP/violations.jsonl" ]; then cat "$TMP/violations.jsonl" >&2; fail "simnet violations"; fi
echo "probe of every behaviour: ok"
