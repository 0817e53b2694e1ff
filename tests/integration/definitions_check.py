#!/usr/bin/python3
"""Checks the census figures of one crawl against each other and the truth.

Used by definitions.sh (not a test by itself). Arguments: truth.json,
the crawler's --json summary, crawl_summary row (TSV), point_classes rows
(TSV: point, class, node), the analyzer's output directory from --db and
from --journal. Exits 1 with the list of mismatches.
"""
import csv
import json
import sys

truth_path, summary_path, cs_path, pc_path, adb, ajn = sys.argv[1:7]
truth = json.load(open(truth_path))
errors = []


def err(msg):
    errors.append(msg)


# The class each simnet behaviour proves (docs/methodology.md, "Definitions"),
# written from the behaviours' descriptions in docs/simnet.md, not from the code.
CLASS = {
    "public": "public", "old_version": "public", "low_pow": "public",
    "shared_ip": "public", "multihomed": "public",
    "nack": "public",          # connection message, then Nack
    "private": "public",       # connection message and metadata, then a close
    "wrong_chain": "foreign",  # connection message announcing another chain
    "stall": "unverified",     # TCP accepted, never a byte
    "silent_close": "unverified",
    "no_listen": "unreachable",
}
KEYS = ["public", "public_points", "foreign", "unverified", "unreachable", "undialed"]

node_at = {}
for n in truth["nodes"]:
    for p in n.get("points", [n["point"]]):
        node_at[p] = n

# What the database says, point by point.
pc = [l.rstrip("\n").split("\t") for l in open(pc_path) if l.strip()]
got_class = {p: c for p, c, _ in pc}
got_node = {p: nd for p, _, nd in pc}

# A crawler from before the `foreign` outcome records another chain's Nack as
# `incompatible`: say so loudly, and hold it to the definitions it can meet.
summary = json.load(open(summary_path))
old_crawler = (summary["outcomes"].get("foreign", 0) == 0
               and any(n["behavior"] == "wrong_chain" for n in truth["nodes"]))
if old_crawler:
    print("NOTE: this crawler records another chain as `incompatible` (no `foreign` "
          "outcome yet): wrong_chain points are expected public until it does")
    CLASS["wrong_chain"] = "public"

# Expected class of every point the crawl discovered, from the truth.
want_class = {}
for p in got_class:
    n = node_at.get(p)
    want_class[p] = CLASS[n["behavior"]] if n else "undialed"  # data points: policy
for p, c in sorted(got_class.items()):
    if c != want_class[p]:
        n = node_at.get(p)
        err("%s (%s): point_classes says %s, truth implies %s"
            % (p, n["behavior"] if n else "data point", c, want_class[p]))
# Points that only nodes of another chain list are not points of this network:
# never dialed, and in no class.
for n in truth["nodes"]:
    if n.get("foreign_only"):
        for p in n.get("points", [n["point"]]):
            if p in got_class:
                err("%s: only another chain lists it, yet point_classes has it as %s"
                    % (p, got_class[p]))
# Every point of a node that sends a connection message was found.
for n in truth["nodes"]:
    if CLASS[n["behavior"]] in ("public", "foreign") and not n.get("foreign_only"):
        for p in n.get("points", [n["point"]]):
            if p not in got_class:
                err("%s (%s) never discovered" % (p, n["behavior"]))

want = {k: 0 for k in KEYS}
nodes = set()
for p, c in want_class.items():
    if c == "public":
        want["public_points"] += 1
        nodes.add(node_at[p]["peer_id"])
    else:
        want[c] += 1
want["public"] = len(nodes)
den = want["public"] + want["unverified"] + want["unreachable"]
want["public_ratio"] = want["public"] / den if den else 0.0
for p, nd in got_node.items():
    if want_class[p] == "public" and nd != node_at[p]["peer_id"]:
        err("%s: node %r, truth peer id %s" % (p, nd, node_at[p]["peer_id"]))
for k in KEYS:
    if k != "public_points" and want[k] == 0 and not (old_crawler and k == "foreign"):
        err("the world has no %s point: the test proves nothing about it" % k)

# The five readings.
cs = open(cs_path).read().split("\t")
readings = {
    "crawler --json": {k: summary[k] for k in KEYS + ["public_ratio"]},
    "crawl_summary": dict(zip(["public", "public_points", "foreign", "unverified",
                               "unreachable", "undialed", "public_ratio"],
                              [int(x) for x in cs[:6]] + [float(cs[6])])),
}
for name, d in (("report.json (--db)", adb), ("report.json (--journal)", ajn)):
    c = json.load(open(d + "/report.json"))["counts"]
    readings[name] = {k: c[k] for k in KEYS + ["public_ratio"]}
    # nodes.csv: one row per vertex; public rows are the public nodes.
    rows = list(csv.DictReader(open(d + "/nodes.csv")))
    pub = [r for r in rows if r["class"] == "public"]
    if len(pub) != want["public"]:
        err("%s nodes.csv has %d public rows, want %d" % (name, len(pub), want["public"]))
    if c["points_dialed"] != sum(want[k] for k in ("public_points", "foreign", "unverified",
                                                   "unreachable")):
        err("%s counts.points_dialed = %s" % (name, c["points_dialed"]))
readings["truth"] = want
ref = readings["truth"]
for name, r in readings.items():
    for k in KEYS + ["public_ratio"]:
        a, b = r[k], ref[k]
        same = abs(a - b) < 1e-9 if k == "public_ratio" else a == b
        if not same:
            err("%s: %s = %s, truth %s" % (name, k, a, b))
if int(cs[7]) != sum(want[k] for k in KEYS if k != "public"):
    err("crawl_summary.points_discovered = %s, classes add up to %d"
        % (cs[7], sum(want[k] for k in KEYS if k != "public")))
if summary["points_discovered"] != int(cs[7]):
    err("crawler points_discovered %s, crawl_summary %s" % (summary["points_discovered"], cs[7]))

print("census: " + ", ".join("%s %s" % (k, ref[k]) for k in KEYS)
      + ", public_ratio %.4f" % ref["public_ratio"])
if errors:
    print("\n".join(errors[:40]), file=sys.stderr)
    sys.exit(1)
print("CHECKED: crawler, crawl_summary, point_classes and report.json (db, journal) "
      "agree with the truth")
