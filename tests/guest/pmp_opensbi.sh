# PMP protects the firmware from the OS: under the real OpenSBI (the
# default -bios, which programs PMP to shut S-mode out of its memory at
# 0x80000000), an S-mode payload (pmp_opensbi.S) that loads and stores
# there gets access faults (scause 5 and 7, stval = the address), while its
# own memory stays open. Linux booting under the same firmware is
# boot_smp1.sh.
. tests/guest/lib.sh
RISCV_CC=$(sed -n 's/^RISCV_CC = //p' config.mk 2>/dev/null)
[ -n "$RISCV_CC" ] && command -v "$RISCV_CC" > /dev/null || { echo "no RISC-V cross compiler (configure's RISCV_CC)"; exit 77; }
# -N: text at exactly 0x80200000, no ELF headers in the loaded segment
"$RISCV_CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding \
    -Wl,-N,-Ttext=0x80200000,--no-warn-rwx-segments -o "$TMP/payload.elf" tests/guest/pmp_opensbi.S ||
    die "cannot build the payload"
timeout 60 "$RIVET" -M virt -m 256M -nographic -kernel "$TMP/payload.elf" < /dev/null > "$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^Boot HART PMP Count +: 16'
expect "$TMP/out" '^PMP load: scause=5 stval=80000000$'
expect "$TMP/out" '^PMP store: scause=7 stval=80000008$'
expect "$TMP/out" '^PMP own: ok$'
