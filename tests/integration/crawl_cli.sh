#!/usr/bin/env bash
# The crawler's command line without a network: --help lists every flag of
# docs/crawler.md, --check-config accepts the shipped configs without resolving
# anything, rejects bad files with file:line:column and bad flags with the key name,
# and flags override the file. Exit statuses: 0 ok, 2 usage/config, 1 failure.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
TMP=$(mktemp -d /tmp/tzcensus-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

help=$("$CRAWL" --help)
for f in --config --db --seed --allow --deny --identity --expected-pow --chain --concurrency \
  --connect-timeout --handshake-timeout --bootstrap-rounds --no-head --vantage --journal \
  --json --check-config --probe --gen-identity --check-identity --migrate --replay; do
  grep -q -- "$f" <<<"$help" || fail "--help does not mention $f"
done

# The shipped configurations validate (mainnet's seeds are host names:
# --check-config checks their syntax only and resolves nothing).
for c in mainnet demo crawler.example; do
  out=$("$CRAWL" --config "$ROOT/config/$c.yaml" --check-config --seed 127.0.0.1:9732)
  grep -q ': ok' <<<"$out" || fail "$c.yaml: $out"
done
out=$("$CRAWL" --config "$ROOT/config/mainnet.yaml" --check-config)
grep -q '3 seeds' <<<"$out" || fail "mainnet.yaml: $out"
grep -q 'TEZOS_MAINNET' <<<"$out" || fail "mainnet.yaml chain: $out"

expect_usage() { # message fragment, args...
  local frag=$1; shift
  local rc=0
  "$CRAWL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
  [ "$rc" = 2 ] || { cat "$TMP/err"; fail "$*: exit $rc, want 2"; }
  grep -q -- "$frag" "$TMP/err" || { cat "$TMP/err"; fail "$*: message lacks '$frag'"; }
}
printf 'concurrency: 10\nbogus_key: 1\n' >"$TMP/bad.yaml"
expect_usage "bad.yaml:2:1: unknown key 'bogus_key'" --config "$TMP/bad.yaml" --check-config
printf 'bootstrap_rounds: 99\n' >"$TMP/range.yaml"
expect_usage "range.yaml:1:" --config "$TMP/range.yaml" --check-config
printf 'seeds: ["not a host:1"]\n' >"$TMP/seed.yaml"
expect_usage "seeds:" --config "$TMP/seed.yaml" --check-config
expect_usage "concurrency" --config "$ROOT/config/demo.yaml" --concurrency 0 --check-config
expect_usage "allow" --allow 10.0.0.1/8 --seed 127.0.0.1:1 --check-config
expect_usage "--set wants KEY=VALUE" --set nonsense --check-config
expect_usage "per_ip_ports" --set per_ip_ports=0 --check-config
expect_usage "nothing to crawl" --identity "$TMP/none.json"
expect_usage "at most one of" --check-config --migrate

# Flags override the file; a list flag replaces the file's list.
out=$("$CRAWL" --config "$ROOT/config/mainnet.yaml" --seed 127.0.0.9:9 --concurrency 7 --check-config)
grep -q '1 seeds' <<<"$out" || fail "--seed did not replace the file's seeds: $out"
grep -q 'concurrency 7' <<<"$out" || fail "--concurrency did not override: $out"

# A crawl without a usable identity fails before any packet, status 1.
rc=0
"$CRAWL" --seed 127.0.0.9:9 --allow 127.0.0.0/8 --identity "$TMP/none.json" 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "missing identity: exit $rc, want 1"
grep -q 'identity' "$TMP/err" || fail "missing identity: no clear message"
echo "crawler command line: ok"
