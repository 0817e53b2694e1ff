#!/usr/bin/env bash
# The example queries of docs/schema.md, run against a small hand-made data
# set (tests/data/schema_example.sql): each ```sql block followed by a ```text
# block must print exactly that text, so the documentation cannot rot.
set -eu
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?needs the PostgreSQL of the test suite (run through make check)}"
db="t_schemaq_$$_$RANDOM"
url="${DATABASE_URL%/*}/$db"
psql "$DATABASE_URL" -X -q -c "CREATE DATABASE $db"
trap 'psql "$DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
for f in schema/migrations/*.sql; do
  psql "$url" -X -q -v ON_ERROR_STOP=1 -1 -f "$f"
done
psql "$url" -X -q -v ON_ERROR_STOP=1 -1 -f tests/data/schema_example.sql

/usr/bin/python3 - "$url" docs/schema.md <<'PY'
import re, subprocess, sys
url, doc = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
pairs = re.findall(r"```sql\n(.*?)```\s*\n(?:[^`]*?\n)?```text\n(.*?)```", text, re.S)
def norm(s):
    return "\n".join(l.rstrip() for l in s.strip("\n").split("\n"))
bad = 0
for i, (sql, want) in enumerate(pairs, 1):
    out = subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-P", "pager=off"],
                         input=sql, capture_output=True, text=True)
    got = norm(out.stdout)
    if out.returncode != 0 or got != norm(want):
        bad += 1
        print(f"query {i} differs:\n{sql}\n--- want\n{norm(want)}\n--- got\n{got}\n{out.stderr}")
sql_blocks = len(re.findall(r"```sql\n", text))
if sql_blocks != len(pairs):
    print(f"{sql_blocks} sql blocks but {len(pairs)} have an expected result")
    bad += 1
if len(pairs) < 8:
    print(f"only {len(pairs)} example queries (want at least 8)")
    bad += 1
print(f"CHECKED: {len(pairs)} documented queries against tests/data/schema_example.sql")
sys.exit(1 if bad else 0)
PY
