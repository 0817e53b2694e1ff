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

# Stored: each node's asn, country and provider as the truth says; the
# database's vendor and date on the analysis; nodes_per_as sums to the public nodes.
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT n.node, n.kind, n.class, array_to_string(n.points, ' '), coalesce(n.asn::text, ''),
         coalesce(n.as_name, ''), coalesce(n.country, ''), coalesce(n.provider, '')
  FROM node_metrics n WHERE n.analysis_id = (SELECT max(id) FROM analyses)" >"$TMP/stored.tsv"
"$PY" - "$TMP/truth.json" "$TMP/stored.tsv" "$TMP/providers.yaml" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
prov = {64496: "Hyperscale", 64497: "Budget group", 64502: "Budget group"}
by = {}
for n in t["nodes"]:
    by[n["peer_id"]] = n
    for p in n["points"]:
        by[p] = n
rows = pub = 0
for line in open(sys.argv[2]):
    node, kind, cls, points, asn, name, cc, provider = line.rstrip("\n").split("\t")
    n = by.get(node if kind == "peer_id" else points.split(" ")[0])
    if n is None:
        continue  # a data point of no node
    rows += 1
    pub += cls == "public"
    want = ("" if n["asn"] is None else str(n["asn"]), n["as_name"] or "", n["country"] or "",
            "" if n["asn"] is None else prov.get(n["asn"], "other"))
    if (asn, name, cc, provider) != want:
        sys.exit("FAIL: node_metrics %s: %r, truth %r" % (node, (asn, name, cc, provider), want))
if pub < 20:
    sys.exit("FAIL: only %d public rows in node_metrics" % pub)
print("stored locations: %d nodes as the truth says" % rows)
PY
got=$(psql "$DATABASE_URL" -qAt -F ' ' -c "
  SELECT location_db_vendor, location_db_created IS NOT NULL,
         (SELECT sum(nodes) FROM nodes_per_as v WHERE v.crawl_id = a.crawl_id),
         metrics->'concentration'->'by_asn'->>'nodes'
  FROM analyses a ORDER BY id DESC LIMIT 1")
set -- $got
[ "$1" = tzcensus-simnet ] && [ "$2" = t ] || fail "analyses location columns: $got"
[ "$3" = "$4" ] || fail "nodes_per_as sums to $3, by_asn counts $4"
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
