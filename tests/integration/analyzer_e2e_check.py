#!/usr/bin/python3
"""End-to-end check of tzcensus-analyze on a crawled simnet world (ground truth).

  analyzer_e2e_check.py islands TRUTH OUTDIR
      the public graph's articulation points are exactly the island bridges,
      each cutting off its island (cut_off == island size)
  analyzer_e2e_check.py bottleneck TRUTH OUTDIR
      the core's vertex connectivity equals the planted cut, and the planted
      cut nodes do separate the core
  analyzer_e2e_check.py contract OUTDIR
      report.json carries every key of docs/analyzer.md
  analyzer_e2e_check.py same OUTDIR_DB OUTDIR_JOURNAL
      --db and --journal analyses of the same crawl agree

Every list in the world is at most 50 points long (checked), so two Bootstraps
show each node's full list and the crawl sees the whole graph.
"""
import csv
import json
import sys

import networkx as nx


def fail(msg):
    print("E2E MISMATCH: " + msg)
    sys.exit(1)


def load(outdir):
    rep = json.load(open(outdir + "/report.json"))
    S = nx.Graph()
    cls = {}
    with open(outdir + "/nodes.csv") as f:
        for r in csv.DictReader(f):
            S.add_node(r["id"])
            cls[r["id"]] = r["class"]
    with open(outdir + "/edges.csv") as f:
        for r in csv.DictReader(f):
            S.add_edge(r["source"], r["target"])
    return rep, S, cls


def full_lists(truth):
    longest = max(len(n["advertises"]) for n in truth["nodes"])
    if longest > 50:
        fail("world has a list of %d points: a crawl sees only samples; pick smaller worlds" % longest)


def peer_of(truth):
    return {p: n["peer_id"] for n in truth["nodes"] for p in n["points"]}


def islands(truth, outdir):
    full_lists(truth)
    rep, S, cls = load(outdir)
    pid = peer_of(truth)
    bridges = {pid[i["bridge"]]: len(i["members"]) for i in truth["islands"]}
    if not bridges:
        fail("the world has no islands")
    aps = {a["id"]: a["cut_off"] for a in rep["graph"]["reachable"]["articulation_points"]}
    if set(aps) != set(bridges):
        fail("articulation points %s, bridges %s" % (sorted(aps), sorted(bridges)))
    for b, size in bridges.items():
        if aps[b] != size:
            fail("bridge %s cuts off %d, island has %d" % (b, aps[b], size))
    R = S.subgraph([v for v in S if cls[v] == "public"])
    if set(nx.articulation_points(R)) != set(bridges):
        fail("networkx articulation points differ from the bridges")
    bn = truth["bottleneck"]
    bk = rep["graph"]["reachable"]["largest_block_vertex_connectivity"]
    if bn and bk != bn["size"]:
        fail("largest block's vertex connectivity %d, planted cut %d" % (bk, bn["size"]))
    bb = rep["graph"]["backbone"]
    if bn and bb["vertex_connectivity"] != bn["size"]:
        fail("backbone vertex connectivity %d, planted cut %d" % (bb["vertex_connectivity"], bn["size"]))
    if bn and sorted(c["id"] for c in bb["min_vertex_cut"]) != sorted(
            rep["graph"]["reachable"]["largest_block_min_vertex_cut"]):
        fail("backbone cut differs from the largest block's")
    print("islands ok: articulation points = %d bridges; largest block's vertex connectivity "
          "%d = planted cut" % (len(bridges), bk))


def bottleneck(truth, outdir):
    full_lists(truth)
    rep, S, cls = load(outdir)
    pid = peer_of(truth)
    bn = truth["bottleneck"]
    if not bn:
        fail("the world has no bottleneck")
    k = rep["graph"]["core"]["vertex_connectivity"]
    if k != bn["size"]:
        fail("core vertex connectivity %d, planted cut %d" % (k, bn["size"]))
    R = S.subgraph([v for v in S if cls[v] == "public"])
    core = R.subgraph(max(nx.connected_components(R), key=len)).copy()
    if nx.node_connectivity(core) != k:
        fail("networkx disagrees on the core's vertex connectivity")
    cut = [pid[p] for p in bn["cut"]]
    rest = core.copy()
    rest.remove_nodes_from(cut)
    if nx.is_connected(rest):
        fail("the planted cut does not separate the crawled core")
    mine = rep["graph"]["core"]["min_vertex_cut"]
    rest = core.copy()
    rest.remove_nodes_from(mine)
    if len(mine) != k or nx.is_connected(rest):
        fail("the reported cut %s is not a minimum separator" % mine)
    print("bottleneck ok: vertex connectivity %d = planted; reported cut %s, planted %s"
          % (k, sorted(mine), sorted(cut)))


