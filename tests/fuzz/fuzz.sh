#!/bin/sh
# Runs each libFuzzer harness NAME... (built by `make fuzz` into $B/fuzz/)
# for FUZZ_SECONDS, one at a time. New inputs go to $B/fuzz/corpus/NAME (the
# committed seeds in tests/fuzz/corpus/NAME are only read), crashes to
# $B/fuzz/crashes/, the fuzzer's output to $B/fuzz/NAME.log (without the
# devices' "rivet: ..." guest-error lines, which are expected by the
# thousand). Extra libFuzzer flags: FUZZ_FLAGS="...".
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
secs=${FUZZ_SECONDS:-60}
mkdir -p "$B/fuzz/crashes"
failed=""
for n in "$@"; do
    bin=$B/fuzz/fuzz_$n
    log=$B/fuzz/$n.log
    mkdir -p "$B/fuzz/corpus/$n"
    echo "fuzz $n: ${secs}s ..."
    { "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$B/fuzz/crashes/$n-" ${FUZZ_FLAGS:-} \
        "$B/fuzz/corpus/$n" "tests/fuzz/corpus/$n" 2>&1; echo "exit $?"; } |
        grep -v '^rivet: ' > "$log"
    rc=$(sed -n 's/^exit \([0-9]*\)$/\1/p' "$log" | tail -n 1)
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | tr '\n' ' '
    echo
    if [ "${rc:-1}" -ne 0 ]; then
        failed="$failed $n"
        echo "FAIL fuzz/$n (exit $rc, see $log):"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written|fuzz_' "$log" | head -8
    else
        echo "PASS fuzz/$n"
    fi
done
if [ -n "$failed" ]; then
    echo "crashes in:$failed (inputs in $B/fuzz/crashes/; reproduce with $B/tests/fuzz/replay_NAME FILE or $B/fuzz/fuzz_NAME FILE)"
    exit 1
fi
