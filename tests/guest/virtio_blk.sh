# virtio-blk on the real kernel: the guest mounts an ext4 image from
# /dev/vda, writes a 16 MiB file and its sha256, trims a deleted file
# (DISCARD: holes punched in the image), syncs and powers off. On the host
# e2fsck -fn finds the file system clean, the file's sha256 is the guest's,
# and the image lost the trimmed blocks. The serial number (GET_ID) shows in
# sysfs.
. tests/guest/lib.sh
. tests/guest/blk.shlib
{
    echo 'set -e'
    echo 'echo "serial: $(cat /sys/block/vda/serial)"'
    echo 'echo "ro: $(cat /sys/block/vda/ro)"'
    blk_guest_write
} > "$TMP/root/vblk.sh"
mke2fs -q -t ext4 -L rivet-blk -d "$TMP/root" "$TMP/disk.img" 64M || die "mke2fs failed"
boot_guest "$TMP/out" -rtc base=2024-01-01 -append "console=ttyS0 guest.run=vblk guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0,serial=RIVET-SN-42
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^GUEST-RUN-EXIT vblk 0'
expect "$TMP/out" '^serial: RIVET-SN-42$'
expect "$TMP/out" '^ro: 0$'
blk_check_image "$TMP/out" "$TMP/disk.img"
