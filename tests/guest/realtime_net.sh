# A networked guest (user networking, no -icount: a realtime run) waits for
# a host HTTP server on 127.0.0.1 that answers after 2 s, while a CPU-bound
# loop runs in the guest. busybox wget's timeout (-T) must behave in host
# seconds (issue #10, point 5): with -T 1 it gives up after about 1 s of
# host time, with -T 4 it gets the answer after about 2 s. A guest clock
# that ran ahead of the wall during the busy loop would give up early on
# both; one that stood still would wait too long.
. tests/guest/lib.sh
. tests/guest/net.shlib
command -v python3 > /dev/null || { echo "python3 is needed"; exit 77; }
mkdir "$TMP/root"
rm -f "$TMP/http.port"
python3 - "$TMP/http.port" > "$TMP/http.log" 2>&1 <<'PY' &
import http.server, os, sys, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(2)
        body = b"SLOW-OK\n"
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
PY
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null; rm -rf "$TMP"' EXIT
n=0
until [ -s "$TMP/http.port" ]; do n=$((n + 1)); [ $n -lt 100 ] || die "the HTTP server did not start"; sleep 0.1; done
HTTP_PORT=$(cat "$TMP/http.port")
cat > "$TMP/root/slow.sh" <<GUEST
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -s /mnt/udhcpc.sh > /dev/null 2>&1 || echo "udhcpc failed"
echo "10.0.2.2 rivet-host" >> /etc/hosts
nice -n 19 sh -c 'i=0; while :; do i=\$((i+1)); done' &
busy=\$!
sleep 0.3
up() { cut -d' ' -f1 /proc/uptime; }
echo "WGET-T1-START \$(up)"
wget -q -T 1 -O /tmp/t1 http://rivet-host:$HTTP_PORT/slow; rc=\$?; echo "WGET-T1-END \$(up) rc=\$rc"
echo "WGET-T4-START \$(up)"
wget -q -T 4 -O /tmp/t4 http://rivet-host:$HTTP_PORT/slow; rc=\$?; echo "WGET-T4-END \$(up) rc=\$rc \$(cat /tmp/t4)"
kill \$busy
GUEST
guest_disk "$TMP/root" "$TMP/disk.img"
: > "$TMP/nothing"
python3 tests/guest/pty_run.py "$TMP/log" "GUEST-BOOT-OK" "$TMP/nothing" 180 -- \
    "$RIVET" -M virt -nographic -stats -kernel "$KERNEL" -initrd "$INITRD" \
    -append "console=ttyS0 guest.run=slow guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -netdev user,id=n0 -device virtio-net-device,netdev=n0 < /dev/null
rc=$?
grep -a -E '^[0-9.]+ (WGET|udhcpc|GUEST-RUN)' "$TMP/log"
[ $rc -eq 0 ] || { tail -n 20 "$TMP/log"; die "rivet exited $rc"; }
at() { grep -a -m1 -E "^[0-9.]+ $1 " "$TMP/log" | cut -d' ' -f1; }   # host time of the line
up() { grep -a -m1 -E "^[0-9.]+ $1 " "$TMP/log" | cut -d' ' -f3; }   # guest uptime in it
grep -aq 'WGET-T1-END .* rc=1' "$TMP/log" || die "wget -T 1 did not time out"
grep -aq 'WGET-T4-END .* rc=0 SLOW-OK' "$TMP/log" || die "wget -T 4 did not get the answer"
# wget's own start-up counts too (it shares the CPU with the loop), so the
# host figures are bounds; the guest's clock must agree with the host's.
awk -v a="$(at WGET-T1-START)" -v b="$(at WGET-T1-END)" -v c="$(at WGET-T4-START)" -v d="$(at WGET-T4-END)" \
    -v ga="$(up WGET-T1-START)" -v gb="$(up WGET-T1-END)" -v gc="$(up WGET-T4-START)" -v gd="$(up WGET-T4-END)" 'BEGIN {
    t1 = b - a; t4 = d - c; g1 = gb - ga; g4 = gd - gc
    printf "wget -T 1 gave up after %.3f s of host time (guest: %.2f s)\n", t1, g1
    printf "wget -T 4 got the 2 s answer after %.3f s of host time (guest: %.2f s)\n", t4, g4
    if (t1 < 0.9 || t1 > 2.0) { print "FAIL: -T 1 did not give up after about a second"; exit 1 }
    if (t4 < 1.95 || t4 > 3.0) { print "FAIL: the answer did not take about 2 s"; exit 1 }
    e1 = g1 - t1; e4 = g4 - t4; if (e1 < 0) e1 = -e1; if (e4 < 0) e4 = -e4
    if (e1 > 0.1 || e4 > 0.1) { print "FAIL: guest and host clocks disagree by more than 0.1 s"; exit 1 } }' || die "timing"
time_steps_bounded "$TMP/log"
