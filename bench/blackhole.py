"""Turns simnet's unbound (no_listen) points into black holes for the crawl
benchmark: a loopback listener with a full accept queue on each, so a SYN to
it is dropped and the crawler's connect times out, as with a firewalled
address on the Internet (instead of the instant RST of a closed port).

    blackhole.py TRUTH.json READY_FILE   (runs until killed)
"""
import json
import resource
import socket
import sys
import time

truth = json.load(open(sys.argv[1]))
points = [p for n in truth["nodes"] if n["behavior"] == "no_listen"
          for p in n.get("points", [n["point"]])]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held = []
for p in points:
    if p.startswith("["):
        host, port, fam = p[1:p.index("]")], int(p.rsplit(":", 1)[1]), socket.AF_INET6
    else:
        host, port, fam = p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1]), socket.AF_INET
    if not (host.startswith("127.") or host == "::1"):
        continue  # never anything but loopback
    l = socket.socket(fam)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((host, port))
    l.listen(0)
    c = socket.socket(fam)
    c.connect((host, port))  # fills the accept queue: later SYNs are dropped
    held += [l, c]
open(sys.argv[2], "w").write("%d\n" % (len(held) // 2))
while True:
    time.sleep(3600)
