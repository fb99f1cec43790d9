#!/bin/sh
# Builds the test guest from Debian bookworm packages only: a riscv64 Linux
# Image (linux-source-6.1, tinyconfig + kernel-fragment.config), a busybox
# initramfs (Debian's busybox source package, static) and an ext4 disk.
# Usage: build.sh OUTDIR   (make guest runs it with build/guest)
#
# Every step is skipped when its output is newer than its inputs; sources
# and object trees stay in OUTDIR/work so a re-run is incremental. Outputs
# are written under a temporary name and renamed, so an interrupted step
# never leaves a fresh-looking partial file. GUEST_JOBS sets make's -j
# (default 2); the compiles run under nice so they yield the CPU.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$out/work
mkdir -p "$work"
# mke2fs lives in /usr/sbin, which a normal user's PATH lacks on Debian.
PATH=$PATH:/usr/sbin:/sbin
jobs=${GUEST_JOBS:-2}
cross=riscv64-linux-gnu-
ktar=/usr/src/linux-source-6.1.tar.xz
kdir=$work/linux-source-6.1
bbsrc=$work/busybox-src

say() { echo "guest: $*"; }

# fresh OUT INPUT...: OUT exists and is newer than every INPUT.
fresh() {
    o=$1; shift
    [ -e "$o" ] || return 1
    for i in "$@"; do
        [ "$o" -nt "$i" ] || return 1
    done
}

# run LOG CMD...: runs CMD with its output in LOG; on failure shows the end
# of LOG and stops. set -e does not apply inside CMD (it runs as an if
# condition), so the step functions chain their commands with &&.
run() {
    log=$1; shift
    if ! "$@" > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "guest: failed: $* (full log: $log)" >&2
        exit 1
    fi
}

# Check for every tool first, so a missing package is one message up front
# rather than a failure ten minutes in.
missing=""
need_cmd() { command -v "$1" > /dev/null 2>&1 || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }
need_file "$ktar" linux-source-6.1
need_cmd ${cross}gcc gcc-riscv64-linux-gnu
# The cross gcc only recommends its libc; busybox links statically with it.
need_file /usr/riscv64-linux-gnu/lib/libc.a libc6-dev-riscv64-cross
need_cmd cc gcc
need_cmd make make
need_cmd flex flex
need_cmd bison bison
need_cmd bc bc
need_cmd xz xz-utils
need_cmd mke2fs e2fsprogs
need_cmd gzip gzip
nosrc=""
if [ ! -e "$bbsrc/.unpacked" ]; then
    need_cmd dpkg-source dpkg-dev
    # Reads only apt's local lists: fails when no deb-src entry lists busybox.
    apt-get source --print-uris busybox > /dev/null 2>&1 || nosrc=yes
fi
if [ -n "$missing" ] || [ -n "$nosrc" ]; then
    msg="guest: cannot build:"
    [ -n "$missing" ] && msg="$msg missing Debian packages:$missing (sudo sh scripts/install-deps.sh);"
    [ -n "$nosrc" ] && msg="$msg 'apt-get source busybox' needs a deb-src entry (sudo sh scripts/install-deps.sh adds one);"
    echo "${msg%;}" >&2
    exit 1
fi

# check_config FRAGMENT CONFIG: every option FRAGMENT sets has that value in
# CONFIG (=n means unset or absent). Kconfig silently drops an option whose
# dependencies are missing; this turns that into a build error.
check_config() {
    bad=""
    while IFS= read -r line; do
        case $line in '' | '#'*) continue ;; esac
        sym=${line%%=*}
        case $line in
            *=n) grep -q "^$sym=" "$2" && bad="$bad $line" ;;
            *) grep -qxF "$line" "$2" || bad="$bad $line" ;;
        esac
    done < "$1"
    [ -z "$bad" ] || { echo "guest: $2 does not have:$bad" >&2; return 1; }
}

