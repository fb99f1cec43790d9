#!/bin/sh
# Installs the Debian (bookworm) packages that building and testing rivet
# need. Run as root (or with sudo). --bench adds QEMU for `make bench`;
# --guest adds what `make guest` needs to build the test guest.
set -eu
pkgs="build-essential pkg-config
 zlib1g-dev libfdt-dev libcmocka-dev libsdl2-dev libslirp-dev
 gcc-riscv64-unknown-elf gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
 opensbi device-tree-compiler e2fsprogs cpio
 tshark iproute2 xvfb x11-apps imagemagick python3 curl"
for a in "$@"; do
    case "$a" in
        --bench) pkgs="$pkgs qemu-system-misc" ;;
        --guest) pkgs="$pkgs linux-source-6.1 flex bison bc libelf-dev dpkg-dev"
                 guest=1 ;;
        *) echo "install-deps.sh: unknown option $a (use --bench, --guest)" >&2; exit 1 ;;
    esac
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
# make guest fetches busybox with `apt-get source`: enable deb-src entries.
if [ -n "${guest:-}" ] && [ -f /etc/apt/sources.list.d/debian.sources ] &&
   ! grep -q '^Types:.*deb-src' /etc/apt/sources.list.d/debian.sources; then
    $sudo sed -i '0,/^Types: deb$/s//Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $pkgs
