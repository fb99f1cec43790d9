# shellcheck shell=sh
# The SDL display under Xvfb (a host-only test for now: no guest yet).
# Builds tests/guest/display_demo.c against frontends/{display,sdl,png,keymap}.c,
# runs it on a private Xvfb server, and checks with xwd + ImageMagick that
# the window really shows the test pattern at 1:1 and letterboxed, that a
# partial flush shows exactly the flushed rectangle, that the
# synthetic input checks in the demo pass, and that display_screendump wrote
# the same pixels. Screenshots are kept in $B/test-logs/display_sdl-*.png.
# DEMO_CFLAGS adds compiler flags (e.g. sanitizers). Skips (77) without Xvfb
# or without SDL2; needs the Debian packages xvfb,
# x11-apps (xwd), imagemagick, libsdl2-dev, zlib1g-dev.
set -u
B=${B:-build}
CC=${CC:-cc}

if ! command -v Xvfb >/dev/null 2>&1; then
    echo "skip: Xvfb is not installed (Debian package xvfb)"
    exit 77
fi
if ! pkg-config --exists sdl2 zlib 2>/dev/null; then
    echo "skip: SDL2 is not installed (Debian package libsdl2-dev): rivet has no SDL display"
    exit 77
fi
die() { echo "FAIL: $*"; exit 1; }
command -v xwd >/dev/null 2>&1 || die "xwd not found: install the Debian package x11-apps"
convert -version 2>/dev/null | grep -q ImageMagick || die "ImageMagick's convert not found: install the Debian package imagemagick"

