#!/usr/bin/env bash
# tzcensus-listen's frame cap (docs/crawler.md "Memory", docs/listener.md
# "Limits") against dialers that complete the real handshake and then send
# one Current_branch of almost 8 MiB in Octez's chunks (simnet
# dialers.big_frame), half of the dialers at once. Two runs of the same
# dialers: a baseline without big frames, then with them. The listener must
# stay up, classify every dialer as the truth says, read each big-frame
# session to its end (its Advertise and its real head come after the big
# frame: stored, end_reason closed, no protocol error), never store the big
# frame's head (level 1), and its peak RSS (VmHWM) must stay within 4 MiB of
# the baseline run's, where buffering the frames would cost 8 MiB each.
set -euo pipefail
source "$(dirname "$0")/listen_common.bash"
listen_setup
N=12   # dialers
BIG=6  # of them with a big frame
cat >"$TMP/listen.yaml" <<YAML
advertise_wait: 30
session_time: 60
metrics_interval: 1
YAML

# run VANTAGE BIG_FRAME: a listener and N dialers until every session and
# dial-back is recorded; the listener's VmHWM (KiB) in $TMP/VANTAGE.hwm.
run() {
  cat >"$TMP/sim.yaml" <<YAML
dialers:
  count: $N
  spread: 0.2
  advertise: 3
  big_frame: $2
  mix: {forwarded: 1, nat_refused: 1, nat_silent: 1, port_zero: 1, shared: 2}
YAML
  start_listener --db "$DATABASE_URL" --vantage "$1" --config "$TMP/listen.yaml" \
    --metrics "$TMP/$1.prom"
  start_simnet --nodes 10 --config "$TMP/sim.yaml" --dial "$LADDR:$LPORT"
  wait_dialbacks "$N" 60
  local i n=0
  for i in $(seq 1 600); do # at most 60 s
    n=$(sed -n 's/^tzcensus_listen_sessions_total{[^}]*} //p' "$TMP/$1.prom" 2>/dev/null || true)
    [ "${n:-0}" -ge "$N" ] && break
    sleep 0.1
  done
  [ "${n:-0}" -ge "$N" ] || { tail -n 20 "$TMP/listen.log" >&2; fail "$1: $n sessions of $N"; }
  kill -0 "$LSN_PID" 2>/dev/null || fail "$1: the listener died"
  sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$LSN_PID/status" >"$TMP/$1.hwm"
  stop_listener
  [ "$LSN_RC" = 0 ] || { tail -n 20 "$TMP/listen.log" >&2; fail "$1: listener exit $LSN_RC"; }
  mv "$TMP/listen.json" "$TMP/$1.json"
  cp "$TMP/truth.json" "$TMP/$1.truth.json"
  stop_simnet
  written=$(grep -c 'big frame written' "$TMP/simnet.log" || true)
  [ "$written" = "$2" ] || { tail -n 20 "$TMP/simnet.log" >&2; fail "$1: $written big frames written, want $2"; }
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
    SELECT s.peer_id, s.end_reason, coalesce(s.head_level, -1), s.advertised_n,
           coalesce(s.error, '')
    FROM inbound_sessions s JOIN listen_runs r ON r.id = s.listen_run_id
    WHERE r.vantage = '$1'" >"$TMP/$1.sessions.tsv"
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
    SELECT peer_id, coalesce(class, '') FROM nat_census WHERE vantage = '$1'" >"$TMP/$1.census.tsv"
}

run base 0
run big "$BIG"

"$PY" - "$TMP" "$N" "$BIG" <<'PY'
import json, sys
tmp, n, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
MiB = 1024  # VmHWM is in KiB
hwm, bad = {}, []
for v in ("base", "big"):
    truth = json.load(open(f"{tmp}/{v}.truth.json"))["dialers"]
    summ = json.load(open(f"{tmp}/{v}.json"))
    rows = [l.split("\t") for l in open(f"{tmp}/{v}.sessions.tsv").read().split("\n") if l]
    census = dict(l.split("\t") for l in open(f"{tmp}/{v}.census.tsv").read().split("\n") if l)
    hwm[v] = int(open(f"{tmp}/{v}.hwm").read())
    peers = {p["peer_id"]: p for p in summ["peers"]}
    bigs = [d for d in truth if d["big_frame"]]
    assert len(truth) == n and len(bigs) == (big if v == "big" else 0), (v, len(truth), len(bigs))
    if v == "big":
        assert len({d["kind"] for d in bigs}) >= 3, [d["kind"] for d in bigs]
    for d in truth:
        pid = d["peer_id"]
        got = (peers.get(pid, {}).get("class"), census.get(pid))
        if got != (d["expected_class"], d["expected_class"]):
            bad.append(f"{v}: {d['kind']} big_frame={d['big_frame']}: class {got}")
        ss = [r for r in rows if r[0] == pid]
        if len(ss) != 1:
            bad.append(f"{v}: {pid}: {len(ss)} sessions stored")
            continue
        _, reason, level, adv_n, err = ss[0]
        # the session was read past the big frame: its Advertise and real head
        # came after it; the big frame's head (level 1) was never stored
        want = ("closed", d["head_level"], len(d["advertises"]), "")
        if (reason, int(level), int(adv_n), err) != want:
            bad.append(f"{v}: big_frame={d['big_frame']}: session (end_reason, head_level, "
                       f"advertised_n, error) {ss[0][1:]}, want {want}")
    want = {"sessions": n, "handshakes": n, "protocol_errors": 0, "auth_timeouts": 0,
            "advertised_points": sum(len(d["advertises"]) for d in truth),
            "frames_dropped": len(bigs)}
    got = {k: summ[k] for k in want}
    if got != want:
        bad.append(f"{v}: summary {got}, want {want}")
    print(f"{v}: {n} dialers, {len(bigs)} with an 8 MiB frame; listener VmHWM {hwm[v]} KiB")
grew = hwm["big"] - hwm["base"]
# buffering the frames would cost at least one 8 MiB frame, big x 8 MiB at once
if grew >= 4 * MiB:
    bad.append(f"VmHWM {hwm['big']} KiB, baseline {hwm['base']} KiB: +{grew} KiB, bound 4096 KiB")
assert not bad, "\n".join(bad)
print(f"CHECKED: every dialer classified as the truth says, every session closed with its real "
      f"head and Advertise, in both runs")
print(f"CHECKED: {big} sessions sent {big} x 8 MiB frames: listener VmHWM +{grew} KiB over the "
      f"baseline run ({hwm['base']} -> {hwm['big']} KiB), bound 4096 KiB")
PY
