#!/bin/sh
# Display: the DRM driver made a framebuffer; paint it white through
# /dev/fb0 so a host-side screenshot can see the write.
set -e
for c in /sys/class/drm/card*-*; do
    [ -f "$c/status" ] && echo "drm: ${c##*/} $(cat "$c/status")"
done
fb=/sys/class/graphics/fb0
[ -e $fb ] || { echo "gpu: no framebuffer"; exit 1; }
echo "fb0: $(cat $fb/name) $(cat $fb/virtual_size) bpp=$(cat $fb/bits_per_pixel)"
size=$(( $(cat $fb/stride) * $(cut -d, -f2 $fb/virtual_size) ))
tr '\000' '\377' < /dev/zero | head -c "$size" > /dev/fb0
echo "fb0: wrote $size bytes"
