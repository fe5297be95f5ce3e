#!/usr/bin/env bash
# Runs every test: the cmocka unit tests in $BIN/tests, then the
# integration tests in tests/integration, then the fault tests in
# tests/reliability, then each fuzz target of tests/fuzz briefly. Prints
# each program's output and ends with one line: N passed, N failed
# (checks, over all programs).
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
    case "$t" in tests/reliability/*) [ "${RELIABILITY:-1}" = 0 ] && continue ;; esac   # RELIABILITY=0: not these
    echo "== $(basename "$(dirname "$t")"): $(basename "$t" .sh)"
    bash "$t" >"$out" 2>&1; status=$?
    cat "$out"
    add "$out" $status
done
# The fuzz targets of tests/fuzz/, built with clang into $BIN/fuzz, each for
# FUZZ_BRIEF_SECONDS on its corpus (0 skips them): a regression on a seed or
# a fixed finding fails here. `make fuzz` runs them for longer.
brief=${FUZZ_BRIEF_SECONDS:-20}
if [ "$brief" != 0 ]; then
    echo "== fuzz: each target for ${brief}s"
    work=$(mktemp -d)
    if make -s --no-print-directory BUILD="$BIN/fuzz/build" BIN="$BIN" fuzz-build >"$work/build.log" 2>&1; then
        FUZZ_WORK=$work tests/fuzz/run.sh "$BIN/fuzz" "$brief" >"$out" 2>&1; status=$?
    else
        { tail -n 20 "$work/build.log"
          echo "not ok - fuzz: the targets do not build (clang and libclang-rt-dev: make deps)"; } >"$out"
        status=1
    fi
    cat "$out"
    add "$out" $status
    rm -rf "$work"
fi
rm -f "$out"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
