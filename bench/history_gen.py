#!/usr/bin/python3
"""Synthetic history for bench/history_bench.sh: N nights of a network of
about NODES public nodes, written as COPY text files (one per table) for a
fresh tzcensus database (identity columns count from 1 in file order).

  history_gen.py OUTDIR NIGHTS NODES ADV_PER_NODE SEED REPORT_JSON

Each night: every live node is dialed once (ok with its peer id, versions
and head; 4% of them time out that night), NODES/2 unreachable points time
out or are refused, each answering node advertises ADV_PER_NODE live points
(round 1, positions of a 50-entry list), 1.5% of the nodes leave for good
and as many new ones arrive (new peer id, new point), a few upgrade their
versions. Every 50th night was never gated (publishable NULL: still
comparable), every 60th was refused by the gate (publishable false: left out
of trends, node history and the site). One analysis per night: REPORT_JSON
with the night's crawl (id, uuid, start, end, vantage), its counts (public,
unreachable, public ratio, outcomes), a backbone connectivity between 3 and 8
and, for the last two thirds of the nights (analyzed with a location
database), the AS concentration (Nakamoto coefficient) and one AS per node;
one node_metrics row per public node (with its AS when located).
Addresses are 10.0.0.0/8 and 198.18.0.0/15 DATA: nothing is ever dialed.
"""
import json
import os
import random
import sys
import time

out, nights, nodes, adv, seed, report = sys.argv[1:7]
nights, nodes, adv, seed = int(nights), int(nodes), int(adv), int(seed)
rnd = random.Random(seed)
tmpl = json.load(open(report))
# The nights end yesterday (UTC), so the queries of docs/researchers.md that
# look at "the last seven days" find nights.
T0 = (int(time.time()) // 86400 - nights) * 86400


def ts(t):
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(t))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# The vantage the queries of docs/researchers.md name (its demo database's).
VANTAGE = "demo"
LOCDB = time.strftime("%Y-%m-%dT06:00:00Z", time.gmtime(T0))  # the location database's creation


f = {k: open(os.path.join(out, k + ".copy"), "w") for k in
     ("crawls", "points", "peers", "visits", "advertisements", "analyses", "node_metrics")}

# point ids: assigned in order of first use
point_id = {}
point_first = {}


def pid_of(text, t):
    if text not in point_id:
        point_id[text] = len(point_id) + 1
        point_first[text] = t
    return point_id[text]


def addr(i, base):
    return "%d.%d.%d.%d" % (base[0], base[1] + (i >> 16) % 2, (i >> 8) & 255, i & 255)


# Autonomous systems (documentation ASNs), weighted like a few clouds and a
# long tail of hosting and residential networks.
ASES = [(64496, "Hyperscale Cloud", "US", "Hyperscale Cloud", 28),
        (64497, "Budget Hosting", "DE", "Budget Hosting", 18),
        (64498, "Euro Cloud", "FR", "Euro Cloud", 12),
        (64499, "Nordic Metal", "FI", "other", 8),
        (64500, "Asia Pacific Cloud", "SG", "Asia Pacific Cloud", 6)] + \
    [(64501 + i, "Network %d" % i, "NL", "other", 1) for i in range(28)]
AS_WEIGHTS = [a[4] for a in ASES]


class Node:
    __slots__ = ("peer", "point", "ddb", "p2p", "first", "last", "asx")


serial = 0


def new_node(t):
    global serial
    serial += 1
    n = Node()
    n.peer = "idbench%023d" % serial
    n.point = addr(serial, (10, 0)) + ":9732"
    n.ddb, n.p2p = rnd.choice([(2, 1), (2, 1), (2, 1), (1, 1), (2, 0)])
    n.first = n.last = t
    n.asx = rnd.choices(range(len(ASES)), AS_WEIGHTS)[0]
    return n


