# A hart that traps forever (M-mode trap vector on an unmapped address) is
# reported with its pc and cause, and rivet exits non-zero instead of spinning.
. tests/guest/lib.sh
CC=${RISCV_CC:-riscv64-unknown-elf-gcc}
cat > "$TMP/loop.S" <<'ASM'
    .globl _start
_start:
    li t0, 0x40000000      /* nothing is mapped there */
    csrw mtvec, t0
    jr t0
ASM
"$CC" -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -Wl,-N -Wl,--no-warn-rwx-segments -Ttext=0x80000000 -o "$TMP/loop.elf" "$TMP/loop.S" ||
    die "cannot build the test program with $CC"
timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$TMP/loop.elf" < /dev/null > "$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc -ne 0 ] || die "rivet exited 0"
[ $rc -ne 124 ] || die "rivet spun until the timeout"
expect "$TMP/out" 'stuck: trap cause 1 at pc 0x40000000'
