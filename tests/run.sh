#!/usr/bin/env bash
# Runs every test: the cmocka unit tests in $BIN/tests, then the
# integration tests in tests/integration, then the fault tests in
# tests/reliability. Prints each program's output and
# ends with one line: N passed, N failed (checks, over all programs).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
export BIN
pass=0
fail=0
add() {   # add OUTPUT-FILE STATUS: count the checks one program reported
    local out=$1 status=$2 p f
    p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | awk '{s += $NF} END {print s + 0}')
    f=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$out" | awk '{s += $NF} END {print s + 0}')
    p=$((p + $(grep -c '^ok - ' "$out")))
    f=$((f + $(grep -c '^not ok - ' "$out")))
    if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; echo "not ok - exited with status $status"; fi
    pass=$((pass + p))
    fail=$((fail + f))
}
out=$(mktemp)
for t in "$BIN"/tests/test_*; do
    echo "== unit: $(basename "$t")"
    "$t" >"$out" 2>&1; status=$?
    cat "$out"
    add "$out" $status
done
for t in tests/integration/*.sh tests/reliability/*.sh; do
    [ -e "$t" ] || continue
    echo "== $(basename "$(dirname "$t")"): $(basename "$t" .sh)"
    bash "$t" >"$out" 2>&1; status=$?
    cat "$out"
    add "$out" $status
done
rm -f "$out"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
