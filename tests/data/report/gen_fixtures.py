#!/usr/bin/python3
"""Writes the report.json fixtures of tests/data/report/ (and, with --nodes N,
one large crawl for bench/report_bench.sh).

The numbers are made up but shaped like a Tezos mainnet crawl (Baking Bad
counted 200+ public of 1,000+ nodes in 2020): about a fifth of the points
seen are public, most unreachable points time out or are refused, and the
addresses come from the documentation and benchmarking ranges
(198.18.0.0/15, 203.0.113.0/24, 2001:db8::/32) so no real host is named.
Deterministic: a fixed seed, sorted keys where the contract leaves order open.

  gen_fixtures.py                  rewrites the committed fixtures here
  gen_fixtures.py --nodes N OUT    one crawl with N points seen into OUT
"""
import hashlib
import json
import random
import sys
import os

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# As the analyzer writes them (analyzer/analyze.c sec_definitions).
DEFINITIONS = {
    "vertex": "a node: its peer id when a handshake revealed one (points sharing a peer id are "
              "one vertex), else its point",
    "public": "a point that sent a valid connection message announcing the crawl's chain "
              "(whatever followed); counts.public counts nodes: public points merged by peer id",
    "foreign": "a point whose connection message announced another chain",
    "unverified": "a point that accepted TCP but sent no valid connection message",
    "unreachable": "a point whose every attempt was refused, timed out or had no route",
    "undialed": "a point never dialed (policy, self, not reached) or dialed only into local_error",
    "edge": "u advertised (or listed in a Nack) a point of v in this crawl; undirected, simple, "
            "no self-loops. Octez advertises points it has completed a handshake with: an edge "
            "means 'has been connected', not 'is connected'",
    "R_core": "largest connected component of R",
    "public_ratio": "public nodes / (public nodes + unverified points + unreachable points)",
    "backbone": "the largest biconnected block of R: its vertex connectivity is the fewest public "
                "nodes whose failure splits the well-knit centre",
    "head_reference": "the highest head within heads.ahead_max levels above the median head of "
                      "public nodes; lag = reference - head; higher heads are outliers",
    "attack_curves": "element k: largest component / R_core vertices after removing the top k% "
                     "(degree, betweenness: ranked once, not adaptive) or a random k% (mean of "
                     "random_runs)",
}
AHEAD_MAX = 1000
OUTCOMES = ["ok", "nack", "refused", "timeout", "unreachable", "silent_close", "closed",
            "handshake_timeout", "protocol_error", "incompatible", "self", "policy",
            "local_error", "foreign"]


def peer_id(rng):
    return "id" + "".join(rng.choice(B58) for _ in range(28))


def point(rng, i, v6_share=0.08):
    if rng.random() < v6_share:
        return "[2001:db8:%x:%x::%x]:9732" % (rng.randrange(1, 40), rng.randrange(0, 4), rng.randrange(1, 65535))
    a = 18 + (i % 2)
    return "198.%d.%d.%d:%d" % (a, rng.randrange(0, 200), rng.randrange(1, 255),
                                9732 if rng.random() < 0.9 else rng.randrange(9733, 19732))


def trend(cid, prev, public, vertices):
    """The analyzer's node-by-node comparison, consistent with the crawl before."""
    if prev is None:
        return {"previous_crawl_id": None, "new": None, "gone": None, "delta_public": None,
                "delta_vertices": None, "delta_vertex_connectivity": None,
                "delta_backbone_vertex_connectivity": None}
    delta = public - prev["counts"]["public"]
    gone = max(12 + cid % 3, -delta) if public else prev["counts"]["public"]
    return {"previous_crawl_id": prev["crawl"]["id"], "new": gone + delta, "gone": gone,
            "delta_public": delta, "delta_vertices": vertices - prev["counts"]["vertices"],
            "delta_vertex_connectivity": (0 if public else -1),
            "delta_backbone_vertex_connectivity": (0 if public else -3)}


