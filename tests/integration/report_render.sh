#!/usr/bin/env bash
# Renders the report fixtures (first crawl, with history, empty crawl,
# anonymized) through the cmocka driver build/tests/test_report, opens each
# report.html in headless Chromium (file:// only, networking features off),
# and checks:
#   - the screenshot is not blank (many distinct colours, enough ink);
#   - every chart's inline <svg> is present and draws something;
#   - no script, no external resource in the page;
#   - with anonymize, no full address of the fixture in any output file
#     (an independent Python scan, whole-address matches only);
#   - report.json's public nodes and public ratio are the figure of every
#     place that shows them (cards, headline table and sentence, "Compare
#     with", report.md, headline.csv, size_over_time.csv);
#   - the versions section's Octez releases: releases.csv is report.json's
#     releases.top, the coverage line and the "public RPC" sentence are on
#     the page, the chart draws one bar per release; screenshots of the
#     section and of Stability's releases over time alone (their HTML with
#     the page's CSS), not blank.
# Leaves the screenshots in $B/report-shots/ and prints their paths.
set -euo pipefail
B=${B:-build}
PY=/usr/bin/python3
CHROME=$(command -v chromium || true)
[ -n "$CHROME" ] || { echo "chromium not installed (scripts/deps.sh installs it)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tzreport-it.XXXXXX")
trap 'rm -rf "$work"' EXIT
TZ_REPORT_KEEP="$work/out" "$B/tests/test_report"

shots="$B/report-shots"
mkdir -p "$shots"
for case in first history empty anon hostile; do
  html="$work/out/$case/report.html"
  [ -s "$html" ] || { echo "missing $html"; exit 1; }
  prof="$work/profile-$case"
  mkdir -p "$prof"
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
    --screenshot="$shots/$case.png" --window-size=1280,4000 "file://$html" >"$work/chrome-$case.log" 2>&1 || {
      echo "chromium failed on $case:"; tail -20 "$work/chrome-$case.log"; exit 1; }
  [ -s "$shots/$case.png" ] || { echo "no screenshot for $case"; exit 1; }
done
# A phone-sized view of the report with history, for people to look at.
timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile-phone" \
  --screenshot="$shots/phone.png" --window-size=390,2400 "file://$work/out/history/report.html" \
  >"$work/chrome-phone.log" 2>&1

# The Octez releases on their own, for people to look at: the versions
# section's (first, hostile) and Stability's releases over time (time).
for shot in first:first:"Octez releases":Flags hostile:hostile:"Octez releases":Flags \
    time:first:"Octez releases over time":"Completeness: public nodes this crawl missed"; do
  IFS=: read -r name case from to <<<"$shot"
  "$PY" - "$work/out/$case/report.html" "$work/releases-$name.html" "${from//\"/}" "${to//\"/}" <<'PYEOF'
import sys
h = open(sys.argv[1], encoding="utf-8").read()
a = h.index("<h3>%s</h3>" % sys.argv[3])
b = h.index("<h3>%s</h3>" % sys.argv[4], a)
open(sys.argv[2], "w", encoding="utf-8").write(
    h[:h.index("<body")] + "<body><main>" + h[a:b] + "</main></body></html>\n")
PYEOF
  timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile-rel-$name" \
    --screenshot="$shots/releases-$name.png" --window-size=1280,1100 "file://$work/releases-$name.html" \
    >"$work/chrome-rel-$name.log" 2>&1
done

"$PY" - "$work/out" "$shots" tests/data/report/crawl-42.addresses <<'PYEOF'
import os, re, sys
from PIL import Image

out, shots, addr_file = sys.argv[1:4]
charts = ["size", "outcomes", "attack", "coreness", "pow", "lag", "prefixes", "peers_per_ip"]
fail = []

