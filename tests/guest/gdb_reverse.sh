#!/bin/sh
# Reverse execution with gdb-multiarch in batch mode (issue #17) on a
# bare-metal program (tests/gdb/rev.c: a CLINT timer interrupt on hart 0
# prints "tick N", hart 0's loop calls work(), hart 1 loops in h1_work()
# and sends hart 0 IPIs):
#  1. -smp 1: 20 stepi forward, then 10 reverse-stepi land on the pc of
#     step 10 (every pc of the way back is the forward one);
#     reverse-continue to a breakpoint in the interrupt handler behind an
#     interrupt return (ticks is the older count, mcause the timer's);
#     a watchpoint hit in reverse shows the older value; continue forward
#     replays to the same stops; reverse-continue without breakpoints
#     stops at the start of history ("No more reverse-execution history");
#     the console has every "tick N" exactly once, in order.
#  2. the same with -smp 2: a breakpoint on hart 1, reverse-continue,
#     reverse-stepi on each thread, hart switches on the way.
#  3. bad input: bs/bc with the history off or refused (a clock that
#     follows the host, an unseeded virtio-rng), a bad -gdb-reverse,
#     malformed b packets.
. tests/guest/lib.sh
. tests/guest/gdb.shlib

command -v riscv64-unknown-elf-gcc > /dev/null || die "riscv64-unknown-elf-gcc not installed"
ELF=$TMP/rev.elf
riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -static -nostdlib -nostartfiles \
    -ffreestanding -O0 -g -T tests/isa/link.ld -o "$ELF" tests/gdb/rev.c || die "cannot build rev.c"
LOG=$B/test-logs
mkdir -p "$LOG"

start() { # start OUT SMP [rivet options]
    o=$1; n=$2; shift 2
    P=$(free_port)
    timeout 600 "$RIVET" -M virt -bios none -nographic -smp "$n" -kernel "$ELF" -S -gdb tcp:127.0.0.1:$P "$@" \
        < /dev/null > "$o" 2>&1 &
    RPID=$!
    wait_listen $P
}
stop_rivet() { kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; }
trap 'kill $RPID 2>/dev/null; rm -rf "$TMP"' EXIT

# ---- 1: one hart
start "$TMP/r1.out" 1
set -- -ex "target remote 127.0.0.1:$P" -ex 'reverse-stepi' -ex 'printf "START pc=%lx\n", $pc' \
    -ex 'break main0' -ex 'continue' -ex 'delete'
i=1
while [ $i -le 20 ]; do set -- "$@" -ex 'stepi' -ex "printf \"S$i=%lx\\n\", \$pc"; i=$((i + 1)); done
i=19
while [ $i -ge 10 ]; do set -- "$@" -ex 'reverse-stepi' -ex "printf \"R$i=%lx\\n\", \$pc"; i=$((i - 1)); done
set -- "$@" -ex 'break on_tick' -ex 'continue' -ex 'continue' -ex 'continue' -ex 'printf "AT3 ticks=%d\n", ticks' \
    -ex 'delete' -ex 'break work' -ex 'continue' -ex 'continue' -ex 'printf "WORK ticks=%d\n", ticks' \
    -ex 'delete' -ex 'break on_tick' -ex 'reverse-continue' \
    -ex 'printf "BACK ticks=%d mcause=%lx mepc=%lx\n", ticks, $mcause, $mepc' -ex 'bt 2' \
    -ex 'reverse-finish' -ex 'info symbol $pc' \
    -ex 'reverse-continue' -ex 'printf "BACK2 ticks=%d\n", ticks' \
    -ex 'continue' -ex 'printf "FWD ticks=%d\n", ticks' \
    -ex 'delete' -ex 'watch value' -ex 'continue' -ex 'continue' -ex 'printf "W2 value=%ld\n", value' \
    -ex 'reverse-continue' -ex 'printf "RW value=%ld\n", value' \
    -ex 'continue' -ex 'printf "FW value=%ld\n", value' \
    -ex 'delete' -ex 'reverse-continue' -ex 'printf "BEGIN pc=%lx ticks=%d\n", $pc, ticks' \
    -ex 'break on_tick' -ex 'continue' -ex 'printf "AGAIN ticks=%d\n", ticks' \
    -ex 'delete' -ex 'break on_tick if ticks == 6' -ex 'continue' \
    -ex 'printf "LIVE ticks=%d\n", ticks' -ex 'kill'
