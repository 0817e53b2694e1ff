#!/usr/bin/env bash
# `make install PREFIX=tmp` lays out programs, man pages, schema, configs and
# the systemd units (paths rewritten to PREFIX); `systemd-analyze verify`
# accepts the installed timer and service (it also checks that the programs
# and man pages they name exist); the service keeps its hardening and a low
# exposure score; the crontab line is well formed and runs the same script.
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
san=0
[ "$BIN" = build/san/bin ] && san=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tzcensus-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail=0
bad() { echo "FAIL: $*"; fail=1; }

if ! make -s install PREFIX="$prefix" SANITIZE=$san >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: make install"
	exit 1
fi

# ---- what make install put where ----------------------------------------------
for f in bin/tzcensus-nightly lib/systemd/system/tzcensus-nightly.service \
	lib/systemd/system/tzcensus-failure@.service \
	lib/systemd/system/tzcensus-nightly.timer share/tzcensus/config/crontab \
	share/tzcensus/config/nightly.env \
	share/man/man1/tzcensus-crawl.1 share/man/man1/tzcensus-analyze.1 \
	share/man/man1/tzcensus-simnet.1 share/man/man1/tzcensus-nightly.1 \
	lib/systemd/system/tzcensus-listen.service share/man/man1/tzcensus-listen.1 \
	share/tzcensus/config/listener.example.yaml; do
	[ -s "$prefix/$f" ] || bad "make install did not install $f"
done
[ -x "$prefix/bin/tzcensus-nightly" ] || bad "tzcensus-nightly is not executable"
for p in crawl analyze simnet listen; do
	if [ -x "$BIN/tzcensus-$p" ]; then
		[ -x "$prefix/bin/tzcensus-$p" ] || bad "make install did not install tzcensus-$p"
	else
		echo "SKIP: $BIN/tzcensus-$p not built yet, its installation not checked"
	fi
done
if [ -d schema ]; then
	(cd schema && find . -type f) | while read -r f; do
		cmp -s "schema/$f" "$prefix/share/tzcensus/schema/$f" || echo "FAIL: schema/$f not installed"
	done | grep . && fail=1
fi
if grep -rl /usr/local "$prefix/lib/systemd" "$prefix/share/tzcensus/config/crontab"; then
	bad "installed units or crontab still name /usr/local instead of PREFIX"
fi

# ---- hardening that must not silently go away ---------------------------------------
svc=$prefix/lib/systemd/system/tzcensus-nightly.service
lsvc=$prefix/lib/systemd/system/tzcensus-listen.service
for u in "$svc" "$lsvc"; do
	prog=tzcensus-nightly
	[ "$u" = "$lsvc" ] && prog=tzcensus-listen
	for d in '^User=tzcensus$' '^NoNewPrivileges=yes$' '^ProtectSystem=strict$' \
		'^StateDirectory=tzcensus$' '^PrivateTmp=yes$' '^ProtectHome=yes$' \
		'^CapabilityBoundingSet=$' '^RestrictAddressFamilies=' '^SystemCallFilter=@system-service$' \
		"^ExecStart=$prefix/bin/$prog "; do
		grep -q "$d" "$u" || bad "${u##*/} lacks $d"
	done
done
grep -q '^OnCalendar=' "$prefix/lib/systemd/system/tzcensus-nightly.timer" || bad "the timer has no OnCalendar="
grep -q '^OnFailure=tzcensus-failure@%n.service$' "$svc" || bad "the service has no OnFailure= handler"
# Units land where systemd reads them, or install says what to do.
grep -q "systemd does not read units from $prefix/lib/systemd/system" "$tmp/install.log" ||
	bad "make install with PREFIX=$prefix did not say that systemd does not read its units there"
if ! make -s install PREFIX=/usr/local DESTDIR="$tmp/dest" SANITIZE=$san >"$tmp/install2.log" 2>&1; then
	cat "$tmp/install2.log"; bad "make install PREFIX=/usr/local DESTDIR=..."
