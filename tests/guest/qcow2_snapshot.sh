# -snapshot (issue 20): the guest writes 8 MiB and syncs on a qcow2 image
# given with -hda and on a raw image with snapshot=on; the overlays live in
# $TMPDIR but are unlinked as soon as they are open (the folder is empty
# while rivet runs); rivet is then stopped with SIGTERM. Both images are
# byte for byte unchanged (sha256) and nothing is left in $TMPDIR.
. tests/guest/lib.sh
for t in mke2fs qemu-img; do
    command -v $t > /dev/null || { echo "$t not installed (e2fsprogs, qemu-utils)"; exit 77; }
done
mkdir "$TMP/root" "$TMP/tmpdir"
cat > "$TMP/root/s.sh" <<'GUEST'
set -e
dd if=/dev/urandom of=/mnt/new.bin bs=1M count=8 2>/dev/null
echo "written" > /mnt/hello.txt
sync
cat /mnt/hello.txt
dd if=/dev/urandom of=/dev/vdb bs=1M count=2 2>/dev/null
sync
echo SNAPSHOT-WRITES-DONE
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/a.raw" 64M || die "mke2fs failed"
qemu-img convert -f raw -O qcow2 "$TMP/a.raw" "$TMP/s.qcow2" || die "qemu-img convert"
head -c 4194304 /dev/urandom > "$TMP/b.raw"
before=$(cat "$TMP/s.qcow2" "$TMP/b.raw" | sha256sum)
TMPDIR=$TMP/tmpdir "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" \
    -append "console=ttyS0 guest.run=s" -snapshot -hda "$TMP/s.qcow2" \
    -drive file="$TMP/b.raw",format=raw,if=virtio,snapshot=on < /dev/null > "$TMP/out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2> /dev/null; rm -rf "$TMP"' EXIT
wait_line "$TMP/out" "^SNAPSHOT-WRITES-DONE" 2400 "the guest did not finish writing"
cat "$TMP/out"
expect "$TMP/out" '^written'
left=$(ls -A "$TMP/tmpdir")
[ -z "$left" ] || die "overlay files visible in \$TMPDIR while running: $left"
[ "$(ls -l /proc/$pid/fd | grep -c 'rivet-snapshot-.*(deleted)')" -eq 2 ] || die "rivet does not hold two deleted overlays"
kill -TERM $pid
wait $pid
echo "rivet exited $? after SIGTERM"
[ "$(cat "$TMP/s.qcow2" "$TMP/b.raw" | sha256sum)" = "$before" ] || die "an image changed under -snapshot"
[ -z "$(ls -A "$TMP/tmpdir")" ] || die "overlays left in \$TMPDIR"
echo "-snapshot: images unchanged, overlays gone"
