# Snapshots at the shell prompt (issue #13, points 3 and 4; docs/snapshots.md):
# the guest mounts an ext4 disk (a raw image on virtio-blk-pci), writes
# "one" to a file and syncs; `savevm s1` (the snapshot goes to the folder
# disk.img.snapshots/ next to the image); the guest then writes "two" over
# it and syncs, and the monitor quits. A second rivet starts with
# -loadvm s1: no boot, the prompt is back, and after dropping its caches the
# guest reads "one" from the disk (the image holds again what it held at
# savevm; read after a remount), `info status` shows a state hash, `info snapshots` lists s1,
# `delvm` removes it; the guest unmounts and powers off (exit 0), and
# e2fsck finds the file system clean.
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the monitor client)"
command -v e2fsck > /dev/null && command -v debugfs > /dev/null || die "e2fsck or debugfs not installed (e2fsprogs)"
HMP="python3 tests/guest/hmp_client.py"
mkdir "$TMP/root"
echo zero > "$TMP/root/a"
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 32M || die "mke2fs failed"
DISK="-drive file=$TMP/disk.img,format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0"

# start OPTIONS...: rivet on the test guest, its console on stdin (fd 9
# writes to it) and $TMP/out
start() {
    rm -f "$TMP/in"; mkfifo "$TMP/in"
    : > "$TMP/out"
    timeout 300 "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" "$@" < "$TMP/in" > "$TMP/out" 2>&1 &
    pid=$!
    exec 9> "$TMP/in"
}
# type_line LINE: typed into the console
type_line() { printf '%s\n' "$1" >&9; }
# wait_out PATTERN WHAT: the console shows PATTERN
wait_out() { wait_line "$TMP/out" "$1" 600 "$2"; }
# finish: rivet exits by itself within 60 s, with status 0
finish() {
    exec 9>&-
    i=0
    while kill -0 $pid 2> /dev/null; do
        i=$((i + 1)); [ $i -lt 600 ] || { kill $pid; die "$1: rivet still runs"; }
        sleep 0.1
    done
    wait $pid
    rc=$?
    [ $rc -eq 0 ] || die "$1: exit $rc: $(tail -n 5 "$TMP/out")"
}

# shellcheck disable=SC2086
start -m 256M -append console=ttyS0 $DISK \
    -monitor unix:"$TMP/m.sock",server=on,wait=off
wait_out "Type 'poweroff" "no shell prompt"
type_line 'mount /dev/vda /mnt && echo one > /mnt/a && sync && echo WROTE-$((6*7))'
wait_out 'WROTE-42' "no write before savevm"
$HMP "$TMP/m.sock" "savevm s1" "info snapshots" > "$TMP/m1" || { cat "$TMP/m1"; die "savevm"; }
cat "$TMP/m1"
grep -q '^Error' "$TMP/m1" && die "savevm failed"
[ -s "$TMP/disk.img.snapshots/s1" ] || die "no snapshot file next to the disk"
grep -q '^s1 ' "$TMP/m1" || die "info snapshots does not list s1"
ls -l "$TMP/disk.img.snapshots/s1" | awk '{ print "snapshot file: " $5 " bytes" }'
type_line 'echo two > /mnt/a && sync && echo WROTE-$((6*8))'
wait_out 'WROTE-48' "no write after savevm"
$HMP "$TMP/m.sock" quit > /dev/null
finish "first run, quit"
cp "$TMP/out" "$TMP/out1"

