# Shared by the listen_*.sh integration tests (sourced; not a test itself).
# Needs BIN; the database checks need DATABASE_URL.
source "$(dirname "${BASH_SOURCE[0]}")/crawl_common.bash"
LISTEN="$BIN/tzcensus-listen"
LSN_PID=

listen_teardown() {
  if [ -n "$LSN_PID" ] && kill -0 "$LSN_PID" 2>/dev/null; then
    kill "$LSN_PID" 2>/dev/null || true
    wait "$LSN_PID" 2>/dev/null || true
  fi
  crawl_teardown
}

listen_setup() {
  crawl_setup
  trap listen_teardown EXIT
  LPORT=$((20000 + RANDOM % 9000))
  LADDR="127.$OCTET.250.1"
}

# start_listener ARGS... : tzcensus-listen on $LADDR:$LPORT in the background
# (summary in $TMP/listen.json, log in $TMP/listen.log); waits for its
# "listening on" line, at most 10 s.
start_listener() {
  local i
  "$LISTEN" --listen "$LADDR:$LPORT" --identity "$TMP/id.json" --expected-pow 0 \
    --allow 127.0.0.0/8 --json "$@" >"$TMP/listen.json" 2>"$TMP/listen.log" &
  LSN_PID=$!
  for i in $(seq 1 100); do
    grep -q 'listening on' "$TMP/listen.log" 2>/dev/null && return 0
    kill -0 "$LSN_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$TMP/listen.log" >&2
  fail "tzcensus-listen did not start"
}

# stop_listener: SIGTERM, then its exit status in LSN_RC.
stop_listener() {
  LSN_RC=0
  kill -TERM "$LSN_PID" 2>/dev/null || true
  wait "$LSN_PID" || LSN_RC=$?
  LSN_PID=
}

# wait_dialbacks N SECONDS: until the log shows N dial-back lines (bounded).
wait_dialbacks() {
  local i n
  for i in $(seq 1 $(($2 * 10))); do
    n=$(grep -c 'dial-back ' "$TMP/listen.log" || true)
    [ "$n" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "only $(grep -c 'dial-back ' "$TMP/listen.log" || true) dial-backs of $1 after $2 s"
}