gdb_batch "$TMP/g1.out" "$ELF" "$@"
stop_rivet
cp "$TMP/g1.out" "$LOG/gdb_reverse-1.log"
cat "$TMP/g1.out"
# reverse-stepi before anything ran: no history
expect "$TMP/g1.out" '^No more reverse-execution history'
expect "$TMP/g1.out" '^START pc=1000$'
# 20 forward, 10 back: each pc on the way back is the forward one
i=19
while [ $i -ge 10 ]; do
    s=$(sed -n "s/^S$i=//p" "$TMP/g1.out")
    r=$(sed -n "s/^R$i=//p" "$TMP/g1.out")
    [ -n "$s" ] && [ "$s" = "$r" ] || die "after reverse-stepi to step $i: pc $r, forward it was $s"
    i=$((i - 1))
done
# the breakpoint in the timer interrupt's handler, behind an interrupt
# return: the older tick count, in the handler of a timer interrupt
expect "$TMP/g1.out" '^AT3 ticks=2$'
w=$(sed -n 's/^WORK ticks=//p' "$TMP/g1.out")
[ "$w" -ge 3 ] || die "work() ran before the third tick"
expect "$TMP/g1.out" "^BACK ticks=$((w - 1)) mcause=8000000000000007 "
expect "$TMP/g1.out" '^#1 .* in trap \(\)'
expect "$TMP/g1.out" '^trap \+ [0-9]+ in section \.text'   # reverse-finish: back in the caller
expect "$TMP/g1.out" "^BACK2 ticks=$((w - 2))$"
expect "$TMP/g1.out" "^FWD ticks=$((w - 1))$"
# the watchpoint in reverse: gdb shows the write undone, value is the older one
v2=$(sed -n 's/^W2 value=//p' "$TMP/g1.out")
rv=$(sed -n 's/^RW value=//p' "$TMP/g1.out")
[ -n "$v2" ] && [ -n "$rv" ] && [ "$rv" != "$v2" ] || die "reverse-continue to the watchpoint: value $rv, was $v2"
tr -d '\r' < "$TMP/g1.out" | sed -n '/^W2 value=/,$p' | grep -m1 '^New value = ' | grep -q "^New value = $rv$" ||
    die "the reverse watchpoint stop does not show the older value $rv"
expect "$TMP/g1.out" "^FW value=$v2$"
expect "$TMP/g1.out" '^BEGIN pc=1000 ticks=0$'
expect "$TMP/g1.out" '^AGAIN ticks=0$'
l=$(sed -n 's/^LIVE ticks=//p' "$TMP/g1.out")
[ "$l" = 6 ] && [ "$w" -lt 6 ] || die "continuing past the history's head ($w ticks): ticks $l"
# the console: every tick once, in order, although parts ran three times
tr -d '\r' < "$TMP/r1.out" | grep '^tick ' > "$TMP/ticks"
n=$(wc -l < "$TMP/ticks")
[ "$n" -ge "$l" ] || die "the console has $n ticks, the guest counted $l"
seq 1 "$n" | sed 's/^/tick /' | cmp -s - "$TMP/ticks" || { head -n 20 "$TMP/ticks"; die "ticks printed twice or out of order"; }
echo "one hart: $n ticks on the console, each once"

