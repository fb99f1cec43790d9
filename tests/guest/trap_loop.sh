# A hart that traps forever is reported with its pc and cause, and the
# instruction there disassembled (or why there is none), and rivet exits 3
# instead of spinning. Two loops: the M-mode trap vector on an unmapped
# address (no instruction), and a trap vector that holds an illegal
# instruction (shown as objdump shows it).
. tests/guest/lib.sh
CC=${RISCV_CC:-riscv64-unknown-elf-gcc}

run_loop() {
    name=$1
    "$CC" -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -Wl,-N -Wl,--no-warn-rwx-segments -Ttext=0x80000000 \
        -o "$TMP/$name.elf" "$TMP/$name.S" || die "cannot build the test program with $CC"
    timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$TMP/$name.elf" < /dev/null > "$TMP/$name.out" 2>&1
    rc=$?
    cat "$TMP/$name.out"
    [ $rc -ne 124 ] || die "$name: rivet spun until the timeout"
    [ $rc -eq 3 ] || die "$name: exit status $rc, expected 3"
}

cat > "$TMP/unmapped.S" <<'ASM'
    .globl _start
_start:
    li t0, 0x40000000      /* nothing is mapped there */
    csrw mtvec, t0
    jr t0
ASM
run_loop unmapped
expect "$TMP/unmapped.out" 'stuck: trap cause 1 at pc 0x40000000'
expect "$TMP/unmapped.out" '^rivet: no instruction at 0x40000000 \(not RAM, or not mapped\)$'

cat > "$TMP/illegal.S" <<'ASM'
    .globl _start
_start:
    la t0, bad
    csrw mtvec, t0
bad:
    csrw 0x7ff, t0         /* a CSR rivet does not have */
ASM
run_loop illegal
expect "$TMP/illegal.out" 'stuck: trap cause 2 at pc 0x8000000c'
expect "$TMP/illegal.out" "^rivet: the instruction:     8000000c:	7ff29073          	csrw	0x7ff,t0\$"
