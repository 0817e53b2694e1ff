#!/usr/bin/python3
"""Cross-checks tzcensus-analyze against networkx (an independent implementation).

  analyzer_crosscheck.py gen OUT.txt KIND SEED      writes an edge list
  analyzer_crosscheck.py check OUTDIR [EDGELIST]     recomputes from graph.graphml/edges.csv

check recomputes, from the exported files only: vertex connectivity of R_core,
validity and size of the reported minimum vertex cut, articulation points of R
with their cut_off counts, coreness of every public node, components. With
EDGELIST it also checks that the export holds exactly the input graph (minus
self-loops and repeats). Exit 1 with a message on the first mismatch.
"""
import csv
import json
import random
import sys

import networkx as nx


def gen(path, kind, seed):
    rnd = random.Random(seed)
    if kind == "gnm":
        n = rnd.randint(20, 160)
        g = nx.gnm_random_graph(n, rnd.randint(n, 5 * n), seed=seed)
    elif kind == "dense":
        n = rnd.randint(20, 60)
        g = nx.gnm_random_graph(n, rnd.randint(4 * n, n * (n - 1) // 3), seed=seed)
    elif kind == "regular":
        n = 2 * rnd.randint(10, 60)
        g = nx.random_regular_graph(rnd.randint(3, 7), n, seed=seed)
    elif kind == "cliques":  # two cliques joined through k shared-neighbour vertices
        a, b, k = rnd.randint(5, 12), rnd.randint(5, 12), rnd.randint(1, 4)
        g = nx.complete_graph(a)
        g = nx.disjoint_union(g, nx.complete_graph(b))
        for j in range(k):
            x = a + b + j
            for y in rnd.sample(range(a), min(a, k + 1)) + rnd.sample(range(a, a + b), min(b, k + 1)):
                g.add_edge(x, y)
    elif kind == "pendants":  # random core plus trees hanging off it, and a far island
        g = nx.gnm_random_graph(40, 160, seed=seed)
        nxt = 40
        for _ in range(rnd.randint(2, 8)):
            root = rnd.randrange(nxt)
            for _ in range(rnd.randint(1, 4)):
                g.add_edge(root, nxt)
                root = nxt if rnd.random() < 0.5 else root
                nxt += 1
        g.add_edges_from([(nxt, nxt + 1), (nxt + 1, nxt + 2)])
    else:
        raise SystemExit("unknown kind " + kind)
    with open(path, "w") as f:
        for u, v in g.edges():
            # both directions sometimes, repeats and a self-loop: the analyzer must simplify
            f.write("v%d v%d\n" % (u, v))
            if rnd.random() < 0.2:
                f.write("v%d v%d\n" % (v, u))
        for u in g.nodes():
            if g.degree(u) == 0:
                f.write("v%d\n" % u)
        if g.number_of_nodes():
            f.write("v0 v0\n")


def fail(msg):
    print("MISMATCH: " + msg)
    sys.exit(1)


def check(outdir, edgelist=None):
    rep = json.load(open(outdir + "/report.json"))
    gml = nx.read_graphml(outdir + "/graph.graphml")
    label = {n: d["label"] for n, d in gml.nodes(data=True)}
    S = nx.Graph()
    S.add_nodes_from(label.values())
    S.add_edges_from((label[u], label[v]) for u, v in gml.edges())
    with open(outdir + "/edges.csv") as f:
        E = {tuple(sorted((r["source"], r["target"]))) for r in csv.DictReader(f)}
    if E != {tuple(sorted(e)) for e in S.edges()}:
        fail("edges.csv and graph.graphml disagree")
    if edgelist:
        want = nx.Graph()
        for line in open(edgelist):
            t = line.split()
            if len(t) == 1:
                want.add_node(t[0])
            elif len(t) == 2 and t[0] != t[1]:
                want.add_edge(t[0], t[1])
            elif len(t) == 2:
                want.add_node(t[0])
        if set(want.nodes()) != set(S.nodes()) or {frozenset(e) for e in want.edges()} != {
            frozenset(e) for e in S.edges()
        }:
            fail("exported graph differs from the input edge list")
    public = [label[n] for n, d in gml.nodes(data=True) if d["class"] == "public"]
    R = S.subgraph(public).copy()
    comps = sorted(nx.connected_components(R), key=lambda c: (-len(c), min(c)))
    core = R.subgraph(comps[0]).copy() if comps else nx.Graph()
    g = rep["graph"]
    checked = 0
    if g["seen"]["components"] != nx.number_connected_components(S):
        fail("seen components")
    if g["reachable"]["components"] != len(comps):
        fail("reachable components")
    if g["core"]["vertices"] != core.number_of_nodes() or g["core"]["edges"] != core.number_of_edges():
        fail("core size %s vs %d/%d" % (g["core"], core.number_of_nodes(), core.number_of_edges()))
    # vertex connectivity and its witness
    k = nx.node_connectivity(core) if core.number_of_nodes() > 1 else 0
    if g["core"]["vertex_connectivity"] != k:
        fail("vertex connectivity %d, networkx %d" % (g["core"]["vertex_connectivity"], k))
    cut = g["core"]["min_vertex_cut"]
    n = core.number_of_nodes()
    complete = n > 1 and core.number_of_edges() == n * (n - 1) // 2
    if complete or n <= 1:
        if cut:
            fail("complete/trivial core must have no cut")
    else:
        if len(cut) != k:
            fail("cut size %d != kappa %d" % (len(cut), k))
        rest = core.copy()
        rest.remove_nodes_from(cut)
        if nx.is_connected(rest):
            fail("reported cut %s does not disconnect the core" % cut)
    # the largest biconnected block of R (any of the largest, on ties)
    blocks = [set(b) for b in nx.biconnected_components(R)]
    bk = g["reachable"]["largest_block_vertex_connectivity"]
    bcut = g["reachable"]["largest_block_min_vertex_cut"]
    if blocks:
        size = max(len(b) for b in blocks)
        if g["reachable"]["largest_block"] != size:
            fail("largest block %d vs networkx %d" % (g["reachable"]["largest_block"], size))
        ok = False
        for b in (b for b in blocks if len(b) == size):
            B = R.subgraph(b)
            if nx.node_connectivity(B) != bk:
                continue
            if bcut:
                rest = B.copy()
                rest.remove_nodes_from(bcut)
                if len(bcut) != bk or not set(bcut) <= b or nx.is_connected(rest):
                    continue
            ok = True
        if not ok:
            fail("largest block connectivity %d / cut %s matches no largest block" % (bk, bcut))
        # graph.backbone: the same block, with its edges and the cut as nodes
        bb = g["backbone"]
        if bb["vertices"] != size or bb["vertex_connectivity"] != bk:
            fail("backbone %d vertices, kappa %d; largest block %d, kappa %d"
                 % (bb["vertices"], bb["vertex_connectivity"], size, bk))
        if sorted(c["id"] for c in bb["min_vertex_cut"]) != sorted(bcut):
            fail("backbone cut %s, largest block cut %s" % (bb["min_vertex_cut"], bcut))
        if not any(R.subgraph(b).number_of_edges() == bb["edges"] and
                   nx.node_connectivity(R.subgraph(b)) == bb["vertex_connectivity"]
                   for b in blocks if len(b) == size):
            fail("backbone has %d edges: no largest block of networkx has" % bb["edges"])
    checked += 2
    # articulation points of R and cut_off
    aps = {a["id"]: a["cut_off"] for a in g["reachable"]["articulation_points"]}
    want = set(nx.articulation_points(R))
    if set(aps) != want:
        fail("articulation points %s vs networkx %s" % (sorted(aps), sorted(want)))
    for v, c in aps.items():
        comp = nx.node_connected_component(R, v)
        rest = R.subgraph(comp - {v})
        largest = max(len(x) for x in nx.connected_components(rest))
        if c != len(comp) - 1 - largest:
            fail("cut_off of %s: %d, networkx %d" % (v, c, len(comp) - 1 - largest))
    seen_aps = set(g["seen"]["articulation_points"])
    if seen_aps != set(nx.articulation_points(S)):
        fail("seen articulation points")
    checked += 2
    # coreness
    cn = nx.core_number(R)
    for n_, d in gml.nodes(data=True):
        if d["class"] == "public" and int(d["coreness"]) != cn[label[n_]]:
            fail("coreness of %s: %s vs %d" % (label[n_], d["coreness"], cn[label[n_]]))
    if g["reachable"]["max_coreness"] != (max(cn.values()) if cn else 0):
        fail("max coreness")
    checked += 1
    print("ok %s: n=%d core=%d kappa=%d aps=%d" % (outdir, S.number_of_nodes(), n, k, len(aps)))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
