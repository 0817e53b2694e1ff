#!/usr/bin/env bash
# Proof-of-work hash rate: one thread (baseline) against every core, in the
# same run, then (with --gen26) the wall time of a real 26-bit identity via
# tzcensus-crawl --gen-identity. Results go into bench/RESULTS.md by hand.
#
#   bench/pow_rate.sh [--gen26] [HASHES_PER_THREAD] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
gen26=0
if [ "${1:-}" = --gen26 ]; then gen26=1; shift; fi
make -s all build/bench/pow_rate >/dev/null
echo "== pow_rate $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
build/bench/pow_rate "$@"
if [ "$gen26" = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "== tzcensus-crawl --gen-identity --pow 26"
  /usr/bin/time -f 'wall %e s, user %U s, sys %S s' bin/tzcensus-crawl --gen-identity "$tmp/id.json" --pow 26
fi