TMP=$(mktemp -d)
xpid=""
dpid=""
cleanup() {
    [ -n "$dpid" ] && kill "$dpid" 2>/dev/null
    [ -n "$xpid" ] && kill "$xpid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# Word splitting of DEMO_CFLAGS and pkg-config's output is wanted.
# shellcheck disable=SC2046,SC2086
"$CC" -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter -Werror -I. -DHAVE_SDL=1 \
    -o "$TMP/display_demo" tests/guest/display_demo.c frontends/display.c frontends/sdl.c \
    frontends/png.c frontends/keymap.c bus/util.c bus/trace.c ${DEMO_CFLAGS:-} $(pkg-config --cflags --libs sdl2 zlib) \
    || die "cannot build display_demo"

# -displayfd: Xvfb picks a free display number and writes it when ready.
# -wr: a white root, so that black letterbox bars cannot be the background.
Xvfb -displayfd 5 -screen 0 1280x1024x24 -wr -nolisten tcp 5> "$TMP/displayfd" 2> "$TMP/xvfb.log" &
xpid=$!
n=0
while ! grep -q '[0-9]' "$TMP/displayfd" 2>/dev/null; do
    n=$((n + 1))
    [ $n -gt 100 ] && { cat "$TMP/xvfb.log"; die "Xvfb did not start"; }
    kill -0 "$xpid" 2>/dev/null || { cat "$TMP/xvfb.log"; die "Xvfb exited"; }
    sleep 0.1
done
XDISPLAY=:$(tr -dc 0-9 < "$TMP/displayfd")
echo "Xvfb on $XDISPLAY"

mkdir -p "$TMP/state"
DISPLAY=$XDISPLAY SDL_VIDEODRIVER=x11 "$TMP/display_demo" "$TMP/state" > "$TMP/demo.log" 2>&1 &
dpid=$!

wait_file() {
    n=0
    while [ ! -f "$TMP/state/$1" ]; do
        n=$((n + 1))
        if [ $n -gt 300 ] || ! kill -0 "$dpid" 2>/dev/null; then
            cat "$TMP/demo.log"
            die "the demo never wrote $1"
        fi
        sleep 0.1
    done
}

shoot() {
    xwd -root -silent -display "$XDISPLAY" > "$TMP/$1.xwd" || die "xwd failed"
    convert "xwd:$TMP/$1.xwd" "png:$TMP/$1.png" || die "convert failed"
    mkdir -p "$B/test-logs"
    cp "$TMP/$1.png" "$B/test-logs/display_sdl-$1.png"
    touch "$TMP/state/$1"
}

# pixel FILE X Y: the colour there as RRGGBB.
pixel() {
    convert "$1" -crop "1x1+$2+$3" -depth 8 txt:- | sed -n 's/.*#\([0-9A-Fa-f]\{6\}\).*/\1/p' | head -n 1 | tr a-f A-F
}

fails=0
expect_px() {
    got=$(pixel "$1" "$2" "$3")
    if [ "$got" = "$4" ]; then
        echo "ok $(basename "$1") at $2,$3 is $4 ($5)"
    else
        echo "not ok $(basename "$1") at $2,$3 is '$got', expected $4 ($5)"
        fails=$((fails + 1))
    fi
}

# black_box FILE X Y: the 16x16 square there is entirely black.
black_box() {
    max=$(convert "$1" -crop "16x16+$2+$3" +repage -format '%[max]' info:)
    if [ "$max" = 0 ]; then
        echo "ok $(basename "$1") 16x16 at $2,$3 is black ($4)"
    else
        echo "not ok $(basename "$1") 16x16 at $2,$3 is not all black (max $max) ($4)"
        fails=$((fails + 1))
    fi
}

BARS="FFFFFF FFFF00 00FFFF 00FF00 FF00FF FF0000 0000FF 808080"

# check_pattern FILE X0 Y0: the 640x480 pattern with its top-left at X0,Y0.
check_pattern() {
    i=0
    for c in $BARS; do
        expect_px "$1" $(($2 + 40 + 80 * i)) $(($3 + 120)) "$c" "bar $i"
        expect_px "$1" $(($2 + 3 + 80 * i)) $(($3 + 3)) "$c" "bar $i corner"
        i=$((i + 1))
    done
    expect_px "$1" $(($2 + 20)) $(($3 + 260)) 202020 "checker 0,0"
    expect_px "$1" $(($2 + 60)) $(($3 + 260)) E0E0E0 "checker 1,0"
    expect_px "$1" $(($2 + 20)) $(($3 + 300)) E0E0E0 "checker 0,1"
    expect_px "$1" $(($2 + 639)) $(($3 + 479)) 202020 "last pixel"
}

wait_file ready1
read -r x y w h < "$TMP/state/ready1"
echo "window at $x,$y, ${w}x$h"
if [ "$w" != 640 ] || [ "$h" != 480 ]; then die "window is ${w}x$h, expected the surface's 640x480"; fi
shoot shot1
check_pattern "$TMP/shot1.png" "$x" "$y"

wait_file ready2
read -r x y w h < "$TMP/state/ready2"
echo "window at $x,$y, ${w}x$h"
shoot shot2
if [ "$w" != 960 ] || [ "$h" != 480 ]; then die "window is ${w}x$h after the resize, expected 960x480"; fi
# 640x480 in 960x480: image from x+160 to x+799, black bars either side.
check_pattern "$TMP/shot2.png" $((x + 160)) "$y"
black_box "$TMP/shot2.png" $((x + 72)) $((y + 232)) "left letterbox bar"
black_box "$TMP/shot2.png" $((x + 144)) $((y + 0)) "left bar, next to the image"
black_box "$TMP/shot2.png" $((x + 872)) $((y + 232)) "right letterbox bar"
black_box "$TMP/shot2.png" $((x + 800)) $((y + 464)) "right bar, next to the image"
expect_px "$TMP/shot2.png" 1200 1000 FFFFFF "the root outside the window is white"

wait_file ready3
shoot shot3
# Changed 200..299 x 300..399, flushed only 200..249 x 300..349.
expect_px "$TMP/shot3.png" $((x + 160 + 210)) $((y + 310)) FF8000 "flushed part of the change"
expect_px "$TMP/shot3.png" $((x + 160 + 249)) $((y + 349)) FF8000 "last flushed pixel"
expect_px "$TMP/shot3.png" $((x + 160 + 250)) $((y + 349)) 202020 "changed, not flushed (right)"
expect_px "$TMP/shot3.png" $((x + 160 + 249)) $((y + 350)) 202020 "changed, not flushed (below)"
expect_px "$TMP/shot3.png" $((x + 160 + 40)) $((y + 120)) FFFFFF "the rest still there"

wait "$dpid"
rc=$?
dpid=""
cat "$TMP/demo.log"
[ "$rc" -eq 0 ] || die "display_demo exited $rc"

[ -f "$TMP/state/dump.png" ] || die "no screendump written"
identify "$TMP/state/dump.png"
check_pattern "$TMP/state/dump.png" 0 0

[ "$fails" -eq 0 ] || die "$fails pixel check(s) failed; screenshots in $B/test-logs/display_sdl-*.png"
echo "SDL display under Xvfb: pattern, letterbox, input and screendump ok"
