#!/usr/bin/env bash
# The database connection drops while the listener runs (the server
# terminates it): the listener goes on, reconnects without blocking its
# loop, and every row reaches the database; exit 0.
set -euo pipefail
source "$(dirname "$0")/listen_common.bash"
listen_setup
cat >"$TMP/sim.yaml" <<YAML
dialers:
  count: 12
  spread: 4
  mix: {forwarded: 1, nat_refused: 1, nat_silent: 0, port_zero: 1, shared: 0}
YAML
VANTAGE="lsn-db-$$-$RANDOM" # its own rows, whatever ran in this database before
start_listener --db "$DATABASE_URL" --vantage "$VANTAGE"
start_simnet --nodes 20 --config "$TMP/sim.yaml" --dial "$LADDR:$LPORT"
# cut the listener's connection while the dialers come in (the second cut may
# find it between a failure and its reconnect: nothing to cut)
for cut in 1 2; do
  sleep 1.2
  n=$(psql "$DATABASE_URL" -qAt -c "
    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
  echo "cut $cut: $n connection(s) terminated"
done
wait_dialbacks 12 30
stop_listener
stop_simnet
[ "$LSN_RC" = 0 ] || { tail -n 20 "$TMP/listen.log" >&2; fail "listener exit $LSN_RC"; }
grep -q 'connected again' "$TMP/listen.log" || { cat "$TMP/listen.log" >&2; fail "no reconnect in the log"; }
got=$(psql "$DATABASE_URL" -qAt -F ' ' -c "
  SELECT (SELECT count(*) FROM inbound_sessions s JOIN listen_runs r ON r.id = s.listen_run_id WHERE r.vantage = '$VANTAGE'),
         (SELECT count(*) FROM dialbacks d JOIN listen_runs r ON r.id = d.listen_run_id WHERE r.vantage = '$VANTAGE'),
         (SELECT count(*) FROM listen_runs WHERE vantage = '$VANTAGE' AND finished_at IS NOT NULL)")
[ "$got" = "12 12 1" ] || fail "database has '$got', want '12 12 1' (sessions, dialbacks, finished runs)"
echo "CHECKED: connection cut twice, reconnected, every row stored ($got)"