alive = [new_node(T0) for _ in range(nodes)]
dead = []
unreach = ["%s:%d" % (addr(i, (198, 18)), 9732 + i % 3) for i in range(nodes // 2 * 3)]
analysis_id = 0
for night in range(1, nights + 1):
    t = T0 + (night - 1) * 86400 + 3600
    # churn: 1.5% leave, as many arrive; 1% upgrade
    k = max(1, nodes * 15 // 1000)
    for _ in range(k):
        dead.append(alive.pop(rnd.randrange(len(alive))))
    alive.extend(new_node(t) for _ in range(k))
    for n in rnd.sample(alive, max(1, nodes // 100)):
        n.ddb, n.p2p = 2, 1
    f["crawls"].write(
        "00000000-0000-4000-8000-%012d\t%s\t%s\tfinished\t%s\tbench\t"
        '{"chain": "TEZOS_MAINNET"}\t[]\t%s\n'
        % (night, ts(t), ts(t + 1200), VANTAGE,
           "f" if night % 60 == 0 else "\\N" if night % 50 == 0 else "t"))
    seq = 0
    answered = []
    timeouts = refused = 0
    for n in alive:
        seq += 1
        p = pid_of(n.point, t)
        if rnd.random() < 0.04:
            f["visits"].write("%d\t%d\t%d\t%s\ttimeout\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                              "\\N\t\\N\n" % (night, seq, p, ts(t + seq % 1200)))
            timeouts += 1
            continue
        n.last = t
        answered.append(n)
        f["visits"].write(
            "%d\t%d\t%d\t%s\tok\t%s\t9732\t26\tTEZOS_MAINNET\t\\\\x54455a4f535f4d41494e4e4554\t"
            "%d\t%d\t%d\t%d\t%d\n"
            % (night, seq, p, ts(t + seq % 1200), n.peer, n.ddb, n.p2p,
               9000000 + night * 10000 - rnd.randrange(3), 20 + seq % 50, 40 + seq % 90))
    for u in rnd.sample(unreach, nodes // 2):
        seq += 1
        o = rnd.choice(("timeout", "refused"))
        timeouts += o == "timeout"
        refused += o == "refused"
        f["visits"].write("%d\t%d\t%d\t%s\t%s\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                          "\\N\n" % (night, seq, pid_of(u, t), ts(t + seq % 1200), o))
    aseq = 0
    for n in answered:
        fp = point_id[n.point]
        for r, m in enumerate(rnd.sample(alive, adv)):
            aseq += 1
            f["advertisements"].write("%d\t%d\t%d\t%d\tadvertise\t1\t%d\t50\t%s\n"
                                      % (night, aseq, fp, pid_of(m.point, t), r, ts(t + 60)))
    # the analysis
    analysis_id += 1
    m = json.loads(json.dumps(tmpl))
    located = night > nights // 3
    m["crawl"].update(id=night, uuid="00000000-0000-4000-8000-%012d" % night,
                      started_at=iso(t), finished_at=iso(t + 1200), vantage=VANTAGE)
    pub, unr = len(answered), len(alive) - len(answered) + nodes // 2
    m["counts"].update(public=pub, public_points=pub, foreign=0, unverified=0, undialed=0,
                       unreachable=unr, vertices=pub + unr, points_seen=pub + unr,
                       points_dialed=pub + unr, public_ratio=pub / (pub + unr),
                       outcomes={"ok": pub, "timeout": timeouts, "refused": refused})
    m["graph"]["backbone"]["vertex_connectivity"] = 3 + (night * 7 + rnd.randrange(3)) % 6
    m.pop("history", None)
    m.pop("trend", None)
    if located:
        per = {}
        for n in answered:
            per[n.asx] = per.get(n.asx, 0) + 1
        top = sorted(per.items(), key=lambda kv: -kv[1])
        half, nak = 0, 0
        for _, c in top:
            half, nak = half + c, nak + 1
            if 2 * half > pub:
                break
        m["concentration"]["by_asn"].update(
            nodes=pub, groups=len(per), nakamoto=nak,
            top=[{"asn": ASES[a][0], "name": ASES[a][1], "nodes": c, "share": c / pub}
                 for a, c in top[:10]])
        m["location"].update(created=LOCDB, public_nodes=pub, located=pub, with_country=pub)
    else:
        m["concentration"].pop("by_asn", None)
        m.pop("location", None)
    f["analyses"].write("%d\t%s\tbench\t1\tf\t%s\t%s\t%s\n"
                        % (night, ts(t + 1800),
                           json.dumps(m).replace("\\", "\\\\"),
                           "IPFire Project" if located else "\\N",
                           LOCDB if located else "\\N"))
    for n in answered:
        loc = "\t".join(str(x) for x in ASES[n.asx][:4]) if located else "\\N\t\\N\t\\N\t\\N"
        f["node_metrics"].write("%d\t%d\t%s\tpeer_id\tpublic\t{%s}\t%d\t%d\tt\t%d\tf\t0\t0\tf\t%s\n"
                                % (analysis_id, night, n.peer, n.point, adv, adv, adv, loc))

for n in alive + dead:
    f["peers"].write("%s\t\\N\t%s\t%s\n" % (n.peer, ts(n.first), ts(n.last)))
byid = sorted(point_id.items(), key=lambda kv: kv[1])
for text, i in byid:
    a, port = text.rsplit(":", 1)
    f["points"].write("%s\t%s\t%s\t%s\n" % (a, port, ts(point_first[text]),
                                            ts(T0 + nights * 86400)))
for x in f.values():
    x.close()
print("nights %d, peer ids %d, points %d" % (nights, len(alive) + len(dead), len(point_id)))
