# virtio-blk-pci on the real kernel, the guest test of virtio_blk.sh over
# the PCI transport: the guest mounts an ext4 image from /dev/vda, writes a
# 16 MiB file and its sha256, trims a deleted file, syncs and powers off;
# e2fsck -fn finds the file system clean on the host, the sha256 matches
# and the trimmed blocks left the image. Meanwhile a virtio-rng-pci in slot
# 1 is read: slots 1 and 5 share INTx line INTB (PLIC 33), so both drivers
# sit on one level-triggered interrupt and both must keep working.
. tests/guest/lib.sh
. tests/guest/blk.shlib
{
    echo 'set -e'
    echo 'echo "serial: $(cat /sys/block/vda/serial)"'
    echo 'echo "vda: $(readlink /sys/block/vda)"'
    echo 'head -c 262144 /dev/hwrng > /tmp/rng.bin &'
    echo 'rngpid=$!'
    blk_guest_write
    echo 'wait $rngpid'
    echo 'echo "rng bytes: $(wc -c < /tmp/rng.bin)"'
    echo "grep -E ' 33 ' /proc/interrupts | sed 's/^ */INTB: /'"
} > "$TMP/root/vblk.sh"
mke2fs -q -t ext4 -L rivet-blk -d "$TMP/root" "$TMP/disk.img" 64M || die "mke2fs failed"
boot_guest "$TMP/out" -rtc base=2024-01-01 -append "console=ttyS0 guest.run=vblk guest.poweroff=1" \
    -device virtio-rng-pci,addr=1 \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,serial=RIVET-SN-42,addr=5
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^pci: 0000:00:01.0 0x1af4:0x1044 class=0x00ff00'
expect "$TMP/out" '^pci: 0000:00:05.0 0x1af4:0x1042 class=0x010000'
expect "$TMP/out" '^GUEST-RUN-EXIT vblk 0'
expect "$TMP/out" '^serial: RIVET-SN-42$'
expect "$TMP/out" '^vda: .*/0000:00:05.0/virtio[0-9]/block/vda$'
expect "$TMP/out" '^rng bytes: 262144$'
# one line, two handlers: "INTB: N: ... 33 Edge virtioA, virtioB"
expect "$TMP/out" '^INTB: .* 33 .*virtio[0-9], virtio[0-9]'
blk_check_image "$TMP/out" "$TMP/disk.img"