# ---- 2: two harts
start "$TMP/r2.out" 2
gdb_batch "$TMP/g2.out" "$ELF" -ex "target remote 127.0.0.1:$P" \
    -ex 'break h1_work' -ex 'continue' -ex 'continue' -ex 'continue' -ex 'printf "H1 loops=%d\n", h1_loops' \
    -ex 'reverse-continue' -ex 'printf "H1BACK loops=%d thread=%d\n", h1_loops, $_thread' \
    -ex 'delete' -ex 'thread 1' -ex 'stepi' -ex 'printf "T1S1=%lx\n", $pc' -ex 'stepi' -ex 'printf "T1S2=%lx\n", $pc' \
    -ex 'reverse-stepi' -ex 'printf "T1R1=%lx\n", $pc' \
    -ex 'thread 2' -ex 'printf "T2=%lx\n", $pc' -ex 'stepi' -ex 'printf "T2S=%lx\n", $pc' \
    -ex 'reverse-stepi' -ex 'printf "T2R=%lx\n", $pc' \
    -ex 'break on_ipi' -ex 'continue' -ex 'printf "IPI ipis=%d thread=%d\n", ipis, $_thread' \
    -ex 'continue' -ex 'reverse-continue' -ex 'printf "IPIBACK ipis=%d\n", ipis' -ex 'kill'
stop_rivet
cp "$TMP/g2.out" "$LOG/gdb_reverse-2.log"
cat "$TMP/g2.out"
expect "$TMP/g2.out" '^H1 loops=2$'
expect "$TMP/g2.out" '^H1BACK loops=1 thread=2$'
[ "$(sed -n 's/^T1S1=//p' "$TMP/g2.out")" = "$(sed -n 's/^T1R1=//p' "$TMP/g2.out")" ] ||
    die "reverse-stepi on thread 1 did not come back to its first step"
t2=$(sed -n 's/^T2=//p' "$TMP/g2.out")
[ -n "$t2" ] && [ "$(sed -n 's/^T2R=//p' "$TMP/g2.out")" = "$t2" ] || die "reverse-stepi on thread 2"
i1=$(sed -n 's/^IPI ipis=\([0-9]*\) thread=1$/\1/p' "$TMP/g2.out")
[ -n "$i1" ] || die "hart 0 did not stop in on_ipi"
expect "$TMP/g2.out" "^IPIBACK ipis=$i1$"

# ---- 3: bad input
start "$TMP/r3.out" 1 -gdb-reverse off
gdb_batch "$TMP/g3.out" "$ELF" -ex "target remote 127.0.0.1:$P" -ex 'maintenance packet qSupported' \
    -ex 'maintenance packet bs' -ex 'maintenance packet bc' -ex 'kill'
stop_rivet
cat "$TMP/g3.out"
tr -d '\r' < "$TMP/g3.out" | grep 'qSupported' -A1 | grep -q 'ReverseStep' && die "ReverseStep+ advertised while off"
expect "$TMP/g3.out" 'received: "E\.reverse execution is off'
# a clock that follows the host: refused, and said why
start "$TMP/r4.out" 1 -icount shift=auto
gdb_batch "$TMP/g4.out" "$ELF" -ex "target remote 127.0.0.1:$P" -ex 'break work' -ex 'continue' \
    -ex 'maintenance packet bs' -ex 'maintenance packet bc' -ex 'maintenance packet bx' \
    -ex 'maintenance packet bs1' -ex 'maintenance packet b' -ex 'kill'
stop_rivet
cat "$TMP/g4.out"
expect "$TMP/g4.out" 'received: "E\.reverse execution needs guest time that does not follow the host'
expect "$TMP/g4.out" 'bx.*received: ""|received: ""'
expect "$TMP/g4.out" 'received: "E01"'
# a device whose bytes re-execution cannot reproduce: refused, and said why
start "$TMP/r5.out" 1 -device virtio-rng-device
gdb_batch "$TMP/g5.out" "$ELF" -ex "target remote 127.0.0.1:$P" -ex 'reverse-stepi' -ex 'kill'
stop_rivet
cat "$TMP/g5.out"
expect "$TMP/g5.out" 'give virtio-rng seed=N'
for bad in window=abc mem=0 mem=12Q interval= frob=1; do
    "$RIVET" -M virt -bios none -kernel "$ELF" -gdb-reverse "$bad" < /dev/null > "$TMP/e.out" 2>&1
    rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l < "$TMP/e.out")" -eq 1 ] && grep -q '^rivet: -gdb-reverse' "$TMP/e.out" ||
        { cat "$TMP/e.out"; die "-gdb-reverse $bad: exit $rc, not one line"; }
done
echo "reverse execution: ok"
