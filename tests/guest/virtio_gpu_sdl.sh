# shellcheck shell=sh
# -display sdl under Xvfb: rivet opens a window showing the guest's
# virtio-gpu console. The guest boots with console=tty0 (fbcon) to its
# shell; then the window is captured with xwd, converted with ImageMagick
# and decoded (tests/guest/png_check.py): 1024x768 with console text. The
# root window is kept as $B/test-logs/virtio_gpu_sdl-root.png. Then the
# window is closed twice through the X server (xdotool when present) or
# rivet is stopped. Skips (77) without Xvfb, SDL2 or python3.
. tests/guest/lib.sh
. tests/guest/xvfb.shlib
command -v python3 > /dev/null || { echo "skip: python3 not installed (decodes the PNG)"; exit 77; }
command -v xwd > /dev/null 2>&1 || die "xwd not found: install the Debian package x11-apps"
convert -version 2>/dev/null | grep -q ImageMagick || die "ImageMagick's convert not found"
mkdir -p "$B/test-logs"

start_xvfb

DISPLAY=$XDISPLAY SDL_VIDEODRIVER=x11 "$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -serial file:"$TMP/out" \
    -display sdl -append "console=tty0 console=ttyS0" -device virtio-gpu-device -device virtio-keyboard-device \
    -device virtio-tablet-device < /dev/null > "$TMP/rivet.log" 2>&1 &
rpid=$!
n=0
until grep -aq "Type 'poweroff -f'" "$TMP/out" 2>/dev/null; do
    n=$((n + 1))
    if [ $n -gt 1200 ] || ! kill -0 "$rpid" 2>/dev/null; then
        cat "$TMP/rivet.log" "$TMP/out"
        die "the guest did not reach its shell"
    fi
    sleep 0.1
done
sleep 1   # a few frames: the window redraws at most every 1/60 s after a flush

xwd -root -silent -display "$XDISPLAY" > "$TMP/root.xwd" || die "xwd -root failed"
convert "xwd:$TMP/root.xwd" "png:$B/test-logs/virtio_gpu_sdl-root.png" || die "convert failed"
title=$(xwininfo -root -tree -display "$XDISPLAY" 2>/dev/null | sed -n 's/^[^"]*"\(rivet[^"]*\)".*/\1/p' | head -n 1)
echo "window title: ${title:-?}"
xwd -silent -display "$XDISPLAY" -name "${title:-rivet - running}" > "$TMP/win.xwd" || die "no window named rivet"
convert "xwd:$TMP/win.xwd" -depth 8 "png24:$TMP/win.png" || die "convert failed"
cp "$TMP/win.png" "$B/test-logs/virtio_gpu_sdl-window.png"
python3 tests/guest/png_check.py "$TMP/win.png" 1024 768 || die "the window does not show the console"
case $title in "rivet - running"*) ;; *) die "title '$title' does not say the machine is running" ;; esac

kill "$rpid"
wait "$rpid" 2>/dev/null
rpid=""
echo "SDL window shows the guest's fbcon console"
