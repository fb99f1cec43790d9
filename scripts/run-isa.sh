#!/bin/sh
# Run bare-metal ISA test ELFs on an emulator and report each one.
#
#   scripts/run-isa.sh EMU ELF...
#   e.g. scripts/run-isa.sh build/rivet build/tests/isa/*.elf
#        scripts/run-isa.sh qemu-system-riscv64 build/tests/isa/*.elf
#
# Each ELF runs as `EMU -M virt -m 512M -bios none -nographic -kernel ELF`
# under `timeout 20` (-M as the test's "isa-machine:" line says, e.g.
# virt,aia=aplic-imsic), with `-cpu $ISA_CPU` when ISA_CPU is set (either
# emulator, e.g. ISA_CPU=rv64,Zfh=true for QEMU 7.2, whose extensions
# beyond RV64GC are off by default); without ISA_CPU, QEMU gets
# `-cpu $ISA_QEMU_CPU` (default rv64,zbkb=on,zbkc=on,zbkx=on: QEMU 7.2 has
# Zba/Zbb/Zbc/Zbs on already). The test's exit status (0 = pass, through the SiFive
# test finisher or HTIF) decides.  Prints "PASS name" or "FAIL name (exit N)"
# (followed by the test's last output lines, indented) and ends with
# "N passed, M failed".  Exits 0 only if every test passed.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 EMU ELF..." >&2
    exit 2
fi
emu=$1
shift
if ! command -v "$emu" >/dev/null 2>&1; then
    echo "run-isa: emulator not found: $emu" >&2
    exit 2
fi

timeout_s=${ISA_TIMEOUT:-20}
cpu=
case $(basename "$emu") in
qemu*) cpu="-cpu ${ISA_QEMU_CPU:-rv64,zbkb=on,zbkc=on,zbkx=on}" ;;
esac
[ -n "${ISA_CPU:-}" ] && cpu="-cpu $ISA_CPU"
out=$(mktemp "${TMPDIR:-/tmp}/run-isa.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM

passed=0
failed=0
for elf in "$@"; do
    name=$(basename "$elf" .elf)
    if [ ! -f "$elf" ]; then
        echo "FAIL $name (missing: $elf)"
        failed=$((failed + 1))
        continue
    fi
    rc=0
    # a test that needs another board says so in its source: "isa-machine: virt,aia=..."
    src=$(dirname "$0")/../tests/isa/$name.S
    machine=$(sed -n 's/^.*isa-machine: *//p' "$src" 2>/dev/null | head -n 1)
    # shellcheck disable=SC2086
    timeout "$timeout_s" "$emu" -M "${machine:-virt}" -m 512M -bios none -nographic $cpu \
        -kernel "$elf" </dev/null >"$out" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        if [ "$rc" -eq 124 ]; then
            echo "FAIL $name (exit $rc: timed out after ${timeout_s}s)"
        else
            echo "FAIL $name (exit $rc)"
        fi
        tail -n 5 "$out" | tr -d '\r' | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
