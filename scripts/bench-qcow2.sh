#!/bin/sh
# qcow2 against raw (issue 20): sequential write then sequential read of
# 64 MiB on /dev/vdb inside the guest (dd, 1 MiB blocks, O_DIRECT, a sync
# after the writes), with /dev/vdb a raw image or a fresh qcow2 image (so
# the writes allocate every cluster). Times are host wall time between
# marker lines the guest prints; median of $RUNS (3), raw and qcow2 runs
# alternating. The target is qcow2
# within 30% of raw both ways.
#
#   sh scripts/bench-qcow2.sh      (tree root; B=build, RUNS=3)
#
# Prints:
#   qcow2 write (64 MiB, median of N): raw X MB/s, qcow2 Y MB/s, qcow2/raw R
#   qcow2 read  (64 MiB, median of N): raw X MB/s, qcow2 Y MB/s, qcow2/raw R
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
MB=64
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-qcow2: no test guest (run make guest)" >&2; exit 1; }
for t in mke2fs qemu-img; do
    command -v $t > /dev/null || { echo "bench-qcow2: $t not installed (e2fsprogs, qemu-utils)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
cat > "$tmp/root/bq.sh" <<'EOF2'
echo W-START
dd if=/dev/zero of=/dev/vdb bs=1M count=64 oflag=direct 2>&1 | tail -n 1
sync
echo W-END
echo 3 > /proc/sys/vm/drop_caches 2> /dev/null
echo R-START
dd if=/dev/vdb of=/dev/null bs=1M count=64 iflag=direct 2>&1 | tail -n 1
echo R-END
EOF2
mke2fs -q -t ext4 -d "$tmp/root" "$tmp/boot.img" 8M > /dev/null

now_ns() { date +%s%N; }

# one_run FORMAT: prints "WRITE_NS READ_NS"
one_run() {
    rm -f "$tmp/d" "$tmp"/ws "$tmp"/we "$tmp"/rs "$tmp"/re
    if [ "$1" = raw ]; then
        truncate -s $((MB + 8))M "$tmp/d"
    else
        qemu-img create -q -f qcow2 "$tmp/d" $((MB + 8))M
    fi
    "$B/rivet" -M virt -nographic -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
        -append "console=ttyS0 guest.run=bq guest.poweroff=1" \
        -drive file="$tmp/boot.img",format=raw,if=virtio -drive file="$tmp/d",format="$1",if=virtio \
        < /dev/null 2>&1 | while IFS= read -r line; do
        case "$line" in
            *W-START*) now_ns > "$tmp/ws" ;;
            *W-END*) now_ns > "$tmp/we" ;;
            *R-START*) now_ns > "$tmp/rs" ;;
            *R-END*) now_ns > "$tmp/re" ;;
        esac
    done
    for f in ws we rs re; do
        [ -f "$tmp/$f" ] || { echo "bench-qcow2: no markers ($1)" >&2; return 1; }
    done
    echo "$(( $(cat "$tmp/we") - $(cat "$tmp/ws") )) $(( $(cat "$tmp/re") - $(cat "$tmp/rs") ))"
}

# raw and qcow2 runs alternate, so that a change in the host's load hits both
: > "$tmp/raw"; : > "$tmp/qcow2"
i=0
while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    one_run raw >> "$tmp/raw"
    one_run qcow2 >> "$tmp/qcow2"
done
med() { # med FILE COLUMN
    cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
raw_w=$(med "$tmp/raw" 1); raw_r=$(med "$tmp/raw" 2); q_w=$(med "$tmp/qcow2" 1); q_r=$(med "$tmp/qcow2" 2)
mbs() { awk -v ns="$1" -v mb=$MB 'BEGIN { printf "%.1f", mb / (ns / 1e9) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }
echo "qcow2 write ($MB MiB, median of $RUNS): raw $(mbs $raw_w) MB/s, qcow2 $(mbs $q_w) MB/s, qcow2/raw $(ratio $q_w $raw_w)"
echo "qcow2 read  ($MB MiB, median of $RUNS): raw $(mbs $raw_r) MB/s, qcow2 $(mbs $q_r) MB/s, qcow2/raw $(ratio $q_r $raw_r)"
