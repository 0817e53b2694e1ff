#!/usr/bin/env bash
# The crawl's database rows do not change with a refactor: two deterministic
# simnet worlds (a fixed seed each; "same seed -> same world, byte for byte")
# are crawled and the rows the crawl stored are dumped without what varies
# from run to run (ids, seq, timestamps, durations, the random loopback
# octet of the world's addresses and the [::1] ports drawn from it), sorted,
# and compared with the golden dumps in tests/integration/golden/. simnet runs
# with a fixed runtime_seed, so the n-th connection to a point gets the same
# Advertise and Nack lists in every run (docs/simnet.md). One thing the
# kernel decides is folded: whether a silent close reached us as a FIN or an
# RST ("closed" or "reset before any byte").
#
# The golden dumps were made by this script with GOLDEN_WRITE=1 from the
# crawler as it was before the crawler's one-result-per-visit refactor
# (branch reshape, before "crawler: one result per visit"), and checked to be
# identical over 3 runs. A change that is meant to change what a crawl stores
# regenerates them the same way and shows the diff in its commit:
#   GOLDEN_WRITE=1 B=build BIN=bin scripts/with-pg.sh bash tests/integration/crawl_golden.sh
# Why a committed golden rather than building the old crawler from git in the
# test: the test stays fast and needs no second build, and the golden's diff
# is what a reviewer reads when the stored rows are meant to change.
set -euo pipefail
source "$(dirname "$0")/crawl_common.bash"
crawl_setup
GOLDEN="$HERE/golden"

# pt TABLE : SQL for the point of TABLE (points), [::1] ports made relative
# to the world's first one (simnet: 10000 + 100 * (octet % 200)).
pt() {
  echo "CASE WHEN $1.addr = '::1' THEN '[::1]:+' || ($1.port - $V6BASE) ELSE $1.point END"
}

# dump_rows ID OUT : the rows of crawl ID, normalized and sorted.
dump_rows() {
  local id=$1 out=$2
  V6BASE=$((10000 + 100 * (OCTET % 200)))
  {
    echo "# crawl"
    psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
      SELECT status, points_discovered, n_ok, n_nack, n_refused, n_timeout, n_unreachable,
             n_silent_close, n_closed, n_handshake_timeout, n_protocol_error, n_incompatible,
             n_self, n_policy, n_local_error, n_foreign
      FROM crawls WHERE id = $id"
    echo "# visits"
    psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
      SELECT $(pt p), v.outcome, v.attempt, coalesce(v.error, ''), coalesce(v.peer_id, ''),
             coalesce(CASE WHEN p.addr = '::1' THEN '+' || (v.advertised_port - $V6BASE)
                           ELSE v.advertised_port::text END, ''), coalesce(v.pow_bits::text, ''),
             coalesce(v.chain_name, ''), coalesce(encode(v.chain_name_raw, 'hex'), ''),
             coalesce(v.distributed_db_version::text, ''), coalesce(v.p2p_version::text, ''),
             coalesce(v.disable_mempool::text, ''), coalesce(v.private_node::text, ''),
             coalesce(v.nack_motive::text, ''), coalesce(v.head_level::text, ''),
             coalesce(v.head_timestamp_raw::text, ''), coalesce(encode(v.head_hash, 'hex'), ''),
             (v.connect_ms IS NULL), (v.handshake_ms IS NULL)
      FROM visits v JOIN points p ON p.id = v.point_id WHERE v.crawl_id = $id" |
      sed -e "s/127\.$OCTET\./127.X./g" -e 's/\treset before any byte\t/\tclosed before any byte\t/' |
      LC_ALL=C sort
    echo "# advertisements"
    psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
      SELECT $(pt f), $(pt t), a.source, a.round, a.rank, a.list_len
      FROM advertisements a JOIN points f ON f.id = a.from_point_id
      JOIN points t ON t.id = a.to_point_id WHERE a.crawl_id = $id" |
      sed -e "s/127\.$OCTET\./127.X./g" | LC_ALL=C sort
    echo "# peers"
    psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -F $'\t' -c "
      SELECT DISTINCT pe.peer_id, encode(pe.public_key, 'hex')
      FROM peers pe JOIN visits v ON v.peer_id = pe.peer_id WHERE v.crawl_id = $id" |
      LC_ALL=C sort
  } >"$out"
}

# world NAME SIMNET-ARGS... : crawl the world, compare (or write) its dump.
world() {
  local name=$1
  shift
  start_simnet --config "$TMP/simnet.yaml" "$@"
  local seeds rc=0
  read -r -a seeds <<<"$(seeds_args 3)"
  "$CRAWL" --config "$ROOT/config/demo.yaml" --db "$DATABASE_URL" --identity "$TMP/id.json" \
    "${seeds[@]}" --handshake-timeout 2 --json >"$TMP/$name.json" 2>"$TMP/$name.log" || rc=$?
  stop_simnet
  [ "$rc" = 0 ] || { cat "$TMP/$name.log" >&2; fail "$name: crawl exited $rc"; }
  local id
  id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["crawl_id"])' "$TMP/$name.json")
  [[ "$id" =~ ^[0-9]+$ ]] || fail "$name: no crawl_id in the summary"
  dump_rows "$id" "$TMP/$name.tsv"
  if [ "${GOLDEN_WRITE:-0}" = 1 ]; then
    cp "$TMP/$name.tsv" "$GOLDEN/crawl_$name.tsv"
    echo "$name: golden written ($(wc -l <"$TMP/$name.tsv") lines)"
  elif ! diff -u "$GOLDEN/crawl_$name.tsv" "$TMP/$name.tsv" >"$TMP/$name.diff"; then
    head -n 60 "$TMP/$name.diff" >&2
    fail "$name: the crawl's rows differ from tests/integration/golden/crawl_$name.tsv"
  else
    echo "$name: $(wc -l <"$TMP/$name.tsv") lines as the golden"
  fi
}

echo "runtime_seed: 1" >"$TMP/simnet.yaml"
world mix --nodes 300 --seed 11
world churned --nodes 200 --seed 5 --epoch 2
echo "crawl rows as the golden: ok"
