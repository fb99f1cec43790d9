# A readonly=on drive: the guest sees a read-only disk (RO feature), writes
# to its file system fail with EROFS, raw writes fail, and the image on the
# host is byte for byte unchanged.
. tests/guest/lib.sh
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
cat > "$TMP/root/vro.sh" <<'GUEST'
echo "ro: $(cat /sys/block/vda/ro)"
grep ' /mnt ' /proc/mounts
if echo data > /mnt/new.txt; then echo RO-WRITE-ACCEPTED; else echo RO-WRITE-REFUSED; fi
dd if=/dev/zero of=/dev/vda bs=4096 count=1 2>&1 | head -n 1
cat /mnt/hello.txt
GUEST
echo "hello from the image" > "$TMP/root/hello.txt"
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 16M || die "mke2fs failed"
before=$(sha256sum < "$TMP/disk.img")
boot_guest "$TMP/out" -append "console=ttyS0 guest.run=vro guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^ro: 1$'
expect "$TMP/out" '/dev/vda /mnt ext4 ro'
expect "$TMP/out" "can't create /mnt/new.txt: Read-only file system"
expect "$TMP/out" '^RO-WRITE-REFUSED'
expect "$TMP/out" "dd: .*/dev/vda.*(not permitted|Read-only)"
expect "$TMP/out" '^hello from the image'
expect "$TMP/out" '^GUEST-RUN-EXIT vro 0'
after=$(sha256sum < "$TMP/disk.img")
[ "$before" = "$after" ] || die "the read-only image changed"
echo "image unchanged: $after"
