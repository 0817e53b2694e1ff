#!/usr/bin/python3
"""Checks node_history and report.json `history` against simnet truth files.

Used by history_epochs.sh (not a test by itself). Arguments: the directory
holding truth-<epoch>-<vantage>.json, the node_history rows (TSV), the
report.json of the last crawl of vantage "here". Exits 1 with the mismatches.
"""
import json
import sys

tmp, nh_path, report_path = sys.argv[1:4]
errors = []

# Behaviours whose node is public (docs/methodology.md, "Definitions"; as in
# definitions_check.py, from docs/simnet.md's descriptions).
PUBLIC = {"public", "old_version", "low_pow", "shared_ip", "multihomed", "nack", "private"}


def discoverable(t, seeds=3):
    """Peer ids a perfect crawl from the test's seeds can reach: a node that
    came up at this epoch knows no point, and a point listed only by nodes
    that went down is listed by no one (docs/simnet.md "Epochs and churn");
    another chain's lists are never followed."""
    at = {p: n for n in t["nodes"] for p in n.get("points", [n["point"]])}
    todo, seen, ids = list(t["seeds"][:seeds]), set(), set()
    while todo:
        p = todo.pop()
        if p in seen or p not in at:
            continue
        seen.add(p)
        n = at[p]
        ids.add(n["peer_id"])
        if n["reveals"] != "none" and not n.get("foreign"):
            todo.extend(n.get("advertises", []))
    return ids


def public_ids(epoch, vantage):
    t = json.load(open("%s/truth-%d-%s.json" % (tmp, epoch, vantage)))
    reach = discoverable(t)
    return {n["peer_id"]: n for n in t["nodes"] if n["behavior"] in PUBLIC and n["peer_id"] in reach}


here = [public_ids(e, "here") for e in range(4)]
there = public_ids(2, "elsewhere")
T = len(here)

rows = [l.rstrip("\n").split("\t") for l in open(nh_path) if l.strip()]
got = {}
for pid, vantage, first, last, pub, total, up, streak, ford, lord in rows:
    got[(pid, vantage)] = (int(pub), int(total), float(up), int(streak), int(ford), int(lord))

want = {}
for pid in set().union(*here):
    seen = [i + 1 for i in range(T) if pid in here[i]]
    streak = 0
    for i in reversed(range(T)):
        if pid not in here[i]:
            break
        streak += 1
    total = T - seen[0] + 1
    want[(pid, "here")] = (len(seen), total, len(seen) / total, streak, seen[0], seen[-1])
for pid in there:
    want[(pid, "elsewhere")] = (1, 1, 1.0, 1, 1, 1)

for k in sorted(set(want) | set(got)):
    if k not in got:
        errors.append("node_history lacks %s %s" % k)
    elif k not in want:
        errors.append("node_history has %s %s, never public in the truth" % k)
    else:
        g, w = got[k], want[k]
        if g[:2] != w[:2] or abs(g[2] - w[2]) > 1e-9 or g[3:] != w[3:]:
            errors.append("%s %s: got %s, want %s" % (k[0], k[1], g, w))

churned = sum(1 for i in range(1, T) if here[i].keys() != here[i - 1].keys())
if churned == 0:
    errors.append("the epochs did not churn: the test proves nothing")

h = json.load(open(report_path))["history"]
if h["window"] != T:
    errors.append("history.window %s, want %d" % (h["window"], T))
nights = h["crawls"]
for i, n in enumerate(nights):
    if n["public_nodes"] != len(here[i]):
        errors.append("night %d: public_nodes %s, want %d" % (i, n["public_nodes"], len(here[i])))
    if i == 0:
        if n["new"] is not None or n["gone"] is not None:
            errors.append("night 0: new/gone should be null")
        continue
    new = len(here[i].keys() - here[i - 1].keys())
    gone = len(here[i - 1].keys() - here[i].keys())
    if (n["new"], n["gone"]) != (new, gone):
        errors.append("night %d: new %s gone %s, want %d %d" % (i, n["new"], n["gone"], new, gone))
    vers = {}
    for x in here[i].values():
        k = (x["chain_name"], x["ddb_version"], x["p2p_version"])
        vers[k] = vers.get(k, 0) + 1
    gotv = {(v["chain_name"], v["distributed_db_version"], v["p2p_version"]): v["nodes"]
            for v in n["versions"]}
    if gotv != vers:
        errors.append("night %d: versions %s, want %s" % (i, gotv, vers))

every = set(here[0]).intersection(*here[1:])
allids = set().union(*here)
if h["core"]["nodes"] != len(every):
    errors.append("core.nodes %s, want %d" % (h["core"]["nodes"], len(every)))
want_share = len(every & here[-1].keys()) / len(here[-1])
if abs(h["core"]["share_of_public_now"] - want_share) > 1e-9:
    errors.append("core.share_of_public_now %s, want %s" % (h["core"]["share_of_public_now"],
                                                           want_share))
u = h["uptime"]
stable = sum(1 for p in allids if sum(p in s for s in here) >= 0.9 * T)
if (u["nodes"], u["stable_nodes"]) != (len(allids), stable):
    errors.append("uptime nodes/stable %s/%s, want %d/%d" % (u["nodes"], u["stable_nodes"],
                                                            len(allids), stable))
bins = [0] * 10
for p in allids:
    bins[min(9, int(10 * sum(p in s for s in here) / T))] += 1
if [b["nodes"] for b in u["distribution"]] != bins:
    errors.append("uptime distribution %s, want %s" % ([b["nodes"] for b in u["distribution"]],
                                                       bins))

if errors:
    print("FAIL: node history:\n  " + "\n  ".join(errors[:40]))
    sys.exit(1)
print("ok: node history of %d nodes over %d epochs (%d in every one) matches the truth"
      % (len(allids), T, len(every)))
