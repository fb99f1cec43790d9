# virtio-9p through QEMU's -virtfs shorthand (virtio-9p-pci), two shares:
# security_model=mapped-xattr, where the guest's owners, modes and device
# nodes live in user.virtfs.* xattrs and the host files stay private
# (0600/0700, owned by rivet's user), and a readonly=on share, where every
# change fails with EROFS ("Read-only file system") and the host folder
# stays as it was.
. tests/guest/lib.sh
. tests/guest/9p.shlib
p9_setup
RO=$P9DIR/ro
mkdir "$RO"
echo original > "$RO/file"
P9_EXPECT=ro
cat > "$TMP/root/t.sh" <<'GUEST'
mount -t 9p -o trans=virtio,version=9p2000.L mapped /mnt || exit 1
mkdir /ro
mount -t 9p -o trans=virtio,version=9p2000.L rotag /ro || exit 1
cd /mnt
echo hi > f; chown 1234:5678 f; chmod 4750 f
echo "MAPPED $(stat -c '%u:%g %a' f)"
mkdir dir; chmod 711 dir; chown 42:43 dir
echo "MAPPED-DIR $(stat -c '%u:%g %a' dir)"
mknod cdev c 1 3; mkfifo fifo
echo "MAPPED-NODES $(stat -c '%F %t,%T' cdev) / $(stat -c '%F' fifo)"
setfattr -n user.virtfs.uid -v 0 f 2>&1 | head -n 1   # the mapping is not the guest's to write
setfattr -n user.note -v hello f && echo "USER-XATTR ok"
cd /ro
echo "RO-READ $(cat file)"
for op in "echo x > file" "echo x > new" "mkdir d" "rm file" "mv file g" "chmod 777 file" "touch file" \
          "ln -s a b" "truncate -s 0 file" "setfattr -n user.a -v b file"; do
    if sh -c "$op" 2> /tmp/err; then echo "RO-ALLOWED $op"; else echo "RO-REFUSED $op: $(cat /tmp/err)"; fi
done
cd /
umount /mnt /ro
GUEST
p9_boot -virtfs local,path="$SHARE",mount_tag=mapped,security_model=mapped-xattr \
    -virtfs local,path="$RO",mount_tag=rotag,security_model=none,readonly=on,id=ro0
expect "$OUT" '^GUEST-RUN-EXIT t 0'
expect "$OUT" '^MAPPED 1234:5678 4750$'
expect "$OUT" '^MAPPED-DIR 42:43 711$'
expect "$OUT" '^MAPPED-NODES character special file 1,3 / fifo$'
expect "$OUT" '^USER-XATTR ok$'
expect "$OUT" '^setfattr: f: Permission denied'
# host: private files, the guest's view in xattrs
xa() { python3 -c 'import os,sys,struct; v=os.getxattr(sys.argv[1], sys.argv[2]); print(struct.unpack("<I", v)[0] if len(v) == 4 else v.decode())' "$@"; }
[ "$(stat -c '%u %a' "$SHARE/f")" = "$(id -u) 600" ] || die "mapped file on the host: $(stat -c '%u %a' "$SHARE/f")"
[ "$(stat -c '%a' "$SHARE/dir")" = 700 ] || die "mapped folder on the host: $(stat -c '%a' "$SHARE/dir")"
[ "$(xa "$SHARE/f" user.virtfs.uid)" = 1234 ] && [ "$(xa "$SHARE/f" user.virtfs.gid)" = 5678 ] ||
    die "user.virtfs.uid/gid"
[ "$(printf '%o' "$(xa "$SHARE/f" user.virtfs.mode)")" = 104750 ] || die "user.virtfs.mode"
[ -f "$SHARE/cdev" ] && [ -f "$SHARE/fifo" ] || die "mapped device nodes must be plain files on the host"
[ "$(xa "$SHARE/f" user.note)" = hello ] || die "the guest's own xattr"
expect "$OUT" '^RO-READ original$'
n=$(tr -d '\r' < "$OUT" | grep -c '^RO-REFUSED .*Read-only file system')
tr -d '\r' < "$OUT" | grep '^RO-' || true
[ "$n" -eq 10 ] || die "readonly=on: $n of 10 changes refused with EROFS"
[ "$(ls -A "$RO")" = file ] && [ "$(cat "$RO/file")" = original ] || die "the read-only share changed"
p9_canary_intact
echo "virtio_9p_mapped_ro: mapped-xattr and readonly=on hold"
