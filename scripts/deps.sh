#!/usr/bin/env bash
# The Debian packages tzcensus needs, by what they are needed for: tells
# which are missing and, only when asked to, installs them.
#
#   scripts/deps.sh [--install | --dry-run] GROUP...
#
# Groups (each one includes build):
#   build   compile the library and the programs (make, make install)
#   tests   also compile the unit tests and benchmarks (make tests)
#   check   also run the whole suite (make check)
#   demo    make demo (a throwaway PostgreSQL, python3)
#   fuzz    make fuzz, make fuzz-run (clang and its libFuzzer runtime)
#   bench   make bench
#
# Without an option it installs nothing: when a package is missing it names
# it, prints the apt-get command that installs it and exits 1. With
# --install, run as root, it installs what is missing with apt-get (a
# non-root caller gets the message and exit 1). With --dry-run it says what
# --install would do and exits 0 (make -n). One dpkg-query call when
# everything is there. On a system without dpkg-query it checks nothing.
#
# The Makefile calls it before it reads pkg-config: check only for all,
# install and file targets; --install for check, tests, demo, fuzz, fuzz-run
# and bench. .ci/run (make check) therefore works on a fresh Debian 12.
set -u

# package               groups            why
TABLE='
build-essential         build             cc, make, ar
pkg-config              build             library flags
libev-dev               build             crawler and simnet event loops
libpq-dev               build             PostgreSQL client
libprotobuf-c-dev       build             journal records
protobuf-c-compiler     build             protoc-c, generates the journal code
libyaml-dev             build             configuration files
libsodium-dev           build             Curve25519, XSalsa20-Poly1305, Blake2b
libigraph-dev           build             graph metrics
libjansson-dev          build             JSON (identity.json, truth files, reports)
libcurl4-openssl-dev    build             the crawler: optional RPC probe (GET /version)
libloc-dev              build             AS and country of addresses, offline (IPFire location database)
libloc-database         check,demo        the location database snapshot the analyzer defaults to
libcmocka-dev           tests             unit tests (the benchmarks share their helpers)
postgresql              check,demo,bench  throwaway clusters
postgresql-common       check,demo,bench  pg_virtualenv
python3                 check,demo,bench  cross-checks, demo and benchmark glue
python3-networkx        check,bench       independent graph cross-check
python3-nacl            check             independent identity check (libsodium bindings)
chromium                check             report test: renders report.html headless
python3-pil             check             report test: reads the screenshot
git                     check             demo test: make demo from a fresh clone
iproute2                check             ss: no listener left behind
man-db                  check             man page test: man -l renders each page
groff-base              check             man page test: groff warnings
systemd                 check             ops test: systemd-analyze verify on the units
time                    bench             /usr/bin/time (CPU seconds, peak RSS)
clang                   fuzz              libFuzzer targets
libclang-rt-14-dev      fuzz              libFuzzer and sanitizer runtimes for clang
'

usage() { sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'; }

mode=check
groups=()
for a in "$@"; do
	case $a in
	--install) mode=install ;;
	--dry-run) mode=dry ;;
	-h | --help) usage; exit 0 ;;
	build | tests | check | demo | fuzz | bench) groups+=("$a") ;;
	*) echo "deps.sh: unknown argument '$a' (see --help)" >&2; exit 2 ;;
	esac
done
[ ${#groups[@]} -gt 0 ] || groups=(build)

# What a group includes besides itself.
want=" build "
for g in "${groups[@]}"; do
	case $g in
	check | bench) want="$want$g tests " ;;
	*) want="$want$g " ;;
	esac
done

packages=()
declare -A why
while read -r pkg pgroups text; do
	[ -n "$pkg" ] || continue
	for g in ${pgroups//,/ }; do
		if [[ $want == *" $g "* ]]; then
			packages+=("$pkg")
			why[$pkg]=$text
			break
		fi
	done
done <<<"$TABLE"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: no dpkg-query (not Debian): not checking packages; needed: ${packages[*]}" >&2
	exit 0
fi

missing=()
status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null)
for p in "${packages[@]}"; do
	if ! grep -q "^$p ii" <<<"$status"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

root=0
[ "$(id -u)" -eq 0 ] && root=1

if [ "$mode" = dry ]; then
	echo "deps.sh: would install (${groups[*]}): ${missing[*]}" >&2
	exit 0
fi

if [ "$mode" = check ] || [ "$root" -eq 0 ]; then
	echo "tzcensus (${groups[*]}) needs these Debian packages, missing here:" >&2
	for p in "${missing[@]}"; do
		printf '  %-22s %s\n' "$p" "${why[$p]}" >&2
	done
	echo "install them with:" >&2
	if [ "$root" -eq 1 ]; then
		echo "  apt-get install -y ${missing[*]}" >&2
	else
		echo "  sudo apt-get install -y ${missing[*]}" >&2
	fi
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q "${missing[@]}" >&2; then
	apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2 || {
		echo "deps.sh: apt-get failed to install: ${missing[*]}" >&2
		exit 1
	}
fi
