# -M virt,aia=aplic and aia=aplic-imsic (issue #23 point 1): the device
# tree's interrupt controllers are QEMU 7.2's (tests/guest/aia_dtb.py:
# the APLIC and IMSIC nodes, and the interrupt properties of the UART,
# the RTC, virtio-mmio and the PCIe bridge, phandles named by their
# targets); a bad aia= value is refused; and the 6.1 test kernel, which has
# no AIA drivers, still boots to its console-less panic under aia=aplic-imsic
# with OpenSBI taking its IPIs through the IMSIC (docs/aia.md).
. tests/guest/lib.sh

for aia in aplic aplic-imsic; do
    "$RIVET" -M virt,aia=$aia,dumpdtb="$TMP/r-$aia.dtb" -smp 2 > /dev/null 2>&1 || die "rivet aia=$aia: dumpdtb failed"
    python3 tests/guest/aia_dtb.py "$TMP/r-$aia.dtb" > "$TMP/r-$aia.txt" || die "aia=$aia: cannot read rivet's tree"
    grep -q 'riscv,aplic' "$TMP/r-$aia.txt" || die "aia=$aia: no APLIC in rivet's tree"
    if command -v qemu-system-riscv64 > /dev/null 2>&1; then
        qemu-system-riscv64 -M virt,aia=$aia,dumpdtb="$TMP/q-$aia.dtb" -smp 2 -display none > /dev/null 2>&1 ||
            die "qemu aia=$aia: dumpdtb failed"
        python3 tests/guest/aia_dtb.py "$TMP/q-$aia.dtb" > "$TMP/q-$aia.txt" || die "aia=$aia: cannot read QEMU's tree"
        diff -u "$TMP/q-$aia.txt" "$TMP/r-$aia.txt" || die "aia=$aia: the interrupt nodes differ from QEMU's"
        echo "aia=$aia: interrupt nodes as qemu-system-riscv64's ($(wc -l < "$TMP/r-$aia.txt") lines)"
    else
        echo "aia=$aia: qemu-system-riscv64 not installed, tree not compared"
    fi
done
# the harts have Smaia/Ssaia exactly when there is an IMSIC (as QEMU)
dtc -I dtb -O dts "$TMP/r-aplic-imsic.dtb" 2> /dev/null | grep -q 'riscv,isa = .*_smaia_ssaia_' ||
    die "aia=aplic-imsic: no Smaia/Ssaia in riscv,isa"
dtc -I dtb -O dts "$TMP/r-aplic.dtb" 2> /dev/null | grep -q 'smaia' && die "aia=aplic: Smaia without an IMSIC"

rejects "aia=bogus" 'aia= takes none, aplic or aplic-imsic' -M virt,aia=bogus -kernel "$KERNEL"

BOOT_TIMEOUT=120 boot_guest "$TMP/boot" -M virt,aia=aplic-imsic -smp 2 -append "console=ttyS0 earlycon=sbi panic=-1"
expect "$TMP/boot" 'Platform IPI Device *: aia-imsic'
expect "$TMP/boot" 'smp: Brought up 1 node, 2 CPUs'
expect "$TMP/boot" 'Run /init as init process'
echo "6.1 kernel under aia=aplic-imsic: OpenSBI's IPIs through the IMSIC, 2 harts up, no console (no AIA drivers)"
