#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster, then drops the cluster.
#
#   scripts/with-pg.sh CMD [ARG...]
#
# Uses Debian's pg_virtualenv (postgresql-common): a fresh cluster on a free
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
# pg_virtualenv sets PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
exec pg_virtualenv -o 'fsync=off' -o 'max_connections=200' \
  sh -c 'DATABASE_URL="postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"; export DATABASE_URL; exec "$@"' sh "$@"
