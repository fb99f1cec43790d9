# AIA with a kernel that has the drivers (issue #23 point 2): Debian 13's
# 6.12 kernel on -M virt,aia=aplic-imsic -smp 2 uses MSI-X for virtio-pci
# (one vector per virtqueue), blk and net work, smp_affinity moves a vector
# to the other hart, OpenSBI's IPIs go through the IMSIC (scripts/aia-linux.py).
# Needs the image of `make debian` ($RIVET_DEBIAN_DIR, else build/debian,
# else ../debian next to the worktree): SKIPPED when it is absent, which is
# the case on CI. Takes minutes.
. tests/guest/lib.sh
D=${RIVET_DEBIAN_DIR:-}
for c in "$D" build/debian ../debian; do
    if [ -n "$c" ] && [ -f "$c/vmlinux" ] && [ -f "$c/rootfs.img" ] && [ -f "$c/initrd.img" ]; then D=$c; break; fi
    D=
done
if [ -z "$D" ]; then
    echo "SKIPPED: no Debian image (make debian, or RIVET_DEBIAN_DIR): the AIA Linux check did not run"
    exit 77
fi
AIA_LOG="$TMP/console" python3 scripts/aia-linux.py "$D" "$RIVET" || { tail -n 20 "$TMP/console"; die "AIA Linux check failed"; }
