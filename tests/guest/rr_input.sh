# Record/replay of the display's input (issue #14, point 2: keyboard,
# mouse and tablet events): the test hook RIVET_TEST_KEY=30,100
# (frontends/display_host.c) types KEY_A every 100 ms of wall time through
# the display's input path, as a key in the SDL window would arrive. The
# guest reads 6 events from its virtio keyboard and prints each one with
# its guest timestamp, which depends on when the host typed. The replay
# (no hook, stdin /dev/null) prints the same console and state hash.
. tests/guest/lib.sh
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
cat > "$TMP/root/keys.sh" <<'GUEST'
kbd=""
for ev in /dev/input/event*; do
    case $(cat "/sys/class/input/${ev##*/}/device/name") in *Keyboard*) kbd=$ev ;; esac
done
[ -n "$kbd" ] || { echo "no keyboard"; exit 1; }
# struct input_event on rv64: u64 sec, u64 usec, u16 type, u16 code, s32 value
dd if="$kbd" bs=24 count=6 2>/dev/null | od -A n -t u4 -v -w24 | while read s0 s1 u0 u1 tc v; do
    echo "KEY t=$s0.$u0 type-code=$tc value=$v"
done
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 8M || die "mke2fs failed"
cp "$TMP/disk.img" "$TMP/disk.orig"
run() {
    timeout 300 "$RIVET" -M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" -display none \
        -append "console=ttyS0 guest.run=keys guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
        -device virtio-keyboard-device -device virtio-tablet-device "$@"
}
RIVET_TEST_KEY=30,100 run -record "$TMP/k.log" < /dev/null > "$TMP/rec.out" 2>&1
rc=$?
grep -a '^KEY' "$TMP/rec.out"
[ $rc -eq 0 ] || { tail -n 5 "$TMP/rec.out"; die "recording: exit $rc"; }
[ "$(grep -ac '^KEY t=' "$TMP/rec.out")" -eq 6 ] || die "the guest did not read 6 key events"
cp "$TMP/disk.orig" "$TMP/disk.img"
run -replay "$TMP/k.log" < /dev/null > "$TMP/rep.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/rep.out"; die "replay: exit $rc"; }
cmp "$TMP/rec.out" "$TMP/rep.out" || { diff "$TMP/rec.out" "$TMP/rep.out" | head; die "the replay differs"; }
echo "rr input: the display's key events replayed"
