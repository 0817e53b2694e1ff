#!/usr/bin/env bash
# Banned functions in our tree (STYLE.md): strcpy, strcat, sprintf, vsprintf,
# strtok, atoi, gets, and rand() outside tests.
set -u
dirs=$(ls -d lib crawler analyzer simnet listener tests bench 2>/dev/null)
[ -n "$dirs" ] || exit 0
bad=$(grep -rnE --include='*.c' --include='*.h' \
  '(^|[^_[:alnum:]])(strcpy|strcat|sprintf|vsprintf|strtok|atoi|gets)[[:space:]]*\(' $dirs)
prod=$(ls -d lib crawler analyzer simnet listener 2>/dev/null)
badrand=$(grep -rnE --include='*.c' --include='*.h' '(^|[^_[:alnum:]])s?rand[[:space:]]*\(' $prod)
if [ -n "$bad$badrand" ]; then
  echo "lint: banned functions (STYLE.md):" >&2
  printf '%s\n' "$bad" "$badrand" | sed '/^$/d' >&2
  exit 1
fi
exit 0
