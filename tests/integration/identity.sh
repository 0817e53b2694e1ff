#!/usr/bin/env bash
# Identity commands end to end: --gen-identity --pow 20 writes an Octez
# identity.json that an INDEPENDENT implementation (Python: hashlib.blake2b,
# PyNaCl's X25519, a Base58Check written here) accepts; --check-identity
# accepts it and refuses tampered copies with exit status 1; the file is 0600.
set -euo pipefail
BIN=${BIN:-bin}
PY=/usr/bin/python3
tmp=$(mktemp -d /tmp/tzcensus-identity.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
crawl="$BIN/tzcensus-crawl"

fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$crawl" --gen-identity "$tmp/id.json" --pow 20)
echo "$out"
grep -q '^peer_id: *id' <<<"$out" || fail "no peer id printed"
grep -q 'hash rate: .* overall, .* per core' <<<"$out" || fail "no hash rate printed"
grep -q '^proof of work: *[0-9]* bits' <<<"$out" || fail "no PoW bits printed"

mode=$(stat -c %a "$tmp/id.json")
[ "$mode" = 600 ] || fail "identity file mode is $mode, want 600"

# The independent check. Prints the peer id it computed.
pid=$("$PY" - "$tmp/id.json" <<'PY'
import hashlib, json, sys
from nacl.bindings import crypto_scalarmult_base

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

def b58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = ALPHABET[r] + s
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + s

text = open(sys.argv[1]).read()
pairs = json.loads(text, object_pairs_hook=lambda p: p)
keys = [k for k, _ in pairs]
assert keys == ["peer_id", "public_key", "secret_key", "proof_of_work_stamp"], keys
d = dict(pairs)
pk = bytes.fromhex(d["public_key"])
sk = bytes.fromhex(d["secret_key"])
stamp = bytes.fromhex(d["proof_of_work_stamp"])
assert len(pk) == 32 and len(sk) == 32 and len(stamp) == 24
for k in ("public_key", "secret_key", "proof_of_work_stamp"):
    assert d[k] == d[k].lower(), k + " not lowercase hex"
assert crypto_scalarmult_base(sk) == pk, "public key is not X25519(secret key)"
peer = hashlib.blake2b(pk, digest_size=16).digest()
want = b58check(bytes([0x99, 0x67]) + peer)
assert len(want) == 30 and want.startswith("id")
assert d["peer_id"] == want, (d["peer_id"], want)
h = hashlib.blake2b(pk + stamp, digest_size=32).digest()
v = int.from_bytes(h, "little")
bits = 256 - v.bit_length()
assert bits >= 20, "only %d bits of proof of work" % bits
assert v <= 2 ** (256 - 20) - 1
print(want)
PY
) || fail "independent validation refused the identity"
grep -q "^peer_id: *$pid\$" <<<"$out" || fail "printed peer id differs from $pid"
echo "independent check: ok ($pid)"

# Our own checker: good file passes at 20, and its message names the peer.
"$crawl" --check-identity "$tmp/id.json" --pow 20 | grep -q "$pid" || fail "check refused good file"

# Refuses to overwrite.
if "$crawl" --gen-identity "$tmp/id.json" --pow 1 2>"$tmp/err"; then fail "overwrote"; fi
grep -q 'exists' "$tmp/err" || fail "no clear overwrite message"

expect_invalid() { # file, message fragment, [pow]
  local rc=0
  "$crawl" --check-identity "$1" --pow "${3:-20}" 2>"$tmp/err" >/dev/null || rc=$?
  [ "$rc" = 1 ] || fail "$1: exit $rc, want 1"
  grep -q "$2" "$tmp/err" || { cat "$tmp/err"; fail "$1: message lacks '$2'"; }
}

tamper() { # name, python expression over d (the parsed members)
  "$PY" - "$tmp/id.json" "$tmp/$1.json" "$2" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(d).encode())
os.close(fd)
PY
}

tamper wrong_peer 'd["peer_id"] = "idsyBpzU3VspRyD3GEDWkgUBRqQNti"'
expect_invalid "$tmp/wrong_peer.json" "identity mismatch"
tamper wrong_sk 'd["secret_key"] = "46d55abdea246d1d3a3cd9ee746e5d17341e5bbf6765bbcd500ebf08fff46dba"'
expect_invalid "$tmp/wrong_sk.json" "keys mismatch"
tamper low_pow 'd["proof_of_work_stamp"] = "00" * 24'
expect_invalid "$tmp/low_pow.json" "insufficient proof of work"
tamper extra 'd["extra"] = 1'
expect_invalid "$tmp/extra.json" 'unknown member'
tamper missing 'del d["public_key"]'
expect_invalid "$tmp/missing.json" 'missing member "public_key"'
# The same good file at a PoW above what it has.
bits=$(sed -n 's/^proof of work: *\([0-9]*\) bits.*/\1/p' <<<"$out")
expect_invalid "$tmp/id.json" "insufficient proof of work" $((bits + 1))
cp "$tmp/id.json" "$tmp/open.json" && chmod 644 "$tmp/open.json"
expect_invalid "$tmp/open.json" "chmod 600"
expect_invalid "$tmp/none.json" "No such file"

# Usage errors are status 2.
rc=0; "$crawl" --check-identity "$tmp/id.json" --pow 300 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--pow 300 gave $rc"
rc=0; "$crawl" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "no arguments gave $rc"
# (captured first: grep -q would close the pipe early and, with pipefail, a
# --help longer than one stdio buffer would die of SIGPIPE)
help=$("$crawl" --help) || fail "--help exited $?"
grep -q -- '--gen-identity' <<<"$help" || fail "--help"
"$crawl" --version | grep -q '^tzcensus-crawl ' || fail "--version"
echo "identity commands: ok"
