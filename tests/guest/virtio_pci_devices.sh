# virtio-pci: Linux enumerates every -device ...-pci on bus 0 with QEMU's
# vendor/device/class (1af4:1040+id, modern-only), the virtio-pci driver
# binds each, and the virtio devices behind them appear. Configuration
# spaces are byte for byte QEMU's (same command line with
# disable-legacy=on; BAR addresses and the interrupt line included).
# Then: mmio and pci devices in one machine, addr= placement, and -drive
# if=virtio as a virtio-blk-pci in the first free slot.
. tests/guest/lib.sh
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
cat > "$TMP/root/pcidump.sh" <<'GUEST'
for d in /sys/bus/pci/devices/*; do
    drv=$(readlink "$d/driver" 2> /dev/null)
    echo "PCIDEV ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") class=$(cat "$d/class") sub=$(cat "$d/subsystem_vendor"):$(cat "$d/subsystem_device") rev=$(cat "$d/revision") driver=${drv##*/}"
    echo "PCICFG ${d##*/} $(od -An -tx1 -v -N 256 "$d/config" | tr -d ' \n')"
done
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 8M || die "mke2fs failed"
set -- -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,disable-legacy=on \
    -device virtio-rng-pci,disable-legacy=on -device virtio-serial-pci,disable-legacy=on -device virtconsole \
    -device virtio-console-pci
boot_guest "$TMP/out" -append "console=ttyS0 guest.run=pcidump guest.poweroff=1" "$@"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^pci: 0000:00:00.0 0x1b36:0x0008 class=0x060000'
expect "$TMP/out" '^PCIDEV 0000:00:01.0 0x1af4:0x1042 class=0x010000 sub=0x1af4:0x1100 rev=0x01 driver=virtio-pci$'
expect "$TMP/out" '^PCIDEV 0000:00:02.0 0x1af4:0x1044 class=0x00ff00 sub=0x1af4:0x1100 rev=0x01 driver=virtio-pci$'
expect "$TMP/out" '^PCIDEV 0000:00:03.0 0x1af4:0x1043 class=0x078000 sub=0x1af4:0x1100 rev=0x01 driver=virtio-pci$'
expect "$TMP/out" '^PCIDEV 0000:00:04.0 0x1af4:0x1043 class=0x078000 sub=0x1af4:0x1100 rev=0x01 driver=virtio-pci$'
expect "$TMP/out" '^virtio: virtio0 device=0x0002 vendor=0x1af4'
expect "$TMP/out" '^virtio: virtio1 device=0x0004 vendor=0x1af4'
expect "$TMP/out" '^virtio: virtio2 device=0x0003 vendor=0x1af4'
expect "$TMP/out" '^virtio: virtio3 device=0x0003 vendor=0x1af4'
expect "$TMP/out" 'virtio_blk virtio0: \[vda\] 16384 512-byte logical blocks'
expect "$TMP/out" '^GUEST-RUN-EXIT pcidump 0'
if grep -aq '^pci: 0000:00:05.0' "$TMP/out"; then die "an extra PCI device appeared"; fi

# The same machine on QEMU (virtio-console-pci is rivet's name: QEMU gets a
# second virtio-serial-pci there).
if command -v qemu-system-riscv64 > /dev/null; then
    timeout 60 qemu-system-riscv64 -M virt -m 512M -nographic -bios "$BIOS" -kernel "$KERNEL" -initrd "$INITRD" \
        -append "console=ttyS0 guest.run=pcidump guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,disable-legacy=on \
        -device virtio-rng-pci,disable-legacy=on -device virtio-serial-pci,disable-legacy=on -device virtconsole \
        -device virtio-serial-pci,disable-legacy=on < /dev/null > "$TMP/qemu" 2>&1 || die "qemu failed"
    tr -d '\r' < "$TMP/qemu" | grep -E '^(pci|virtio|PCIDEV|PCICFG) ' > "$TMP/qemu.list"
    tr -d '\r' < "$TMP/out" | grep -E '^(pci|virtio|PCIDEV|PCICFG) ' > "$TMP/rivet.list"
    echo "qemu lists:"; cat "$TMP/qemu.list"
    diff "$TMP/qemu.list" "$TMP/rivet.list" || die "QEMU shows the PCI devices differently"
    echo "PCI devices and configuration spaces identical to QEMU's"
fi

# mmio and pci at once, explicit slots, -drive if=virtio in the first free
# slot (after the explicit ones are placed): rng at 3, blk from -drive at 1,
# console at 1f; the mmio rng is virtio0 (the platform devices probe first).
head -c 1048576 /dev/zero > "$TMP/small.img"
boot_guest "$TMP/mix" -append "console=ttyS0 guest.poweroff=1" -device virtio-rng-device \
    -device virtio-rng-pci,addr=3 -drive file="$TMP/small.img",format=raw,if=virtio \
    -device virtio-console-pci,addr=1f.0 -device virtio-serial-device
rc=$?
cat "$TMP/mix"
[ $rc -eq 0 ] || die "rivet exited $rc (mmio and pci)"
expect "$TMP/mix" '^pci: 0000:00:01.0 0x1af4:0x1042 class=0x010000'
expect "$TMP/mix" '^pci: 0000:00:03.0 0x1af4:0x1044 class=0x00ff00'
expect "$TMP/mix" '^pci: 0000:00:1f.0 0x1af4:0x1043 class=0x078000'
expect "$TMP/mix" '^virtio: virtio0 device=0x0004 vendor=0x554d4551'
expect "$TMP/mix" '^virtio: virtio1 device=0x0003 vendor=0x554d4551'
expect "$TMP/mix" 'virtio_blk virtio[0-9]: \[vda\] 2048 512-byte logical blocks'
n=$(tr -d '\r' < "$TMP/mix" | grep -c '^virtio: ')
[ "$n" -eq 5 ] || die "expected 5 virtio devices (2 mmio, 3 pci), saw $n"
if command -v qemu-system-riscv64 > /dev/null; then
    timeout 60 qemu-system-riscv64 -M virt -m 512M -nographic -bios "$BIOS" -kernel "$KERNEL" -initrd "$INITRD" \
        -append "console=ttyS0 guest.poweroff=1" -device virtio-rng-device \
        -device virtio-rng-pci,addr=3,disable-legacy=on -drive file="$TMP/small.img",format=raw,if=none,id=v \
        -device virtio-blk-pci,drive=v,disable-legacy=on -device virtio-serial-pci,addr=1f.0,disable-legacy=on \
        -device virtio-serial-device < /dev/null > "$TMP/qemu-mix" 2>&1 || die "qemu failed (mix)"
    tr -d '\r' < "$TMP/qemu-mix" | grep -E '^(pci|virtio):' > "$TMP/qemu.list"
    tr -d '\r' < "$TMP/mix" | grep -E '^(pci|virtio):' > "$TMP/rivet.list"
    diff "$TMP/qemu.list" "$TMP/rivet.list" || die "QEMU lists the mixed machine differently"
    echo "mixed machine identical to QEMU's"
fi
echo "virtio-pci devices enumerate and bind"
