"""Holds a loopback listener whose accept queue is full, so further SYNs are
dropped and a connect times out. Arguments: address port ready-file seconds.
Used by crawl_timeout.sh (not a test by itself)."""
import socket, sys, time
addr = sys.argv[1]; port = int(sys.argv[2])
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((addr, port)); l.listen(0)
c = socket.socket(); c.connect((addr, port))
c2 = socket.socket(); c2.setblocking(False)
try: c2.connect((addr, port))
except BlockingIOError: pass
open(sys.argv[3], "w").write("ready\n")
time.sleep(float(sys.argv[4]))
