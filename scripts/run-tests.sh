#!/usr/bin/env bash
# Runs every test of the suite and prints one closing line:
#   tests: N passed, N failed
#
# Expects B (build dir) and BIN (program dir) in the environment (the
# Makefile sets them). Each unit test program, each fuzz corpus replay and each
# integration script counts as one test; their own output is kept in
# $B/test-logs/ and shown when they fail.
set -u
B=${B:-build}
BIN=${BIN:-bin}
export B BIN
logs="$B/test-logs"
rm -rf "$logs" && mkdir -p "$logs"
pass=0
fail=0
failed=()

run() { # name, command...
  local name=$1; shift
  local log="$logs/$(echo "$name" | tr '/ ' '__').log"
  local t0=$(date +%s%N)
  if "$@" >"$log" 2>&1; then
    pass=$((pass + 1))
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    printf '  PASS  %-44s %4d.%01ds\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
    grep -h '^VECTORS:\|^CHECKED:' "$log" | sed 's/^/        /'
  else
    fail=$((fail + 1))
    failed+=("$name")
    printf '  FAIL  %s (log: %s)\n' "$name" "$log"
    tail -n 40 "$log" | sed 's/^/        /'
  fi
}

for t in "$B"/tests/test_*; do
  [ -x "$t" ] || continue
  run "unit/$(basename "$t")" "$t"
done
for r in "$B"/fuzz/replay_*; do
  [ -x "$r" ] || continue
  name=${r##*/replay_}
  run "fuzz-corpus/$name" "$r" tests/fuzz/corpus/"$name"
done
for s in tests/integration/*.sh; do
  [ -f "$s" ] || continue
  run "integration/$(basename "$s" .sh)" bash "$s"
done

if [ "$fail" -gt 0 ]; then
  echo "failed: ${failed[*]}"
fi
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
