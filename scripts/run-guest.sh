#!/bin/sh
# `make run`: boot the test guest to a busybox shell on this terminal.
# Ctrl-A x quits, Ctrl-A h lists the keys. Extra rivet options may be given
# in RIVET_OPTS (e.g. RIVET_OPTS="-smp 4").
set -eu
B=${B:-build}
. scripts/guest-dir.sh
if [ -n "$GUEST" ]; then
    # shellcheck disable=SC2086
    exec "$B/rivet" -M virt -m 512M -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
        -append "console=ttyS0" ${RIVET_OPTS:-}
fi
echo "run-guest: no test guest found: run 'make guest' first (it builds $B/guest)" >&2
exit 1
