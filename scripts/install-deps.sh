#!/bin/sh
# Installs every Debian (bookworm) package that building, testing and
# running rivet need, including what `make guest` needs to build the test
# guest. Run as root (or with sudo); running it again changes nothing.
#   --bench   adds QEMU for `make bench`
#   --debian  adds mmdebstrap and qemu-user-static for `make debian`
#   --guest   accepted for older scripts (the guest packages are the default)
#
# `make guest` fetches busybox with `apt-get source`, which needs a deb-src
# entry. When apt has none for busybox, this script writes its OWN file,
# /etc/apt/sources.list.d/rivet-deb-src.sources: deb-src for the same
# archives and suites as the system's `deb` entries. It never edits the
# system's existing source files. The file is kept (a later run finds it
# and writes nothing); remove it with
#   sudo rm /etc/apt/sources.list.d/rivet-deb-src.sources && sudo apt-get update
#
# --print-deb-src prints that file's contents for the sources under
# $RIVET_APT_DIR (default /etc/apt) and exits; the tests use it.
set -eu
pkgs="build-essential pkg-config
 zlib1g-dev libfdt-dev libcmocka-dev libsdl2-dev libslirp-dev
 gcc-riscv64-unknown-elf gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
 opensbi device-tree-compiler e2fsprogs cpio
 tshark iproute2 xvfb x11-apps imagemagick python3 curl qemu-utils gdb-multiarch
 linux-source-6.1 flex bison bc libelf-dev dpkg-dev xz-utils"
apt_dir=${RIVET_APT_DIR:-/etc/apt}
own=$apt_dir/sources.list.d/rivet-deb-src.sources
print_only=""
for a in "$@"; do
    case "$a" in
        --bench) pkgs="$pkgs qemu-system-misc" ;;
        --debian) pkgs="$pkgs mmdebstrap qemu-user-static binfmt-support" ;;
        --guest) ;;
        --print-deb-src) print_only=yes ;;
        *) echo "install-deps.sh: unknown option $a (use --bench or --debian)" >&2; exit 1 ;;
    esac
done

# deb_src: the deb822 stanzas of a deb-src twin of every Debian `deb` entry
# (one-line sources.list entries and deb822 .sources files), our own file
# excepted. Only the lines deb-src needs are kept.
deb_src() {
    for f in "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        # deb [options] URI SUITE COMPONENT...
        sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}//p' "$f" |
        while read -r uri suite comps; do
            case "$uri" in *debian*) ;; *) continue ;; esac
            printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n' "$uri" "$suite" "$comps"
        done
    done
    for f in "$apt_dir"/sources.list.d/*.sources; do
        [ -f "$f" ] && [ "$f" != "$own" ] || continue
        awk '
            function flush() {
                if (types ~ /(^|[ \t])deb([ \t]|$)/ && uris ~ /debian/ && enabled !~ /^[ \t]*no/) {
                    printf "Types: deb-src\nURIs:%s\nSuites:%s\nComponents:%s\n", uris, suites, comps
                    if (signed ~ /[^ \t]/) printf "Signed-By:%s\n", signed
                    printf "\n"
                }
                types = uris = suites = comps = signed = enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            { key = tolower($1); val = $0; sub(/^[^:]*:/, "", val) }
            key == "types:" { types = val }
            key == "uris:" { uris = val }
            key == "suites:" { suites = val }
            key == "components:" { comps = val }
            key == "signed-by:" { signed = val }
            key == "enabled:" { enabled = val }
            END { flush() }
        ' "$f"
    done
}

if [ -n "$print_only" ]; then
    deb_src
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $pkgs
if ! apt-get source --print-uris busybox > /dev/null 2>&1; then
    echo "install-deps.sh: no deb-src entry lists busybox (make guest needs its source): writing $own"
    text=$(deb_src)
    [ -n "$text" ] || { echo "install-deps.sh: no Debian 'deb' entry in $apt_dir to make a deb-src twin of" >&2; exit 1; }
    printf '%s\n' "$text" | $sudo tee "$own" > /dev/null
    $sudo apt-get update -q
fi
