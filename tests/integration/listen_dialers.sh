#!/usr/bin/env bash
# tzcensus-listen against simnet dialers of every kind: every dialer is
# classified as the truth file says (reachable, nat_refused, nat_silent,
# port_zero, other_peer), in the --json summary and in the database
# (dialbacks, nat_census); every inbound session is stored with its source
# address and announced port; the points each dialer advertised are stored
# as advertisements with source inbound. The journal replayed after the run
# is deleted gives the same rows back, and a second replay adds nothing.
set -euo pipefail
source "$(dirname "$0")/listen_common.bash"
listen_setup
cat >"$TMP/sim.yaml" <<YAML
dialers:
  count: 26
  spread: 0.5
  advertise: 4
  shared_group: 3
  mix: {forwarded: 1, nat_refused: 1, nat_silent: 1, port_zero: 1, shared: 2}
YAML
start_listener --db "$DATABASE_URL" --journal "$TMP/listen.journal" --vantage lsn-test
start_simnet --nodes 20 --config "$TMP/sim.yaml" --dial "$LADDR:$LPORT"
wait_dialbacks 26 30
stop_listener
[ "$LSN_RC" = 0 ] || { cat "$TMP/listen.log" >&2; fail "listener exit $LSN_RC"; }

# A crawl of the same vantage that reaches one forwarded dialer (seeded with
# its external point): report.json nat.inbound counts it public, the rest hidden.
fwd=$("$PY" -c '
import json, sys
d = [d for d in json.load(open(sys.argv[1]))["dialers"] if d["kind"] == "forwarded"][0]
print("%s:%d" % (d["external_addr"], d["announced_port"]))' "$TMP/truth.json")
read -r -a seeds <<<"$(seeds_args 2)"
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --seed "$fwd" --vantage lsn-test --json >"$TMP/crawl.json" 2>"$TMP/crawl.log" ||
  { tail -n 20 "$TMP/crawl.log" >&2; fail "crawl"; }
stop_simnet
"$BIN/tzcensus-analyze" --db "$DATABASE_URL" --out "$TMP/an" --json >"$TMP/report.json" \
  2>"$TMP/analyze.log" || { tail -n 20 "$TMP/analyze.log" >&2; fail "analyze"; }

psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT peer_id, coalesce(class, '') FROM nat_census WHERE vantage = 'lsn-test'" >"$TMP/census.tsv"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT s.peer_id, host(s.source_addr), s.announced_port, s.end_reason, s.advertised_n
  FROM inbound_sessions s JOIN listen_runs r ON r.id = s.listen_run_id
  WHERE r.vantage = 'lsn-test'" >"$TMP/sessions.tsv"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
  SELECT pf.point, pt.point FROM advertisements a
  JOIN listen_runs r ON r.id = a.listen_run_id
  JOIN points pf ON pf.id = a.from_point_id JOIN points pt ON pt.id = a.to_point_id
  WHERE r.vantage = 'lsn-test' AND a.source = 'inbound' AND a.crawl_id IS NULL" >"$TMP/adv.tsv"

"$PY" - "$TMP" <<'PY'
import json, sys, collections
tmp = sys.argv[1]
truth = json.load(open(f"{tmp}/truth.json"))["dialers"]
summ = json.load(open(f"{tmp}/listen.json"))
census = dict(l.split("\t") for l in open(f"{tmp}/census.tsv").read().split("\n") if l)
sessions = [l.split("\t") for l in open(f"{tmp}/sessions.tsv").read().split("\n") if l]
adv = set(tuple(l.split("\t")) for l in open(f"{tmp}/adv.tsv").read().split("\n") if l)
peers = {p["peer_id"]: p for p in summ["peers"]}
kinds = collections.Counter(d["kind"] for d in truth)
classes = collections.Counter(d["expected_class"] for d in truth)
assert set(kinds) == {"forwarded", "nat_refused", "nat_silent", "port_zero", "shared"}, kinds
assert classes["other_peer"] > 0 and classes["reachable"] > 0, classes
bad = []
for d in truth:
    pid, want = d["peer_id"], d["expected_class"]
    got_json = peers.get(pid, {}).get("class")
    got_db = census.get(pid)
    if got_json != want or got_db != want:
        bad.append((d["kind"], pid, want, got_json, got_db))
    ss = [s for s in sessions if s[0] == pid]
    assert ss, f"no inbound session stored for {pid}"
    for s in ss:
        assert s[1] == d["external_addr"], (s, d)
        assert int(s[2]) == d["announced_port"], (s, d)
    frm = f'{d["external_addr"]}:{d["announced_port"]}'
    want_adv = {(frm, p) for p in d["advertises"]}
    assert want_adv <= adv, (d["kind"], sorted(want_adv - adv))
assert not bad, f"misclassified: {bad}"
assert len(census) == len(truth), (len(census), len(truth))
n_adv_truth = len({(f'{d["external_addr"]}:{d["announced_port"]}', p) for d in truth for p in d["advertises"]})
assert len(adv) == n_adv_truth, (len(adv), n_adv_truth)
inb = json.load(open(f"{tmp}/report.json"))["nat"]["inbound"]
assert inb["window_hours"] == 24 and inb["peers"] == len(truth), inb
assert inb["by_class"] == {c: classes.get(c, 0) for c in
    ("reachable", "nat_refused", "nat_silent", "port_zero", "other_peer", "not_dialed")}, inb
assert abs(inb["hidden_share"] - (len(truth) - 1) / len(truth)) < 1e-9, inb
print(f"CHECKED: report.json nat.inbound {inb}")
print(f"CHECKED: {len(truth)} dialers classified as the truth says (100%), "
      f"{len(sessions)} sessions, {len(adv)} inbound edges; classes {dict(classes)}")
PY

count() {
  psql "$DATABASE_URL" -qAt -c "
    SELECT (SELECT count(*) FROM inbound_sessions s JOIN listen_runs r ON r.id = s.listen_run_id WHERE r.vantage = 'lsn-test')
      || ' ' || (SELECT count(*) FROM dialbacks d JOIN listen_runs r ON r.id = d.listen_run_id WHERE r.vantage = 'lsn-test')
      || ' ' || (SELECT count(*) FROM advertisements a JOIN listen_runs r ON r.id = a.listen_run_id WHERE r.vantage = 'lsn-test')
      || ' ' || (SELECT count(*) FROM listen_runs WHERE vantage = 'lsn-test' AND finished_at IS NOT NULL)"
}
before=$(count)
psql "$DATABASE_URL" -qAt -c "DELETE FROM listen_runs WHERE vantage = 'lsn-test'" >/dev/null
[ "$(count)" = "0 0 0 0" ] || fail "delete left rows: $(count)"
"$LISTEN" --replay "$TMP/listen.journal" --db "$DATABASE_URL" >"$TMP/replay1" || fail "replay"
[ "$(count)" = "$before" ] || fail "after replay: $(count), want $before"
"$LISTEN" --replay "$TMP/listen.journal" --db "$DATABASE_URL" >"$TMP/replay2" || fail "replay 2"
[ "$(count)" = "$before" ] || fail "second replay changed the rows: $(count), want $before"
echo "CHECKED: journal replay restores sessions, dialbacks, edges, finished run ($before); twice adds nothing"
