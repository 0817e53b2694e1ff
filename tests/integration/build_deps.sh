#!/usr/bin/env bash
# The build installs nothing an operator did not ask for:
# 1. `make`, `make -n all` and `make install` never call apt-get, even as
#    root: with a build package missing they stop before compiling, name it
#    and print the apt-get command (with sudo for a non-root user); with only
#    test packages missing (cmocka, chromium, ...) `make -n all` goes on and
#    never asks pkg-config for cmocka.
# 2. `make -n check` installs nothing either (it says what it would install);
#    scripts/deps.sh --install as root does call apt-get (the control that
#    shows the stubs below see an install).
# 3. A non-root user builds a copy of this tree with `make -j2 all`: a
#    throwaway user (useradd) when the suite runs as root, else the current
#    user. Plain suite only (not under SANITIZE=1), like the demo test.
#
# Packages are hidden from dpkg-query by a stub on PATH; apt-get, sudo and
# pkg-config are stubs that log their calls; id -u answers STUB_UID (default
# 0, so the root paths are checked whoever runs the test).
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
BIN=${BIN:-bin}
san=0
[ "$BIN" = build/san/bin ] && san=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-build.XXXXXX")
user=
cleanup() {
	[ -n "$user" ] && userdel "$user" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# ---- stubs --------------------------------------------------------------------
stub=$tmp/stub
mkdir -p "$stub"
cat >"$stub/dpkg-query" <<'EOF'
#!/bin/sh
# the real answer, less the packages named in HIDE (an ERE of names)
/usr/bin/dpkg-query "$@" | grep -v -E "^(${HIDE:-^$}) "
exit 0
EOF
cat >"$stub/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$STUB_LOG/apt"
EOF
cat >"$stub/sudo" <<'EOF'
#!/bin/sh
echo "sudo $*" >>"$STUB_LOG/apt"
EOF
real_pkg_config=$(command -v pkg-config)
cat >"$stub/pkg-config" <<EOF
#!/bin/sh
echo "\$*" >>"\$STUB_LOG/pkg-config"
exec $real_pkg_config "\$@"
EOF
cat >"$stub/id" <<'EOF'
#!/bin/sh
if [ "$1" = -u ]; then echo "${STUB_UID:-0}"; else exec /usr/bin/id "$@"; fi
EOF
chmod +x "$stub"/*
export STUB_LOG=$tmp/log

# run NAME HIDE CMD...: runs CMD with the stubs, output in $tmp/NAME.out,
# status in $rc; the logs start empty.
run() {
	local name=$1 hide=$2
	shift 2
	rm -rf "$STUB_LOG" && mkdir -p "$STUB_LOG" && touch "$STUB_LOG/apt" "$STUB_LOG/pkg-config"
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PATH="$stub:$PATH" HIDE="$hide" "$@" \
		>"$tmp/$name.out" 2>&1
	rc=$?
}
no_install() { # name
	if [ -s "$STUB_LOG/apt" ]; then
		bad "$1 called the installer: $(cat "$STUB_LOG/apt")"
	fi
}

# ---- 1. make all / make install check and stop ----------------------------------
test_pkgs='libcmocka-dev|chromium|python3-nacl|clang|time|postgresql|man-db'
# -B: every recipe is expanded (printed), as in a fresh tree.
run all-dry "$test_pkgs" make -n -B all SANITIZE=$san
[ "$rc" -eq 0 ] || { bad "make -n all with only test packages missing: status $rc"; cat "$tmp/all-dry.out"; }
no_install "make -n all"
grep -q cmocka "$STUB_LOG/pkg-config" && bad "make -n all asked pkg-config for cmocka"
grep -q 'deps.sh' "$tmp/all-dry.out" && bad "make -n all mentions deps.sh: $(grep deps.sh "$tmp/all-dry.out")"

# The control: building the tests does ask for cmocka.
run tests-dry "$test_pkgs" make -n -B tests SANITIZE=$san
grep -q cmocka "$STUB_LOG/pkg-config" || bad "make -n tests never asked pkg-config for cmocka"
grep -q 'would install (tests): libcmocka-dev$' "$tmp/tests-dry.out" ||
	bad "make -n tests does not say it would install libcmocka-dev: $(head -n 3 "$tmp/tests-dry.out")"
no_install "make -n tests"

for goal in "-n all" "all" "install PREFIX=$tmp/prefix"; do
	name=missing-${goal%% *}
	before=$fail
	# shellcheck disable=SC2086 # goal is words
	run "$name" 'libsodium-dev|libcmocka-dev' make $goal SANITIZE=$san
	[ "$rc" -ne 0 ] || bad "make $goal succeeded without libsodium-dev"
	no_install "make $goal"
	grep -q '^  libsodium-dev ' "$tmp/$name.out" || bad "make $goal does not name libsodium-dev"
	grep -q '^  apt-get install -y libsodium-dev$' "$tmp/$name.out" ||
		bad "make $goal does not print the apt-get command for libsodium-dev alone"
	grep -q ' CC \|^cc ' "$tmp/$name.out" && bad "make $goal compiled something"
	[ "$fail" -eq "$before" ] || cat "$tmp/$name.out"
done
[ -e "$tmp/prefix" ] && bad "make install without libsodium-dev installed files"

# A non-root user is told to use sudo.
STUB_UID=1000 run nonroot 'libsodium-dev' make -n all SANITIZE=$san
grep -q '^  sudo apt-get install -y libsodium-dev$' "$tmp/nonroot.out" ||
	bad "make as non-root does not print the sudo apt-get command"
no_install "make as non-root"

# ---- 2. make -n check installs nothing; deps.sh --install does --------------
run check-dry 'chromium' make -n check SANITIZE=$san
[ "$rc" -eq 0 ] || bad "make -n check: status $rc"
grep -q 'would install (check): chromium$' "$tmp/check-dry.out" ||
	bad "make -n check does not say it would install chromium"
no_install "make -n check"

run control 'chromium' scripts/deps.sh --install check
grep -q '^apt-get install .*chromium' "$STUB_LOG/apt" ||
	bad "control: scripts/deps.sh --install check as root did not call apt-get for chromium"
STUB_UID=1000 run control-nonroot 'chromium' scripts/deps.sh --install check
[ "$rc" -eq 1 ] || bad "deps.sh --install as non-root with chromium missing: status $rc, want 1"
no_install "deps.sh --install as non-root"
grep -q '^  sudo apt-get install -y chromium$' "$tmp/control-nonroot.out" ||
	bad "deps.sh --install as non-root does not print the sudo command"
[ "$fail" -eq 0 ] && echo "ok: make, make -n all, make install, make -n check install nothing"

# ---- 3. a non-root build --------------------------------------------------------
if [ "$san" = 1 ]; then
	echo "SKIP: the non-root build runs in the plain suite only"
	exit $fail
fi
repo=$tmp/repo
mkdir -p "$repo"
# The tree as it is (tracked and new files, not build products).
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$repo" ||
	{ bad "copying the tree"; exit 1; }
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	user=tzcb$$
	for _ in 1 2 3 4 5; do # useradd waits for nobody else's lock on /etc/passwd
		useradd --system --no-create-home --home-dir "$repo" --shell /usr/sbin/nologin "$user" \
			2>"$tmp/useradd.err" && break
		sleep 1
	done
	if ! id "$user" >/dev/null 2>&1; then
		user=
		bad "useradd failed: $(cat "$tmp/useradd.err")"
		exit 1
	fi
	chmod 711 "$tmp"
	chown -R "$user:" "$repo"
	as_user=(runuser -u "$user" --)
fi
t0=$SECONDS
(cd "$repo" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS HOME="$repo" \
	timeout 900 "${as_user[@]}" make -j2 all) >"$tmp/build.log" 2>&1
rc=$?
echo "non-root make -j2 all (${user:-$(id -un)}): status $rc in $((SECONDS - t0)) s"
if [ "$rc" -ne 0 ]; then
	bad "non-root make -j2 all failed"
	tail -n 40 "$tmp/build.log"
fi
for p in crawl analyze simnet; do
	[ -x "$repo/bin/tzcensus-$p" ] || bad "non-root make did not build bin/tzcensus-$p"
done
if [ -x "$repo/bin/tzcensus-crawl" ]; then
	"${as_user[@]}" "$repo/bin/tzcensus-crawl" --help >/dev/null 2>&1 ||
		bad "the non-root build's tzcensus-crawl --help fails"
fi
[ -e "$repo/build/tests" ] && bad "make all built the tests"
grep -q 'deps.sh' "$tmp/build.log" && bad "make all talked about packages: $(grep deps.sh "$tmp/build.log")"
exit $fail
