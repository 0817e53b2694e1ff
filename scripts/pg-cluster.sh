#!/usr/bin/env bash
# A private PostgreSQL cluster for tests that must stop and restart the server
# (tests/unit/test_restart.c). It listens only on a Unix socket inside DIR,
# so parallel runs cannot collide on a TCP port.
#
#   scripts/pg-cluster.sh init DIR        initdb into DIR/data (trust auth)
#   scripts/pg-cluster.sh start DIR PORT  start; socket DIR/.s.PGSQL.PORT
#   scripts/pg-cluster.sh stop DIR [fast|immediate]
#   scripts/pg-cluster.sh destroy DIR     stop (immediate) and remove DIR
#
# As root the server runs as the postgres user (initdb refuses root).
set -eu
cmd=${1:?usage: pg-cluster.sh init|start|stop|destroy DIR [ARG]}
dir=${2:?missing DIR}
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/pg_ctl" ] || bindir=$(dirname "$(command -v pg_ctl)")

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  init)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    ;;
  start)
    port=${3:?missing PORT}
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off" \
      start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    mode=${3:-fast}
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m "$mode" -w -t 30 stop >/dev/null
    ;;
  destroy)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "pg-cluster.sh: unknown command $cmd" >&2
    exit 2
    ;;
esac