# Octez releases as analyzer/releases.c names them (major.minor, then ~rcN,
# ~betaN, +dev); weights roughly a month after a release.
RELEASES = [("v22.1", 40), ("v22.0", 14), ("v21.4", 12), ("v23.0~rc1", 4), ("v21.3", 3),
            ("v22.1+dev", 2), ("v20.3", 1), ("v23.0~beta2", 1)]
PROBE_FROM = 34  # crawls before this id ran with the RPC probe off


def releases(cid, public, hostile=False):
    """report.json "releases" (analyzer/releases.c): from its own random stream,
    so the other figures do not change with it."""
    if public == 0 or cid < PROBE_FROM:
        return {"coverage": 0.0 if public else None, "public_nodes": public, "known": 0,
                "probed": False, "top": []}
    rng = random.Random(cid * 1009)
    known = int(public * (0.29 + 0.01 * (cid % 4)))
    weights = [w for _, w in RELEASES]
    counts = {}
    for _ in range(known):
        r = rng.choices([n for n, _ in RELEASES], weights)[0]
        counts[r] = counts.get(r, 0) + 1
    if hostile:  # text from a node's RPC answer: the renderer must not trust it
        counts["<script>alert(2)</script>|*y*|[b](http://e.invalid)"] = 1
        counts["@SUM(B1)\n\u202ev9"] = 1
        known += 2
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"coverage": known / public, "public_nodes": public, "known": known, "probed": True,
            "top": [{"release": r, "nodes": n, "share": n / known} for r, n in top]}


