# Shared by the crawl_*.sh integration tests (sourced; not a test itself).
# Needs BIN (program dir) and, for database checks, DATABASE_URL.
BIN=${BIN:-bin}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CRAWL="$BIN/tzcensus-crawl"
SIMNET="$BIN/tzcensus-simnet"
SIM_PID=

fail() { echo "FAIL: $*" >&2; exit 1; }

crawl_setup() {
  TMP=$(mktemp -d /tmp/tzcensus-crawl.XXXXXX)
  trap crawl_teardown EXIT
  # A random second octet so parallel runs on this machine never collide.
  OCTET=$((64 + RANDOM % 180))
  BASE="127.$OCTET.0.0"
  "$CRAWL" --gen-identity "$TMP/id.json" --pow 0 >/dev/null
}

crawl_teardown() {
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}

# start_simnet ARGS... : runs simnet on $BASE with a truth, ready and violations
# file. Other test suites on this machine bind random 127.x.0.0 ranges too: if
# simnet cannot start (an address in use), try again with another octet.
start_simnet() {
  local attempt i
  for attempt in 1 2 3; do
    rm -f "$TMP/ready"
    "$SIMNET" --base "$BASE" --truth "$TMP/truth.json" --ready "$TMP/ready" \
      --violations "$TMP/violations.jsonl" "$@" >"$TMP/simnet.log" 2>&1 &
    SIM_PID=$!
    for i in $(seq 1 300); do # at most 30 s
      [ -f "$TMP/ready" ] && return 0
      kill -0 "$SIM_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SIM_PID" 2>/dev/null; then
      cat "$TMP/simnet.log" >&2
      fail "simnet not ready after 30 s"
    fi
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
    echo "simnet on $BASE did not start (attempt $attempt):" >&2
    tail -n 3 "$TMP/simnet.log" >&2
    OCTET=$((64 + RANDOM % 180))
    BASE="127.$OCTET.0.0"
  done
  fail "simnet did not start in 3 attempts"
}

stop_simnet() {
  if [ -n "$SIM_PID" ]; then
    kill "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=
  fi
}

# seeds_args N : "--seed P" for the first N seed points of the truth file.
seeds_args() {
  "$PY" -c '
import json, sys
t = json.load(open(sys.argv[1]))
print(" ".join("--seed " + s for s in t["seeds"][: int(sys.argv[2])]))
' "$TMP/truth.json" "$1"
}

# dump_crawl ID : writes $TMP/visits.tsv, $TMP/edges.tsv, $TMP/crawl.tsv from the database.
dump_crawl() {
  local id=$1
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
    SELECT p.point, v.outcome, v.attempt, coalesce(v.peer_id, ''), coalesce(v.error, ''),
           coalesce(v.head_level::text, ''), coalesce(v.nack_motive::text, '')
    FROM visits v JOIN points p ON p.id = v.point_id WHERE v.crawl_id = $id ORDER BY v.seq" \
    >"$TMP/visits.tsv"
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
    SELECT f.point, t.point, a.source, a.round, a.rank, a.list_len
    FROM advertisements a JOIN points f ON f.id = a.from_point_id
    JOIN points t ON t.id = a.to_point_id WHERE a.crawl_id = $id ORDER BY a.seq" \
    >"$TMP/edges.tsv"
  psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
    SELECT status, (finished_at IS NOT NULL) FROM crawls WHERE id = $id" >"$TMP/crawl.tsv"
}
