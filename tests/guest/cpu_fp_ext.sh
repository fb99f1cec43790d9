# -cpu switches the half-precision and Zfa extensions (cpu/riscv/ext.h):
# on by default; with an extension off its instructions are illegal (the
# ISA tests that use it trap at their first such instruction, mcause 2,
# mtval = the encoding); Zfhmin alone runs rvzfhmin (loads, stores, moves,
# conversions) but not rvzfh; the .H forms of Zfa need Zfh too. The device
# tree advertises exactly what is on.
. tests/guest/lib.sh
ISA=$B/tests/isa
for e in rvzfh rvzfhmin rvzfa; do
    [ -f "$ISA/$e.elf" ] || die "no $ISA/$e.elf (make isa)"
done
run() { # run ELF [options]
    elf=$1; shift
    timeout 30 "$RIVET" -M virt -m 64M -bios none -nographic -kernel "$ISA/$elf.elf" "$@" \
        < /dev/null > "$TMP/out" 2>&1
}
passes() {
    run "$@" || { cat "$TMP/out"; die "$* did not pass"; }
    echo "$*: passes"
}
traps_at() { # traps_at ENCODING ELF [options]
    enc=$1; shift
    run "$@" && die "$*: passed, expected an illegal-instruction trap"
    grep -q "unexpected trap in M-mode handler: cause=0x0000000000000002 .*tval=0x00000000$enc" "$TMP/out" ||
        { cat "$TMP/out"; die "$*: not illegal at $enc"; }
    echo "$*: illegal instruction $enc"
}
passes rvzfh -cpu rv64,zfh=on,zfhmin=on,zfa=on
passes rvzfa -cpu rv64,zfhmin=off                 # Zfh alone is enough for Zfa's .H
passes rvzfhmin -cpu rv64,Zfh=false               # Zfhmin alone (QEMU 7.2's spelling)
traps_at 04b57653 rvzfh -cpu rv64,zfh=off         # fadd.h fa0, fa1 (dyn)
traps_at ffa49507 rvzfhmin -cpu rv64,zfh=off,zfhmin=off   # flh fa0, -6(s1)
traps_at f0100653 rvzfa -cpu rv64,zfa=off         # fli.s fa2, -1.0
traps_at f4100653 rvzfa -cpu rv64,zfh=off         # fli.h fa2, -1.0: Zfa without Zfh
# riscv,isa in the device tree follows the switches
dtb_isa() { # dtb_isa [options]: the riscv,isa strings of the device tree
    timeout 20 "$RIVET" -M virt,dumpdtb="$TMP/dtb" -m 64M -nographic "$@" < /dev/null > /dev/null 2>&1
    strings "$TMP/dtb" | grep '^rv64' | head -n 1
}
isa=$(dtb_isa)
echo "default riscv,isa: $isa"
case "$isa" in *_zfa_zfh_zfhmin_*) ;; *) die "zfa, zfh, zfhmin not advertised" ;; esac
isa=$(dtb_isa -cpu rv64,zfh=off,zfa=off)
echo "zfh=off,zfa=off: $isa"
case "$isa" in *zfa*|*zfh_*) die "switched-off extensions advertised" ;; *_zfhmin_*) ;; *) die "zfhmin missing" ;; esac
echo "PASS"
