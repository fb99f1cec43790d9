# Record/replay of console input (issue #14, points 1-4): lines typed into
# the console from a pipe at wall-clock moments (sleeps) in realtime mode
# (-icount shift=auto,sleep=on: guest time follows the host's clock, so
# the rate changes, idle waits and -rtc base=utc are host input too) are
# recorded; the replay, with stdin from /dev/null, prints the same console
# byte for byte and the same final "rivet: state hash H at instruction N"
# line. Then a checkpoint of the log is changed (its CRC made right again):
# the replay stops with "replay diverged at instruction N (expected hash
# H1, got H2)", exit 1. The same with QEMU's spelling, -icount
# rr=record|replay,rrfile=.
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 is needed to edit the log"
run() {
    timeout 300 "$RIVET" -M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" "$@"
}
# typed once the shell is there (bytes typed while the kernel boots are
# dropped by its tty), then with sleeps
mkfifo "$TMP/in"
run -icount shift=auto,sleep=on -record "$TMP/c.log" < "$TMP/in" > "$TMP/rec.out" 2>&1 &
pid=$!
exec 9> "$TMP/in"
wait_line "$TMP/rec.out" "Type 'poweroff -f'" 3000 "the guest did not reach its shell"
sleep 0.5; echo 'echo typed-$((6 * 7)) $(cut -d" " -f1 /proc/uptime)' >&9
sleep 1.3; echo 'date +%s; cat /proc/uptime' >&9
sleep 0.7; echo 'poweroff -f' >&9
exec 9>&-
wait $pid
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/rec.out"; die "recording: exit $rc"; }
expect "$TMP/rec.out" '^typed-42 '
expect "$TMP/rec.out" '^rivet: state hash [0-9a-f]{16} at instruction [0-9]+$'
echo "log: $(wc -c < "$TMP/c.log") bytes; $(grep -a 'state hash' "$TMP/rec.out")"

run -icount shift=auto,sleep=on -replay "$TMP/c.log" < /dev/null > "$TMP/rep.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/rep.out"; die "replay: exit $rc"; }
cmp "$TMP/rec.out" "$TMP/rep.out" || { diff "$TMP/rec.out" "$TMP/rep.out" | head; die "the replay's console differs"; }
echo "replay: the same console and state hash"

# a checkpoint with another hash: the replay must catch it
python3 - "$TMP/c.log" "$TMP/d.log" <<'PY' > "$TMP/forged" || die "no checkpoint in the log"
import sys, zlib
d = bytearray(open(sys.argv[1], "rb").read())
p, stamp = 12, 0
def uvar():
    global p
    v = s = 0
    while True:
        b = d[p]; p += 1; v |= (b & 0x7f) << s; s += 7
        if not b & 0x80:
            return v
while p < len(d):
    start = p; t = d[p]; p += 1
    stamp += uvar(); n = uvar(); body = p; p += n + 4
    if t == 6:  # RR_CHECKPOINT
        old = int.from_bytes(d[body:body + 8], "little")
        d[body] ^= 1
        crc = zlib.crc32(bytes(d[start:body + n]))
        d[body + n:body + n + 4] = crc.to_bytes(4, "little")
        open(sys.argv[2], "wb").write(d)
        print("%016x %016x" % (old, old ^ 1))
        sys.exit(0)
sys.exit(1)
PY
read good forged < "$TMP/forged"
run -icount shift=auto,sleep=on -replay "$TMP/d.log" < /dev/null > "$TMP/div.out" 2>&1
rc=$?
grep -a 'diverged' "$TMP/div.out"
[ $rc -eq 1 ] || die "a diverging replay: exit $rc, expected 1"
grep -aEq "^rivet: replay diverged at instruction [0-9]+ \\(expected hash $forged, got $good\\)$" "$TMP/div.out" ||
    die "no 'replay diverged at instruction N (expected hash $forged, got $good)' line"

# QEMU's spelling: the same log works with either
run -icount shift=auto,sleep=on,rr=replay,rrfile="$TMP/c.log" < /dev/null > "$TMP/rep2.out" 2>&1
cmp "$TMP/rec.out" "$TMP/rep2.out" || die "-icount rr=replay,rrfile= replays something else"
echo "rr console: recorded and replayed"
