#!/usr/bin/env bash
# tzcensus-listen under attack, one case each, from loopback addresses of
# their own (127.X.251-253.*): a slowloris (more stalled handshakes than
# max_unfinished: the extra ones are closed at once, the rest by the
# authentication deadline), garbage (closed as protocol_error), a huge frame
# (a 64 KiB connection message, then megabytes: closed, nothing buffered
# beyond the session's cap), a flood from one address (the per-IP limit
# closes the excess at once). After each, an honest client (tzcensus-crawl
# --probe) still completes its handshake, and the listener exits 0 with the
# counters the attack must have produced, in --json and in its --metrics file.
set -euo pipefail
source "$(dirname "$0")/listen_common.bash"
listen_setup
cat >"$TMP/listen.yaml" <<YAML
auth_timeout: 1
max_unfinished: 20
per_ip_per_minute: 30
per_ip_sessions: 8
dialback_timeout: 1
YAML
start_listener --no-db --config "$TMP/listen.yaml" --metrics "$TMP/listen.prom"
"$CRAWL" --gen-identity "$TMP/probe-id.json" --pow 0 >/dev/null

probe() {
  local rc=0
  "$CRAWL" --probe "$LADDR:$LPORT" --allow 127.0.0.0/8 --identity "$TMP/probe-id.json" \
    --handshake-timeout 3 --expected-pow 0 >"$TMP/probe.json" 2>"$TMP/probe.err" || rc=$?
  grep -q '"outcome": "ok"' "$TMP/probe.json" || { cat "$TMP/probe.json" "$TMP/probe.err" >&2; fail "probe after $1: rc $rc"; }
  echo "probe after $1: ok"
}

attack() { # case
  "$PY" - "$1" "$LADDR" "$LPORT" "$OCTET" <<'PY'
import os, socket, sys, time
case, host, port, octet = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def conn(src):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect((host, port))
    return s

def closed_by_peer(s, limit=5.0):
    """True when the listener closes s within limit seconds (reads and drops
    whatever it sent first: its own connection message)."""
    s.settimeout(0.2)
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            if s.recv(65536) == b"":
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False

if case == "slowloris":
    # 30 stalled handshakes from 30 addresses: one byte of a connection message each
    socks = []
    for i in range(30):
        s = conn(f"127.{octet}.251.{i + 1}")
        try:
            s.send(b"\x00")
        except OSError:
            pass
        socks.append(s)
    t0 = time.monotonic()
    closed = sum(closed_by_peer(s, 4.0) for s in socks)
    print(f"slowloris: {closed}/30 closed by the listener in {time.monotonic() - t0:.1f} s")
    assert closed == 30, closed
elif case == "garbage":
    for i in range(5):
        s = conn(f"127.{octet}.252.{i + 1}")
        # a connection message length of 100 followed by 100 random bytes:
        # a bad public key/PoW stamp/chain name, never a valid message
        s.sendall(b"\x00\x64" + os.urandom(100))
        assert closed_by_peer(s), "garbage connection left open"
    print("garbage: 5/5 closed")
elif case == "huge":
    s = conn(f"127.{octet}.252.100")
    sent = 0
    try:
        s.sendall(b"\xff\xff")
        chunk = os.urandom(65536)
        for _ in range(64):  # 4 MiB at most
            s.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    assert closed_by_peer(s), "huge frame connection left open"
    print(f"huge: closed after {sent} bytes sent")
elif case == "flood":
    src = f"127.{octet}.253.1"
    socks, closed_at_once = [], 0
    for i in range(100):
        try:
            socks.append(conn(src))
        except OSError:
            closed_at_once += 1
    closed = sum(closed_by_peer(s, 3.0) for s in socks)
    print(f"flood: 100 connections from one address, {closed} closed by the listener")
    assert closed == len(socks), (closed, len(socks))
PY
}

attack slowloris
probe slowloris
attack garbage
probe garbage
attack huge
probe huge
attack flood
probe flood
stop_listener
[ "$LSN_RC" = 0 ] || { tail -n 20 "$TMP/listen.log" >&2; fail "listener exit $LSN_RC"; }
"$PY" - "$TMP/listen.json" "$TMP/listen.prom" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
# the Prometheus textfile written at exit agrees with the summary
prom = {}
for line in open(sys.argv[2]):
    m = re.match(r'^(tzcensus_listen_\w+)\{([^}]*)\} (\S+)$', line.strip())
    if m:
        labels = dict(kv.split("=", 1) for kv in m.group(2).split(","))
        key = m.group(1) + "".join("/" + v.strip('"') for k, v in sorted(labels.items()) if k != "vantage")
        prom[key] = float(m.group(3))
assert prom["tzcensus_listen_up"] == 0, prom
assert prom["tzcensus_listen_accepted_total"] == s["accepted"], prom
assert prom["tzcensus_listen_handshakes_total"] == s["handshakes"], prom
assert prom["tzcensus_listen_refused_total/per_ip"] == s["refused"]["per_ip"], prom
assert prom["tzcensus_listen_refused_total/unfinished"] == s["refused"]["unfinished"], prom
assert prom["tzcensus_listen_dialbacks_total/port_zero"] == s["dialbacks"]["port_zero"], prom
r = s["refused"]
print(json.dumps({k: s[k] for k in ("accepted", "sessions", "handshakes", "auth_timeouts",
                                   "protocol_errors", "unfinished_peak", "refused")}))
assert r["unfinished"] >= 10, r              # 30 stalls, 20 slots
assert s["unfinished_peak"] <= 20, s["unfinished_peak"]
assert s["auth_timeouts"] >= 20, s["auth_timeouts"]
assert s["protocol_errors"] >= 6, s["protocol_errors"]  # 5 garbage + 1 huge
assert r["per_ip"] >= 60, r                  # 100 from one address, 30 a minute
assert s["handshakes"] == 4, s["handshakes"] # the four probes, nothing else
print("CHECKED: slowloris, garbage, huge frame and flood bounded; honest probes served")
PY
