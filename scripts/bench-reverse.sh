#!/bin/sh
# scripts/bench-reverse.sh: reverse execution's speed (docs/debugging.md),
# run by `make bench` (section reverse) or alone from the tree root.
# tests/gdb/rev.c under gdb-multiarch: break at started() (instruction
# ~50), continue to milestone() (the 600th timer tick, ~1.2e8
# instructions later), then, timed with gdb's shell date:
#   reverse-stepi     x3 (each re-executes up to two snapshot intervals)
#   reverse-continue  back to started(): the whole 1.2e8 instructions
# Prints "reverse: stepi A s continue B s (N instructions)" with the
# slowest stepi. Targets (issue #17): stepi < 1 s, continue over 1e8 < 10 s.
set -eu
RIVET=${RIVET:-build/rivet}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-reverse.XXXXXX")
trap 'kill $rp 2>/dev/null; rm -rf "$tmp"' EXIT
rp=
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -static -nostdlib -nostartfiles \
    -ffreestanding -O0 -g -T tests/isa/link.ld -o "$tmp/rev.elf" tests/gdb/rev.c
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$RIVET" -M virt -bios none -nographic -kernel "$tmp/rev.elf" -S -gdb tcp:127.0.0.1:$port </dev/null >"$tmp/rivet.out" 2>&1 &
rp=$!
n=0
until ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port "; do
    n=$((n + 1)); [ $n -gt 600 ] && { echo "bench-reverse: rivet does not listen" >&2; exit 1; }
    sleep 0.1
done
T='shell date +T%s.%N'
timeout 600 gdb-multiarch -batch -nx -ex 'set pagination off' -ex 'set confirm off' "$tmp/rev.elf" \
    -ex "target remote 127.0.0.1:$port" -ex 'break started' -ex 'continue' -ex 'printf "I0=%d\n", $minstret' \
    -ex 'delete' -ex 'break milestone' -ex 'continue' -ex 'printf "I1=%d\n", $minstret' -ex 'delete' \
    -ex "$T" -ex 'reverse-stepi' -ex "$T" -ex 'reverse-stepi' -ex "$T" -ex 'reverse-stepi' -ex "$T" \
    -ex 'break started' -ex "$T" -ex 'reverse-continue' -ex "$T" -ex 'printf "BACK=%d\n", $minstret' \
    -ex 'kill' >"$tmp/gdb.out" 2>&1 || { cat "$tmp/gdb.out" >&2; exit 1; }
grep -q '^BACK=' "$tmp/gdb.out" || { cat "$tmp/gdb.out" >&2; exit 1; }
i0=$(sed -n 's/^I0=//p' "$tmp/gdb.out")
i1=$(sed -n 's/^I1=//p' "$tmp/gdb.out")
[ "$(sed -n 's/^BACK=//p' "$tmp/gdb.out")" = "$i0" ] || { echo "bench-reverse: reverse-continue did not get back to started()" >&2; exit 1; }
sed -n 's/^T//p' "$tmp/gdb.out" | awk -v n=$((i1 - i0)) '
    { t[NR] = $1 }
    END { s = 0; for (i = 2; i <= 4; i++) if (t[i] - t[i - 1] > s) s = t[i] - t[i - 1]
          printf "reverse: stepi %.3f s continue %.3f s (%d instructions)\n", s, t[6] - t[5], n }'
