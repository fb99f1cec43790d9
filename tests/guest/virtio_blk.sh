# virtio-blk on the real kernel: the guest mounts an ext4 image from
# /dev/vda, writes a 16 MiB file and its sha256, trims a deleted file
# (DISCARD: holes punched in the image), syncs and powers off. On the host
# e2fsck -fn finds the file system clean, the file's sha256 is the guest's,
# and the image lost the trimmed blocks. The serial number (GET_ID) shows in
# sysfs.
. tests/guest/lib.sh
for t in mke2fs e2fsck debugfs; do
    command -v $t > /dev/null || { echo "$t not installed (e2fsprogs)"; exit 77; }
done
mkdir "$TMP/root"
cat > "$TMP/root/vblk.sh" <<'GUEST'
set -e
echo "serial: $(cat /sys/block/vda/serial)"
echo "ro: $(cat /sys/block/vda/ro)"
cd /mnt
dd if=/dev/urandom of=/mnt/big.bin bs=1M count=16 2>/dev/null
sha256sum big.bin > big.sha256
echo "GUEST-SHA256 $(cat big.sha256)"
dd if=/dev/urandom of=/mnt/junk.bin bs=1M count=8 2>/dev/null
sync
rm junk.bin
sync
fstrim -v /mnt
cd /
GUEST
mke2fs -q -t ext4 -L rivet-blk -d "$TMP/root" "$TMP/disk.img" 64M || die "mke2fs failed"
boot_guest "$TMP/out" -rtc base=2024-01-01 -append "console=ttyS0 guest.run=vblk guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0,serial=RIVET-SN-42
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^GUEST-RUN-EXIT vblk 0'
expect "$TMP/out" '^serial: RIVET-SN-42$'
expect "$TMP/out" '^ro: 0$'
expect "$TMP/out" '^/mnt: [0-9]+ bytes trimmed'
expect "$TMP/out" 'reboot: Power down'
guest_sum=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-SHA256 \([0-9a-f]*\) .*/\1/p')
[ -n "$guest_sum" ] || die "the guest printed no sha256"
e2fsck -fn "$TMP/disk.img" || die "e2fsck -fn: the file system is not clean"
debugfs -R "dump /big.bin $TMP/big.bin" "$TMP/disk.img" 2> /dev/null
[ "$(wc -c < "$TMP/big.bin")" -eq 16777216 ] || die "big.bin is not 16 MiB on the host"
host_sum=$(sha256sum < "$TMP/big.bin" | cut -d' ' -f1)
echo "guest sha256 $guest_sum"
echo "host  sha256 $host_sum"
[ "$guest_sum" = "$host_sum" ] || die "sha256 differs"
# 16 MiB kept, 8 MiB deleted and trimmed: well under 16 + 8 MiB allocated
used=$(du -k "$TMP/disk.img" | cut -f1)
echo "image allocation after trim: ${used} KiB"
[ "$used" -lt $((16384 + 6144)) ] || die "trimmed blocks were not punched out of the image"
