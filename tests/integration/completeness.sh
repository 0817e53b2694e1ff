#!/usr/bin/env bash
# Completeness estimate (docs/methodology.md, "Completeness") on two simnet
# worlds crawled into PostgreSQL and analysed:
#  - "rare": every core node knows more than 50 points (min_degree 50), so its
#    Advertise is a sample, and each non-core public node (nack, private) is
#    known by one core node only, after its neighbours: only a random pick
#    names it, and a three-round crawl misses some. Crawled three times (simnet's
#    samples differ run to run): the 95% interval must contain the truth (the
#    public nodes of the truth file) in at least two of the three runs, the
#    crawl must have missed something in at least one, and the estimate must
#    not be below what was seen.
#  - "seen": the default world, whose lists hold every candidate: the crawl
#    sees every public node and the interval is the single point = the truth.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

run() { # name seed simnet-args... : crawl and analyse; writes $TMP/$name.json
  local name=$1 seed=$2
  shift 2
  start_simnet --seed "$seed" "$@"
  cp "$TMP/truth.json" "$TMP/truth-$name.json"
  read -r -a seeds <<<"$(seeds_args 3)"
  local rc=0
  "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
    "${seeds[@]}" --handshake-timeout 2 --bootstrap-rounds 3 --vantage "cmp-$name" --json \
    >"$TMP/summary-$name.json" 2>"$TMP/crawl-$name.log" || rc=$?
  stop_simnet
  [ "$rc" = 0 ] || { cat "$TMP/crawl-$name.log" >&2; fail "crawl $name exited $rc"; }
  local id
  id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' \
    "$TMP/summary-$name.json")
  "$BIN/tzcensus-analyze" --db "$DATABASE_URL" --crawl "$id" --out "$TMP/a-$name" --seed 1 \
    2>"$TMP/a-$name.log" || { cat "$TMP/a-$name.log" >&2; fail "analyze $name"; }
}

seed=$((1000 + RANDOM % 9000))
sed -e 's/^  min_degree: 3 /  min_degree: 50 /' -e 's/^  listed_by: 3 /  listed_by: 1 /' \
  -e 's/^  nat_listed_by: 3 /  nat_listed_by: 1 /' "$ROOT/config/simnet.yaml" >"$TMP/rare.yaml"
grep -q '^  min_degree: 50 ' "$TMP/rare.yaml" || fail "config/simnet.yaml changed: fix the sed"
grep -q '^  listed_by: 1 ' "$TMP/rare.yaml" || fail "config/simnet.yaml changed: fix the sed"
for i in 1 2 3; do run "rare$i" "$seed" --config "$TMP/rare.yaml" --nodes 400; done
run seen "$seed" --nodes 200

"$PY" - "$TMP" <<'PYEOF'
import json, sys
tmp = sys.argv[1]
PUBLIC = {"public", "old_version", "low_pow", "shared_ip", "multihomed", "nack", "private"}
def get(name):
    t = json.load(open("%s/truth-%s.json" % (tmp, name)))
    truth = sum(1 for n in t["nodes"] if n["behavior"] in PUBLIC)
    c = json.load(open("%s/a-%s/report.json" % (tmp, name)))["completeness"]
    return truth, c
errors, inside, missed, widths = [], 0, 0, []
for i in (1, 2, 3):
    truth, c = get("rare%d" % i)
    print("rare%d: truth %d, observed %d, estimate %.1f [%.1f, %.1f], q1 %d q2 %d, t %d"
          % (i, truth, c["observed"], c["estimate"], c["low"], c["high"], c["caught_once"],
             c["caught_twice"], c["occasions"]))
    if c["method"] != "chao-bootstrap-rounds" or c["occasions"] != 3:
        errors.append("rare%d: method %s, occasions %s" % (i, c["method"], c["occasions"]))
    if not c["observed"] <= c["low"] <= c["estimate"] <= c["high"]:
        errors.append("rare%d: not observed <= low <= estimate <= high: %s" % (i, c))
    inside += c["low"] <= truth <= c["high"]
    missed += c["observed"] < truth
    widths.append(c["high"] - c["low"])
if inside < 2:
    errors.append("the interval held the truth in %d of 3 runs" % inside)
if missed < 1:
    errors.append("no run missed a public node: the rare world is not rare")
truth, c = get("seen")
print("seen: truth %d, observed %d, estimate %.1f [%.1f, %.1f]"
      % (truth, c["observed"], c["estimate"], c["low"], c["high"]))
if not (c["observed"] == c["low"] == c["estimate"] == c["high"] == truth):
    errors.append("seen: the interval should be exactly the truth %d: %s" % (truth, c))
if not c["high"] - c["low"] < min(widths):
    errors.append("seen: the interval did not shrink")
if errors:
    print("FAIL: completeness:\n  " + "\n  ".join(errors))
    sys.exit(1)
print("ok: completeness interval held the truth in %d of 3 rare runs; exact when all is seen"
      % inside)
PYEOF
