#!/usr/bin/env bash
# Where the nodes are: a simnet world with its location database
# (tzcensus-simnet --location-db), crawled and analyzed with --location-db and
# a providers file; every location figure is recomputed from the truth file
# by location_check.py (graph.as_level and the AS attack curve with
# networkx); --anonymize keeps them; the database keeps each node's AS,
# country and provider, and the researchers' view counts nodes per AS.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
ANALYZE="$BIN/tzcensus-analyze"
CHECK="$HERE/location_check.py"

# A providers file for the simulated ASes (RFC 5398 numbers, config/simnet.yaml).
cat >"$TMP/providers.yaml" <<'YAML'
providers:
  - name: Hyperscale
    source: config/simnet.yaml
    asns: [64496]
  - name: Budget group
    source: config/simnet.yaml
    asns: [64497, 64502]
YAML

start_simnet --config "$ROOT/config/simnet.yaml" --nodes 240 --seed 31 --location-db "$TMP/loc.db"
[ -s "$TMP/loc.db" ] || fail "simnet wrote no location database"
read -r -a seeds <<<"$(seeds_args 3)"
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --journal "$TMP/c.journal" --json \
  >"$TMP/summary.json" 2>"$TMP/crawl.log" || { cat "$TMP/crawl.log" >&2; fail "crawl"; }
stop_simnet

# From the database (stored), and from the journal with --anonymize: same figures.
"$ANALYZE" --db "$DATABASE_URL" --out "$TMP/a" --location-db "$TMP/loc.db" \
  --providers "$TMP/providers.yaml" 2>"$TMP/analyze.log" || { cat "$TMP/analyze.log" >&2; fail "analyze"; }
"$PY" "$CHECK" "$TMP/truth.json" "$TMP/a" "$TMP/providers.yaml"
"$ANALYZE" --journal "$TMP/c.journal" --out "$TMP/anon" --anonymize --location-db "$TMP/loc.db" \
  --providers "$TMP/providers.yaml" 2>/dev/null
"$PY" - "$TMP/a/report.json" "$TMP/anon/report.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("by_asn", "by_country", "by_provider"):
    if a["concentration"][k] != b["concentration"][k]:
        sys.exit("FAIL: --anonymize changed concentration.%s" % k)
for k in ("as_level",):
    if a["graph"][k] != b["graph"][k]:
        sys.exit("FAIL: --anonymize changed graph.%s" % k)
if a["location"]["coverage"] != b["location"]["coverage"]:
    sys.exit("FAIL: --anonymize changed location.coverage")
PY

# Without a location database: location is null and no by_asn is written.
"$ANALYZE" --journal "$TMP/c.journal" --out "$TMP/none" --no-location 2>/dev/null
"$PY" - "$TMP/none/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["location"] is None, r["location"]
assert "by_asn" not in r["concentration"] and "as_level" not in r["graph"]
PY
# A missing database or a bad providers file fails before anything is read.
if "$ANALYZE" --journal "$TMP/c.journal" --out "$TMP/x" --location-db "$TMP/nope.db" 2>"$TMP/err"; then
  fail "--location-db of a missing file succeeded"
fi
grep -q "nope.db" "$TMP/err" || fail "no message naming the missing database"
printf 'providers:\n  - {name: X, asns: [0]}\n' >"$TMP/bad.yaml"
if "$ANALYZE" --journal "$TMP/c.journal" --out "$TMP/x" --location-db "$TMP/loc.db" \
  --providers "$TMP/bad.yaml" 2>"$TMP/err"; then
  fail "a bad providers file was accepted"
fi
grep -q "bad.yaml:2" "$TMP/err" || { cat "$TMP/err" >&2; fail "no file:line in the providers error"; }
echo "location: ok"