# Bad snapshot files at start: one line, exit 1, the image untouched
# (it still holds "two": nothing of s1 was written).
S=$TMP/disk.img.snapshots/s1
sum0=$(md5sum < "$TMP/disk.img")
len=$(wc -c < "$S")
head -c $((len / 2)) "$S" > "$TMP/cut"
head -c 12 "$S" > "$TMP/cut12"
cp "$S" "$TMP/flip"
printf '\377' | dd of="$TMP/flip" bs=1 seek=$((len / 3)) conv=notrunc 2> /dev/null
cp "$S" "$TMP/v9"
printf '\011' | dd of="$TMP/v9" bs=1 seek=8 conv=notrunc 2> /dev/null
head -c 5000 /dev/urandom > "$TMP/junk"
: > "$TMP/empty"
base="-M virt -nographic -kernel $KERNEL -initrd $INITRD -m 256M -append console=ttyS0"
# shellcheck disable=SC2086
{
rejects "missing snapshot" '^rivet: -loadvm nosuch: cannot open: No such file' $base $DISK -loadvm nosuch
rejects "truncated snapshot" '^rivet: -loadvm .*/cut: truncated$' $base $DISK -loadvm "$TMP/cut"
rejects "snapshot cut in its header" '^rivet: -loadvm .*/cut12: truncated$' $base $DISK -loadvm "$TMP/cut12"
rejects "corrupted snapshot" '^rivet: -loadvm .*/flip: corrupted \(checksum mismatch\)$' $base $DISK -loadvm "$TMP/flip"
rejects "snapshot of another version" '^rivet: -loadvm .*/v9: snapshot format version 9 \(this rivet reads version 1\)$' \
    $base $DISK -loadvm "$TMP/v9"
rejects "not a snapshot" '^rivet: -loadvm .*/junk: not a rivet snapshot$' $base $DISK -loadvm "$TMP/junk"
rejects "empty file" '^rivet: -loadvm .*/empty: not a rivet snapshot$' $base $DISK -loadvm "$TMP/empty"
rejects "a folder" '^rivet: -loadvm .*: not a regular file$' $base $DISK -loadvm "$TMP/root"
rejects "another machine (RAM)" "^rivet: -loadvm s1: made on another machine \(snapshot: 'ram=268435456', this machine: 'ram=134217728'\)$" \
    -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -m 128M $DISK -loadvm s1
rejects "another machine (no disk)" "^rivet: -loadvm .*: made on another machine \\(snapshot: 'device=virtio-blk-pci,drive=d0', this machine: '\\(nothing\\)'\\)$" $base -loadvm "$S"
}
chmod 000 "$S"
if ! [ -r "$S" ]; then   # (root reads anything)
    # shellcheck disable=SC2086
    rejects "unreadable snapshot" '^rivet: -loadvm s1: cannot open: Permission denied' $base $DISK -loadvm s1
fi
chmod 644 "$S"
[ "$(md5sum < "$TMP/disk.img")" = "$sum0" ] || die "a refused -loadvm wrote to the image"
echo "bad snapshot files at start: one line each, exit 1, the image untouched"

# shellcheck disable=SC2086
start -m 256M -append console=ttyS0 $DISK -loadvm s1 \
    -monitor unix:"$TMP/m.sock",server=on,wait=off
type_line 'umount /mnt && mount /dev/vda /mnt && echo "a holds $(cat /mnt/a)"'
wait_out '^a holds' "no answer after -loadvm"
expect "$TMP/out" '^a holds one'
grep -q 'Linux version' "$TMP/out" && die "-loadvm booted the kernel again"
$HMP "$TMP/m.sock" "info status" "info snapshots" "delvm s1" "info snapshots" "delvm s1" > "$TMP/m2" ||
    { cat "$TMP/m2"; die "monitor after -loadvm"; }
cat "$TMP/m2"
grep -Eq '^State hash: [0-9a-f]{16}$' "$TMP/m2" || die "info status: no state hash"
[ "$(grep -c '^s1 ' "$TMP/m2")" -eq 1 ] || die "delvm did not remove s1"
grep -q "^Error: delvm: cannot open" "$TMP/m2" || die "a second delvm s1 was not an error"
type_line 'umount /mnt && poweroff -f'
finish "second run, poweroff"
e2fsck -fn "$TMP/disk.img" > "$TMP/fsck" 2>&1 || { cat "$TMP/fsck"; die "e2fsck: the file system is damaged"; }
a=$(debugfs -R 'cat /a' "$TMP/disk.img" 2> /dev/null)
[ "$a" = one ] || die "the image's /a holds '$a', not 'one'"
echo "savevm at the prompt, quit, -loadvm s1: the guest goes on, the disk holds what it held at savevm, e2fsck clean"