def crawl(cid, day, seen, public_ratio, rng, empty=False, hostile=False, liars=False, prev=None):
    started = "2026-11-%02dT02:00:%02dZ" % (day, cid % 60) if day > 0 else None
    # days before November go into October
    d = day
    month = 11
    if d <= 0:
        d += 31
        month = 10
    started = "2026-%02d-%02dT02:00:%02dZ" % (month, d, cid % 60)
    finished = "2026-%02d-%02dT02:%02d:%02dZ" % (month, d, 20 + cid % 30, (cid * 7) % 60)
    j = {"schema_version": 1,
         "crawl": {"id": cid,
                   "uuid": "6f1c%04x-5d2e-4c3b-9a7e-%012x" % (cid, cid * 7919),
                   "started_at": started, "finished_at": finished,
                   "vantage": "fra1 (Frankfurt, dual-stack)",
                   "crawler_version": "0.1.0",
                   "config_digest": "sha256:" + hashlib.sha256(b"config/mainnet.yaml v3").hexdigest()},
         "analyzer": {"version": "0.1.0", "seed": 42, "anonymized": False}}
    if empty:
        j["crawl"]["seeds_answered"] = 0
        j["counts"] = {"points_seen": 6, "points_dialed": 6, "vertices": 6, "public": 0,
                       "public_points": 0, "foreign": 0, "unverified": 0, "unreachable": 6,
                       "undialed": 0, "public_ratio": 0.0,
                       "outcomes": {"timeout": 4, "refused": 2}}
        j["versions"] = []
        j["metadata"] = {"private_node": 0, "disable_mempool": 0, "pow_bits": {}}
        j["heads"] = {"max_level": None, "reference_level": None, "median_level": None,
                      "highest_announced": None, "ahead_max": AHEAD_MAX, "nodes_with_head": 0,
                      "outliers": [], "lag_histogram": {}}
        j["graph"] = {"seen": {"vertices": 6, "edges": 0, "components": 6, "giant_share": 1 / 6,
                               "articulation_points": [], "sole_advertisers": []},
                      "reachable": {"vertices": 0, "edges": 0, "components": 0,
                                    "articulation_points": [], "blocks": 0, "largest_block": 0,
                                    "largest_block_vertex_connectivity": 0,
                                    "largest_block_min_vertex_cut": [],
                                    "max_coreness": 0, "coreness_histogram": {}},
                      "backbone": {"vertices": 0, "edges": 0, "vertex_connectivity": 0,
                                   "min_vertex_cut": [], "share_of_public": 0},
                      "core": {"vertices": 0, "edges": 0, "vertex_connectivity": 0,
                               "min_vertex_cut": [], "min_vertex_cut_nodes": [],
                               "strong_vertex_connectivity": 0,
                               "betweenness_top": [], "betweenness_method": "exact",
                               "attack_curves": {"degree": [], "betweenness": [], "random": [],
                                                 "adaptive": False, "random_runs": 10}}}
        j["concentration"] = {"peers_per_ip": {}, "ips_with_many_peer_ids": [],
                              "by_prefix": {k: {"nodes": 0, "prefixes": 0, "nakamoto": 0, "hhi": 0, "gini": 0, "top": []}
                                            for k in ("ipv4_24", "ipv4_16", "ipv6_48")}}
        j["releases"] = releases(cid, 0)
        j["trend"] = trend(cid, prev, 0, 6)
        j["definitions"] = DEFINITIONS
        location(j, cid, 0, 0, empty=True)
        j["_nat_args"] = ([], [], [], j["counts"]["outcomes"])
        return j, []

    # the classes of docs/methodology.md "Definitions": public nodes (public
    # points merged by peer id), foreign, unverified, unreachable, undialed points
    public = int(seen * public_ratio)
    public_points = public + public // 50  # a few multihomed nodes
    foreign = max(1, seen // 300)
    policy = max(1, seen // 33)
    local_error = 2
    undialed = policy + 1 + local_error  # policy, self, local_error
    dialed = seen - policy
    rest = seen - public_points - foreign - undialed
    unverified = max(1, rest // 9)
    unreachable = rest - unverified
    ok = int(public_points * 0.86)
    nack = int(public_points * 0.1)
    closed = max(1, public_points // 40)  # after the connection message: public
    incompatible = public_points - ok - nack - closed
    silent = unverified // 2
    hst = unverified // 4
    closed_noid = unverified // 8  # before it: unverified
    perr = unverified - silent - hst - closed_noid
    refused = int(unreachable * 0.42)
    unr = int(unreachable * 0.03)
    timeout = unreachable - refused - unr
    outcomes = {"ok": ok, "nack": nack, "refused": refused, "timeout": timeout,
                "unreachable": unr, "silent_close": silent, "closed": closed + closed_noid,
                "handshake_timeout": hst, "protocol_error": perr, "incompatible": incompatible,
                "self": 1, "policy": policy, "local_error": local_error, "foreign": foreign}
    pts = sorted({point(rng, i) for i in range(public)})
    ids = [peer_id(rng) for _ in pts]
    nodes = ids[:]  # a vertex is its peer id when known
    chain = "TEZOS_MAINNET"
    versions = [{"chain_name": chain, "distributed_db_version": 2, "p2p_version": 1,
                 "nodes": public - incompatible - 5},
                {"chain_name": chain, "distributed_db_version": 1, "p2p_version": 1, "nodes": 5},
                # our chain, no version in common (another chain is foreign, not here)
                {"chain_name": chain, "distributed_db_version": 0, "p2p_version": 1,
                 "nodes": incompatible}]
    if hostile:
        versions.append({"chain_name": "<script>alert(1)</script>|*x*|[a](http://e.invalid)",
                         "distributed_db_version": 2, "p2p_version": 1, "nodes": 1})
        versions.append({"chain_name": "=HYPERLINK(\"http://e.invalid\")\n\u202eTENNIAM",
                         "distributed_db_version": 0, "p2p_version": 0, "nodes": 1})
    pow_bits = {}
    for _ in range(public - closed):
        b = 26 + min(int(rng.expovariate(0.9)), 9)
        pow_bits[str(b)] = pow_bits.get(str(b), 0) + 1
    lag = {}
    for _ in range(public - closed - nack // 2):
        l = int(rng.expovariate(1.6)) if rng.random() < 0.97 else rng.randrange(20, 400)
        lag[str(l)] = lag.get(str(l), 0) + 1
    r_v = public
    core_v = public - max(2, public // 25)
    arts = []
    for k in range(max(2, public // 60)):
        i = k * 3 % len(nodes)
        arts.append({"id": nodes[i], "point": pts[i],
                     "cut_off": max(1, int(rng.paretovariate(1.3)))})
    # an articulation point known only by its point (no handshake id)
    arts.append({"id": pts[-1], "point": pts[-1], "cut_off": 2})
    arts.sort(key=lambda a: (-a["cut_off"], a["id"]))
    cor = {}
    for _ in range(r_v):
        c = min(int(rng.gammavariate(3.0, 3.2)) + 1, 24)
        cor[str(c)] = cor.get(str(c), 0) + 1
    maxc = max(int(k) for k in cor)
    def curve(kind):
        out = []
        for p in range(0, 101):
            f = p / 100.0
            if kind == "random":
                g = max(0.0, 1 - f * 1.02 - 0.002 * rng.random())
            elif kind == "degree":
                g = max(0.0, (1 - f) * (1 - (f / 0.32) ** 2) if f < 0.32 else 0.0)
            else:
                g = max(0.0, (1 - f) * (1 - (f / 0.27) ** 1.7) if f < 0.27 else 0.0)
            out.append({"removed": round(f, 4), "giant": round(g, 4)} if hostile else round(g, 4))
        return out
    bt = sorted(({"id": nodes[i], "point": pts[i], "value": round(rng.uniform(0.002, 0.09), 6)}
                 for i in range(0, min(10, len(nodes)))),
                key=lambda x: (-x["value"], x["id"]))
    # R_core's connectivity is 1 (a leaf hangs off arts[0]); the backbone's is 3
    core_cut = [{"id": arts[0]["id"], "point": arts[0]["point"]}]
    # a backbone cut member known only by its point
    bb_cut = sorted(({"id": nodes[i], "point": pts[i]} for i in (5, 11 % len(nodes)) if i != 3),
                    key=lambda x: x["id"]) + [{"id": pts[3], "point": pts[3]}]
    ref = 8734112 + cid * 10800
    outliers = []
    if liars:  # one head at 2^31-1, one 10^6 levels ahead: left out of the lag
        outliers = [{"id": nodes[19], "point": pts[19], "level": ref + 1000000, "ahead": 1000000},
                    {"id": nodes[7], "point": pts[7], "level": 2147483647,
                     "ahead": 2147483647 - ref}]
    lagged = sum(lag.values())
    lag_sorted = sorted((int(k), v) for k, v in lag.items())
    acc, median_lag = 0, 0
    for l, v in lag_sorted:
        acc += v
        if acc >= (lagged + len(outliers) + 1) // 2:
            median_lag = l
            break
    many = [{"ip": "198.18.%d.%d" % (rng.randrange(0, 200), rng.randrange(1, 255)), "peer_ids": n}
            for n in (12, 5, 4)]
    many.append({"ip": "2001:db8:7::17", "peer_ids": 3})
    ppi = {"1": public - 40, "2": 11, "3": 3, "4": 1, "5": 1, "12": 1}

    def prefix_stats(fam, k, total):
        top = []
        left = total
        for i in range(10):
            n = max(1, int(left * 0.06))
            left -= n
            if fam == "ipv4_24":
                p = "198.18.%d.0/24" % (i * 7 + 1)
            elif fam == "ipv4_16":
                p = "198.%d.0.0/16" % (18 + i % 2) if i < 2 else "203.0.0.0/16"
                if i >= 2:
                    break
            else:
                p = "2001:db8:%x::/48" % (i + 1)
            top.append({"prefix": p, "nodes": n, "share": round(n / total, 4)})
        return {"nodes": total, "prefixes": 10 * k // 4 + 3, "nakamoto": k, "hhi": round(10000 * sum(t["share"] ** 2 for t in top) + 12.5, 1),
                "gini": round(0.2 + rng.random() * 0.3, 4), "top": top}
    v6 = max(3, public // 12)
    vertices = public + (seen - public_points)
    j["counts"] = {"points_seen": seen, "points_dialed": dialed, "vertices": vertices,
                   "public": public, "public_points": public_points, "foreign": foreign,
                   "unverified": unverified, "unreachable": unreachable, "undialed": undialed,
                   "public_ratio": public / (public + unverified + unreachable),
                   "outcomes": outcomes}
    j["versions"] = versions
    j["metadata"] = {"private_node": max(1, public // 50), "disable_mempool": public // 13,
                     "pow_bits": dict(sorted(pow_bits.items(), key=lambda kv: int(kv[0])))}
    j["heads"] = {"max_level": ref, "reference_level": ref, "median_level": ref - median_lag,
                  "highest_announced": outliers[-1]["level"] if outliers else ref,
                  "ahead_max": AHEAD_MAX, "nodes_with_head": lagged + len(outliers),
                  "outliers": outliers,
                  "lag_histogram": dict(sorted(lag.items(), key=lambda kv: int(kv[0])))}
    j["graph"] = {
        "seen": {"vertices": vertices, "edges": seen * 11, "components": 3,
                 "giant_share": round(1 - 4 / seen, 4),
                 "articulation_points": sorted(a["id"] for a in arts[:3]),
                 "sole_advertisers": sorted(nodes[i] for i in range(0, min(len(nodes), 15), 3))},
        "reachable": {"vertices": r_v, "edges": r_v * 9, "components": 1 + (public - core_v),
                      "articulation_points": arts, "blocks": len(arts) + 1 + (public - core_v),
                      "largest_block": core_v - len(arts),
                      "largest_block_vertex_connectivity": 3,
                      "largest_block_min_vertex_cut": [x["id"] for x in bb_cut],
                      "max_coreness": maxc,
                      "coreness_histogram": dict(sorted(cor.items(), key=lambda kv: int(kv[0])))},
        "backbone": {"vertices": core_v - len(arts), "edges": (core_v - len(arts)) * 8,
                     "vertex_connectivity": 3, "min_vertex_cut": bb_cut,
                     "share_of_public": (core_v - len(arts)) / r_v},
        "core": {"vertices": core_v, "edges": core_v * 9, "vertex_connectivity": 1,
                 "min_vertex_cut": [x["id"] for x in core_cut],
                 "min_vertex_cut_nodes": core_cut, "strong_vertex_connectivity": 1,
                 "betweenness_top": bt, "betweenness_method": "exact",
                 "attack_curves": {"degree": curve("degree"), "betweenness": curve("betweenness"),
                                   "random": curve("random"), "adaptive": False,
                                   "random_runs": 10,
                                   "x": "percent of R_core removed, 0..100",
                                   "y": "largest component / R_core vertices"}}}
    j["concentration"] = {"peers_per_ip": ppi, "ips_with_many_peer_ids": many,
                          "by_prefix": {"ipv4_24": prefix_stats("ipv4_24", 61, public - v6),
                                        "ipv4_16": prefix_stats("ipv4_16", 1, public - v6),
                                        "ipv6_48": prefix_stats("ipv6_48", 4, v6)}}
    j["releases"] = releases(cid, public, hostile)
    j["trend"] = trend(cid, prev, public, vertices)
    j["definitions"] = DEFINITIONS
    location(j, cid, public, core_v, hostile=hostile)
    j["_nat_args"] = (pts, ids, many, outcomes)
    addrs = pts + [m["ip"] for m in many]
    return j, addrs


# ASes of the fixtures: RFC 5398 documentation numbers, invented names.
FIXTURE_ASES = [(64496, "Example Cloud", "DE"), (64497, "Sample Hosting", "US"),
                (64498, "Demo Datacenter", "FR"), (64499, "Test Telecom", "FI"),
                (64500, "Placeholder Networks Incorporated Worldwide", "SG"),
                (64501, "Illustrative ISP", "JP"), (64502, "Mock Metro", "NL"),
                (64503, "Specimen Broadband", "CA"), (64504, "Dummy Colo", "GB"),
                (64505, "Pretend Fibre", "BR"), (64506, "Fictional Cable", "US"),
                (64507, "Instance Net", "KR")]
FIXTURE_PROVIDERS = {64496: "Example Cloud", 64497: "Sample Hosting", 64502: "Sample Hosting"}


def location(j, cid, public, core_v, hostile=False, empty=False):
    """The "Where the nodes are" keys, as analyzer/locfig.c writes them, from
    a stream of their own (the other figures keep their values)."""
    rng = random.Random(1000 + cid)
    ases = list(FIXTURE_ASES)
    if hostile:
        ases[1] = (64497, "<script>alert(1)</script>|*x*|[a](http://e.invalid)", "US")
        ases[3] = (64499, "=HYPERLINK(\"http://e.invalid\")\n\u202eTENNIAM", "A1")
    w = [30, 22, 12, 8, 6, 5, 4, 3, 2, 2, 1, 1]
    counts = {}
    for _ in range(public):
        if rng.random() < 0.03:
            k = None
        else:
            k = rng.choices(range(len(ases)), weights=w)[0]
        counts[k] = counts.get(k, 0) + 1

    def block(groups, label):
        ranked = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
        total = sum(groups.values())
        acc, nak = 0, 0
        for i, (_, n) in enumerate(ranked):
            acc += n
            if 2 * acc > total:
                nak = i + 1
                break
        hhi = sum((100.0 * n / total) ** 2 for _, n in ranked) if total else 0
        asc = sorted(n for _, n in ranked)
        m = len(asc)
        gini = max(0.0, 2.0 * sum((i + 1) * x for i, x in enumerate(asc)) / (m * total) - (m + 1.0) / m) if total else 0
        return {"nodes": total, "groups": len(ranked), "nakamoto": nak, "hhi": round(hhi, 3),
                "gini": round(gini, 4),
                "top": [dict(label(key), nodes=n, share=round(n / total, 6)) for key, n in ranked[:10]]}

    by_asn = {("unknown" if k is None else str(ases[k][0])): n for k, n in counts.items()}
    names = {str(a): nm for a, nm, _ in ases}
    by_cc, by_prov = {}, {}
    for k, n in counts.items():
        cc = "unknown" if k is None else ases[k][2]
        pv = "unknown" if k is None else FIXTURE_PROVIDERS.get(ases[k][0], "other")
        by_cc[cc] = by_cc.get(cc, 0) + n
        by_prov[pv] = by_prov.get(pv, 0) + n
    j["concentration"]["by_asn"] = block(
        by_asn, lambda k: {"asn": None, "name": "unknown"} if k == "unknown" else {"asn": int(k), "name": names[k]})
    j["concentration"]["by_country"] = block(by_cc, lambda k: {"country": k})
    j["concentration"]["by_provider"] = block(by_prov, lambda k: {"provider": k})
    located = public - counts.get(None, 0)
    j["location"] = {"vendor": "IPFire Project", "created": "2026-11-%02dT05:59:54Z" % (10 + cid % 10),
                     "coverage": round(located / public, 6) if public else 0, "public_nodes": public,
                     "located": located, "with_country": located, "providers": 17}
    in_core = sorted(((ases[k][0], n) for k, n in counts.items() if k is not None),
                     key=lambda an: (-an[1], an[0]))
    n_as = len(in_core)
    j["graph"]["as_level"] = {"vertices": n_as, "edges": n_as * (n_as - 1) // 3 if n_as > 1 else 0,
                              "vertex_connectivity": min(4, max(0, n_as - 1)),
                              "min_vertex_cut": [a for a, _ in in_core[:min(4, max(0, n_as - 1))]],
                              "unlocated_nodes": counts.get(None, 0)}
    giant, left = [1.0 if core_v else 0.0], core_v
    for _, n in in_core:
        left = max(0, left - n)
        giant.append(round(left / core_v * (0.9 if left else 0), 4) if core_v else 0.0)
    half = next((i for i, g in enumerate(giant) if g < 0.5), None) if core_v else None
    j["graph"]["core"]["attack_curves"]["by_asn"] = {
        "order": [a for a, _ in in_core], "giant": giant, "ases_to_half": half,
        "x": "ASes removed, most R_core nodes first", "y": "largest component / R_core vertices"}


NAT_RANGES = ("private", "docker_bridge", "cgnat", "link_local", "loopback")
INBOUND_CLASSES = ("reachable", "nat_refused", "nat_silent", "port_zero", "other_peer",
                   "not_dialed")


def nat(j, pts, ids, many, outcomes, inbound=False):
    """report.json `nat` for a crawl; a stream of its own leaves the rest as it was."""
    rng = random.Random(j["crawl"]["id"] * 7717)
    if not pts:
        j["nat"] = {"private_advertisers": {"nodes": 0, "points": 0,
                                            "by_range": {r: {"nodes": 0, "points": 0}
                                                         for r in NAT_RANGES}, "top": []},
                    "port_mismatch": {"nodes": 0, "points": 0, "checked_points": 0,
                                      "announce_zero": 0, "top": []},
                    "shared_addresses": {"addresses": 0, "nodes": 0, "top": []},
                    "unreachable_by_cause": {"points": 6, "refused": 2, "timed_out": 4,
                                             "no_route": 0}}
        return
    adv = []
    by = {r: {"nodes": 0, "points": 0} for r in NAT_RANGES}
    for k in range(min(len(pts), 40)):
        i = (k * 7) % len(pts)
        ranges = {}
        for r in NAT_RANGES:
            if rng.random() < (0.6, 0.25, 0.15, 0.08, 0.03)[NAT_RANGES.index(r)]:
                ranges[r] = 1 + int(rng.expovariate(0.4))
                by[r]["nodes"] += 1
                by[r]["points"] += ranges[r]
        if ranges:
            adv.append({"id": ids[i], "point": pts[i], "points": sum(ranges.values()),
                        "ranges": ranges})
    adv.sort(key=lambda a: (-a["points"], a["id"]))
    mism = []
    for k in range(min(len(pts), 9)):
        i = (k * 11 + 5) % len(pts)
        dialed = int(pts[i].rsplit(":", 1)[1])
        mism.append({"id": ids[i], "point": pts[i], "dialed_port": dialed,
                     "announced_port": 9732 if dialed != 9732 else 19732})
    j["nat"] = {
        "private_advertisers": {"nodes": len(adv), "points": sum(a["points"] for a in adv),
                                "by_range": by, "top": adv[:20]},
        "port_mismatch": {"nodes": len(mism), "points": len(mism), "checked_points": len(pts),
                          "announce_zero": 2, "top": mism},
        "shared_addresses": {"addresses": len(many),
                             "nodes": sum(m["peer_ids"] for m in many),
                             "top": [{"address": m["ip"], "nodes": m["peer_ids"],
                                      "points": m["peer_ids"]} for m in many[:20]]},
        "unreachable_by_cause": {"points": outcomes["refused"] + outcomes["timeout"]
                                 + outcomes["unreachable"],
                                 "refused": outcomes["refused"], "timed_out": outcomes["timeout"],
                                 "no_route": outcomes["unreachable"]},
    }
    if inbound:
        by_class = {c: n for c, n in zip(INBOUND_CLASSES, (61, 188, 97, 23, 9, 4))}
        j["nat"]["inbound"] = {"window_hours": 24, "peers": sum(by_class.values()),
                               "by_class": by_class, "hidden_share": 0.8187}


def node_history(crawls):
    """report.json `history` (analyzer/history.c) over the given crawls, oldest
    first, the last one being the crawl analysed: made-up uptime figures,
    churn from each crawl's trend, versions split by the release the RPC
    probe learned (releases: null for a crawl without the probe)."""
    out = []
    for j in crawls:
        rel = j["releases"]
        known = {e["release"]: e["nodes"] for e in rel["top"]}
        versions = []
        for v in j["versions"]:
            if (v["distributed_db_version"], v["p2p_version"]) == (2, 1) and known:
                for r, n in known.items():
                    versions.append(dict(v, release=r, nodes=n))
                rest = v["nodes"] - sum(known.values())
                if rest > 0:
                    versions.append(dict(v, nodes=rest))
            else:
                versions.append(dict(v))
        versions.sort(key=lambda v: (-v["nodes"], v["chain_name"], v["distributed_db_version"],
                                     v["p2p_version"], v.get("release", "")))
        out.append({"crawl_id": j["crawl"]["id"], "started_at": j["crawl"]["started_at"],
                    "public_nodes": j["counts"]["public"],
                    "new": j["trend"]["new"] if out else None,
                    "gone": j["trend"]["gone"] if out else None,
                    "versions": versions,
                    "releases": [{"release": e["release"], "nodes": e["nodes"]} for e in rel["top"]]
                    if rel["probed"] else None})
    public = crawls[-1]["counts"]["public"]
    bins = [41, 17, 12, 9, 8, 7, 9, 11, 18, 231]
    core = 205
    return {"window": len(out),
            "uptime": {"nodes": sum(bins), "stable_nodes": bins[9],
                       "stable_share": bins[9] / sum(bins), "stable_public_now": 224,
                       "distribution": [{"from": b / 10, "to": (b + 1) / 10, "nodes": n}
                                        for b, n in enumerate(bins)]},
            "core": {"nodes": core, "share_of_public_now": core / public},
            "crawls": out}


def dump(path, obj, with_nat=False, inbound=False):
    args = obj.pop("_nat_args", None)
    if with_nat:
        nat(obj, *args, inbound=inbound)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) == 4 and sys.argv[1] == "--nodes":
        n = int(sys.argv[2])
        j, _ = crawl(900, 24, n, 0.22, random.Random(n))
        dump(sys.argv[3], j, with_nat=True)
        return
    rng = random.Random(20261124)
    # history: 12 nightly crawls, ids 30..41, days 25 Oct .. 23 Nov (30, 23, 16, 9 days back ...)
    hist_days = [-6, -5, 1, 8, 10, 14, 17, 19, 20, 21, 22, 23]
    os.makedirs(os.path.join(here, "history"), exist_ok=True)
    j = None
    hist = []
    for k, day in enumerate(hist_days):
        cid = 30 + k
        seen = 1300 + (k * 29) % 140
        j, _ = crawl(cid, day, seen, 0.205 + 0.002 * k, rng, prev=j)
        hist.append(j)
        dump(os.path.join(here, "history", "crawl-%02d.json" % cid), j, with_nat=True)
    last = j
    cur, addrs = crawl(42, 24, 1432, 0.2179, rng, liars=True, prev=last)
    cur["history"] = node_history(hist + [cur])
    dump(os.path.join(here, "crawl-42.json"), cur, with_nat=True, inbound=True)
    with open(os.path.join(here, "crawl-42.addresses"), "w") as f:
        for a in sorted(set(addrs)):
            f.write(a + "\n")
    empty, _ = crawl(43, 25, 6, 0, rng, empty=True, prev=last)
    dump(os.path.join(here, "empty.json"), empty, with_nat=True)
    hostile, _ = crawl(44, 25, 300, 0.2, rng, hostile=True, prev=last)
    dump(os.path.join(here, "hostile.json"), hostile, with_nat=True)


if __name__ == "__main__":
    main()