for case in ["first", "history", "empty", "anon", "hostile", "releases-first",
             "releases-hostile", "releases-time"]:
    im = Image.open(os.path.join(shots, case + ".png")).convert("RGB")
    w, h = im.size
    small = im.resize((w // 4, h // 4))
    px = list(small.getdata())
    colours = len(set(px))
    ink = sum(1 for p in px if p != (255, 255, 255)) / len(px)
    print("CHECKED: %s screenshot %dx%d, %d colours, %.0f%% non-white" % (case, w, h, colours, 100 * ink))
    if colours < 64 or ink < 0.08:
        fail.append("%s: screenshot looks blank (%d colours, %.1f%% ink)" % (case, colours, 100 * ink))
    if case.startswith("releases-"):
        continue
    html = open(os.path.join(out, case, "report.html"), encoding="utf-8").read()
    for bad in ("<script", "src=", "@import", "url(", "<link", "<iframe", "<object"):
        if bad in html:
            fail.append("%s: report.html contains %s" % (case, bad))
    for c in charts:
        m = re.search(r'<svg id="%s"[^>]*>(.*?)</svg>' % re.escape(c), html, re.S)
        if not m:
            fail.append("%s: chart %s missing" % (case, c))
            continue
        marks = len(re.findall(r"<(rect|line|polyline|circle|text)\b", m.group(1)))
        if marks < 3:
            fail.append("%s: chart %s is empty (%d marks)" % (case, c, marks))
        f = os.path.join(out, case, c + ".svg")
        if not os.path.getsize(f):
            fail.append("%s: %s.svg empty" % (case, c))

# Structure: balanced HTML, well-formed SVG files, CSVs that match datapackage.json.
import csv, json, xml.etree.ElementTree as ET
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "hr", "link", "input", "source", "wbr", "col", "area", "base"}
class Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()
checked_csv = 0
for case in ["first", "history", "empty", "anon", "hostile"]:
    d = os.path.join(out, case)
    b = Balance()
    b.feed(open(os.path.join(d, "report.html"), encoding="utf-8").read())
    if b.errors or b.stack:
        fail.append("%s: report.html not balanced: %s %s" % (case, b.errors[:3], b.stack))
    for c in charts:
        try:
            ET.parse(os.path.join(d, c + ".svg"))
        except ET.ParseError as e:
            fail.append("%s: %s.svg is not well-formed XML: %s" % (case, c, e))
    dp = json.load(open(os.path.join(d, "datapackage.json")))
    for res in dp["resources"]:
        fields = res["schema"]["fields"]
        with open(os.path.join(d, res["path"]), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if rows[0] != [x["name"] for x in fields]:
            fail.append("%s: %s header %s" % (case, res["path"], rows[0]))
        for row in rows[1:]:
            if len(row) != len(fields):
                fail.append("%s: %s row has %d fields: %s" % (case, res["path"], len(row), row))
                break
            for v, fd in zip(row, fields):
                if v == "":
                    continue
                try:
                    if fd["type"] == "integer":
                        int(v)
                    elif fd["type"] == "number":
                        float(v)
                except ValueError:
                    fail.append("%s: %s: %s is not %s" % (case, res["path"], v, fd["type"]))
        checked_csv += 1
print("CHECKED: %d CSVs against datapackage.json, HTML balance, SVG well-formedness" % checked_csv)

# One figure everywhere: report.json's counts.public and counts.public_ratio are
# what the headline cards and table, the census sentence, "Compare with" (HTML
# and Markdown), headline.csv and size_over_time.csv give (an independent read).
fixture = {"first": "crawl-42.json", "history": "crawl-42.json", "anon": "crawl-42.json",
           "empty": "empty.json", "hostile": "hostile.json"}
agreed = 0
for case, name in fixture.items():
    d = os.path.join(out, case)
    counts = json.load(open(os.path.join("tests/data/report", name)))["counts"]
    pub, ratio = counts["public"], counts["public_ratio"]
    shown = "%.1f%%" % (100 * ratio)
    html = open(os.path.join(d, "report.html"), encoding="utf-8").read()
    md = open(os.path.join(d, "report.md"), encoding="utf-8").read()
    want = ['<div class="k">Public nodes</div><div class="v">%d</div>' % pub,
            '<div class="k">Public ratio</div><div class="v">%s</div>' % shown,
            '<td>Public ratio</td><td class="n">%s</td>' % shown,
            "Public ratio %s = %d public nodes / (%d public nodes + %d unverified points + %d "
            "unreachable points)" % (shown, pub, pub, counts["unverified"], counts["unreachable"]),
            "This crawl: %d public nodes, public ratio %s " % (pub, shown)]
    for w in want:
        if w not in html:
            fail.append("%s: report.html lacks %s" % (case, w))
    for w in want[3:]:
        if w not in md:
            fail.append("%s: report.md lacks %s" % (case, w))
    with open(os.path.join(d, "headline.csv"), newline="", encoding="utf-8") as f:
        rows = {r["metric"]: r for r in csv.DictReader(f)}
    with open(os.path.join(d, "size_over_time.csv"), newline="", encoding="utf-8") as f:
        last = list(csv.DictReader(f))[-1]
    for where, p, q in (("headline.csv", rows["Public nodes"]["value"], rows["Public ratio"]["value"]),
                        ("size_over_time.csv", last["public"], last["public_ratio"])):
        if float(p) != pub or abs(float(q) - ratio) > 1e-9:
            fail.append("%s: %s gives %s, %s; report.json %s, %s" % (case, where, p, q, pub, ratio))
    agreed += 1
print("CHECKED: public nodes and public ratio agree in %d reports (cards, table, census, "
      "Compare with, Markdown, headline.csv, size_over_time.csv)" % agreed)

# Octez releases (an independent read of report.json "releases"): the CSV is
# releases.top row for row, the page gives the coverage and says the release is
# known only for nodes with a public RPC, the chart has one bar per release.
import html as htmlmod
rel_checked = 0
for case, name in fixture.items():
    d = os.path.join(out, case)
    rel = json.load(open(os.path.join("tests/data/report", name)))["releases"]
    page = open(os.path.join(d, "report.html"), encoding="utf-8").read()
    sec = page[page.index("<h3>Octez releases</h3>"):page.index("<h3>Flags</h3>")]
    if rel["public_nodes"] == 0:
        if "No public node, so no Octez release is known." not in sec or \
           os.path.exists(os.path.join(d, "releases.csv")):
            fail.append("%s: releases without public nodes: %s" % (case, sec[:200]))
        rel_checked += 1
        continue
    line = "Release known for %d of %d public nodes (coverage %.1f%%)." % (
        rel["known"], rel["public_nodes"], 100 * rel["coverage"])
    for w in (line, "The release is known only for nodes with a public RPC"):
        if w not in sec:
            fail.append("%s: the releases section lacks %s" % (case, w))
    with open(os.path.join(d, "releases.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    want = rel["top"]
    if len(rows) != len(want):
        fail.append("%s: releases.csv has %d rows, releases.top %d" % (case, len(rows), len(want)))
    for row, w in zip(rows, want):
        text = row["release"][1:] if row["release"][:1] == "'" and w["release"][:1] in "=+-@" \
            else row["release"]
        shown = w["release"].replace("\n", "\\x0a").replace("\u202e", "\\u{202e}")
        if text != shown or int(row["nodes"]) != w["nodes"] or \
           abs(float(row["share"]) - w["share"]) > 1e-9:
            fail.append("%s: releases.csv row %s, report.json %s" % (case, row, w))
        cell = "<td><code>%s</code></td><td class=\"n\">%d</td><td class=\"n\">%.1f%%</td>" % (
            htmlmod.escape(shown, quote=True).replace("&#x27;", "&#39;"), w["nodes"],
            100 * w["share"])
        if cell not in sec:
            fail.append("%s: the releases table lacks %s" % (case, cell))
    m = re.search(r'<svg id="releases"[^>]*>(.*?)</svg>', sec, re.S)
    bars = len(re.findall(r"<rect\b[^>]*fill=\"#(?!ffffff)", m.group(1))) if m else 0
    if bars != min(len(want), 15):
        fail.append("%s: the releases chart has %d bars for %d releases" % (case, bars, len(want)))
    rel_checked += 1
print("CHECKED: Octez releases (CSV = releases.top, coverage line, public-RPC sentence, one bar "
      "per release) in %d reports" % rel_checked)

# anonymize: no full address of the fixture anywhere in the anonymized outputs
addrs = []
for line in open(addr_file):
    line = line.strip()
    if line.startswith("["):
        addrs.append(line[1:line.index("]")])
    elif line.count(":") == 1:
        addrs.append(line.split(":")[0])
    else:
        addrs.append(line)
def leaks(directory):
    found = []
    for name in sorted(os.listdir(directory)):
        text = open(os.path.join(directory, name), encoding="utf-8", errors="replace").read()
        for a0 in addrs:
          # as written, and as report.md escapes it ("198\\.51\\.100\\.7")
          for a in (a0, a0.replace(".", "\\.").replace(":", "\\:")):
            for m in re.finditer(re.escape(a), text):
                before = text[m.start() - 1] if m.start() else " "
                after = text[m.end()] if m.end() < len(text) else " "
                if re.match(r"[0-9a-fA-F.:]", before) or re.match(r"[0-9a-fA-F]", after) or \
                   (after == "." and m.end() + 1 < len(text) and text[m.end() + 1].isdigit()):
                    continue
                found.append((name, a0))
    return found
plain = leaks(os.path.join(out, "plain"))
anon = leaks(os.path.join(out, "anon"))
print("CHECKED: %d fixture addresses; %d occurrences without --anonymize, %d with" % (len(addrs), len(plain), len(anon)))
if not plain:
    fail.append("the leak scan found nothing even without anonymize: the scan is broken")
for name, a in anon[:10]:
    fail.append("anon: %s contains %s" % (name, a))

if fail:
    print("\n".join(fail))
    sys.exit(1)
PYEOF
for s in "$shots"/*.png; do echo "screenshot: $(cd "$(dirname "$s")" && pwd)/$(basename "$s")"; done
