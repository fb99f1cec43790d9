# A person at a terminal (a pseudo-terminal, no -icount): the run is
# realtime. The guest runs a CPU-bound shell loop while a background ticker
# prints every 100 ms, then `sleep 1`, with the ticker still going. Checks
# (issue #10, point 1): the sleep lasts 1 s of host time (+-0.2 s) whatever
# ran before it; no gap between two ticker lines reaches 300 ms, busy or
# idle; the guest's own measure of the busy loop (/proc/uptime) matches the
# host's within 5%; guest uptime and host time agree within 1%.
# The machine may be loaded: the figures are about guest time vs host time,
# not about speed.
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 is needed for the pseudo-terminal"; exit 77; }
N=${BUSY_LOOPS:-10000}
cat > "$TMP/in" <<GUEST
(while :; do echo TICK; usleep 100000; done) & sleep 0.5; echo BUSY-START \$(cut -d' ' -f1 /proc/uptime); i=0; while [ \$i -lt $N ]; do i=\$((i+1)); done; echo BUSY-END \$(cut -d' ' -f1 /proc/uptime); sleep 1; echo SLEEP-END; sleep 0.5; kill %1; echo UPTIME \$(cut -d' ' -f1 /proc/uptime)
poweroff -f
GUEST
python3 tests/guest/pty_run.py "$TMP/log" "Type 'poweroff -f'" "$TMP/in" 180 -- \
    "$RIVET" -M virt -nographic -stats -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0"
rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/log"; die "rivet on a pseudo-terminal exited $rc"; }
grep -a -E '^[0-9.]+ (BUSY-|SLEEP-END|UPTIME)' "$TMP/log"
at() { grep -a -m1 -E "^[0-9.]+ $1( [0-9]|$)" "$TMP/log" | cut -d' ' -f1; }   # host time of a line
arg() { grep -a -m1 -E "^[0-9.]+ $1( [0-9]|$)" "$TMP/log" | cut -d' ' -f3; }  # its guest value
bs=$(at BUSY-START); be=$(at BUSY-END); se=$(at SLEEP-END)
[ -n "$bs" ] && [ -n "$be" ] && [ -n "$se" ] || die "markers missing"
awk -v bs="$bs" -v be="$be" -v se="$se" -v gbs="$(arg BUSY-START)" -v gbe="$(arg BUSY-END)" 'BEGIN {
    host = be - bs; guest = gbe - gbs; sl = se - be
    printf "busy loop: host %.3f s, guest %.2f s (%+.1f%%)\n", host, guest, (guest - host) / host * 100
    printf "sleep 1 after it: %.3f s of host time\n", sl
    if (sl < 0.8 || sl > 1.2) { print "FAIL: sleep 1 did not last 1 s (+-0.2 s)"; exit 1 }
    if (host < 0.5) { print "FAIL: the busy loop is too short to measure (raise BUSY_LOOPS)"; exit 1 }
    d = guest - host; if (d < 0) d = -d
    if (d > host * 0.05 + 0.02) { print "FAIL: guest and host disagree on the busy loop by more than 5%"; exit 1 }
}' || die "timing"
# gaps between ticker lines, from the first tick to the last
awk '$2 == "TICK" { if (last != "") { g = $1 - last; if (g > max) { max = g; where = $1 } } last = $1; n++ }
     END { printf "%d ticks, longest gap %.3f s (at %.3f s)\n", n, max, where
           if (n < 20) { print "FAIL: too few ticks"; exit 1 }
           if (max >= 0.3) { print "FAIL: a gap of 300 ms or more"; exit 1 } }' "$TMP/log" || die "ticker"
# over the whole mixed run (busy loop, sleeps, ticker): guest uptime and
# host time agree within 1%
awk -v h0="$bs" -v h1="$(at UPTIME)" -v g0="$(arg BUSY-START)" -v g1="$(arg UPTIME)" 'BEGIN {
    host = h1 - h0; guest = g1 - g0
    printf "from BUSY-START to UPTIME: guest %.2f s, host %.3f s\n", guest, host
    d = guest - host; if (d < 0) d = -d
    if (d > host * 0.01 + 0.02) { print "FAIL: guest uptime and host time differ by more than 1%"; exit 1 } }' || die "uptime"
time_steps_bounded "$TMP/log"
