#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz/ for a bounded time each.
#   tests/fuzz/run.sh FUZZ_BIN SECONDS [TARGET...]
# FUZZ_BIN holds fuzz-TARGET (make fuzz-build); without TARGETs every one
# there runs. Each starts from its corpus tests/fuzz/corpus/TARGET (seeds,
# and inputs of fixed findings: libFuzzer runs them all first) and writes
# what it finds new to FUZZ_WORK/TARGET (default FUZZ_BIN/work; the
# committed corpus is never written). Prints one line per target,
#   ok - fuzz TARGET: N runs, no finding
#   not ok - fuzz TARGET: WHAT; input kept in FILE
# with the log in FUZZ_BIN/logs/TARGET.log and a finding's input in
# FUZZ_BIN/findings/TARGET/. Exit status 0 when no target found anything.
set -u
cd "$(dirname "$0")/../.."
if [ $# -lt 2 ]; then
    echo "usage: tests/fuzz/run.sh FUZZ_BIN SECONDS [TARGET...]" >&2
    exit 2
fi
bin=$1 seconds=$2
shift 2
work=${FUZZ_WORK:-$bin/work}
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    for f in "$bin"/fuzz-*; do
        [ -x "$f" ] && targets+=("${f##*/fuzz-}")
    done
fi
if [ ${#targets[@]} = 0 ]; then
    echo "not ok - fuzz: no targets in $bin (make fuzz-build)"
    exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
    exe=$bin/fuzz-$t log=$bin/logs/$t.log findings=$bin/findings/$t
    mkdir -p "$work/$t" "$findings" "$bin/logs"
    if [ ! -x "$exe" ]; then
        echo "not ok - fuzz $t: $exe is missing (make fuzz-build)"
        status=1
        continue
    fi
    # -close_fd_mask=3: the targets' own output (an adapter's summary and
    # file errors) is dropped; libFuzzer's and the sanitizers' reports stay.
    timeout -k 10 $((seconds + 300)) "$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
        -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$findings/" \
        "$work/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$rc" = 0 ] && [ -n "$runs" ]; then
        echo "ok - fuzz $t: $runs runs, no finding"
        continue
    fi
    status=1
    what=$(grep -m1 -E '^SUMMARY: |^==[0-9]+==ERROR: ' "$log" | sed 's/^==[0-9]*==//')
    input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    echo "not ok - fuzz $t: ${what:-exited with status $rc}${input:+; input kept in $input}; log $log"
done
exit $status
