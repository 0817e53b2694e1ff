#!/usr/bin/env bash
# Benchmark (not a test): rows/s stored with the COPY writer vs row-by-row
# INSERT of the same rows, in one run, on a private PostgreSQL cluster
# (scripts/pg-cluster.sh: Unix socket only, fsync=off as in the test suite,
# which flatters autocommit INSERT; the ratio is a lower bound).
#
#   bench/db_copy_vs_insert.sh [VISITS [ADVS_PER_VISIT]]   (default 5000 9)
set -eu
cd "$(dirname "$0")/.."
visits=${1:-5000}
per=${2:-9}
make -s all build/bench/db_copy_vs_insert >/dev/null
dir=$(mktemp -d /tmp/tzbench_XXXXXX)
trap 'scripts/pg-cluster.sh destroy "$dir"' EXIT
port=$((20000 + RANDOM % 40000))
scripts/pg-cluster.sh init "$dir"
scripts/pg-cluster.sh start "$dir" "$port"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $(pg_config --version | awk '{print $2}')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
build/bench/db_copy_vs_insert "host=$dir port=$port user=postgres" "$visits" "$per"
