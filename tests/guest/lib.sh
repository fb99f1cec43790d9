# Shared helpers for guest tests (sourced). Finds rivet, the firmware and
# the test guest: $RIVET_GUEST_DIR, else build/guest from `make guest`,
# else ../shared/guest (the known-good images, when present).
B=${B:-build}
RIVET=${RIVET:-$B/rivet}
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
. scripts/guest-dir.sh
if [ -z "$GUEST" ]; then
    echo "no test guest: run 'make guest' (or set RIVET_GUEST_DIR)"
    exit 1
fi
KERNEL=$GUEST/Image
INITRD=$GUEST/initramfs.cpio.gz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

die() { echo "FAIL: $*"; exit 1; }

# boot_guest OUT [rivet options...]: boots the test guest in batch mode and
# powers off; the console goes to OUT.
boot_guest() {
    out=$1; shift
    timeout "${BOOT_TIMEOUT:-120}" "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" "$@" < /dev/null > "$out" 2>&1
}

# rejects DESC PATTERN [rivet options...]: a mistake of the user's. rivet
# must exit 1 with exactly one line on stderr that starts with "rivet: "
# and matches the extended regex PATTERN.
rejects() {
    desc=$1; pattern=$2; shift 2
    timeout 20 "$RIVET" "$@" < /dev/null > "$TMP/stdout" 2> "$TMP/stderr"
    rc=$?
    lines=$(wc -l < "$TMP/stderr")
    echo "$desc: exit $rc: $(cat "$TMP/stderr")"
    [ $rc -eq 1 ] || die "$desc: exit status $rc, expected 1"
    [ "$lines" -eq 1 ] || die "$desc: $lines lines on stderr, expected 1"
    grep -q '^rivet: ' "$TMP/stderr" || die "$desc: message does not start with 'rivet: '"
    grep -Eq -e "$pattern" "$TMP/stderr" || die "$desc: message does not match '$pattern'"
}

# free_port: prints a TCP port nobody listens on at 127.0.0.1 (the kernel
# picks it).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_line FILE PATTERN TENTHS WHAT: waits until FILE has a line matching
# the basic regex PATTERN, while rivet ($pid) runs; dies naming WHAT after
# TENTHS tenths of a second, or when rivet exits first.
wait_line() {
    n=0
    until grep -q "$2" "$1" 2> /dev/null; do
        n=$((n + 1)); [ $n -lt "$3" ] || die "$4: $(tail -n 3 "$1")"
        kill -0 $pid 2> /dev/null || die "rivet died: $(tail -n 5 "$1")"
        sleep 0.1
    done
}

# expect FILE PATTERN: FILE has a line matching the extended regex.
expect() {
    tr -d '\r' < "$1" | grep -aEq "$2" || { echo "--- $1:"; tail -n 20 "$1"; die "no line matching '$2'"; }
}

# interact OUT PROMPT INPUT [rivet options...]: boots the guest with a shell
# on the console, waits until OUT shows PROMPT, then types INPUT (a file)
# into the console, as a person would.
interact() {
    out=$1; prompt=$2; input=$3; shift 3
    fifo=$TMP/console-in
    rm -f "$fifo"; mkfifo "$fifo"
    timeout "${BOOT_TIMEOUT:-120}" "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" "$@" \
        < "$fifo" > "$out" 2>&1 &
    pid=$!
    exec 9> "$fifo"
    n=0
    until grep -aq "$prompt" "$out" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 1200 ] || ! kill -0 $pid 2>/dev/null; then
            exec 9>&-
            wait $pid
            return 1
        fi
        sleep 0.1
    done
    cat "$input" >&9
    exec 9>&-
    wait $pid
}

# time_steps_bounded LOG: the run's -stats line (in LOG) shows that host
# time entered guest time at most 10 times a second (issue #10, point 2:
# time_input() steps, rivet: stats: ... seconds=S ... time-steps=N).
time_steps_bounded() {
    line=$(tr -d '\r' < "$1" | grep -a -m1 'rivet: stats:') || die "no -stats line in $1"
    echo "$line" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
        END { s = v["seconds"]; n = v["time-steps"]
              if (n == "" || s == "") { print "FAIL: no seconds/time-steps in the stats line"; exit 1 }
              printf "time steps: %d in %.1f s of host time (%.1f a second)\n", n, s, n / s
              if (n > 10 * s + 1) { print "FAIL: more than 10 time steps a second"; exit 1 } }' ||
        die "host time entered the guest too often"
}
