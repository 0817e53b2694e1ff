#!/usr/bin/env bash
# Hostile peer text in psql: simnet nodes announce a chain name made of
# terminal escape sequences (ESC ] 0 ; ... BEL sets a terminal's title,
# ESC [ 2 J clears it, U+009B is a one-character CSI, then a tab). After a
# real crawl, what psql prints of visits.chain_name and of the node_versions
# view holds no control character: they are written as \xHH, and
# chain_name_raw keeps the exact bytes.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
cat >"$TMP/hostile.yaml" <<'YAML'
behaviors:
  wrong_chain: 0.3
wrong_chain:
  chain_name: "\e]0;owned\a\e[2J\x9b31mred\ttab"
YAML
start_simnet --config "$TMP/hostile.yaml" --nodes 60 --seed 31
read -r -a seeds <<<"$(seeds_args 3)"
"$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
  "${seeds[@]}" --handshake-timeout 2 --vantage hostile >/dev/null 2>"$TMP/crawl.log" ||
  { cat "$TMP/crawl.log" >&2; fail "crawl"; }
stop_simnet
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -c "
  SELECT DISTINCT v.chain_name, encode(v.chain_name_raw, 'hex') FROM visits v
  JOIN crawls c ON c.id = v.crawl_id
  WHERE c.vantage = 'hostile' AND v.chain_name_raw <> 'TEZOS_MAINNET'::bytea" >"$TMP/psql.out"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -c "
  SELECT n.chain_name, n.nodes FROM node_versions n JOIN crawls c ON c.id = n.crawl_id
  WHERE c.vantage = 'hostile'" >>"$TMP/psql.out"
cat "$TMP/psql.out"
"$PY" - "$TMP/psql.out" <<'PY'
import sys
out = open(sys.argv[1], "rb").read()
bad = sorted({b for b in out if (b < 0x20 and b != 0x0a) or b == 0x7f})
c1 = any(out[i] == 0xC2 and 0x80 <= out[i + 1] <= 0x9F for i in range(len(out) - 1))
if bad or c1:
    sys.exit("FAIL: psql printed control bytes %r%s" % (bad, " and C1" if c1 else ""))
want = rb"\x1b]0;owned\x07\x1b[2J\x9b31mred\x09tab|1b5d303b6f776e6564071b5b324ac29b33316d7265640974616"
if want not in out:
    sys.exit("FAIL: stored text or raw bytes not as expected")
PY
n=$(grep -c 'owned' "$TMP/psql.out")
[ "$n" -ge 2 ] || fail "the hostile chain name is missing from visits or node_versions"
echo "hostile chain name through a crawl: psql prints it as visible \\xHH text, raw bytes kept: ok"
