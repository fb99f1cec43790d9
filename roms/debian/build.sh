#!/bin/sh
# Builds a minimal Debian 13 (trixie) riscv64 system from Debian's own
# packages: its stock kernel (linux-image-riscv64), initramfs-tools,
# systemd, networking by systemd-networkd, root without a password on the
# serial console. Nothing of it is built from source.
#
# Usage: build.sh OUTDIR   (`make debian` runs it with build/debian)
#   OUTDIR/vmlinux      the kernel as Debian installs it (/boot/vmlinux-*)
#   OUTDIR/initrd.img   its initramfs (initramfs-tools, MODULES=most)
#   OUTDIR/rootfs.img   a 4 GiB sparse ext4 root file system (label debian)
#   OUTDIR/cmdline      the kernel command line to boot it with
#
# mmdebstrap (root mode; the second stage runs under qemu-user-static via
# binfmt_misc) fetches from DEBIAN_MIRROR (default http://deb.debian.org/debian)
# given on its command line: no apt source file of the system is read or
# edited. About 10-20 minutes on 2 cores, most of it maintainer scripts
# under emulation. Re-running rebuilds from scratch.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
PATH=$PATH:/usr/sbin:/sbin
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-trixie}
say() { echo "debian: $*"; }
missing=""
command -v mmdebstrap > /dev/null || missing="$missing mmdebstrap"
[ -e /usr/bin/qemu-riscv64-static ] || missing="$missing qemu-user-static"
command -v mke2fs > /dev/null || missing="$missing e2fsprogs"
[ -z "$missing" ] || { echo "debian: missing packages:$missing (sudo sh scripts/install-deps.sh --debian)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "debian: mmdebstrap's root mode needs root (sudo make debian)" >&2; exit 1; }
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-riscv64 ]; then
    echo "debian: riscv64 binaries cannot run here: no binfmt_misc entry qemu-riscv64 (install qemu-user-static; in a container, mount binfmt_misc)" >&2
    exit 1
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
root=$out/root
rm -rf "$root" "$out/rootfs.img.tmp"
mkdir -p "$root"
say "mmdebstrap $suite riscv64 from $mirror into $root (log: $out/mmdebstrap.log)"
t0=$(date +%s)
# The first hook runs before the packages' maintainer scripts see a kernel:
# update-initramfs then builds the image for the virtio root disk.
if ! mmdebstrap --mode=root --arch=riscv64 --variant=minbase \
    --include=systemd-sysv,udev,kmod,linux-image-riscv64,initramfs-tools,iproute2,procps,iputils-ping,ca-certificates \
    --essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=most > "$1/etc/initramfs-tools/conf.d/rivet"' \
    --customize-hook='echo rivet-debian > "$1/etc/hostname"' \
    --customize-hook='printf "/dev/vda / ext4 defaults,errors=remount-ro 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='chroot "$1" passwd -d root' \
    --customize-hook='mkdir -p "$1/etc/systemd/network" && printf "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n" > "$1/etc/systemd/network/50-dhcp.network"' \
    --customize-hook='chroot "$1" systemctl enable systemd-networkd.service' \
    --customize-hook='mkdir -p "$1/etc/systemd/system/serial-getty@ttyS0.service.d" && printf "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 - \$TERM\n" > "$1/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"' \
    "$suite" "$root" "$mirror" > "$out/mmdebstrap.log" 2>&1; then
    tail -n 30 "$out/mmdebstrap.log" >&2
    echo "debian: mmdebstrap failed (full log: $out/mmdebstrap.log)" >&2
    exit 1
fi
say "root file system in $(( $(date +%s) - t0 )) s"
k=$(ls "$root"/boot/vmlinu*-* 2>/dev/null | sort -V | tail -n 1)
i=$(ls "$root"/boot/initrd.img-* 2>/dev/null | sort -V | tail -n 1)
[ -n "$k" ] && [ -n "$i" ] || { echo "debian: no kernel or initrd in $root/boot" >&2; exit 1; }
cp "$k" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
cp "$i" "$out/initrd.img.tmp" && mv "$out/initrd.img.tmp" "$out/initrd.img"
say "kernel $(basename "$k"), initrd $(basename "$i")"
mke2fs -q -t ext4 -L debian -d "$root" "$out/rootfs.img.tmp" 4G
mv "$out/rootfs.img.tmp" "$out/rootfs.img"
echo "root=/dev/vda rw console=ttyS0" > "$out/cmdline"
rm -rf "$root"
say "done in $(( $(date +%s) - t0 )) s: $out/vmlinux $out/initrd.img $out/rootfs.img"
