#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster, then drops the cluster.
#
#   scripts/with-pg.sh CMD [ARG...]
#
# Uses Debian's pg_virtualenv (postgresql-common) with -t: a fresh cluster in
# its own temporary directory (so parallel runs never share one) on a free
# port, the PG* variables exported for libpq, removed afterwards whatever the
# command's status. DATABASE_URL is exported too, as a libpq URL.
# If TZCENSUS_TEST_DB is already set, that database is used instead.
set -eu
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-pg.sh CMD [ARG...]" >&2
  exit 2
fi
if [ -n "${TZCENSUS_TEST_DB:-}" ]; then
  DATABASE_URL=$TZCENSUS_TEST_DB exec "$@"
fi
if ! command -v pg_virtualenv >/dev/null; then
  echo "with-pg.sh: pg_virtualenv not found (Debian package postgresql-common)" >&2
  exit 1
fi
# pg_virtualenv -t only knows the clusters in its own directory, so it would
# give two parallel runs the same port: pick a free one ourselves, and retry
# with another if someone takes it first.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
inner='DATABASE_URL="postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"; export DATABASE_URL; touch "$TZ_PG_STARTED"; exec "$@"'
export TZ_PG_STARTED
TZ_PG_STARTED=$(mktemp -u /tmp/tzcensus-pg-started.XXXXXX)
for attempt in 1 2 3 4 5; do
  port=$(free_port) || { echo "with-pg.sh: no free port" >&2; exit 1; }
  # pg_virtualenv sets PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
  set +e
  pg_virtualenv -t -c "-p $port" -o 'fsync=off' -o 'max_connections=200' \
    sh -c "$inner" sh "$@"
  status=$?
  set -e
  if [ -e "$TZ_PG_STARTED" ]; then
    rm -f "$TZ_PG_STARTED"
    exit "$status"
  fi
  echo "with-pg.sh: PostgreSQL did not start on port $port (attempt $attempt), retrying" >&2
  sleep 1
done
echo "with-pg.sh: could not start a throwaway PostgreSQL" >&2
exit 1
