# virtio-blk-pci on the real kernel, the guest test of virtio_blk.sh over
# the PCI transport: the guest mounts an ext4 image from /dev/vda, writes a
# 16 MiB file and its sha256, trims a deleted file, syncs and powers off;
# e2fsck -fn finds the file system clean on the host, the sha256 matches
# and the trimmed blocks left the image. Meanwhile a virtio-rng-pci in slot
# 1 is read: slots 1 and 5 share INTx line INTB (PLIC 33), so both drivers
# sit on one level-triggered interrupt and both must keep working.
. tests/guest/lib.sh
for t in mke2fs e2fsck debugfs; do
    command -v $t > /dev/null || { echo "$t not installed (e2fsprogs)"; exit 77; }
done
mkdir "$TMP/root"
cat > "$TMP/root/vblk.sh" <<'GUEST'
set -e
echo "serial: $(cat /sys/block/vda/serial)"
echo "vda: $(readlink /sys/block/vda)"
head -c 262144 /dev/hwrng > /tmp/rng.bin &
rngpid=$!
cd /mnt
dd if=/dev/urandom of=/mnt/big.bin bs=1M count=16 2>/dev/null
sha256sum big.bin > big.sha256
echo "GUEST-SHA256 $(cat big.sha256)"
dd if=/dev/urandom of=/mnt/junk.bin bs=1M count=8 2>/dev/null
sync
rm junk.bin
sync
fstrim -v /mnt
wait $rngpid
echo "rng bytes: $(wc -c < /tmp/rng.bin)"
grep -E ' 33 ' /proc/interrupts | sed 's/^ */INTB: /'
cd /
GUEST
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
expect "$TMP/out" '^/mnt: [0-9]+ bytes trimmed'
expect "$TMP/out" '^rng bytes: 262144$'
# one line, two handlers: "INTB: N: ... 33 Edge virtioA, virtioB"
expect "$TMP/out" '^INTB: .* 33 .*virtio[0-9], virtio[0-9]'
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
used=$(du -k "$TMP/disk.img" | cut -f1)
echo "image allocation after trim: ${used} KiB"
[ "$used" -lt $((16384 + 6144)) ] || die "trimmed blocks were not punched out of the image"
