# Mistakes around virtio devices: each is one line on stderr, exit status 1.
. tests/guest/lib.sh
K="-M virt -nographic -kernel $KERNEL -initrd $INITRD"
head -c 1048576 /dev/zero > "$TMP/disk.img"
# shellcheck disable=SC2086
rejects "missing image" "nonexistent.img.*No such file" $K -drive file=/nonexistent.img,if=none,id=d0 \
    -device virtio-blk-device,drive=d0
rejects "blk without drive" "virtio-blk-device needs drive=" $K -device virtio-blk-device
rejects "unknown device" "unknown device 'virtio-frob-device'" $K -device virtio-frob-device
rejects "unknown device option" "has no option 'speed'" $K -device virtio-rng-device,speed=9
rejects "drive id not found" "no -drive with id=d9" $K -drive file="$TMP/disk.img",format=raw,if=none,id=d0 \
    -device virtio-blk-device,drive=d9
rejects "drive used twice" "already used" $K -drive file="$TMP/disk.img",format=raw,if=none,id=d0 \
    -device virtio-blk-device,drive=d0 -device virtio-blk-device,drive=d0
rejects "bad drive format" "supported: raw, qcow2" $K -drive file="$TMP/disk.img",format=vmdk
rejects "unknown drive option" "unknown option 'speed'" $K -drive file="$TMP/disk.img",speed=9
rejects "chardev not found" "no -chardev with id=c9" $K -device virtio-console-device,chardev=c9
rejects "stdio twice" "already the serial console" $K -chardev stdio,id=c0 -device virtio-console-device,chardev=c0
rejects "virtconsole alone" "needs a -device virtio-serial-device" $K -device virtconsole
rejects "nine devices" "slots are taken" $K -device virtio-rng-device -device virtio-rng-device \
    -device virtio-rng-device -device virtio-rng-device -device virtio-rng-device -device virtio-rng-device \
    -device virtio-rng-device -device virtio-rng-device -device virtio-rng-device
rejects "bad -global" "force-legacy" $K -global virtio-pci.disable-legacy=on
# -device help and NAME,help: a list on stdout, exit 0
"$RIVET" -device help > "$TMP/help" || die "-device help failed"
grep -q virtio-blk-device "$TMP/help" || die "-device help does not list virtio-blk-device"
"$RIVET" -device virtio-blk-device,help > "$TMP/help" || die "-device NAME,help failed"
grep -q '^  drive=ID' "$TMP/help" || die "-device virtio-blk-device,help does not list drive="

# An image in use by another rivet: the error names that process.
mkfifo "$TMP/hold"
"$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    < "$TMP/hold" > "$TMP/holder.out" 2>&1 &
holder=$!
trap 'kill $holder 2> /dev/null; rm -rf "$TMP"' EXIT
exec 8> "$TMP/hold"
n=0
until grep -q "GUEST-BOOT-OK" "$TMP/holder.out" 2> /dev/null; do
    n=$((n + 1)); [ $n -lt 300 ] || { kill $holder; die "the first rivet did not boot"; }
    kill -0 $holder 2> /dev/null || die "the first rivet died: $(tail -n 3 "$TMP/holder.out")"
    sleep 0.1
done
rejects "image locked" "in use|being (used|written) by process $holder" $K \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0
rejects "image locked (readonly)" "process $holder" $K \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0
printf 'poweroff -f\n' >&8
exec 8>&-
wait $holder || die "the first rivet exited $?"
echo "all bad options rejected"
