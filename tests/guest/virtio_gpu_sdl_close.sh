# shellcheck shell=sh
# The SDL window (under Xvfb): a key pressed in the window (an X KeyPress
# sent by tests/guest/xclose.c) reaches the guest's virtio keyboard as
# KEY_A. Closing the window: the first close (a WM_DELETE_WINDOW
# message, what a window manager's close button sends; tests/guest/xclose.c)
# asks the guest to power off by pressing KEY_POWER on the virtio keyboard:
# a guest script reading the keyboard's evdev node sees EV_KEY code 116,
# and the title says "close again to quit". The second close stops rivet
# (exit 0). Skips (77) without Xvfb, SDL2 or Xlib headers.
. tests/guest/lib.sh
. tests/guest/xvfb.shlib
pkg-config --exists x11 2>/dev/null || { echo "skip: no Xlib headers (Debian package libx11-dev)"; exit 77; }
command -v mke2fs > /dev/null || { echo "skip: mke2fs not installed (e2fsprogs)"; exit 77; }
CC=${CC:-cc}
# shellcheck disable=SC2046
"$CC" -std=gnu11 -O1 -Wall -Wextra -Werror -o "$TMP/xclose" tests/guest/xclose.c $(pkg-config --cflags --libs x11) \
    || die "cannot build xclose"

mkdir "$TMP/root"
cat > "$TMP/root/powerkey.sh" <<'GUEST'
for ev in /dev/input/event*; do
    case $(cat "/sys/class/input/${ev##*/}/device/name") in *Keyboard*) kbd=$ev ;; esac
done
echo "XKEY-WAITING on $kbd"
set -- $(dd if="$kbd" bs=24 count=1 2>/dev/null | od -A n -t u2 -v)
echo "XKEY-EVENT type=$9 code=${10} value=${11}"
# skip what is left of the X key (its release, SYN) up to the power key
exec 3< "$kbd"
echo "POWERKEY-WAITING on $kbd"
for i in 1 2 3 4 5 6 7 8; do
    set -- $(dd bs=24 count=1 <&3 2>/dev/null | od -A n -t u2 -v)
    [ "${10}" = 116 ] && break
done
echo "KEY-EVENT type=$9 code=${10} value=${11}"
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 8M || die "mke2fs failed"

start_xvfb
export DISPLAY=$XDISPLAY

SDL_VIDEODRIVER=x11 "$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -serial file:"$TMP/out" -display sdl \
    -append "console=ttyS0 guest.run=powerkey" -device virtio-gpu-device -device virtio-keyboard-device \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    < /dev/null > "$TMP/rivet.log" 2>&1 &
rpid=$!
wait_out() {
    n=0
    until grep -aq "$1" "$TMP/out" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 1200 ] || ! kill -0 "$rpid" 2>/dev/null; then
            cat "$TMP/rivet.log" "$TMP/out"
            die "no '$1' from the guest"
        fi
        sleep 0.1
    done
}
wait_out XKEY-WAITING
# a key typed into the window (X KeyPress) reaches the guest as KEY_A (30);
# typed again until the guest's reader, opened just after its line, has it
n=0
until grep -aq XKEY-EVENT "$TMP/out"; do
    n=$((n + 1))
    [ $n -gt 40 ] && { cat "$TMP/rivet.log" "$TMP/out"; die "the X key never reached the guest"; }
    "$TMP/xclose" rivet a || die "no rivet window"
    sleep 0.5
done
expect "$TMP/out" '^XKEY-EVENT type=1 code=30 value=1$'
wait_out POWERKEY-WAITING
sleep 0.5
"$TMP/xclose" rivet || die "no rivet window"
wait_out '^KEY-EVENT'
expect "$TMP/out" '^KEY-EVENT type=1 code=116 value=1$'
sleep 0.3
title=$(xwininfo -root -tree 2>/dev/null | sed -n 's/^[^"]*"\(rivet[^"]*\)".*/\1/p' | head -n 1)
echo "title after the first close: $title"
if command -v xwininfo > /dev/null 2>&1; then
    case $title in *"close again to quit"*) ;; *) die "the title does not say 'close again to quit'" ;; esac
fi
kill -0 "$rpid" 2>/dev/null || die "rivet stopped at the first close"
"$TMP/xclose" rivet || die "no rivet window for the second close"
n=0
while kill -0 "$rpid" 2>/dev/null; do
    n=$((n + 1))
    [ $n -gt 100 ] && die "rivet did not stop at the second close"
    sleep 0.1
done
wait "$rpid"
rc=$?
rpid=""
cat "$TMP/rivet.log"
[ "$rc" -eq 0 ] || die "rivet exited $rc after the second close"
echo "window close: KEY_POWER reached the guest, the second close stopped rivet"
