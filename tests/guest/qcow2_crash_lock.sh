# qcow2 under stress (issue 20): QEMU's image locks both ways, and kill -9.
#  1. A rivet writes to a qcow2 image: files of 2 MiB, each followed by
#     sync (a flush the guest waits for) and its sha256 on the console.
#  2. While it runs, QEMU's tools refuse the image (qemu-img info, qemu-io
#     read-write), as they would refuse one a QEMU holds.
#  3. After the third acknowledged sync, rivet is killed with SIGKILL in
#     the middle of writing the fourth file. `qemu-img check` then finds no
#     errors (leaked clusters are allowed: exit 0 or 3), and after e2fsck
#     replays the journal every synced file has the sha256 the guest
#     printed.
#  4. The other way round: qemu-io (and qemu-system-riscv64 when installed)
#     holds the image; rivet refuses it in one line naming that process.
. tests/guest/lib.sh
for t in mke2fs e2fsck debugfs qemu-img qemu-io; do
    command -v $t > /dev/null || { echo "$t not installed (e2fsprogs, qemu-utils)"; exit 77; }
done
mkdir "$TMP/root"
cat > "$TMP/root/w.sh" <<'GUEST'
i=0
while :; do
    i=$((i + 1))
    dd if=/dev/urandom of=/mnt/f$i bs=256k count=8 2>/dev/null
    sync
    echo "SYNCED $i $(sha256sum /mnt/f$i | cut -d' ' -f1)"
done
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/a.raw" 64M || die "mke2fs failed"
qemu-img convert -f raw -O qcow2 "$TMP/a.raw" "$TMP/w.qcow2" || die "qemu-img convert"
img=$TMP/w.qcow2
"$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 guest.run=w" \
    -drive file="$img",if=none,id=d0 -device virtio-blk-device,drive=d0 < /dev/null > "$TMP/out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2> /dev/null; rm -rf "$TMP"' EXIT
wait_line "$TMP/out" "^SYNCED 1 " 1200 "no first sync"
# QEMU's tools refuse the image rivet is writing
qemu-img info "$img" > "$TMP/qi" 2>&1 && die "qemu-img info opened an image rivet is writing"
cat "$TMP/qi"
grep -q 'Failed to get shared "write" lock' "$TMP/qi" || die "qemu-img info: no lock error"
qemu-io -c 'read 0 512' "$img" > "$TMP/qo" 2>&1
cat "$TMP/qo"
grep -q 'Failed to get "write" lock' "$TMP/qo" || die "qemu-io: no lock error"
qemu-img info -U "$img" > /dev/null || die "qemu-img info -U (no locks) failed"
# another rivet too
rejects "second rivet" "in use: process $pid \(rivet\)" -M virt -nographic -kernel "$KERNEL" \
    -drive file="$img",if=none,id=d0 -device virtio-blk-device,drive=d0
# kill -9 after the third acknowledged sync
n=0
until grep -q "^SYNCED 3 " "$TMP/out" 2> /dev/null; do
    n=$((n + 1)); [ $n -lt 1200 ] || die "no third sync: $(tail -n 3 "$TMP/out")"
    sleep 0.05
done
kill -9 $pid
wait $pid 2> /dev/null
grep '^SYNCED' "$TMP/out"
qemu-img check "$img" > "$TMP/check" 2>&1
crc=$?
cat "$TMP/check"
[ $crc -eq 0 ] || [ $crc -eq 3 ] || die "qemu-img check after kill -9: exit $crc (errors)"
qemu-img convert -O raw "$img" "$TMP/after.raw" || die "qemu-img convert"
e2fsck -fy "$TMP/after.raw" > "$TMP/fsck" 2>&1
[ $? -le 1 ] || { cat "$TMP/fsck"; die "e2fsck could not repair the file system"; }
for i in 1 2 3; do
    want=$(sed -n "s/^SYNCED $i \([0-9a-f]*\).*/\1/p" "$TMP/out" | tr -d '\r')
    debugfs -R "dump /f$i $TMP/f$i" "$TMP/after.raw" 2> /dev/null
    got=$(sha256sum < "$TMP/f$i" | cut -d' ' -f1)
    echo "f$i: synced $want, after kill -9 $got"
    [ -n "$want" ] && [ "$want" = "$got" ] || die "f$i lost after kill -9"
done
# QEMU holds the image: rivet refuses it, naming the process
qemu-img check -r leaks "$img" > /dev/null 2>&1
qemu-io -c 'sleep 60000' "$img" > /dev/null 2>&1 &
qpid=$!
trap 'kill -9 $qpid 2> /dev/null; rm -rf "$TMP"' EXIT
sleep 1
rejects "qemu-io holds it" "in use: process $qpid \(qemu-io\)" -M virt -nographic -kernel "$KERNEL" \
    -drive file="$img",if=none,id=d0 -device virtio-blk-device,drive=d0
rejects "qemu-io holds it (readonly=on)" "process $qpid \(qemu-io\)" -M virt -nographic -kernel "$KERNEL" \
    -drive file="$img",if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0
kill $qpid
wait $qpid 2> /dev/null
if command -v qemu-system-riscv64 > /dev/null; then
    qemu-system-riscv64 -M virt -bios none -S -display none -serial none -monitor none \
        -drive file="$img",if=none,id=d0 -device virtio-blk-device,drive=d0 > /dev/null 2>&1 &
    qpid=$!
    sleep 1
    rejects "qemu-system holds it" "in use: process $qpid \(qemu-system-ris" -M virt -nographic \
        -kernel "$KERNEL" -drive file="$img",if=none,id=d0 -device virtio-blk-device,drive=d0
    kill $qpid
    wait $qpid 2> /dev/null
else
    echo "qemu-system-riscv64 not installed: qemu-io stood for QEMU"
fi
# file.locking=off: no locks taken or checked (as QEMU)
qemu-io -c 'sleep 60000' "$img" > /dev/null 2>&1 &
qpid=$!
sleep 1
# (a bare-metal ISA test as the kernel: it passes and exits at once)
"$RIVET" -M virt -bios none -nographic -kernel "$B/tests/isa/rv64i.elf" \
    -drive file="$img",if=none,id=d0,file.locking=off -device virtio-blk-device,drive=d0 < /dev/null > "$TMP/lo" 2>&1 ||
    die "file.locking=off refused: $(cat "$TMP/lo")"
kill $qpid
wait $qpid 2> /dev/null
echo "locks interoperate with QEMU; kill -9 kept every synced file"
