#!/bin/sh
# `make run`: boot the test guest to a busybox shell on this terminal.
# Ctrl-A x quits, Ctrl-A h lists the keys. Extra rivet options may be given
# in RIVET_OPTS (e.g. RIVET_OPTS="-smp 4").
set -eu
B=${B:-build}
for d in "${RIVET_GUEST_DIR:-}" "$B/guest" "../shared/guest"; do
    if [ -n "$d" ] && [ -f "$d/Image" ] && [ -f "$d/initramfs.cpio.gz" ]; then
        # shellcheck disable=SC2086
        exec "$B/rivet" -M virt -m 512M -nographic -kernel "$d/Image" -initrd "$d/initramfs.cpio.gz" \
            -append "console=ttyS0" ${RIVET_OPTS:-}
    fi
done
echo "run-guest: no test guest found: run 'make guest' first (it builds $B/guest)" >&2
exit 1
