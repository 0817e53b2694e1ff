"""Compares one crawl stored in PostgreSQL with simnet's ground truth.

Used by crawl_simnet.sh (not a test by itself). Arguments: truth.json,
visits.tsv, edges.tsv, crawl.tsv, violations.jsonl, summary.json, mode.
mode "full": the crawl finished; every check. mode "aborted": the crawl was
interrupted; only what was stored must be right (no recall check).
Exits 1 with the list of mismatches.
"""
import ipaddress
import json
import sys

truth_path, visits_path, edges_path, crawl_path, viol_path, summary_path, mode = sys.argv[1:8]
truth = json.load(open(truth_path))
errors = []


def err(msg):
    if len(errors) < 40:
        errors.append(msg)
    elif len(errors) == 40:
        errors.append("... more")


# What each simnet behaviour must look like to a correct crawler.
EXPECT = {
    "public": "ok",
    "old_version": "ok",
    "low_pow": "ok",
    "shared_ip": "ok",
    "multihomed": "ok",
    "no_listen": "refused",
    "stall": "handshake_timeout",
    "silent_close": "silent_close",
    "nack": "nack",
    "private": "closed",
    "wrong_chain": "foreign",
}

node_at = {}
for n in truth["nodes"]:
    for p in n.get("points", [n["point"]]):
        node_at[p] = n
data_points = set(truth.get("data_points", []))


def host_of(point):
    if point.startswith("["):
        return ipaddress.ip_address(point[1:point.index("]")])
    return ipaddress.ip_address(point.rsplit(":", 1)[0])


def allowed(point):
    a = host_of(point)
    return a in ipaddress.ip_network("127.0.0.0/8") or a == ipaddress.ip_address("::1")


visits = [l.rstrip("\n").split("\t") for l in open(visits_path) if l.strip()]
edges = [l.rstrip("\n").split("\t") for l in open(edges_path) if l.strip()]
crawl = open(crawl_path).read().split()
summary = json.load(open(summary_path))

# 1. simnet saw no violation of Octez's rules.
viol = [l for l in open(viol_path) if l.strip()] if viol_path != "-" else []
for l in viol[:10]:
    err("simnet violation: " + l.strip())

# 2. crawl row and summary agree.
want_status = "finished" if mode == "full" else "aborted"
if not crawl or crawl[0] != want_status:
    err("crawls.status is %r, want %s" % (crawl[:1], want_status))
if summary.get("status") != want_status:
    err("summary status %r, want %s" % (summary.get("status"), want_status))
if summary.get("visits") != len(visits):
    err("summary says %s visits, database has %d" % (summary.get("visits"), len(visits)))
if summary.get("edges") != len(edges):
    err("summary says %s edges, database has %d" % (summary.get("edges"), len(edges)))

# 3. every visit: outcome matches the node's behaviour; policy only outside the allow list.
final = {}
seen_points = set()
already = set()
for point, outcome, attempt, peer_id, error, head, motive in visits:
    seen_points.add(point)
    if outcome == "policy":
        if allowed(point):
            err("%s: policy outcome for an allowed point (%s)" % (point, error))
        continue
    if not allowed(point):
        err("%s dialed (%s) but it is outside the allow list" % (point, outcome))
        continue
    n = node_at.get(point)
    if n is None:
        err("%s dialed but simnet has no such point" % point)
        continue
    # simnet's truth says what a correct crawler records; the table above
    # is the same mapping, kept for truth files without the field.
    want = n.get("expected_outcome", EXPECT[n["behavior"]])
    cut = mode == "aborted" and "aborted" in error
    # A node with two points may nack our second session if it has not yet
    # seen the first one end: the crawler then dials that point again.
    again = (outcome == "nack" and "Already_connected" in error
             and n["behavior"] == "multihomed")
    if again:
        already.add(point)
    if outcome != want and not cut and not again:
        err("%s (%s): outcome %s, want %s (%s)" % (point, n["behavior"], outcome, want, error))
    if n.get("foreign_only"):
        err("%s (%s): dialed, but only nodes of another chain list it" % (point, outcome))
    if outcome in ("ok", "nack", "incompatible", "foreign", "closed") and peer_id != n["peer_id"]:
        err("%s: peer id %s, truth %s" % (point, peer_id, n["peer_id"]))
    if (outcome == want and n.get("nack_motive") is not None
            and motive != str(n["nack_motive"])):
        err("%s: nack motive %r, truth %s" % (point, motive, n["nack_motive"]))
    if outcome == "ok" and head and int(head) != n["head_level"]:
        err("%s: head level %s, truth %s" % (point, head, n["head_level"]))
    final[point] = outcome

# 4. recall: every point of every node that can complete a handshake ended ok.
if mode == "full":
    for n in truth["nodes"]:
        if n.get("expected_outcome", EXPECT[n["behavior"]]) != "ok":
            continue
        for p in n.get("points", [n["point"]]):
            if final.get(p) != "ok":
                err("recall: %s (%s) -> %s" % (p, n["behavior"], final.get(p, "never visited")))

# 5. edges: each advertised point is in the advertiser's known list, with the
#    right source; small lists are complete; list lengths within Octez's 50.
by_from = {}
for frm, to, source, rnd, rank, list_len in edges:
    n = node_at.get(frm)
    if n is None:
        err("edge from unknown point %s" % frm)
        continue
    want_src = {"advertise": "advertise", "nack": "nack"}.get(n["reveals"])
    if n.get("foreign"):
        want_src = "foreign_nack"  # another network's list: stored, never dialed
    if source != want_src and not (source == "nack" and frm in already):
        err("edge %s -> %s has source %s, node reveals %s" % (frm, to, source, n["reveals"]))
    if to not in n["advertises"]:
        err("edge %s -> %s: not in the node's known points" % (frm, to))
    if int(list_len) > truth.get("rules", {}).get("advertise_size", 50) or int(rank) >= int(list_len):
        err("edge %s -> %s: rank %s of %s" % (frm, to, rank, list_len))
    if source == "advertise" and not 1 <= int(rnd) <= 10:
        err("edge %s -> %s: round %s" % (frm, to, rnd))
    by_from.setdefault(frm, set()).add(to)
    if to not in seen_points and mode == "full" and source != "foreign_nack":
        err("advertised point %s never recorded as a visit" % to)
if mode == "full":
    for n in truth["nodes"]:
        if n["reveals"] == "none":
            continue
        p = n["point"]
        if final.get(p) not in ("ok", "nack", "foreign"):
            continue
        got = by_from.get(p, set())
        want = set(n["advertises"])
        if len(want) <= 50 and got != want:
            err("%s advertised %d points, the database has %d (missing %s)"
                % (p, len(want), len(got), sorted(want - got)[:3]))
        elif len(want) > 50 and len(got) < 30:
            err("%s knows %d points, only %d edges stored" % (p, len(want), len(got)))

# 6. data points (private / documentation ranges) that were advertised are `policy`.
pol = {v[0] for v in visits if v[1] == "policy"}
for frm, to, *_ in edges:
    if to in data_points and to not in pol and mode == "full":
        err("data point %s advertised but not recorded as policy" % to)

counts = {}
for v in visits:
    counts[v[1]] = counts.get(v[1], 0) + 1
print("visits %d, edges %d, outcomes %s, Already_connected retries %d"
      % (len(visits), len(edges), json.dumps(counts, sort_keys=True), len(already)))
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print("CHECKED: %d visits and %d edges against the truth of %d nodes" % (len(visits), len(edges), len(truth["nodes"])))