# Build stamps come from the sources, not the clock or the machine, so the
# same packages give the same `uname -a` and busybox banner everywhere.
kdate=$(date -u -r "$ktar" '+%a %b %e %H:%M:%S UTC %Y')
kmake() {
    KBUILD_BUILD_TIMESTAMP=$kdate KBUILD_BUILD_USER=rivet KBUILD_BUILD_HOST=rivet KBUILD_BUILD_VERSION=1 \
        nice -n 10 make -C "$kdir" ARCH=riscv CROSS_COMPILE=$cross "$@"
}
bbmake() {
    SOURCE_DATE_EPOCH=$(date -r "$bbdir/debian/changelog" +%s) \
        nice -n 10 make -C "$bbdir" CROSS_COMPILE=$cross "$@"
}

# Kernel sources. The stamp is the step's output: the unpacked files keep
# the tarball's old dates.
if ! fresh "$kdir/.unpacked" "$ktar"; then
    say "unpacking $ktar"
    rm -rf "$kdir" "$work/linux.tmp"
    mkdir "$work/linux.tmp"
    run "$work/unpack-linux.log" tar -C "$work/linux.tmp" -xf "$ktar"
    mv "$work/linux.tmp/linux-source-6.1" "$kdir"
    rmdir "$work/linux.tmp"
    touch "$kdir/.unpacked"
fi

kconfigure() {
    kmake tinyconfig &&
    (cd "$kdir" && ARCH=riscv scripts/kconfig/merge_config.sh -m .config "$here/kernel-fragment.config") &&
    kmake olddefconfig &&
    check_config "$here/kernel-fragment.config" "$kdir/.config"
}
if ! [ -f "$kdir/.config" ] || ! fresh "$out/kernel.config" "$here/kernel-fragment.config" "$kdir/.unpacked"; then
    say "configuring the kernel (tinyconfig + kernel-fragment.config)"
    run "$work/kconfig.log" kconfigure
    cp "$kdir/.config" "$out/kernel.config.tmp"
    mv "$out/kernel.config.tmp" "$out/kernel.config"
fi

if ! fresh "$out/Image" "$out/kernel.config" "$kdir/.unpacked"; then
    say "building the kernel (make -j$jobs Image; log in $work/kernel.log)"
    run "$work/kernel.log" kmake -j"$jobs" Image
    cp "$kdir/arch/riscv/boot/Image" "$out/Image.tmp"
    mv "$out/Image.tmp" "$out/Image"
fi

# The kernel's own initramfs writer: it takes a list of entries, so device
# nodes and root ownership need no root privileges.
if ! fresh "$work/gen_init_cpio" "$kdir/.unpacked"; then
    say "building gen_init_cpio"
    run "$work/gen_init_cpio.log" cc -O2 -o "$work/gen_init_cpio" "$kdir/usr/gen_init_cpio.c"
fi

# Busybox sources: Debian's package with its patches applied.
if ! [ -e "$bbsrc/.unpacked" ]; then
    say "fetching busybox sources (apt-get source busybox)"
    rm -rf "$bbsrc" "$work/busybox.tmp"
    mkdir "$work/busybox.tmp"
    run "$work/unpack-busybox.log" sh -c 'cd "$1" && apt-get source busybox' sh "$work/busybox.tmp"
    mv "$work/busybox.tmp" "$bbsrc"
    touch "$bbsrc/.unpacked"
fi
bbdir=""
for d in "$bbsrc"/busybox-*/; do
    [ -f "$d/Makefile" ] && bbdir=${d%/}
done
[ -n "$bbdir" ] || { echo "guest: no busybox source tree in $bbsrc (remove it to fetch again)" >&2; exit 1; }

