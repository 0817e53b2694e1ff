#!/usr/bin/python3
"""Helper of bench/analyze_bench.sh: graph generation and networkx timings.

  analyze_bench.py gen KIND N M_OR_D SEED OUT.txt     gnm (M edges) or regular (degree D)
  analyze_bench.py nx-kappa EDGELIST                   node_connectivity; prints "kappa seconds"
  analyze_bench.py nx-linear EDGELIST                  components + articulation points + core
                                                       numbers; prints "seconds"
"""
import sys
import time

import networkx as nx


def read(path):
    g = nx.Graph()
    for line in open(path):
        t = line.split()
        if len(t) == 2:
            g.add_edge(t[0], t[1])
    return g


cmd = sys.argv[1]
if cmd == "gen":
    kind, n, x, seed, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    g = nx.gnm_random_graph(n, x, seed=seed) if kind == "gnm" else nx.random_regular_graph(x, n, seed=seed)
    with open(out, "w") as f:
        for u, v in g.edges():
            f.write("n%d n%d\n" % (u, v))
elif cmd == "nx-kappa":
    g = read(sys.argv[2])
    core = g.subgraph(max(nx.connected_components(g), key=len))
    t0 = time.perf_counter()
    k = nx.node_connectivity(core)
    print(k, "%.3f" % (time.perf_counter() - t0))
elif cmd == "nx-linear":
    g = read(sys.argv[2])
    t0 = time.perf_counter()
    comps = list(nx.connected_components(g))
    aps = list(nx.articulation_points(g))
    cn = nx.core_number(g)
    print("%.3f" % (time.perf_counter() - t0), len(comps), len(aps), max(cn.values()))
