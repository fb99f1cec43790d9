# qcow2 through the real guest (issue 20). One boot, two disks:
#  - /dev/vda: a qcow2 v2 image made by `qemu-img convert` from an ext4
#    image, given with -hda and probed (no format=): the guest writes a
#    16 MiB file and its sha256 and syncs;
#  - /dev/vdb: a v3 overlay over a v2 overlay over a v3 base (each layer
#    made by `qemu-img convert -B`, so each holds only what changed): the
#    guest reads a file from each layer and checks their sha256, then
#    writes 16 MiB there too.
# Afterwards `qemu-img check` finds both images without errors or leaks,
# the lower layers are unchanged, and the files read back on the host (via
# qemu-img convert, e2fsck -fn, debugfs) have the guest's sha256.
. tests/guest/lib.sh
for t in mke2fs e2fsck debugfs qemu-img; do
    command -v $t > /dev/null || { echo "$t not installed (e2fsprogs, qemu-utils)"; exit 77; }
done
mkdir "$TMP/root"
cat > "$TMP/root/q.sh" <<'GUEST'
set -e
cd /mnt
dd if=/dev/urandom of=big.bin bs=1M count=16 2>/dev/null
echo "GUEST-SHA-VDA $(sha256sum big.bin)"
sync
mkdir -p /mnt2
mount /dev/vdb /mnt2
cd /mnt2
for f in a.bin b.bin c.bin; do echo "GUEST-LAYER $(sha256sum $f)"; done
dd if=/dev/urandom of=d.bin bs=1M count=16 2>/dev/null
echo "GUEST-SHA-VDB $(sha256sum d.bin)"
sync
cd /
umount /mnt2
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/a.raw" 64M || die "mke2fs failed"
qemu-img convert -f raw -O qcow2 -o compat=0.10 "$TMP/a.raw" "$TMP/v2.qcow2" || die "qemu-img convert (v2)"
# the chain: base has a.bin, mid adds b.bin, top adds c.bin
mkdir "$TMP/chain"
head -c 3000000 /dev/urandom > "$TMP/chain/a.bin"
mke2fs -q -t ext4 -d "$TMP/chain" "$TMP/c.raw" 64M || die "mke2fs failed"
cd "$TMP" || die "cd"
qemu-img convert -f raw -O qcow2 c.raw base.qcow2 || die "base"
head -c 2000000 /dev/urandom > chain/b.bin
debugfs -w -R "write chain/b.bin b.bin" c.raw > /dev/null 2>&1 || die "debugfs write"
qemu-img convert -f raw -O qcow2 -o compat=0.10 -B base.qcow2 -F qcow2 c.raw mid.qcow2 || die "mid"
head -c 1000000 /dev/urandom > chain/c.bin
debugfs -w -R "write chain/c.bin c.bin" c.raw > /dev/null 2>&1 || die "debugfs write"
qemu-img convert -f raw -O qcow2 -B mid.qcow2 -F qcow2 c.raw top.qcow2 || die "top"
cd - > /dev/null || die "cd"
lower_before=$(cat "$TMP/base.qcow2" "$TMP/mid.qcow2" | sha256sum)
qemu-img info --backing-chain "$TMP/top.qcow2" | grep -E '^(image|file format|backing file):'
boot_guest "$TMP/out" -append "console=ttyS0 guest.run=q guest.poweroff=1" \
    -hda "$TMP/v2.qcow2" -drive file="$TMP/top.qcow2",if=virtio
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" "^rivet: -hda .*: no if= given: .*attaches a virtio-blk-pci disk"
expect "$TMP/out" '^GUEST-RUN-EXIT q 0'
for f in a b c; do
    want=$(sha256sum < "$TMP/chain/$f.bin")
    want=${want%% *}
    expect "$TMP/out" "^GUEST-LAYER $want  $f.bin"
done
for img in v2 top; do
    qemu-img check "$TMP/$img.qcow2" > "$TMP/check" 2>&1
    crc=$?
    sed "s/^/$img: /" "$TMP/check"
    [ $crc -eq 0 ] || die "qemu-img check $img.qcow2: exit $crc"
    grep -q 'No errors were found' "$TMP/check" || die "qemu-img check $img.qcow2 found errors"
    grep -qi 'leak' "$TMP/check" && die "qemu-img check $img.qcow2 found leaks"
done
[ "$(cat "$TMP/base.qcow2" "$TMP/mid.qcow2" | sha256sum)" = "$lower_before" ] || die "a backing file changed"
# the files on the host
check_file() { # IMAGE NAME GUEST-TAG
    qemu-img convert -O raw "$TMP/$1.qcow2" "$TMP/$1.out.raw" || die "qemu-img convert $1"
    e2fsck -fn "$TMP/$1.out.raw" || die "e2fsck -fn $1: the file system is not clean"
    debugfs -R "dump /$2 $TMP/$2.host" "$TMP/$1.out.raw" 2> /dev/null
    host=$(sha256sum < "$TMP/$2.host" | cut -d' ' -f1)
    guest=$(tr -d '\r' < "$TMP/out" | sed -n "s/^$3 \([0-9a-f]*\)  $2$/\1/p")
    echo "$1 $2: guest $guest host $host"
    [ -n "$guest" ] && [ "$guest" = "$host" ] || die "$2 differs on the host"
}
check_file v2 big.bin GUEST-SHA-VDA
check_file top d.bin GUEST-SHA-VDB
check_file top c.bin GUEST-LAYER
echo "qcow2 v2, v3 and a two-overlay chain: written, read, checked"
