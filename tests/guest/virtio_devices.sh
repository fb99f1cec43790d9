# Every virtio device appears under /sys/bus/virtio/devices with the right
# device id, named in command-line order (virtio0 is the first -device, at
# the highest slot, as on QEMU): rng 4, console 3 (QEMU's
# virtio-serial-device + virtconsole spelling) and the virtio-console-device
# spelling; -drive if=virtio is a virtio-blk-pci, as on QEMU's virt, so the
# block device comes last (PCI probes after the mmio slots). The same again
# with legacy virtio-mmio (version 1) registers.
. tests/guest/lib.sh
head -c 1048576 /dev/zero > "$TMP/disk.img"
set -- -device virtio-rng-device -drive file="$TMP/disk.img",format=raw,if=virtio \
    -device virtio-serial-device -device virtconsole
for mode in modern legacy; do
    extra=""
    [ $mode = legacy ] && extra="-global virtio-mmio.force-legacy=on"
    # shellcheck disable=SC2086
    boot_guest "$TMP/$mode" -append "console=ttyS0 guest.poweroff=1" "$@" -device virtio-console-device $extra
    rc=$?
    cat "$TMP/$mode"
    [ $rc -eq 0 ] || die "rivet ($mode) exited $rc"
    expect "$TMP/$mode" '^virtio: virtio0 device=0x0004 vendor=0x554d4551'
    expect "$TMP/$mode" '^virtio: virtio1 device=0x0003 vendor=0x554d4551'
    expect "$TMP/$mode" '^virtio: virtio2 device=0x0003 vendor=0x554d4551'
    expect "$TMP/$mode" '^virtio: virtio3 device=0x0002 vendor=0x1af4'
    expect "$TMP/$mode" '^pci: 0000:00:01.0 0x1af4:0x1042 class=0x010000'
    expect "$TMP/$mode" 'virtio_blk virtio3: \[vda\] 2048 512-byte logical blocks'
    expect "$TMP/$mode" 'GUEST-POWEROFF'
    if grep -aq '^virtio: virtio4' "$TMP/$mode"; then die "an extra virtio device appeared ($mode)"; fi
done
# QEMU (when installed) lists the same devices in the same order for the
# same command line. (QEMU's -drive if=virtio is a transitional
# virtio-blk-pci, 1af4:1001, so the comparison names the mmio device.)
if command -v qemu-system-riscv64 > /dev/null; then
    set -- -device virtio-rng-device -drive file="$TMP/disk.img",format=raw,if=none,id=d0 \
        -device virtio-blk-device,drive=d0 -device virtio-serial-device -device virtconsole
    boot_guest "$TMP/rivet" -append "console=ttyS0 guest.poweroff=1" "$@" || die "rivet failed"
    timeout 60 qemu-system-riscv64 -M virt -m 512M -nographic -bios "$BIOS" -kernel "$KERNEL" -initrd "$INITRD" \
        -append "console=ttyS0 guest.poweroff=1" "$@" < /dev/null > "$TMP/qemu" 2>&1 || die "qemu failed"
    tr -d '\r' < "$TMP/qemu" | grep '^virtio:' > "$TMP/qemu.list"
    tr -d '\r' < "$TMP/rivet" | grep '^virtio:' > "$TMP/rivet.list"
    echo "qemu lists:"; cat "$TMP/qemu.list"
    cmp "$TMP/qemu.list" "$TMP/rivet.list" || die "QEMU lists the devices differently"
fi
