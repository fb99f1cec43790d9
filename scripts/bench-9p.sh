#!/bin/sh
# virtio-9p benchmark: the guest reads a 64 MiB file from a shared host
# folder (dd to /dev/null, 1 MiB blocks, msize=512000) on rivet and, when
# installed, on qemu-system-riscv64 with the same firmware, kernel,
# initramfs and folder (-virtfs local,path=DIR,mount_tag=t,
# security_model=none on both, a virtio-9p-pci device). The time is wall
# time on the host between two marker lines the guest prints around the dd
# (the host's page cache holds the file: this measures the device and the
# guest, not the disk). Medians of $RUNS (5) runs, rivet and QEMU alternating.
#
#   sh scripts/bench-9p.sh        (tree root; B=build, RUNS=3)
#
# Prints:
#   9p read (64 MiB, median of N): rivet  X MB/s (S s)
#   9p read (64 MiB, median of N): qemu   Y MB/s (S s)
#   9p read ratio rivet/qemu: R
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
MB=64
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-9p: no test guest (run make guest)" >&2; exit 1; }
command -v mke2fs > /dev/null || { echo "bench-9p: mke2fs not installed (e2fsprogs)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/root" "$tmp/share"
cat > "$tmp/root/bench.sh" <<'GUEST'
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 t /mnt || exit 1
echo BENCH-START
dd if=/mnt/file.bin of=/dev/null bs=1M 2>&1 | tail -n 1
echo BENCH-END
umount /mnt
GUEST
head -c $((MB << 20)) /dev/urandom > "$tmp/share/file.bin"
mke2fs -q -t ext4 -d "$tmp/root" "$tmp/disk.img" 8M > /dev/null

# one_run EMULATOR-COMMAND...: prints the wall ns between the markers
one_run() {
    dd_run bench-9p "$@"
}

. scripts/bench-throughput.sh

throughput "9p read" "9p read ($MB MiB, median of $RUNS)" "console=ttyS0 guest.run=bench guest.poweroff=1" \
    "-drive file=$tmp/disk.img,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 -virtfs local,path=$tmp/share,mount_tag=t,security_model=none"
