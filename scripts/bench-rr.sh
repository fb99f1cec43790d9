#!/bin/sh
# Record/replay cost (issue #14: recording at most 10% over a plain run,
# replay at least as fast as the recording, a no-input boot's log under
# 64 KiB). The test guest boots (-smp 1, 512 MiB, batch mode) to its init
# and powers off, three ways: plain, -record, -replay of that log; the runs
# alternate (plain, record, replay, plain, ...) so that all three see the
# same host load, $RUNS (5) times each; the median user CPU time counts.
#
#   sh scripts/bench-rr.sh      (tree root; B=build, RUNS=5)
#
# Prints one line per run, then:
#   rr: plain P s, record R s (+X%), replay Y s (Z% of record), log N bytes (median user s of K runs)
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-rr: no test guest (run make guest)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
boot() {
    /usr/bin/time -f %U -o "$tmp/t" "$B/rivet" -M virt -m 512M -nographic -kernel "$GUEST/Image" \
        -initrd "$GUEST/initramfs.cpio.gz" -append "console=ttyS0 guest.poweroff=1" "$@" \
        < /dev/null > "$tmp/out" 2>&1 || { tail -n 5 "$tmp/out" >&2; echo "bench-rr: run failed: $*" >&2; exit 1; }
    cat "$tmp/t"
}
i=0
: > "$tmp/plain"; : > "$tmp/record"; : > "$tmp/replay"
while [ $i -lt "$RUNS" ]; do
    i=$((i + 1))
    p=$(boot)
    r=$(boot -record "$tmp/boot.log")
    grep -q '^rivet: state hash' "$tmp/out" || { echo "bench-rr: no state hash line" >&2; exit 1; }
    cp "$tmp/out" "$tmp/rec.out"
    y=$(boot -replay "$tmp/boot.log")
    cmp -s "$tmp/out" "$tmp/rec.out" || { echo "bench-rr: the replay printed something else" >&2; exit 1; }
    echo "run $i: plain $p s, record $r s, replay $y s (user)"
    echo "$p" >> "$tmp/plain"; echo "$r" >> "$tmp/record"; echo "$y" >> "$tmp/replay"
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
p=$(med "$tmp/plain"); r=$(med "$tmp/record"); y=$(med "$tmp/replay")
awk -v p="$p" -v r="$r" -v y="$y" -v n="$(wc -c < "$tmp/boot.log")" -v k="$RUNS" 'BEGIN {
    printf "rr: plain %.2f s, record %.2f s (%+.1f%%), replay %.2f s (%.0f%% of record), log %d bytes (median user s of %d runs)\n",
           p, r, (r - p) * 100 / p, y, y * 100 / r, n, k }'
