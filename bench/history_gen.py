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
versions. One analysis per night: REPORT_JSON with the night's crawl id,
start and counts, and one node_metrics row per public node.
Addresses are 10.0.0.0/8 and 198.18.0.0/15 DATA: nothing is ever dialed.
"""
import json
import os
import random
import sys

out, nights, nodes, adv, seed, report = sys.argv[1:7]
nights, nodes, adv, seed = int(nights), int(nodes), int(adv), int(seed)
rnd = random.Random(seed)
tmpl = json.load(open(report))
T0 = 1735689600  # 2025-01-01T00:00:00Z


def ts(t):
    import time
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(t))


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


class Node:
    __slots__ = ("peer", "point", "ddb", "p2p", "first", "last")


serial = 0


def new_node(t):
    global serial
    serial += 1
    n = Node()
    n.peer = "idbench%023d" % serial
    n.point = addr(serial, (10, 0)) + ":9732"
    n.ddb, n.p2p = rnd.choice([(2, 1), (2, 1), (2, 1), (1, 1), (2, 0)])
    n.first = n.last = t
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
        "00000000-0000-4000-8000-%012d\t%s\t%s\tfinished\tbench\tbench\t"
        '{"chain": "TEZOS_MAINNET"}\t[]\t%s\n'
        % (night, ts(t), ts(t + 1200), "t" if night % 50 else "\\N"))
    seq = 0
    answered = []
    for n in alive:
        seq += 1
        p = pid_of(n.point, t)
        if rnd.random() < 0.04:
            f["visits"].write("%d\t%d\t%d\t%s\ttimeout\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                              "\\N\t\\N\n" % (night, seq, p, ts(t + seq % 1200)))
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
        f["visits"].write("%d\t%d\t%d\t%s\t%s\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t"
                          "\\N\n" % (night, seq, pid_of(u, t), ts(t + seq % 1200),
                                     rnd.choice(("timeout", "refused"))))
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
    m["crawl"]["id"] = night
    m["crawl"]["started_at"] = ts(t).replace(" ", "T").replace("+00", "Z")
    m["counts"]["public"] = len(answered)
    m["counts"]["vertices"] = len(answered) + nodes // 2
    m.pop("history", None)
    f["analyses"].write("%d\t%s\tbench\t1\tf\t%s\n"
                        % (night, ts(t + 1800),
                           json.dumps(m).replace("\\", "\\\\")))
    for n in answered:
        f["node_metrics"].write("%d\t%d\t%s\tpeer_id\tpublic\t{%s}\t%d\t%d\tt\t%d\tf\t0\t0\tf\n"
                                % (analysis_id, night, n.peer, n.point, adv, adv, adv))

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
