#!/bin/sh
# User-mode CPU benchmarks in the test guest: build/roms/userbench/mix (a
# CoreMark-like mix) and build/roms/userbench/heldout (other code, the same
# target), static riscv64 Linux programs on an ext4 disk. The guest boots
# (guest.run=bench), copies them to its tmpfs and runs each between two
# marker lines; the host stamps the markers and each part's checksum line,
# so every time is host wall time (the guest's clock is virtual on rivet).
# rivet and QEMU (same firmware, kernel, initramfs and disk) alternate,
# RUNS times; medians. The checksums must be the same on both.
#
#   sh scripts/bench-user.sh      (tree root; B=build, RUNS=5, RIVET, QEMU)
#
# Prints per workload "user/NAME: rivet R s, qemu Q s, rivet/qemu X" and
# for scripts/bench.sh lines "row ROW RIVET_S QEMU_S" (rows user/mix,
# user/mix/PART..., user/heldout, user/heldout/PART...; QEMU_S - without it).
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
RIVET=${RIVET:-$B/rivet}
QEMU=${QEMU:-qemu-system-riscv64}
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
TIMEOUT=${BENCH_TIMEOUT:-600}
WORKLOADS="mix heldout"
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-user: no test guest (run make guest)" >&2; exit 1; }
command -v mke2fs > /dev/null || { echo "bench-user: mke2fs not installed (e2fsprogs)" >&2; exit 1; }
for w in $WORKLOADS; do
    [ -x "$B/roms/userbench/$w" ] || { echo "bench-user: $B/roms/userbench/$w not found (run: make $B/roms/userbench/$w)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/root"
{
    echo 'cd /tmp'
    for w in $WORKLOADS; do
        echo "cp /mnt/$w /tmp/$w"
    done
    for w in $WORKLOADS; do
        echo "echo BENCH-START $w"
        echo "/tmp/$w"
        echo "echo BENCH-END $w \$?"
    done
} > "$tmp/root/bench.sh"
for w in $WORKLOADS; do
    cp "$B/roms/userbench/$w" "$tmp/root/$w"
done
mke2fs -q -t ext4 -d "$tmp/root" "$tmp/disk.img" 16M > /dev/null

# one_run OUT EMULATOR...: the console in OUT, marker lines stamped
one_run() {
    out=$1; shift
    cp "$tmp/disk.img" "$tmp/run.img"
    timeout "$TIMEOUT" "$@" -M virt -m 512M -nographic -bios "$BIOS" -kernel "$GUEST/Image" \
        -initrd "$GUEST/initramfs.cpio.gz" -append "console=ttyS0 guest.run=bench guest.poweroff=1" \
        -drive "file=$tmp/run.img,format=raw,if=none,id=d0" -device virtio-blk-device,drive=d0 \
        < /dev/null 2> "$out.err" | while IFS= read -r line; do
            case "$line" in
            *checksum=* | *BENCH-*) printf '%s %s\n' "$(date +%s%N)" "$line" ;;
            esac
        done | tr -d '\r' > "$out"
    for w in $WORKLOADS; do
        grep -q "BENCH-END $w 0\$" "$out" || {
            echo "bench-user: $w did not finish with status 0 on: $*" >&2
            tail -n 5 "$out.err" >&2
            return 1
        }
    done
}

# collect OUT EMU: "ROW SECONDS" lines into $tmp/EMU.rows; checksums
# compared with the first rivet run's
collect() {
    cut -d' ' -f2- "$1" | grep 'checksum=' > "$1.sums"
    if [ ! -f "$tmp/sums" ]; then
        cp "$1.sums" "$tmp/sums"
        sed 's/^/rivet: /' "$1.sums"
    elif ! cmp -s "$tmp/sums" "$1.sums"; then
        echo "MISMATCH: $2 printed other checksums than rivet's first run:"
        diff "$tmp/sums" "$1.sums" | sed 's/^/    /' || true
        exit 1
    fi
    awk '$2 == "BENCH-START" { w = $3; start = $1; prev = $1; next }
         $2 == "BENCH-END" { printf "user/%s %.4f\n", w, ($1 - start) / 1e9; next }
         $3 ~ /^checksum=/ { if ($2 != w) printf "user/%s/%s %.4f\n", w, $2, ($1 - prev) / 1e9; prev = $1 }' \
        "$1" >> "$tmp/$2.rows"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1
        if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
med_of() { # EMU ROW
    [ -f "$tmp/$1.rows" ] || { echo -; return; }
    awk -v n="$2" '$1 == n { print $2 }' "$tmp/$1.rows" | median || echo -
}

have_qemu=false
command -v "$QEMU" > /dev/null 2>&1 && have_qemu=true
i=0
while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    one_run "$tmp/r$i" "$RIVET" || exit 1
    collect "$tmp/r$i" rivet
    if $have_qemu; then
        one_run "$tmp/q$i" "$QEMU" || exit 1
        collect "$tmp/q$i" qemu
    fi
done
$have_qemu && echo "qemu:  checksums match" || echo "qemu:  $QEMU not found: rivet's numbers only"
for w in $WORKLOADS; do
    r=$(med_of rivet "user/$w") q=$(med_of qemu "user/$w")
    echo "user/$w: rivet $r s, qemu $q s, rivet/qemu $(awk -v r="$r" -v q="$q" 'BEGIN { if (q + 0 > 0) printf "%.2f", r / q; else print "-" }') (target: at most 1.25)"
    echo "    rivet runs: $(awk -v n="user/$w" '$1 == n { printf "%s ", $2 }' "$tmp/rivet.rows")"
    $have_qemu && echo "    qemu runs:  $(awk -v n="user/$w" '$1 == n { printf "%s ", $2 }' "$tmp/qemu.rows")"
done
for n in $(awk '!seen[$1]++ { print $1 }' "$tmp/rivet.rows"); do
    echo "row $n $(med_of rivet "$n") $(med_of qemu "$n")"
done
