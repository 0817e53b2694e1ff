#!/usr/bin/env bash
# Installs the Debian packages tzcensus needs, only those that are missing.
#
# Called by the Makefile before every build and by .ci/run through it. As
# root it runs apt-get; otherwise it prints the exact apt-get line and fails.
# Fast path: one dpkg-query call when everything is present.
set -u

# One package a line, with why.
PACKAGES=(
  build-essential         # cc, make, ar
  pkg-config              # library flags
  libev-dev               # crawler and simnet event loops
  libpq-dev               # PostgreSQL client
  libprotobuf-c-dev       # journal records
  protobuf-c-compiler     # protoc-c, generates journal code
  libyaml-dev             # configuration files
  libcmocka-dev           # unit tests
  libsodium-dev           # Curve25519, XSalsa20-Poly1305, Blake2b
  libigraph-dev           # graph metrics
  libjansson-dev          # JSON (identity.json, truth files, reports)
  libcurl4-openssl-dev    # the crawler's optional RPC probe (GET /version, multi_socket on libev)
  postgresql              # throwaway test clusters (pg_virtualenv)
  postgresql-common       # pg_virtualenv
  clang                   # make fuzz (libFuzzer)
  libclang-rt-14-dev      # libFuzzer and sanitizer runtimes for clang
  python3                 # independent cross-checks in tests
  python3-networkx        # independent graph cross-check (analyzer tests)
  python3-nacl            # independent identity check (libsodium bindings)
  chromium                # report test: renders report.html headless, takes a screenshot
  python3-pil             # report test: reads the screenshot (blank-page check)
  git                     # demo test: runs make demo from a fresh clone
  iproute2                # demo test: ss checks no listener is left behind
  man-db                  # man page test: man -l renders each page
  groff-base              # man page test: groff warnings
  systemd                 # ops test: systemd-analyze verify on the units
  time                    # benchmarks: /usr/bin/time (CPU seconds, peak RSS)
)

missing=()
status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null)
for p in "${PACKAGES[@]}"; do
  if ! grep -q "^$p ii" <<<"$status"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "tzcensus needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
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
