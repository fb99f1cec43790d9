#!/bin/sh
# virtio-blk benchmark: sequential read throughput of /dev/vda inside the
# guest (dd of 64 MiB to /dev/null, 1 MiB blocks, O_DIRECT) on rivet and,
# when installed, on qemu-system-riscv64 with the same firmware, kernel,
# initramfs and image, once with virtio-blk-device (virtio-mmio) and once
# with virtio-blk-pci (modern, disable-legacy=on on both). The time is wall
# time on the host between two marker lines the guest prints around the dd
# (guest clocks differ: rivet's is virtual). Medians of $RUNS (5) runs, rivet and QEMU alternating.
#
#   sh scripts/bench-blk.sh        (tree root; B=build, RUNS=3)
#
# Prints:
#   blk read (64 MiB, O_DIRECT, median of N): rivet  X MB/s (S s)
#   blk read (64 MiB, O_DIRECT, median of N): qemu   Y MB/s (S s)
#   blk read ratio rivet/qemu: R
#   blk-pci read (...): rivet / qemu / ratio, the same over virtio-pci
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
MB=64
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-blk: no test guest (run make guest)" >&2; exit 1; }
command -v mke2fs > /dev/null || { echo "bench-blk: mke2fs not installed (e2fsprogs)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# An ext4 image holding the guest script and 64 MiB of random data, so that
# the first 64 MiB of /dev/vda are real blocks, not holes.
mkdir "$tmp/root"
cat > "$tmp/root/bench.sh" <<'EOF'
sync
echo 3 > /proc/sys/vm/drop_caches 2> /dev/null
echo BENCH-START
dd if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct 2>&1 | tail -n 1
echo BENCH-END
EOF
head -c $((MB << 20)) /dev/urandom > "$tmp/root/fill.bin"
mke2fs -q -t ext4 -d "$tmp/root" "$tmp/disk.img" $((MB + 24))M > /dev/null
rm -f "$tmp/root/fill.bin"

# one_run EMULATOR-COMMAND...: prints the wall ns between the markers
one_run() {
    cp "$tmp/disk.img" "$tmp/run.img"
    dd_run bench-blk "$@"
}

. scripts/bench-throughput.sh

append="console=ttyS0 guest.run=bench guest.poweroff=1"
drive="-drive file=$tmp/run.img,format=raw,if=none,id=d0"
throughput "blk read" "blk read ($MB MiB, O_DIRECT, median of $RUNS)" "$append" "$drive -device virtio-blk-device,drive=d0"
throughput "blk-pci read" "blk-pci read ($MB MiB, O_DIRECT, median of $RUNS)" "$append" \
    "$drive -device virtio-blk-pci,drive=d0,disable-legacy=on"