fi
[ -s "$tmp/dest/usr/local/lib/systemd/system/tzcensus-nightly.service" ] || bad "PREFIX=/usr/local: units not in /usr/local/lib/systemd/system"
grep -q "systemd does not read" "$tmp/install2.log" && bad "PREFIX=/usr/local: install should not warn (systemd reads /usr/local/lib/systemd/system)"
if ! make -s install PREFIX="$tmp/p3" SYSTEMD_UNIT_DIR=/etc/systemd/system DESTDIR="$tmp/dest3" SANITIZE=$san >"$tmp/install3.log" 2>&1; then
	cat "$tmp/install3.log"; bad "make install SYSTEMD_UNIT_DIR=/etc/systemd/system"
fi
[ -s "$tmp/dest3/etc/systemd/system/tzcensus-nightly.service" ] || bad "SYSTEMD_UNIT_DIR did not choose where the units go"
grep -q "^ExecStart=$tmp/p3/bin/tzcensus-nightly " "$tmp/dest3/etc/systemd/system/tzcensus-nightly.service" ||
	bad "SYSTEMD_UNIT_DIR: the service does not run PREFIX's tzcensus-nightly"

# ---- systemd-analyze -----------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze is not installed (package systemd): units not verified"
else
	# verify runs man(1) for Documentation=man:...: look in the installed pages.
	if ! out=$(cd "$prefix/lib/systemd/system" && MANPATH=$prefix/share/man \
		systemd-analyze verify ./tzcensus-nightly.timer ./tzcensus-nightly.service \
		./tzcensus-listen.service 2>&1) || [ -n "$out" ]; then
		echo "$out"
		bad "systemd-analyze verify"
	else
		echo "ok: systemd-analyze verify passes on the timer and both services"
	fi
	# The OnFailure= handler, as the instance the service starts.
	inst=$tmp/tzcensus-failure@tzcensus-nightly.service.service
	cp "$prefix/lib/systemd/system/tzcensus-failure@.service" "$inst"
	if ! out=$(MANPATH=$prefix/share/man systemd-analyze verify "$inst" 2>&1) || [ -n "$out" ]; then
		echo "$out"
		bad "systemd-analyze verify of the OnFailure= handler"
	fi
	# Exposure 0-10 (x10 here): 3.0 and below is systemd's "OK".
	for u in "$svc" "$lsvc"; do
		if ! systemd-analyze security --offline=yes --threshold=30 "$u" >"$tmp/security.txt" 2>&1; then
			tail -n 30 "$tmp/security.txt"
			bad "systemd-analyze security: ${u##*/} exposure above 3.0"
		else
			grep -o 'Overall exposure level.*' "$tmp/security.txt" | sed "s/^/ok: ${u##*/}: /"
		fi
	done
fi

# ---- crontab ---------------------------------------------------------------------------
"$PY" - "$prefix/share/tzcensus/config/crontab" "$prefix/bin/tzcensus-nightly" <<'PYEOF' || fail=1
import re, sys
path, script = sys.argv[1:3]
ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
jobs = 0
for n, line in enumerate(open(path), 1):
    line = line.strip()
    if not line or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
        continue
    f = line.split(None, 6)
    if len(f) < 7:
        sys.exit("FAIL: crontab:%d: want 5 time fields, a user and a command" % n)
    for v, (lo, hi) in zip(f[:5], ranges):
        for part in v.split(","):
            m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
            if not m or (m.group(2) and not lo <= int(m.group(2)) <= hi) or \
               (m.group(3) and not lo <= int(m.group(3)) <= hi):
                sys.exit("FAIL: crontab:%d: bad time field %r" % (n, v))
    if f[5] != "tzcensus":
        sys.exit("FAIL: crontab:%d: the job must run as user tzcensus, not %s" % (n, f[5]))
    if script not in f[6]:
        sys.exit("FAIL: crontab:%d: the job does not run %s" % (n, script))
    jobs += 1
if jobs != 1:
    sys.exit("FAIL: crontab: want exactly one job, found %d" % jobs)
print("ok: crontab has one well-formed job running tzcensus-nightly as tzcensus")
PYEOF

# The cron command is sh: it must parse.
cmd=$(grep -E '^[0-9*]' "$prefix/share/tzcensus/config/crontab" | awk '{ $1=$2=$3=$4=$5=$6=""; print }')
sh -n -c "$cmd" || bad "the crontab command does not parse as sh"

exit $fail
