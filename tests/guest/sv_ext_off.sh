# -cpu rv64,svpbmt=off,svnapot=off,svinval=off,zihpm=off (and sscofpmf=off) takes those
# extensions away again: tests/isa/svext.S built with -DEXT_OFF checks that
# menvcfg.PBMTE is read-only 0, PBMT and N bits in a PTE page-fault, the
# Svinval instructions and hpmcounter3 are illegal (the default build of
# svext.S, run by `make test` as an ISA test, checks the other side). The
# extensions are advertised in the device tree only when on.
. tests/guest/lib.sh
RISCV_CC=$(sed -n 's/^RISCV_CC = //p' config.mk 2>/dev/null)
[ -n "$RISCV_CC" ] && command -v "$RISCV_CC" > /dev/null || { echo "no RISC-V cross compiler (configure's RISCV_CC)"; exit 77; }
"$RISCV_CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding \
    -DEXT_OFF -Itests/isa -T tests/isa/link.ld -o "$TMP/off.elf" tests/isa/svext.S || die "cannot build svext.S"
off=svpbmt=off,svnapot=off,svinval=off,zihpm=off
timeout 30 "$RIVET" -M virt -m 512M -bios none -nographic -cpu "rv64,$off" -kernel "$TMP/off.elf" \
    < /dev/null > "$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "svext.S -DEXT_OFF with -cpu rv64,$off: exit $rc"
# and with them on (the default), the same program fails: the checks can fail
timeout 30 "$RIVET" -M virt -m 512M -bios none -nographic -kernel "$TMP/off.elf" < /dev/null > "$TMP/on" 2>&1 &&
    die "svext.S -DEXT_OFF passed with the extensions on"
# Sscofpmf: tests/isa/sscofpmf.S built with -DEXT_OFF (scountovf illegal,
# no OF/xINH bits, mip bit 13 read-only 0, a wrap raises nothing)
"$RISCV_CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding \
    -DEXT_OFF -Itests/isa -T tests/isa/link.ld -o "$TMP/scof_off.elf" tests/isa/sscofpmf.S || die "cannot build sscofpmf.S"
timeout 30 "$RIVET" -M virt -m 512M -bios none -nographic -cpu rv64,sscofpmf=off -kernel "$TMP/scof_off.elf" \
    < /dev/null > "$TMP/out" 2>&1 || { cat "$TMP/out"; die "sscofpmf.S -DEXT_OFF with -cpu rv64,sscofpmf=off failed"; }
timeout 30 "$RIVET" -M virt -m 512M -bios none -nographic -kernel "$TMP/scof_off.elf" < /dev/null > "$TMP/on" 2>&1 &&
    die "sscofpmf.S -DEXT_OFF passed with Sscofpmf on"
# the device tree names them only when on
dtb() { timeout 30 "$RIVET" -M virt,dumpdtb="$TMP/dtb" -nographic "$@" < /dev/null > /dev/null 2>&1; }
if ! command -v dtc > /dev/null; then
    echo "no dtc: the device tree part is not checked"
else
    dtb || die "cannot dump the device tree"
    dtc -I dtb -O dts "$TMP/dtb" 2> /dev/null | grep 'riscv,isa = ' > "$TMP/isa_on"
    dtb -cpu "rv64,$off,sscofpmf=off" || die "cannot dump the device tree with -cpu rv64,$off"
    dtc -I dtb -O dts "$TMP/dtb" 2> /dev/null | grep 'riscv,isa = ' > "$TMP/isa_off"
    cat "$TMP/isa_on" "$TMP/isa_off"
    for e in svinval svnapot svpbmt zihpm sscofpmf; do
        grep -q "_$e" "$TMP/isa_on" || die "$e not in riscv,isa by default"
        grep -q "_$e" "$TMP/isa_off" && die "$e in riscv,isa with $e=off"
    done
fi
echo "extensions off: PASS"
