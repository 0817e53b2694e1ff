#!/usr/bin/python3
"""Recomputes every location figure of a tzcensus-analyze run from simnet's truth.

  location_check.py TRUTH.json OUTDIR PROVIDERS.yaml

Where each node is comes from the truth file only (its asn and country, from
simnet's config); which nodes are public and R_core's edges come from the
analysis' own exports (nodes.csv, edges.csv, which analyzer_crosscheck.py and
analyzer_e2e check against networkx and the truth). From those this script
computes, independently of the C code: location.coverage,
concentration.by_asn / by_country / by_provider (nodes, groups, Nakamoto,
HHI, Gini, top 10 with ties broken on the key text), graph.as_level with
networkx (vertices, edges, node connectivity; the reported cut must be a
minimum separator) and attack_curves.by_asn (ASes removed most R_core nodes
first, ties by lower number). Exit 1 with a message on the first mismatch.
"""
import csv
import json
import re
import sys

import networkx as nx


def fail(msg):
    print("location_check: " + msg, file=sys.stderr)
    sys.exit(1)


def close(a, b, what):
    if a is None or b is None or abs(a - b) > 1e-9 * max(1.0, abs(b)):
        fail("%s: analyzer %r, expected %r" % (what, a, b))


def providers_of(path):
    """A tiny reader of the providers file this test writes (flow style)."""
    out = {}
    name = None
    for line in open(path):
        line = line.strip()
        if line.startswith("- name:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("asns:"):
            for a in line.split(":", 1)[1].strip(" []").split(","):
                out[int(a)] = name
    return out


def concentration(keys):
    """keys: one group key (text) per public node."""
    cnt = {}
    for k in keys:
        cnt[k] = cnt.get(k, 0) + 1
    ranked = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))
    total = len(keys)
    acc, nak = 0, 0
    for i, (_, n) in enumerate(ranked):
        acc += n
        if 2 * acc > total:
            nak = i + 1
            break
    hhi = sum((100.0 * n / total) ** 2 for _, n in ranked) if total else 0.0
    asc = sorted(n for _, n in ranked)
    m = len(asc)
    gini = (2.0 * sum((i + 1) * x for i, x in enumerate(asc)) / (m * total) - (m + 1.0) / m) if total else 0.0
    return {"nodes": total, "groups": len(ranked), "nakamoto": nak, "hhi": hhi,
            "gini": max(gini, 0.0), "ranked": ranked}


def compare_block(got, want, dim, label):
    for k in ("nodes", "groups", "nakamoto"):
        if got[k] != want[k]:
            fail("concentration.by_%s.%s = %r, expected %r" % (dim, k, got[k], want[k]))
    close(got["hhi"], want["hhi"], "concentration.by_%s.hhi" % dim)
    close(got["gini"], want["gini"], "concentration.by_%s.gini" % dim)
    top = want["ranked"][:10]
    if len(got["top"]) != len(top):
        fail("concentration.by_%s.top has %d entries, expected %d" % (dim, len(got["top"]), len(top)))
    for i, (g, (key, n)) in enumerate(zip(got["top"], top)):
        if label(g) != key or g["nodes"] != n:
            fail("concentration.by_%s.top[%d] = %s, expected %s with %d" % (dim, i, json.dumps(g), key, n))
        close(g["share"], n / want["nodes"], "concentration.by_%s.top[%d].share" % (dim, i))


