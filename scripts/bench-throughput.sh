# Sourced by bench-blk.sh, bench-net.sh and bench-9p.sh, which define
# one_run (prints the nanoseconds one run took between the guest's markers),
# MB, RUNS, B, BIOS, GUEST and tmp.

now_ns() { date +%s%N; }

# dd_run WHO EMULATOR-COMMAND...: a one_run for guests that print
# BENCH-START, run `dd ... bs=1M` of MB MiB (its "bytes copied" line) and
# print BENCH-END: prints the wall ns between the markers; WHO names the
# script in its messages.
dd_run() {
    who=$1; shift
    "$@" < /dev/null 2>&1 | while IFS= read -r line; do
        case "$line" in
            *BENCH-START*) now_ns > "$tmp/start" ;;
            *BENCH-END*) now_ns > "$tmp/end" ;;
            *bytes*copied*) echo "$line" | tr -d '\r' > "$tmp/dd" ;;
        esac
    done
    [ -f "$tmp/start" ] && [ -f "$tmp/end" ] || { echo "$who: no markers from: $*" >&2; return 1; }
    grep -q "^$((MB << 20)) bytes" "$tmp/dd" || { echo "$who: dd failed: $(cat "$tmp/dd")" >&2; return 1; }
    echo $(( $(cat "$tmp/end") - $(cat "$tmp/start") ))
    rm -f "$tmp/start" "$tmp/end"
}
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
mbs() { awk -v ns="$1" -v mb="$MB" 'BEGIN { printf "%.1f", mb * 1048576 / 1e6 / (ns / 1e9) }'; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }

# throughput NAME LABEL APPEND DEVICE-OPTIONS: RUNS runs on rivet and, when
# installed, on QEMU with the same files, alternating (so that a change in
# the host's load hits both); prints "LABEL: rivet X MB/s (S s)" and the
# same for qemu (medians), and "NAME ratio rivet/qemu: R".
throughput() {
    name=$1; label=$2; append=$3; devs=$4
    qemu=false
    command -v qemu-system-riscv64 > /dev/null 2>&1 && qemu=true
    : > "$tmp/rivet"; : > "$tmp/qemu"
    for i in $(seq "$RUNS"); do
        # shellcheck disable=SC2086
        one_run "$B/rivet" -M virt -m 512M -nographic -bios "$BIOS" -kernel "$GUEST/Image" \
            -initrd "$GUEST/initramfs.cpio.gz" -append "$append" $devs >> "$tmp/rivet"
        if $qemu; then
            # shellcheck disable=SC2086
            one_run qemu-system-riscv64 -M virt -m 512M -nographic -bios "$BIOS" -kernel "$GUEST/Image" \
                -initrd "$GUEST/initramfs.cpio.gz" -append "$append" $devs >> "$tmp/qemu"
        fi
    done
    r=$(med "$tmp/rivet")
    echo "$label: rivet  $(mbs "$r") MB/s ($(secs "$r") s)"
    if $qemu; then
        q=$(med "$tmp/qemu")
        echo "$label: qemu   $(mbs "$q") MB/s ($(secs "$q") s)"
        awk -v r="$r" -v q="$q" -v n="$name" \
            'BEGIN { printf "%s ratio rivet/qemu: %.2f (throughput; above 1: rivet faster)\n", n, q / r }'
    else
        echo "$name: qemu-system-riscv64 not found (install qemu-system-misc to compare)"
    fi
}
