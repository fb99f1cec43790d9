# A machine that can never wake up is reported (issue 18, point 6): when
# every hart waits in WFI, no timer is armed and no host input can arrive,
# rivet prints one line ("all harts wait for an interrupt that cannot
# come", each hart's WFI and mie) and exits 3 instead of sleeping forever.
# The negative cases wake up and pass through the finisher: a hart whose
# timer is armed (while the other hart waits forever), and a hart waiting
# for the UART's receive interrupt with bytes still to come on stdin (the
# same program with stdin at end of file exits 3). With -gdb a debugger
# may still connect, with a -netdev a frame arrive: rivet waits.
. tests/guest/lib.sh
CC=${RISCV_CC:-riscv64-unknown-elf-gcc}

build() {
    "$CC" -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -Wl,-N -Wl,--no-warn-rwx-segments -Ttext=0x80000000 \
        -o "$TMP/$1.elf" "$TMP/$1.S" || die "cannot build the test program with $CC"
}

# run NAME EXPECTED_STATUS INPUT [rivet options...]: stdin from INPUT (a
# file, or "-" for the pipe the caller gives); stderr to NAME.err.
run() {
    name=$1 want=$2 in=$3; shift 3
    if [ "$in" = - ]; then
        timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$TMP/$name.elf" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
    else
        timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$TMP/$name.elf" "$@" < "$in" > "$TMP/$name.out" 2> "$TMP/$name.err"
    fi
    rc=$?
    echo "$name $*: exit $rc: $(cat "$TMP/$name.out") $(cat "$TMP/$name.err")"
    [ $rc -ne 124 ] || die "$name: rivet waited until the timeout"
    [ $rc -eq "$want" ] || die "$name: exit status $rc, expected $want"
}

# every hart: interrupts all off, WFI forever
cat > "$TMP/nomie.S" <<'ASM'
    .globl _start
_start:
    csrw mie, zero
1:  wfi
    j 1b
ASM
build nomie
run nomie 3 /dev/null
[ "$(wc -l < "$TMP/nomie.err")" -eq 1 ] || die "nomie: more than one line on stderr"
expect "$TMP/nomie.err" '^rivet: all harts wait for an interrupt that cannot come \(hart 0: wfi at 0x80000004, mie 0x0\)$'
run nomie 3 /dev/null -smp 2
expect "$TMP/nomie.err" 'cannot come \(hart 0: wfi at 0x80000004, mie 0x0; hart 1: wfi at 0x80000004, mie 0x0\)$'

# hart 1 waits for a software interrupt only hart 0 could send, hart 0 for
# a timer interrupt with no timer armed (mtimecmp is all ones at reset)
cat > "$TMP/noipi.S" <<'ASM'
    .globl _start
_start:
    csrr t0, mhartid
    li t1, 1 << 7          /* MTIE */
    beqz t0, 1f
    li t1, 1 << 3          /* MSIE */
1:  csrw mie, t1
2:  wfi
    j 2b
ASM
build noipi
run noipi 3 /dev/null -smp 2
expect "$TMP/noipi.err" 'cannot come \(hart 0: wfi at 0x80000012, mie 0x80; hart 1: wfi at 0x80000012, mie 0x8\)$'

# negative: hart 0 arms its timer and waits for it, then passes; hart 1
# waits forever meanwhile
cat > "$TMP/timer.S" <<'ASM'
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    li t0, 0x200bff8       /* mtime */
    ld t1, 0(t0)
    li t2, 100000          /* 10 ms */
    add t1, t1, t2
    li t0, 0x2004000       /* mtimecmp of hart 0 */
    sd t1, 0(t0)
    li t1, 1 << 7
    csrw mie, t1
1:  wfi
    csrr t1, mip
    andi t1, t1, 1 << 7
    beqz t1, 1b
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
park:
    csrw mie, zero
2:  wfi
    j 2b
ASM
build timer
run timer 0 /dev/null -smp 2

# negative: wait for the UART's receive interrupt through the PLIC, echo
# the byte, pass. With a byte still to come it wakes; at end of file it
# cannot.
cat > "$TMP/uart.S" <<'ASM'
    .globl _start
_start:
    li t0, 0x0c000000      /* PLIC: source 10 (UART) priority 1 */
    li t1, 1
    sw t1, 40(t0)
    li t0, 0x0c002000      /* context 0 (hart 0 M-mode) enables */
    li t1, 1 << 10
    sw t1, 0(t0)
    li t0, 0x0c200000      /* threshold 0 */
    sw zero, 0(t0)
    li t0, 0x10000000
    li t1, 1               /* IER: received data available */
    sb t1, 1(t0)
    li t1, 1 << 11         /* MEIE */
    csrw mie, t1
1:  wfi
    lbu t1, 5(t0)          /* LSR: data ready? */
    andi t1, t1, 1
    beqz t1, 1b
    lbu t1, 0(t0)
    sb t1, 0(t0)
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
2:  j 2b
ASM
build uart
(sleep 1; printf Q) | run uart 0 -
[ "$(cat "$TMP/uart.out")" = Q ] || die "uart: the byte was not echoed"
run uart 3 /dev/null
expect "$TMP/uart.err" 'cannot come \(hart 0: wfi at 0x80000032, mie 0x800\)$'

# waits_on WHAT [rivet options...]: with that, something may still come
# (a debugger may connect, a frame arrive): rivet waits, here for the 3 s
# of the timeout
waits_on() {
    what=$1; shift
    timeout 3 "$RIVET" -M virt -bios none -nographic -kernel "$TMP/nomie.elf" "$@" < /dev/null > "$TMP/wait.out" 2>&1
    rc=$?
    echo "nomie $what: exit $rc"
    [ $rc -eq 124 ] || die "with $what, exit status $rc before the timeout: $(cat "$TMP/wait.out")"
}
waits_on -gdb -gdb tcp:127.0.0.1:$(free_port)
waits_on -netdev -netdev user,id=n0 -device virtio-net-device,netdev=n0
echo PASS
