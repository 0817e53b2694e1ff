#!/usr/bin/python3
"""Compares report.json `nat` with simnet's truth file, figure by figure.

Used by nat_crawl.sh (not a test by itself). Arguments: truth.json, then one
or more report.json. Every expected figure is computed from the truth file
alone, with Python's ipaddress module for the ranges and the classes the
behaviours imply (docs/simnet.md), never from the crawl. Exits 1 with the
list of mismatches.
"""
import ipaddress
import json
import sys

truth = json.load(open(sys.argv[1]))
errors = []

# The class each behaviour proves (docs/methodology.md "Definitions").
PUBLIC = {"public", "old_version", "low_pow", "shared_ip", "multihomed", "nack", "private"}
DOCKER = ipaddress.ip_network("172.17.0.0/16")
RANGES = [  # (name, networks); Docker's bridge before the private 172.16/12
    ("docker_bridge", [DOCKER]),
    ("private", [ipaddress.ip_network(n) for n in
                 ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]),
    ("cgnat", [ipaddress.ip_network("100.64.0.0/10")]),
    ("link_local", [ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10")]),
    ("loopback", [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "::1/128")]),
]


def split(point):
    host, port = point.rsplit(":", 1)
    return ipaddress.ip_address(host.strip("[]")), int(port)


def rng(point):
    addr = split(point)[0]
    for name, nets in RANGES:
        if any(addr.version == n.version and addr in n for n in nets):
            return name
    return None


nodes = [n for n in truth["nodes"] if not n["foreign_only"]]
public = [n for n in nodes if n["behavior"] in PUBLIC]

# private_advertisers: public nodes listing points of a range not their own
per_node, pts = {}, {}
for n in public:
    if n["reveals"] == "none":
        continue
    own = rng(n["point"])
    for p in n["advertises"]:
        r = rng(p)
        if r and r != own:
            per_node.setdefault(n["peer_id"], {}).setdefault(r, set()).add(p)
            pts.setdefault(r, set()).add(p)
want_pa = {
    "nodes": len(per_node),
    "points": sum(len(s) for s in pts.values()),
    "by_range": {r: {"nodes": sum(1 for v in per_node.values() if r in v),
                     "points": len(pts.get(r, ()))} for r, _ in RANGES},
}
want_top = {pid: sum(len(s) for s in v.values()) for pid, v in per_node.items()}

# port_mismatch: public nodes whose connection message announced another port
mism = {n["peer_id"]: (n["point"], n["announced_port"]) for n in public
        if n["announced_port"] != split(n["point"])[1]}
want_pm = {"nodes": len(mism), "points": len(mism),
           "checked_points": sum(len(n["points"]) for n in public), "announce_zero": 0}

# shared_addresses: addresses at which several peer ids answered
at = {}
for n in public:
    for p in n["points"]:
        at.setdefault(str(split(p)[0]), set()).add(n["peer_id"])
shared = {a: ids for a, ids in at.items() if len(ids) >= 2}
want_sa = {"addresses": len(shared), "nodes": sum(len(s) for s in shared.values())}

# unreachable_by_cause: on loopback nothing times out and every route exists
refusing = [n for n in nodes if not n["listening"]]
want_ub = {"points": len(refusing), "refused": len(refusing), "timed_out": 0, "no_route": 0}

for path in sys.argv[2:]:
    nat = json.load(open(path))["nat"]
    pa = nat["private_advertisers"]
    for k, v in want_pa.items():
        if pa[k] != v:
            errors.append("%s private_advertisers.%s: %s, truth %s" % (path, k, pa[k], v))
    for t in pa["top"]:
        if want_top.get(t["id"]) != t["points"]:
            errors.append("%s private_advertisers.top %s: %s points, truth %s"
                          % (path, t["id"], t["points"], want_top.get(t["id"])))
    pm = nat["port_mismatch"]
    for k, v in want_pm.items():
        if pm[k] != v:
            errors.append("%s port_mismatch.%s: %s, truth %s" % (path, k, pm[k], v))
    got = {t["id"]: (t["point"], t["announced_port"]) for t in pm["top"]}
    if got != mism:
        errors.append("%s port_mismatch.top: %s, truth %s" % (path, got, mism))
    sa = nat["shared_addresses"]
    for k, v in want_sa.items():
        if sa[k] != v:
            errors.append("%s shared_addresses.%s: %s, truth %s" % (path, k, sa[k], v))
    got = {t["address"]: t["nodes"] for t in sa["top"]}
    if got != {a: len(s) for a, s in shared.items()}:
        errors.append("%s shared_addresses.top: %s, truth %s" % (path, got, shared))
    ub = nat["unreachable_by_cause"]
    for k, v in want_ub.items():
        if ub[k] != v:
            errors.append("%s unreachable_by_cause.%s: %s, truth %s" % (path, k, ub[k], v))

print("truth: private_advertisers %s; port_mismatch %d; shared_addresses %s; unreachable %s"
      % (want_pa, len(mism), want_sa, want_ub))
for e in errors:
    print("MISMATCH " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
