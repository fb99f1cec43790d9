# -rtc clock= and base=localtime. The guest reads its RTC
# (/sys/class/rtc/rtc0/since_epoch) before and after a CPU-bound loop run at
# -icount shift=0 (1 ns per instruction: guest time runs several times
# slower than the host's). clock=vm: the RTC moves with guest time;
# clock=rt and clock=host: it moves with host time. base=localtime with
# TZ=Etc/GMT-5 (UTC+5) starts the RTC five hours ahead of UTC.
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 is needed for the pseudo-terminal"; exit 77; }
cat > "$TMP/in" <<'GUEST'
echo R0 $(cat /sys/class/rtc/rtc0/since_epoch) $(cut -d' ' -f1 /proc/uptime); i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done; echo R1 $(cat /sys/class/rtc/rtc0/since_epoch) $(cut -d' ' -f1 /proc/uptime)
poweroff -f
GUEST
for clock in vm rt host; do
    python3 tests/guest/pty_run.py "$TMP/log" "Type 'poweroff -f'" "$TMP/in" 150 -- \
        "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0" \
        -icount shift=0 -rtc base=2020-01-01T00:00:00,clock=$clock ||
        { tail -n 5 "$TMP/log"; die "clock=$clock: rivet failed"; }
    l0=$(grep -a -m1 -E '^[0-9.]+ R0 [0-9]' "$TMP/log"); l1=$(grep -a -m1 -E '^[0-9.]+ R1 [0-9]' "$TMP/log")
    [ -n "$l0" ] && [ -n "$l1" ] || die "clock=$clock: no RTC readings"
    echo "$l0" "$l1" | awk -v c=$clock '{
        host = $5 - $1; rtc = $7 - $3; guest = $8 - $4
        printf "clock=%s: loop took host %.2f s, guest %.2f s; the RTC moved %d s\n", c, host, guest, rtc
        if (host < guest + 2) { print "FAIL: guest time did not run slower than the host"; exit 1 }
        want = c == "vm" ? guest : host
        if (rtc < want - 1.5 || rtc > want + 1.5) { print "FAIL: the RTC did not follow " (c == "vm" ? "guest" : "host") " time"; exit 1 }
        if ($3 < 1577836800 || $3 > 1577836800 + 60) { print "FAIL: base= not applied"; exit 1 } }' ||
        die "clock=$clock"
done
printf 'echo RTC $(cat /sys/class/rtc/rtc0/since_epoch)\npoweroff -f\n' > "$TMP/in"
TZ=Etc/GMT-5 python3 tests/guest/pty_run.py "$TMP/log" "Type 'poweroff -f'" "$TMP/in" 150 -- \
    "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0" -rtc base=localtime ||
    die "base=localtime: rivet failed"
g=$(grep -a -m1 -E '^[0-9.]+ RTC [0-9]' "$TMP/log" | cut -d' ' -f3)
h=$(date +%s)
[ -n "$g" ] || die "base=localtime: no RTC reading"
d=$((g - h - 18000))
echo "base=localtime (UTC+5): guest RTC - host UTC = $((g - h)) s"
[ $d -ge -60 ] && [ $d -le 60 ] || die "base=localtime is not five hours ahead of UTC"
