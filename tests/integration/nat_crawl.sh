#!/usr/bin/env bash
# NAT diagnostics from a crawl (report.json `nat`, docs/analyzer.md) equal the
# truth: a simnet world with every case -- private, CGNAT, link-local and
# Docker-bridge points in lists (topology.data_points, nat.private_points),
# nodes announcing another port than they listen on (nat.port_mismatch),
# several peer ids at one address (shared_ip, the [::1] nodes), points that
# refuse (no_listen) -- crawled into PostgreSQL and a journal, analyzed from
# both; nat_check.py computes every figure from the truth file alone.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup

cat >"$TMP/world.yaml" <<'YAML'
nat:
  private_points: 15
  port_mismatch: 4
topology:
  data_points: 18
rules:
  advertise_size: 100
YAML
start_simnet --config "$TMP/world.yaml" --nodes 160 --seed 53
rc=0
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  $(seeds_args 3) --handshake-timeout 2 --journal "$TMP/crawl.journal" --vantage nat-test \
  --json >"$TMP/summary.json" 2>"$TMP/crawl.log" || rc=$?
stop_simnet
[ "$rc" = 0 ] || { tail -n 20 "$TMP/crawl.log" >&2; fail "crawl exited $rc"; }
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/summary.json")

ANALYZE="$BIN/tzcensus-analyze"
"$ANALYZE" --db "$DATABASE_URL" --crawl "$id" --out "$TMP/adb" --seed 3 2>"$TMP/adb.log" ||
  { cat "$TMP/adb.log" >&2; fail "analyze --db"; }
"$ANALYZE" --journal "$TMP/crawl.journal" --out "$TMP/ajn" --seed 3 2>"$TMP/ajn.log" ||
  { cat "$TMP/ajn.log" >&2; fail "analyze --journal"; }
"$PY" "$HERE/nat_check.py" "$TMP/truth.json" "$TMP/adb/report.json" "$TMP/ajn/report.json"
echo "PASS nat_crawl"
