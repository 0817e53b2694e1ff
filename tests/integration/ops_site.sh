#!/usr/bin/env bash
# tzcensus-analyze --site DIR on a synthetic history (rows written by SQL, no
# crawl): 400 nights of one vantage and chain, nights refused by the gate,
# unfinished, of another vantage and of another chain, and a night analyzed
# twice. index.html lists exactly the published comparable nights with the
# figures of each night's latest analysis, links the nights whose report is
# in DIR/nights/ID/, charts 30/90/365 days, and is self-contained (no script,
# no outside address, nothing fetched). Headless Chromium loads it with the
# network off and the DOM it builds says the same; a screenshot is kept in
# $TZCENSUS_SITE_SHOT when set (to look at).
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
if [ ! -x "$BIN/tzcensus-analyze" ] || [ ! -x "$BIN/tzcensus-crawl" ]; then
	echo "SKIP: $BIN/tzcensus-analyze or tzcensus-crawl is not built yet"
	exit 0
fi
: "${DATABASE_URL:?run under scripts/with-pg.sh (make check)}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-site-test.XXXXXX")
dbname=tzc_site_$$
cleanup() {
	psql -X -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

psql -X -q -d "$DATABASE_URL" -c "CREATE DATABASE $dbname" || { echo "FAIL: CREATE DATABASE"; exit 1; }
db=$("$PY" -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$DATABASE_URL" "$dbname")
"$BIN/tzcensus-crawl" --migrate --db "$db" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; echo "FAIL: migrate"; exit 1; }

# Night k (0 = today) of vantage v: public = 1000 + k, ratio = k / 1000,
# backbone = k % 7. Nights 5 and 17 refused by the gate, 9 never gated,
# night 3 aborted; vantage "elsewhere" and chain TEZOS_OTHER on the same
# days, a minute earlier (so the default reference is home's); night 2
# analyzed twice (the second analysis, public 77777, wins).
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$tmp/sql.log" 2>&1 <<'EOF' || { cat "$tmp/sql.log"; echo "FAIL: synthetic history"; exit 1; }
INSERT INTO crawls (uuid, started_at, finished_at, status, vantage, config, publishable)
SELECT gen_random_uuid(), now() - make_interval(days => k) - interval '1 hour'
         + CASE WHEN v = 'home' AND ch = 'TEZOS_MAINNET' THEN interval '1 minute' ELSE interval '0' END,
       now() - make_interval(days => k), CASE WHEN k = 3 THEN 'aborted' ELSE 'finished' END,
       v, jsonb_build_object('chain', ch),
       CASE WHEN k IN (5, 17) THEN false WHEN k = 9 THEN NULL ELSE true END
FROM generate_series(0, 399) k,
     (VALUES ('home', 'TEZOS_MAINNET'), ('elsewhere', 'TEZOS_MAINNET'), ('home', 'TEZOS_OTHER')) AS w(v, ch)
ORDER BY k DESC;
INSERT INTO analyses (crawl_id, analyzer_version, seed, anonymized, metrics)
SELECT c.id, 'test', 1, true, jsonb_build_object(
         'counts', jsonb_build_object('public', CASE WHEN c.vantage = 'home' AND c.config->>'chain' = 'TEZOS_MAINNET' THEN 1000 + k ELSE 5 END,
                                      'public_ratio', k / 1000.0, 'points_seen', 3000 + k),
         'graph', jsonb_build_object('backbone', jsonb_build_object('vertex_connectivity', k % 7)),
         'concentration', CASE WHEN k < 200 THEN jsonb_build_object('by_asn', jsonb_build_object('nakamoto', 3 + k % 5))
                               ELSE '{}'::jsonb END)
FROM crawls c, LATERAL (SELECT round(extract(epoch FROM now() - c.finished_at) / 86400)::int AS k) d;
INSERT INTO analyses (crawl_id, computed_at, analyzer_version, seed, anonymized, metrics)
SELECT a.crawl_id, a.computed_at + interval '1 minute', 'test', 1, true,
       jsonb_set(a.metrics, '{counts,public}', '77777')
FROM analyses a JOIN crawls c ON c.id = a.crawl_id
WHERE c.vantage = 'home' AND c.config->>'chain' = 'TEZOS_MAINNET'
  AND round(extract(epoch FROM now() - c.finished_at) / 86400) = 2;
EOF
# The truth, from the rows: published comparable nights and their ids by k.
psql -X -qAt -F ' ' -d "$db" -c "SELECT c.id, round(extract(epoch FROM now() - c.finished_at) / 86400)::int,
	c.status = 'finished' AND c.publishable IS NOT FALSE
	FROM crawls c WHERE c.vantage = 'home' AND c.config->>'chain' = 'TEZOS_MAINNET' ORDER BY c.id" >"$tmp/truth.txt"

site=$tmp/site
# Reports of three nights (k = 0, 1, 2) are in the site directory.
for k in 0 1 2; do
	id=$(awk -v k=$k '$2 == k { print $1 }' "$tmp/truth.txt")
	mkdir -p "$site/nights/$id" && echo "<p>night $k</p>" >"$site/nights/$id/report.html"
done
if ! "$BIN/tzcensus-analyze" --db "$db" --site "$site" --title 'Census <test>' >"$tmp/site.out" 2>"$tmp/site.err"; then
	cat "$tmp/site.err"
	bad "--site exited non-zero"
fi
grep -q "397 published nights" "$tmp/site.err" || { cat "$tmp/site.err"; bad "--site should report 397 nights"; }

"$PY" - "$site/index.html" "$tmp/truth.txt" <<'PYEOF' || fail=1
import html.parser, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
truth = [l.split() for l in open(sys.argv[2])]
ok = True
def bad(m):
    global ok
    ok = False
    print("FAIL:", m)

# Self-contained: nothing that could make the browser fetch or run anything.
low = page.lower()
for pat in ("<script", "http://", "https://", "src=", "url(", "@import", "<link", "<iframe", "<object", "<img"):
    if pat in low:
        bad("index.html contains %r" % pat)
if "default-src 'none'" not in page:
    bad("no Content-Security-Policy forbidding every fetch")
if "Census &lt;test&gt;" not in page or "<test>" in page:
    bad("the title is not escaped")

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.cell, self.links, self.sections, self.svgs = [], None, None, [], [], 0
        self.headers, self.in_th = [], False
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "tr" and (a.get("id") or "").startswith("crawl-"):
            self.cur = {"id": int(a["id"][6:]), "cells": [], "link": None}
        elif tag == "td" and self.cur is not None:
            self.cell = ""
        elif tag == "a" and self.cur is not None:
            self.cur["link"] = a.get("href")
        elif tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "svg":
            self.svgs += 1
        elif tag == "th":
            self.in_th = True
            self.headers.append("")
    def handle_endtag(self, tag):
        if tag == "td" and self.cur is not None and self.cell is not None:
            self.cur["cells"].append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.cur is not None:
            self.rows.append(self.cur)
            self.cur = None
        elif tag == "th":
            self.in_th = False
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d
        if self.in_th:
            self.headers[-1] += d
p = P()
p.feed(page)

published = {int(i): int(k) for i, k, pub in truth if pub == "t"}
listed = [r["id"] for r in p.rows]
if sorted(listed) != sorted(published):
    bad("nights listed %d, published %d; extra %s, missing %s" % (
        len(listed), len(published), sorted(set(listed) - set(published))[:5],
        sorted(set(published) - set(listed))[:5]))
if listed != sorted(listed, key=lambda i: published.get(i, 0)):
    bad("nights are not newest first")
if p.headers[:2] != ["Night (UTC)", "Crawl"] or "Public nodes" not in p.headers:
    bad("table headers: %s" % p.headers)
col = {h: i for i, h in enumerate(p.headers)}
for r in p.rows:
    k = published.get(r["id"])
    if k is None:
        continue
    cells = r["cells"]
    want_public = 77777 if k == 2 else 1000 + k
    got = cells[col["Public nodes"]].replace(",", "") if len(cells) > col["Public nodes"] else None
    if got != str(want_public):
        bad("night k=%d: public %s, want %s" % (k, got, want_public))
        break
    if cells[col["Public ratio"]] != "%.1f%%" % (k / 10.0):
        bad("night k=%d: ratio %s" % (k, cells[col["Public ratio"]]))
        break
    if cells[col["Backbone vertex connectivity"]] != str(k % 7):
        bad("night k=%d: backbone %s" % (k, cells[col["Backbone vertex connectivity"]]))
        break
    want_as = str(3 + k % 5) if k < 200 else "n/a"  # located nights only
    if cells[col["Nakamoto coefficient (AS)"]] != want_as:
        bad("night k=%d: AS Nakamoto %s, want %s" % (k, cells[col["Nakamoto coefficient (AS)"]], want_as))
        break
    want_link = "nights/%d/report.html" % r["id"] if k <= 2 else None
    if r["link"] != want_link:
        bad("night k=%d: link %s, want %s" % (k, r["link"], want_link))
        break
for s in ("latest", "last-30", "last-90", "last-365", "nights"):
    if s not in p.sections:
        bad("no section %s" % s)
if p.svgs != 12:
    bad("%d charts, want 12 (4 figures x 30/90/365 days)" % p.svgs)
# Each window's charts hold the nights of that window (caption counts).
for days in (30, 90, 365):
    want = sum(1 for k in published.values() if k <= days)
    m = re.search(r"Public nodes, last %d days \((\d+) nights?\)" % days, page)
    if not m or int(m.group(1)) != want:
        bad("the %d-day chart has %s nights, want %d" % (days, m and m.group(1), want))
if 'id="latest-public"><b>1,000</b>' not in page:
    bad("the latest card does not show the latest night's figure")
sys.exit(0 if ok else 1)
PYEOF

# Another vantage's site: --crawl picks the reference crawl.
other=$(psql -X -qAt -d "$db" -c "SELECT max(id) FROM crawls WHERE vantage = 'elsewhere'")
"$BIN/tzcensus-analyze" --db "$db" --site "$tmp/other" --crawl "$other" 2>"$tmp/other.err" ||
	{ cat "$tmp/other.err"; bad "--site --crawl exited non-zero"; }
grep -q "397 published nights" "$tmp/other.err" || bad "the other vantage's site should list its 397 nights"
grep -q "seen from vantage elsewhere" "$tmp/other/index.html" || bad "the other vantage's site does not name it"
# An empty database: a page that says so.
"$BIN/tzcensus-analyze" --db "$db" --site "$tmp/none" --crawl 999999 2>/dev/null && bad "--site --crawl of a missing crawl should fail"
"$BIN/tzcensus-analyze" --site "$tmp/x" --journal /dev/null 2>/dev/null; [ $? -eq 2 ] || bad "--site with --journal should be a usage error"

# ---- headless Chromium: loads it with no network, the DOM agrees --------------
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "SKIP: chromium not installed (the browser check)"
else
	flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
		--disable-component-update --disable-sync --no-first-run --disable-extensions
		--proxy-server=127.0.0.1:9 --user-data-dir="$tmp/chrome")
	timeout 60 "$chromium" "${flags[@]}" --dump-dom "file://$site/index.html" >"$tmp/dom.html" 2>"$tmp/chrome.log" ||
		{ tail -5 "$tmp/chrome.log"; bad "chromium --dump-dom failed"; }
	rows=$(grep -o '<tr id="crawl-' "$tmp/dom.html" | wc -l)
	[ "$rows" -eq 397 ] || bad "the browser's DOM has $rows night rows, want 397"
	[ "$(grep -o '<svg' "$tmp/dom.html" | wc -l)" -eq 12 ] || bad "the browser's DOM does not have the 12 charts"
	if [ -n "${TZCENSUS_SITE_SHOT:-}" ]; then
		timeout 60 "$chromium" "${flags[@]}" --window-size=1280,2000 --hide-scrollbars \
			--screenshot="$TZCENSUS_SITE_SHOT" "file://$site/index.html" >/dev/null 2>>"$tmp/chrome.log" ||
			bad "chromium --screenshot failed"
	fi
fi

[ "$fail" = 0 ] && echo "ok: ops_site"
exit "$fail"