def main():
    truth = json.load(open(sys.argv[1]))
    outdir = sys.argv[2]
    prov = providers_of(sys.argv[3])
    report = json.load(open(outdir + "/report.json"))
    by_peer, by_point, names = {}, {}, {}
    for n in truth["nodes"]:
        loc = (n["asn"], n["country"])
        by_peer[n["peer_id"]] = loc
        for p in n["points"]:
            by_point[p] = loc
        if n["asn"] is not None:
            names[n["asn"]] = n["as_name"]

    public, core = [], set()
    loc = {}
    with open(outdir + "/nodes.csv") as f:
        for r in csv.DictReader(f):
            if r["class"] != "public":
                continue
            first = r["points"].split(" ")[0]
            if r["kind"] == "peer_id":
                if r["id"] not in by_peer:
                    fail("public node %s is not in the truth file" % r["id"])
                loc[r["id"]] = by_peer[r["id"]]
            else:
                if first not in by_point:
                    fail("public point %s is not in the truth file" % first)
                loc[r["id"]] = by_point[first]
            public.append(r["id"])
            if r["in_core"] == "true":
                core.add(r["id"])
    if len(public) < 20:
        fail("only %d public nodes: the crawl did not find the world" % len(public))

    # location
    located = sum(1 for v in public if loc[v][0] is not None)
    L = report["location"]
    if L["vendor"] != "tzcensus-simnet":
        fail("location.vendor = %r" % L["vendor"])
    if not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", L["created"] or ""):
        fail("location.created = %r, want ISO 8601 UTC" % L["created"])
    close(L["coverage"], located / len(public), "location.coverage")
    if located == len(public):
        fail("every public node is located: the world should have unlocated ones")

    # concentration
    C = report["concentration"]
    asn_key = lambda v: "unknown" if loc[v][0] is None else str(loc[v][0])
    want = concentration([asn_key(v) for v in public])
    compare_block(C["by_asn"], want, "asn",
                  lambda g: "unknown" if g["asn"] is None else str(g["asn"]))
    for g in C["by_asn"]["top"]:
        wn = "unknown" if g["asn"] is None else names[g["asn"]]
        if g["name"] != wn:
            fail("AS%s named %r, truth says %r" % (g["asn"], g["name"], wn))
    want = concentration(["unknown" if loc[v][1] is None else loc[v][1] for v in public])
    compare_block(C["by_country"], want, "country", lambda g: g["country"])

    def pkey(v):
        if loc[v][0] is None:
            return "unknown"
        return prov.get(loc[v][0], "other")
    want = concentration([pkey(v) for v in public])
    compare_block(C["by_provider"], want, "provider", lambda g: g["provider"])
    if len(want["ranked"]) < 3:
        fail("the providers file should group the world into several providers")

    # graph.as_level
    G = nx.Graph()
    G.add_nodes_from(core)
    with open(outdir + "/edges.csv") as f:
        for r in csv.DictReader(f):
            if r["source"] in core and r["target"] in core and r["source"] != r["target"]:
                G.add_edge(r["source"], r["target"])
    A = nx.Graph()
    A.add_nodes_from({loc[v][0] for v in core if loc[v][0] is not None})
    for u, v in G.edges():
        a, b = loc[u][0], loc[v][0]
        if a is not None and b is not None and a != b:
            A.add_edge(a, b)
    got = report["graph"]["as_level"]
    if got["vertices"] != A.number_of_nodes() or got["edges"] != A.number_of_edges():
        fail("graph.as_level has %d vertices %d edges, networkx %d %d" %
             (got["vertices"], got["edges"], A.number_of_nodes(), A.number_of_edges()))
    kappa = nx.node_connectivity(A) if A.number_of_nodes() > 1 else 0
    if got["vertex_connectivity"] != kappa:
        fail("graph.as_level.vertex_connectivity %d, networkx %d" % (got["vertex_connectivity"], kappa))
    cut = got["min_vertex_cut"]
    complete = A.number_of_edges() == A.number_of_nodes() * (A.number_of_nodes() - 1) // 2
    if kappa and not complete:
        if len(cut) != kappa or not set(cut) <= set(A.nodes()):
            fail("graph.as_level.min_vertex_cut %r is not %d ASes of the graph" % (cut, kappa))
        B = A.copy()
        B.remove_nodes_from(cut)
        if nx.is_connected(B):
            fail("graph.as_level.min_vertex_cut %r does not separate the AS graph" % cut)
    unloc = sum(1 for v in core if loc[v][0] is None)
    if got["unlocated_nodes"] != unloc:
        fail("graph.as_level.unlocated_nodes %d, expected %d" % (got["unlocated_nodes"], unloc))

    # attack_curves.by_asn
    per = {}
    for v in core:
        if loc[v][0] is not None:
            per[loc[v][0]] = per.get(loc[v][0], 0) + 1
    order = [a for a, _ in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))]
    att = report["graph"]["core"]["attack_curves"]["by_asn"]
    if att["order"] != order:
        fail("attack_curves.by_asn.order %r, expected %r" % (att["order"], order))
    H = G.copy()
    giant, half = [], None
    for k in range(len(order) + 1):
        if k:
            H.remove_nodes_from([v for v in core if loc[v][0] == order[k - 1]])
        g = max((len(c) for c in nx.connected_components(H)), default=0)
        giant.append(g / len(core))
        if half is None and 2 * g < len(core):
            half = k
    if len(att["giant"]) != len(giant):
        fail("attack_curves.by_asn.giant has %d points, expected %d" % (len(att["giant"]), len(giant)))
    for k, (a, b) in enumerate(zip(att["giant"], giant)):
        close(a, b, "attack_curves.by_asn.giant[%d]" % k)
    if att["ases_to_half"] != half:
        fail("attack_curves.by_asn.ases_to_half %r, expected %r" % (att["ases_to_half"], half))
    print("location_check: %d public nodes (%d located) in %d ASes, %d countries, %d providers; "
          "AS graph %d vertices %d edges kappa %d; %s ASes to half" %
          (len(public), located, C["by_asn"]["groups"], C["by_country"]["groups"],
           C["by_provider"]["groups"], A.number_of_nodes(), A.number_of_edges(), kappa, half))


if __name__ == "__main__":
    main()
