#!/usr/bin/env bash
# The man pages (man/*.1) render without a warning, and each program's page
# documents exactly the flags its --help prints: every flag of --help has an
# entry in OPTIONS, and every entry there is a flag --help knows.
# A program that is not built yet is skipped with a message (the page is
# still checked for rendering). Each program answers --version.
set -u
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
fail=0
checked=0

pages=(man/tzcensus-crawl.1 man/tzcensus-analyze.1 man/tzcensus-simnet.1 man/tzcensus-nightly.1
	man/tzcensus-listen.1)
for page in "${pages[@]}"; do
	[ -f "$page" ] || { echo "FAIL: $page is missing"; fail=1; continue; }
	prog=$(basename "$page" .1)
	exe=$BIN/$prog
	[ "$prog" = tzcensus-nightly ] && exe=scripts/tzcensus-nightly

	# 1. Renders cleanly: groff in its strictest warning mode, then man -l.
	w=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	if [ -n "$w" ]; then echo "FAIL: groff warns on $page:"; echo "$w"; fail=1; fi
	if command -v man >/dev/null; then
		# MAN_KEEP_FORMATTING: man-db would otherwise pipe through col(1)
		# (bsdextrautils), which a minimal system may lack.
		w=$(MAN_KEEP_FORMATTING=1 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		if [ -n "$w" ]; then echo "FAIL: man -l warns on $page:"; echo "$w"; fail=1; fi
	else
		echo "SKIP: man(1) not installed (package man-db): $page checked with groff only"
	fi
	# Wide lines, no hyphenation inside a flag, plain ASCII without overstrikes.
	text=$(LC_ALL=C groff -man -Tascii -rLL=200n -rHY=0 -P-cbou "$page" 2>/dev/null)
	[ -n "$text" ] || { echo "FAIL: $page renders to nothing"; fail=1; continue; }

	# 2. Flags: --help against the OPTIONS section.
	if [ ! -x "$exe" ]; then
		echo "SKIP: $exe is not built yet; flags of $page not compared"
		continue
	fi
	help=$("$exe" --help 2>&1)
	# Every program answers --version with its name and a version, status 0.
	if [ "$prog" != tzcensus-nightly ]; then
		v=$("$exe" --version 2>&1)
		rc=$?
		if [ "$rc" -ne 0 ] || ! [[ $v =~ ^$prog\ [0-9]+\.[0-9]+\.[0-9]+ ]]; then
			echo "FAIL: $prog --version printed '$v' with status $rc"
			fail=1
		fi
	fi
	if ! "$PY" - "$page" "$help" "$text" <<'PYEOF'
import re, sys
page, help_text, man_text = sys.argv[1:4]
flag = re.compile(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
in_help = set(flag.findall(help_text))
# OPTIONS entries: indented lines that start with a flag ("-h, --help", "--db CONNINFO").
section, entries = None, set()
for line in man_text.splitlines():
    if line and not line[0].isspace():
        section = line.strip()
        continue
    if section != "OPTIONS":
        continue
    m = re.match(r"^ {5,8}(-[^ ].*)$", line)
    if m:
        head = m.group(1)
        for part in head.split(", "):
            tok = part.split()[0] if part.split() else ""
            if flag.fullmatch(tok):
                entries.add(tok)
ok = True
if not in_help:
    print("FAIL: %s --help prints no flag" % page)
    ok = False
missing = sorted(in_help - entries)
# --help itself (and --version) may go unmentioned in the usage text.
extra = sorted(entries - in_help - {"--help", "-h", "--version"})
if missing:
    print("FAIL: %s lacks an OPTIONS entry for: %s" % (page, " ".join(missing)))
    ok = False
if extra:
    print("FAIL: %s documents flags that --help does not print: %s" % (page, " ".join(extra)))
    ok = False
if ok:
    print("ok: %s documents all %d flags of --help" % (page, len(in_help)))
sys.exit(0 if ok else 1)
PYEOF
	then
		echo "--help of $prog was:"; echo "$help" | sed 's/^/    /'
		fail=1
	else
		checked=$((checked + 1))
	fi
done
echo "CHECKED: man pages with flags compared against --help: $checked of ${#pages[@]}"
exit $fail
