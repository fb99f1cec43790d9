# virtio-input on the real kernel: a key press from the host reaches the
# guest's evdev node. rivet runs headless with a virtio keyboard and a
# mouse and tablet (so the guest must pick the right node by name); the
# test hook RIVET_TEST_KEY=30 (frontends/display_host.c) types KEY_A every
# 100 ms of wall time through the display's input path, exactly as a key
# in the SDL window would arrive. The guest reads one 24-byte input_event
# from the keyboard's /dev/input/eventN and prints its type and code;
# /proc/bus/input/devices shows QEMU's names, bus 6 and the key bits.
. tests/guest/lib.sh
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
cat > "$TMP/root/keytest.sh" <<'GUEST'
kbd=""
for ev in /dev/input/event*; do
    name=$(cat "/sys/class/input/${ev##*/}/device/name")
    echo "input: ${ev##*/} $name"
    case $name in *Keyboard*) kbd=$ev ;; esac
done
[ -n "$kbd" ] || { echo "no keyboard"; exit 1; }
grep -B1 -A8 'Virtio Keyboard' /proc/bus/input/devices
# struct input_event on rv64: 16 bytes of time, u16 type, u16 code, s32 value
set -- $(dd if="$kbd" bs=24 count=1 2>/dev/null | od -A n -t u2 -v)
echo "KEY-EVENT type=$9 code=${10} value=${11}"
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 8M || die "mke2fs failed"
RIVET_TEST_KEY=30,100 boot_guest "$TMP/out" -display none -append "console=ttyS0 guest.run=keytest guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -device virtio-mouse-device -device virtio-keyboard-device -device virtio-tablet-device
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^GUEST-RUN-EXIT keytest 0'
expect "$TMP/out" '^input: event[0-9] QEMU Virtio Keyboard$'
expect "$TMP/out" '^input: event[0-9] QEMU Virtio Mouse$'
expect "$TMP/out" '^input: event[0-9] QEMU Virtio Tablet$'
expect "$TMP/out" 'I: Bus=0006 Vendor=0627 Product=0001 Version=0001'
expect "$TMP/out" '^B: EV=120003'
# EV_KEY (1), KEY_A (30), a press (1) or, if the reader opened in between, the release
expect "$TMP/out" '^KEY-EVENT type=1 code=30 value=[01]$'
echo "a host key press reached the guest's evdev node"
