#!/bin/sh
# Linux boot benchmark: time from start to the init marker (GUEST-BOOT-OK)
# and to poweroff, on rivet and (when installed) on qemu-system-riscv64 with
# the same firmware, kernel and initramfs. Medians of $RUNS runs (default 5), rivet and QEMU alternating.
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
SMP=${SMP:-1}
RIVET_EXTRA=${RIVET_EXTRA:-}   # more rivet options (e.g. -icount shift=auto)
NO_QEMU=${NO_QEMU:-}           # set: rivet only
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-boot: no test guest (run make guest)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# one_run EMULATOR-COMMAND...: prints "marker_ms poweroff_ms"
one_run() {
    start=$(now_ms)
    "$@" < /dev/null 2>&1 | while IFS= read -r line; do
        case "$line" in
            *GUEST-BOOT-OK*) now_ms > "$tmp/marker" ;;
        esac
    done
    end=$(now_ms)
    [ -f "$tmp/marker" ] || { echo "bench-boot: no GUEST-BOOT-OK from: $*" >&2; return 1; }
    echo "$(( $(cat "$tmp/marker") - start )) $(( end - start ))"
    rm -f "$tmp/marker"
}

med() { # med RESULTS-FILE COLUMN: the median of the column
    cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

append="console=ttyS0 guest.poweroff=1"
qemu=false
if [ -z "$NO_QEMU" ] && command -v qemu-system-riscv64 > /dev/null 2>&1; then qemu=true; fi
# rivet and QEMU alternate, so that a change in the host's load hits both
: > "$tmp/rivet"; : > "$tmp/qemu"
for i in $(seq "$RUNS"); do
    # shellcheck disable=SC2086
    one_run "$B/rivet" -M virt -m 512M -smp "$SMP" -nographic -bios "$BIOS" -kernel "$GUEST/Image" \
        -initrd "$GUEST/initramfs.cpio.gz" -append "$append" $RIVET_EXTRA >> "$tmp/rivet"
    if $qemu; then
        one_run qemu-system-riscv64 -M virt -m 512M -smp "$SMP" -nographic -bios "$BIOS" -kernel "$GUEST/Image" \
            -initrd "$GUEST/initramfs.cpio.gz" -append "$append" >> "$tmp/qemu"
    fi
done
rm_marker=$(med "$tmp/rivet" 1); rm_off=$(med "$tmp/rivet" 2)
echo "boot (-smp $SMP, median of $RUNS): rivet  to marker ${rm_marker} ms, to poweroff ${rm_off} ms"
if $qemu; then
    qm_marker=$(med "$tmp/qemu" 1); qm_off=$(med "$tmp/qemu" 2)
    echo "boot (-smp $SMP, median of $RUNS): qemu   to marker ${qm_marker} ms, to poweroff ${qm_off} ms"
    awk -v a="$rm_marker" -v b="$qm_marker" -v c="$rm_off" -v d="$qm_off" \
        'BEGIN { printf "boot ratio rivet/qemu: to marker %.2f, to poweroff %.2f\n", a / b, c / d }'
elif [ -z "$NO_QEMU" ]; then
    echo "boot: qemu-system-riscv64 not found (install qemu-system-misc to compare)"
fi
