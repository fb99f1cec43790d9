# Host input arriving while the guest idles (a person typing at a terminal:
# one line every 50 ms) wakes the idle wait early each time; guest time
# must still take in host time at most 10 times a second (issue #10,
# point 2: time_input() steps, counted by -stats), and the guest's clock
# must keep following the wall meanwhile.
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 is needed for the pseudo-terminal"; exit 77; }
{
    echo 'echo TYPE-START $(cut -d" " -f1 /proc/uptime)'
    i=0; while [ $i -lt 80 ]; do echo ':'; i=$((i + 1)); done
    echo 'echo TYPE-END $(cut -d" " -f1 /proc/uptime)'
    echo 'poweroff -f'
} > "$TMP/in"
python3 tests/guest/pty_run.py "$TMP/log" "Type 'poweroff -f'" "$TMP/in" 180 -- \
    "$RIVET" -M virt -nographic -stats -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0"
rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/log"; die "rivet on a pseudo-terminal exited $rc"; }
at() { grep -a -m1 -E "^[0-9.]+ $1 [0-9]" "$TMP/log" | cut -d' ' -f1; }
arg() { grep -a -m1 -E "^[0-9.]+ $1 [0-9]" "$TMP/log" | cut -d' ' -f3; }
[ -n "$(at TYPE-START)" ] && [ -n "$(at TYPE-END)" ] || { tail -n 20 "$TMP/log"; die "markers missing"; }
awk -v h0="$(at TYPE-START)" -v h1="$(at TYPE-END)" -v g0="$(arg TYPE-START)" -v g1="$(arg TYPE-END)" 'BEGIN {
    host = h1 - h0; guest = g1 - g0
    printf "typing 80 lines: host %.3f s, guest %.2f s\n", host, guest
    d = guest - host; if (d < 0) d = -d
    if (host < 3) { print "FAIL: the lines came faster than typed"; exit 1 }
    if (d > 0.15) { print "FAIL: guest and host clocks disagree by more than 0.15 s"; exit 1 } }' || die "timing"
time_steps_bounded "$TMP/log"
