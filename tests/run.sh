#!/bin/sh
# Runs every test: cmocka unit tests, bare-metal ISA tests on rivet, and
# guest/CLI tests (tests/guest/*.sh). Prints one line per test and ends with
# "N passed, M failed". A guest test that exits 77 is skipped with a reason;
# guest tests need the test guest (see tests/guest/lib.sh).
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
RIVET=$B/rivet
passed=0
failed=0
skipped=0
failures=""
log=$B/test-logs
mkdir -p "$log"

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); failures="$failures $1"; echo "FAIL $1${2:+ ($2)}"; }

# Unit tests: count cmocka's individual tests.
for t in "$B"/tests/unit/test_*; do
    [ -x "$t" ] || continue
    name=unit/$(basename "$t")
    out=$log/$(basename "$t").log
    CMOCKA_MESSAGE_OUTPUT=stdout "$t" > "$out" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p))
    if [ "$f" -gt 0 ]; then
        failed=$((failed + f)); failures="$failures $name"
        echo "FAIL $name ($f of $((p + f)) failed, see $out)"
        grep -E '^\[  (FAILED|  ERROR)' "$out" | head -5
    else
        echo "PASS $name ($p tests)"
    fi
done

# Fuzz harnesses replayed without libFuzzer (tests/fuzz/): each is one test.
for t in "$B"/tests/fuzz/replay_*; do
    [ -x "$t" ] || continue
    name=fuzz/$(basename "$t" | sed 's/^replay_//')
    out=$log/$(basename "$t").log
    "$t" > "$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q '^\[  PASSED  \]' "$out"; then
        pass "$name"
    else
        fail "$name" "exit $rc, see $out"; grep -E 'ERROR|SUMMARY|fuzz_|runtime error' "$out" | head -5
    fi
done

# ISA tests: bare-metal programs that exit through the finisher or tohost.
for elf in "$B"/tests/isa/*.elf; do
    [ -f "$elf" ] || continue
    name=isa/$(basename "$elf" .elf)
    out=$log/isa-$(basename "$elf" .elf).log
    machine=$(sed -n 's/^.*isa-machine: *//p' "tests/isa/$(basename "$elf" .elf).S" 2>/dev/null | head -n 1)
    timeout 60 "$RIVET" -M "${machine:-virt}" -m 512M -bios none -nographic -kernel "$elf" < /dev/null > "$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then pass "$name"; else fail "$name" "exit $rc, see $out"; tail -n 3 "$out"; fi
done

# Differential test against QEMU (tests/difftest/): a short fixed-seed run.
out=$log/difftest.log
if command -v python3 > /dev/null 2>&1; then
    RIVET=$RIVET DIFF_OUT=$B/difftest python3 tests/difftest/difftest.py \
        --seed 1 --insns 8000 > "$out" 2>&1
    rc=$?
else
    echo "difftest: python3 not found: skipped" > "$out"; rc=77
fi
if [ "$rc" -eq 0 ]; then
    pass "difftest ($(tail -n 1 "$out" | sed 's/ (.*//'))"
elif [ "$rc" -eq 77 ]; then
    skipped=$((skipped + 1)); echo "SKIP difftest: $(tail -n 1 "$out")"
else
    fail difftest "exit $rc, see $out"; grep -A4 '^MISMATCH' "$out" | head -20; tail -n 1 "$out"
fi

# Guest and command-line tests.
for t in tests/guest/*.sh; do
    [ -f "$t" ] || continue
    case "$t" in */lib.sh) continue ;; esac
    name=guest/$(basename "$t" .sh)
    out=$log/guest-$(basename "$t" .sh).log
    B=$B sh "$t" > "$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "$name"
    elif [ "$rc" -eq 77 ]; then
        skipped=$((skipped + 1)); echo "SKIP $name: $(tail -n 1 "$out")"
    else
        fail "$name" "exit $rc, see $out"; tail -n 5 "$out"
    fi
done

[ -n "$failures" ] && echo "failed:$failures"
[ "$skipped" -gt 0 ] && echo "$skipped skipped (each SKIP line above says why)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
