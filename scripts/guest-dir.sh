# Sourced by the scripts and tests that boot the test guest: sets GUEST to
# the first folder holding Image and initramfs.cpio.gz among
# $RIVET_GUEST_DIR, $B/guest (make guest) and ../shared/guest, or to "".
GUEST=""
for _d in "${RIVET_GUEST_DIR:-}" "${B:-build}/guest" "$(pwd)/../shared/guest"; do
    if [ -n "$_d" ] && [ -f "$_d/Image" ] && [ -f "$_d/initramfs.cpio.gz" ]; then
        GUEST=$_d
        break
    fi
done