# The report.json keys of docs/analyzer.md (a contract checked from outside).
CONTRACT = {
    "schema_version": None,
    "crawl": ["id", "uuid", "started_at", "finished_at", "vantage"],
    "counts": ["points_seen", "points_dialed", "public", "public_points", "foreign",
               "unverified", "unreachable", "undialed", "public_ratio", "outcomes"],
    "versions": None,
    "metadata": ["private_node", "disable_mempool", "pow_bits"],
    "heads": ["max_level", "reference_level", "median_level", "ahead_max", "outliers",
              "lag_histogram"],
    "graph.seen": ["vertices", "edges", "components", "giant_share", "articulation_points",
                   "sole_advertisers"],
    "graph.reachable": ["vertices", "edges", "components", "articulation_points",
                        "largest_block", "max_coreness", "coreness_histogram"],
    "graph.core": ["vertices", "edges", "vertex_connectivity", "min_vertex_cut",
                   "strong_vertex_connectivity", "betweenness_top", "attack_curves"],
    "graph.core.attack_curves": ["degree", "betweenness", "random"],
    "graph.backbone": ["vertices", "edges", "vertex_connectivity", "min_vertex_cut"],
    "concentration": ["peers_per_ip", "ips_with_many_peer_ids", "by_prefix"],
    "concentration.by_prefix.ipv4_24": ["nakamoto", "hhi", "gini", "top"],
    "concentration.by_prefix.ipv4_16": ["nakamoto", "hhi", "gini", "top"],
    "concentration.by_prefix.ipv6_48": ["nakamoto", "hhi", "gini", "top"],
    "trend": ["previous_crawl_id", "new", "gone", "delta_public"],
}


def contract(outdir):
    rep = json.load(open(outdir + "/report.json"))
    if rep.get("schema_version") != 1:
        fail("schema_version")
    # Provenance the report shows (docs/report.md): what the crawler recorded.
    crawl = rep.get("crawl", {})
    if not crawl.get("crawler_version"):
        fail("report.json crawl.crawler_version is missing")
    if not str(crawl.get("config_digest", "")).startswith("sha256:"):
        fail("report.json crawl.config_digest is missing")
    for path, keys in CONTRACT.items():
        o = rep
        for p in path.split("."):
            if not isinstance(o, dict) or p not in o:
                fail("report.json lacks " + path)
            o = o[p]
        for k in keys or []:
            if k not in o:
                fail("report.json lacks %s.%s" % (path, k))
    for v in rep["versions"]:
        for k in ("chain_name", "distributed_db_version", "p2p_version", "nodes"):
            if k not in v:
                fail("versions[] lacks " + k)
    for a in rep["graph"]["reachable"]["articulation_points"]:
        if set(a) != {"id", "point", "cut_off"}:
            fail("reachable.articulation_points[] shape")
    for b in rep["graph"]["core"]["betweenness_top"]:
        if set(b) != {"id", "point", "value"}:
            fail("betweenness_top[] shape")
    for c in rep["graph"]["backbone"]["min_vertex_cut"] + rep["graph"]["core"]["min_vertex_cut_nodes"]:
        if set(c) != {"id", "point"}:
            fail("min_vertex_cut[] shape")
    if len(rep["graph"]["core"]["attack_curves"]["degree"]) != 101:
        fail("attack curve length")
    print("report.json carries every key of the contract")


def same(a, b):
    ra, rb = json.load(open(a + "/report.json")), json.load(open(b + "/report.json"))
    for key in ("counts", "versions", "metadata", "heads", "graph", "concentration"):
        if ra[key] != rb[key]:
            fail("--db and --journal differ in %s" % key)
    for f in ("nodes.csv", "edges.csv", "graph.graphml"):
        if open(a + "/" + f).read() != open(b + "/" + f).read():
            fail("--db and --journal differ in " + f)
    print("db and journal analyses agree")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "contract":
        contract(sys.argv[2])
    elif cmd == "same":
        same(sys.argv[2], sys.argv[3])
    else:
        truth = json.load(open(sys.argv[2]))
        {"islands": islands, "bottleneck": bottleneck}[cmd](truth, sys.argv[3])
