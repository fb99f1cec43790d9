# virtio-9p on the real kernel, security_model=passthrough: the guest
# mounts a host folder (mount -t 9p -o trans=virtio,version=9p2000.L,
# msize=512000) and does what a user does in a shared folder: reads a
# 16 MiB host file and writes a 16 MiB file (sha256 equal on both sides),
# create, rename, unlink, mkdir/rmdir, symlink/readlink, hard link, chmod,
# chown (where the host permits), truncate, fsync, touch -d, readdir of a
# folder of 10,000 entries, statfs, an xattr. The host checks each result
# in the folder, and that a canary beside it was neither read nor changed.
. tests/guest/lib.sh
. tests/guest/9p.shlib
p9_setup
head -c 16777216 /dev/urandom > "$SHARE/big.bin"
mkdir "$SHARE/many"
(cd "$SHARE/many" && seq 1 10000 | xargs touch)
cat > "$TMP/root/t.sh" <<'GUEST'
set -e
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 host /mnt
cd /mnt
echo "READ-SHA $(sha256sum big.bin | cut -d' ' -f1)"
dd if=/dev/urandom of=out.bin bs=1M count=16 2>/dev/null
echo "WRITE-SHA $(sha256sum out.bin | cut -d' ' -f1)"
echo data > c1; mv c1 c2; test ! -e c1; test "$(cat c2)" = data; rm c2; test ! -e c2
echo data > kept; mv kept renamed
echo OK create-rename-unlink
mkdir -p dd/ee; test -d dd/ee; rmdir dd/ee; rmdir dd; test ! -e dd; mkdir made
echo OK mkdir-rmdir
ln -s some/target sl; test "$(readlink sl)" = some/target
echo OK symlink-readlink
echo x > hl1; ln hl1 hl2; test "$(stat -c %h hl1)" = 2; test "$(stat -c %i hl1)" = "$(stat -c %i hl2)"
echo OK hardlink
chmod 0640 hl1; test "$(stat -c %a hl1)" = 640
echo OK chmod
chown 1234:5678 hl1 && echo "CHOWN $(stat -c %u:%g hl1)" || echo "CHOWN refused"
head -c 100000 /dev/zero > tr; truncate -s 5000 tr; test "$(stat -c %s tr)" = 5000
truncate -s 0 tr; test "$(stat -c %s tr)" = 0
echo OK truncate
echo synced > fs; fsync fs; sync
echo OK fsync
touch -d '2020-02-03 04:05:06' tm
echo OK touch
test "$(ls many | wc -l)" = 10000; test "$(ls many | sort -n | tail -n 1)" = 10000
echo OK readdir-10000
echo "STATFS $(stat -f -c '%S %b' /mnt)"
setfattr -n user.color -v blue hl1
echo OK xattr
cd /
umount /mnt
GUEST
p9_boot -fsdev local,id=f0,path="$SHARE",security_model=passthrough -device virtio-9p-device,fsdev=f0,mount_tag=host
expect "$OUT" '^GUEST-RUN-EXIT t 0'
for op in create-rename-unlink mkdir-rmdir symlink-readlink hardlink chmod truncate fsync touch readdir-10000 xattr; do
    expect "$OUT" "^OK $op\$"
done
# the host sees what the guest did
p9_same_sha READ-SHA "$SHARE/big.bin"
p9_same_sha WRITE-SHA "$SHARE/out.bin"
[ "$(cat "$SHARE/renamed")" = data ] && [ ! -e "$SHARE/kept" ] && [ ! -e "$SHARE/c2" ] || die "rename/unlink not on the host"
[ -d "$SHARE/made" ] && [ ! -e "$SHARE/dd" ] || die "mkdir/rmdir not on the host"
[ "$(readlink "$SHARE/sl")" = some/target ] || die "symlink not on the host"
[ "$(stat -c %i "$SHARE/hl1")" = "$(stat -c %i "$SHARE/hl2")" ] || die "hard link not on the host"
[ "$(stat -c %a "$SHARE/hl1")" = 640 ] || die "chmod not on the host: $(stat -c %a "$SHARE/hl1")"
if [ "$(id -u)" = 0 ]; then
    expect "$OUT" '^CHOWN 1234:5678'
    [ "$(stat -c %u:%g "$SHARE/hl1")" = 1234:5678 ] || die "chown not on the host"
else
    echo "not root: passthrough chown is refused by the host, as documented"
fi
[ "$(stat -c %s "$SHARE/tr")" = 0 ] || die "truncate not on the host"
[ "$(cat "$SHARE/fs")" = synced ] || die "fsync'd file differs"
[ "$(stat -c %Y "$SHARE/tm")" = "$(date -u -d '2020-02-03 04:05:06' +%s)" ] || die "touch -d: mtime $(stat -c %Y "$SHARE/tm")"
host_statfs=$(stat -f -c '%S %b' "$SHARE")
expect "$OUT" "^STATFS $host_statfs\$"
[ "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.color").decode())' "$SHARE/hl1")" = blue ] ||
    die "xattr not on the host"
p9_canary_intact
echo "virtio_9p: all operations seen on the host"