bbconfigure() {
    bbmake defconfig || return 1
    while IFS= read -r line; do
        case $line in '' | '#'*) continue ;; esac
        sym=${line%%=*}
        sed -i "/^$sym=/d; /^# $sym is not set/d" "$bbdir/.config" || return 1
        case $line in
            *=n) echo "# $sym is not set" ;;
            *) echo "$line" ;;
        esac >> "$bbdir/.config" || return 1
    done < "$here/busybox-fragment.config"
    yes '' | bbmake oldconfig &&
    check_config "$here/busybox-fragment.config" "$bbdir/.config"
}
if ! fresh "$work/busybox.configured" "$here/busybox-fragment.config" "$bbsrc/.unpacked"; then
    say "configuring busybox (defconfig + busybox-fragment.config)"
    run "$work/busybox-config.log" bbconfigure
    touch "$work/busybox.configured"
fi

if ! fresh "$work/busybox" "$work/busybox.configured"; then
    say "building busybox (static, riscv64)"
    run "$work/busybox.log" bbmake -j"$jobs" busybox busybox.links
    cp "$bbdir/busybox.links" "$work/busybox.links"
    cp "$bbdir/busybox" "$work/busybox.tmp"
    mv "$work/busybox.tmp" "$work/busybox"
fi

# initramfs: busybox and its applet links, init, the DHCP hook, the tests.
initramfs_list() {
    cat <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
dir /proc 0555 0 0
dir /sys 0555 0 0
dir /tmp 01777 0 0
dir /mnt 0755 0 0
dir /root 0700 0 0
dir /etc 0755 0 0
dir /bin 0755 0 0
dir /sbin 0755 0 0
dir /usr 0755 0 0
dir /usr/bin 0755 0 0
dir /usr/sbin 0755 0 0
dir /tests 0755 0 0
file /init $here/init 0755 0 0
file /etc/udhcpc.script $here/udhcpc.script 0755 0 0
file /bin/busybox $work/busybox 0755 0 0
EOF
    grep -v '^/bin/busybox$' "$work/busybox.links" | sed 's|.*|slink & /bin/busybox 0777 0 0|'
    for t in "$here"/tests/*.sh; do
        [ -f "$t" ] && echo "file /tests/${t##*/} $t 0755 0 0"
    done
}
if ! fresh "$out/initramfs.cpio.gz" "$work/busybox" "$work/busybox.links" "$work/gen_init_cpio" \
        "$here/init" "$here/udhcpc.script" "$here/tests" "$here"/tests/*.sh "$here/build.sh"; then
    say "writing initramfs.cpio.gz"
    initramfs_list > "$work/initramfs.list"
    # Fixed dates for directories, nodes and links keep the archive the same
    # from one build to the next.
    run "$work/initramfs.log" sh -c '"$1" -t 0 "$2" > "$3"' sh \
        "$work/gen_init_cpio" "$work/initramfs.list" "$work/initramfs.cpio"
    gzip -9n < "$work/initramfs.cpio" > "$out/initramfs.cpio.gz.tmp"
    mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
fi

# Disk: 64 MiB ext4 labelled rivet-test with a 1 MiB random file (made once
# and kept, so the disk only changes when roms/guest/disk does), its
# checksum, and the files in roms/guest/disk.
if ! [ -s "$work/known.bin" ]; then
    head -c 1048576 /dev/urandom > "$work/known.bin.tmp"
    mv "$work/known.bin.tmp" "$work/known.bin"
fi
if ! fresh "$out/disk.ext4.gz" "$work/known.bin" "$here/disk" "$here"/disk/*; then
    say "writing disk.ext4.gz"
    rm -rf "$work/disk" "$work/disk.ext4"
    mkdir "$work/disk"
    cp "$work/known.bin" "$work/disk/known.bin"
    (cd "$work/disk" && sha256sum known.bin > known.sha256)
    cp "$here"/disk/* "$work/disk/"
    run "$work/disk.log" mke2fs -q -t ext4 -L rivet-test -E root_owner=0:0 -d "$work/disk" "$work/disk.ext4" 64M
    gzip -9n < "$work/disk.ext4" > "$out/disk.ext4.gz.tmp"
    mv "$out/disk.ext4.gz.tmp" "$out/disk.ext4.gz"
    rm -f "$work/disk.ext4"
fi

say "$out: Image initramfs.cpio.gz disk.ext4.gz kernel.config"
