#!/usr/bin/env bash
# The dial-back's limits: with loopback outside the address policy, every
# dialer that announces a port is not_dialed (and port_zero ones port_zero),
# and nothing is dialed; dialers that come back every second are dialed back
# (here: decided) once per dialback_interval, not once per session.
set -euo pipefail
source "$(dirname "$0")/listen_common.bash"
listen_setup
cat >"$TMP/sim.yaml" <<YAML
dialers:
  count: 10
  spread: 0.2
  interval: 0.5
  mix: {forwarded: 1, nat_refused: 1, nat_silent: 0, port_zero: 1, shared: 0}
YAML
cat >"$TMP/listen.yaml" <<YAML
advertise_wait: 0.2
YAML
# --allow 10.0.0.0/8 only: loopback dialers are never dialed back
"$LISTEN" --listen "$LADDR:$LPORT" --identity "$TMP/id.json" --expected-pow 0 \
  --allow 10.0.0.0/8 --no-db --json --config "$TMP/listen.yaml" \
  >"$TMP/listen.json" 2>"$TMP/listen.log" &
LSN_PID=$!
for i in $(seq 1 100); do grep -q 'listening on' "$TMP/listen.log" 2>/dev/null && break; sleep 0.1; done
start_simnet --nodes 20 --config "$TMP/sim.yaml" --dial "$LADDR:$LPORT"
# until every dialer has had three sessions (bounded: 20 s)
for i in $(seq 1 200); do
  n=$(grep -c 'dial-back ' "$TMP/listen.log" || true)
  sleep 0.1
  [ "$i" -ge 40 ] && [ "$n" -ge 10 ] && break
done
stop_simnet
stop_listener
[ "$LSN_RC" = 0 ] || { tail -n 20 "$TMP/listen.log" >&2; fail "listener exit $LSN_RC"; }
"$PY" - "$TMP/truth.json" "$TMP/listen.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["dialers"]
s = json.load(open(sys.argv[2]))
peers = {p["peer_id"]: p for p in s["peers"]}
for d in truth:
    p = peers[d["peer_id"]]
    want = "port_zero" if d["announced_port"] == 0 else "not_dialed"
    assert p["class"] == want, (d, p)
    assert p["sessions"] >= 2, (d, p)  # came back within the interval
db = s["dialbacks"]
assert sum(db.values()) == len(truth), db  # one decision per peer, not per session
assert db["not_dialed"] > 0 and db["port_zero"] > 0 and db["reachable"] == 0, db
print(f"CHECKED: {len(truth)} peers, {sum(p['sessions'] for p in s['peers'])} sessions, "
      f"one dial-back decision each: {db}")
PY
