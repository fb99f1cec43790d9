# Zkr (-cpu rv64,zkr=on): tests/isa/zkr.S built with -DZKR_ON checks the
# seed CSR (ES16 and entropy from the host, read-write access only,
# mseccfg.SSEED/USEED for S and U); `make test` runs the default build,
# which checks that Zkr is off by default (seed and mseccfg illegal).
# With zkr=on the device tree advertises it.
. tests/guest/lib.sh
RISCV_CC=$(sed -n 's/^RISCV_CC = //p' config.mk 2>/dev/null)
[ -n "$RISCV_CC" ] && command -v "$RISCV_CC" > /dev/null || { echo "no RISC-V cross compiler (configure's RISCV_CC)"; exit 77; }
"$RISCV_CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding \
    -DZKR_ON -Itests/isa -T tests/isa/link.ld -o "$TMP/zkr.elf" tests/isa/zkr.S || die "cannot build zkr.S"
timeout 30 "$RIVET" -M virt -m 512M -bios none -nographic -cpu rv64,zkr=on -kernel "$TMP/zkr.elf" \
    < /dev/null > "$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "zkr.S -DZKR_ON with -cpu rv64,zkr=on: exit $rc"
timeout 30 "$RIVET" -M virt -m 512M -bios none -nographic -kernel "$TMP/zkr.elf" < /dev/null > "$TMP/off" 2>&1 &&
    die "zkr.S -DZKR_ON passed without zkr=on"
if command -v dtc > /dev/null; then
    timeout 30 "$RIVET" -M virt,dumpdtb="$TMP/dtb" -nographic -cpu rv64,zkr=on < /dev/null > /dev/null 2>&1 ||
        die "cannot dump the device tree"
    dtc -I dtb -O dts "$TMP/dtb" 2> /dev/null | grep 'riscv,isa = ' | tee "$TMP/isa"
    grep -q '_zkr' "$TMP/isa" || die "zkr=on: zkr not in riscv,isa"
fi
echo "zkr: PASS"
