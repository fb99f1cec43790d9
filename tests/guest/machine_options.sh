# -machine dumpdtb writes a device tree that dtc decompiles cleanly and that
# holds the virt nodes; -dtb boots with a given blob; -serial file:PATH puts
# the console in a file; --help lists every option.
. tests/guest/lib.sh
"$RIVET" -M virt,dumpdtb="$TMP/virt.dtb" -smp 2 -m 1G -append "console=ttyS0 hello guest.poweroff=1" -nographic \
    -kernel "$KERNEL" -initrd "$INITRD" < /dev/null || die "dumpdtb failed"
dtc -I dtb -O dts -o "$TMP/virt.dts" "$TMP/virt.dtb" 2> "$TMP/dtc.err" || die "dtc failed: $(cat "$TMP/dtc.err")"
[ ! -s "$TMP/dtc.err" ] || { cat "$TMP/dtc.err"; die "dtc warned"; }
for node in 'cpu@0 {' 'cpu@1 {' 'memory@80000000 {' 'plic@c000000 {' 'clint@2000000 {' 'serial@10000000 {' \
            'rtc@101000 {' 'test@100000 {' 'virtio_mmio@10008000 {' 'poweroff {' 'reboot {' \
            'bootargs = "console=ttyS0 hello guest.poweroff=1";' 'reg = <0x00 0x80000000 0x00 0x40000000>;' \
            'linux,initrd-start' 'riscv,isa = "rv64imafdc'; do
    grep -qF "$node" "$TMP/virt.dts" || die "generated device tree lacks: $node"
done
echo "dumpdtb: $(wc -c < "$TMP/virt.dtb") bytes, decompiles cleanly"
# QEMU's ",," escape: the file is named "a,b.dtb", the same blob.
"$RIVET" -M virt,dumpdtb="$TMP/a,,b.dtb" -smp 2 -m 1G -append "console=ttyS0 hello guest.poweroff=1" -nographic \
    -kernel "$KERNEL" -initrd "$INITRD" < /dev/null || die "dumpdtb=a,,b failed"
[ -f "$TMP/a,b.dtb" ] || die "dumpdtb=a,,b did not write a file named a,b.dtb"
cmp -s "$TMP/a,b.dtb" "$TMP/virt.dtb" || die "dumpdtb=a,,b wrote another device tree"

# Boot with that blob and the console in a file; -append and -initrd are
# merged into its /chosen, as QEMU does (tests/guest/kernel_formats.sh too).
timeout 120 "$RIVET" -M virt -smp 2 -m 1G -dtb "$TMP/virt.dtb" -serial file:"$TMP/console" \
    -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 merged guest.poweroff=1" < /dev/null > "$TMP/stdout" 2>&1
rc=$?
[ $rc -eq 0 ] || die "boot with -dtb exited $rc"
[ ! -s "$TMP/stdout" ] || { cat "$TMP/stdout"; die "console output leaked to stdout with -serial file:"; }
expect "$TMP/console" 'Kernel command line: console=ttyS0 merged guest.poweroff=1'
expect "$TMP/console" '^GUEST-BOOT-OK'
echo "-dtb and -serial file: ok"

"$RIVET" --help > "$TMP/help" || die "--help failed"
for opt in -machine -m -smp -bios -kernel -initrd -append -dtb -nographic -serial -rtc -icount; do
    grep -q -- "^  $opt " "$TMP/help" || die "--help does not list $opt"
done
echo "--help lists $(grep -c '^  -' "$TMP/help") options"
