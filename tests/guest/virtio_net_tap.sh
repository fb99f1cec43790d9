# virtio-net on a TAP interface, inside a private network namespace (root
# only; nothing outside the namespace is touched): the host side of the
# TAP has 192.168.77.1/24, the guest 192.168.77.2. Ping both ways, and a
# 1 MiB TCP transfer each way (guest wget from a host HTTP server, host GET
# from busybox httpd in the guest), sha256 checked. Skipped, with the
# reason, without root or /dev/net/tun.
. tests/guest/lib.sh
. tests/guest/net.shlib
[ -c /dev/net/tun ] || { echo "/dev/net/tun is absent: TAP not tested"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "not root: cannot make a network namespace and a TAP interface"; exit 77; }
command -v python3 > /dev/null || { echo "python3 is needed for the host side"; exit 77; }
command -v unshare > /dev/null && command -v ip > /dev/null || { echo "unshare and ip (util-linux, iproute2) are needed"; exit 77; }
unshare -n true 2> /dev/null || { echo "unshare -n is not permitted here"; exit 77; }
mkdir "$TMP/root" "$TMP/www"
head -c 1048576 /dev/urandom > "$TMP/www/h2g.bin"
h2g=$(sha256sum < "$TMP/www/h2g.bin" | cut -d' ' -f1)
cat > "$TMP/root/vtap.sh" <<'GUEST'
set -e
ip link set lo up
ip addr add 192.168.77.2/24 dev eth0
ip link set eth0 up
ping -c 3 -W 5 192.168.77.1 | sed -n 's/.*packets transmitted, \([0-9]*\) .*received.*/GUEST-PING \1/p'
wget -q -T 30 -O /tmp/h2g.bin http://192.168.77.1:8000/h2g.bin
echo "GUEST-H2G $(sha256sum /tmp/h2g.bin)"
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/g2h.bin bs=1024 count=1024 2>/dev/null
echo "GUEST-G2H $(sha256sum /tmp/www/g2h.bin)"
httpd -p 8080 -h /tmp/www
echo "GUEST-READY"
nc -l -p 9000 < /dev/null > /tmp/done
GUEST
guest_disk "$TMP/root" "$TMP/disk.img"
cat > "$TMP/ping.py" <<'PY'
import os, socket, struct, sys, time
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
ok = 0
for seq in range(3):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x7277, seq) + b"rivet-ping"
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    s.sendto(body, (sys.argv[1], 0))
    end = time.time() + 3
    while time.time() < end:
        try:
            pkt, addr = s.recvfrom(2048)
        except socket.timeout:
            break
        icmp = pkt[(pkt[0] & 15) * 4:]
        if addr[0] == sys.argv[1] and icmp[0] == 0 and struct.unpack("!H", icmp[4:6])[0] == 0x7277:
            ok += 1
            break
print("HOST-PING %d" % ok)
PY
cat > "$TMP/inner.sh" <<EOF2
set -e
ip link set lo up
ip tuntap add dev rvtap0 mode tap
ip addr add 192.168.77.1/24 dev rvtap0
ip link set rvtap0 up
cd "$TMP/www" && python3 -m http.server --bind 192.168.77.1 8000 > "$TMP/http.log" 2>&1 &
hp=\$!
timeout ${BOOT_TIMEOUT:-120} "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" \
    -append "console=ttyS0 guest.run=vtap guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -netdev tap,id=t0,ifname=rvtap0,script=no,downscript=no -device virtio-net-device,netdev=t0 \
    < /dev/null > "$TMP/out" 2>&1 &
pid=\$!
n=0
until grep -aq '^GUEST-READY' "$TMP/out" 2>/dev/null; do
    n=\$((n + 1))
    if [ \$n -gt 900 ] || ! kill -0 \$pid 2>/dev/null; then kill \$pid \$hp 2>/dev/null; exit 1; fi
    sleep 0.1
done
python3 "$TMP/ping.py" 192.168.77.2 > "$TMP/hostping" || true
python3 -c 'import sys, urllib.request; open(sys.argv[1], "wb").write(urllib.request.urlopen("http://192.168.77.2:8080/g2h.bin", timeout=60).read())' "$TMP/g2h.bin" || true
python3 -c 'import socket; s = socket.create_connection(("192.168.77.2", 9000), timeout=30); s.sendall(b"done"); s.close()' || true
wait \$pid
rc=\$?
kill \$hp
exit \$rc
EOF2
unshare -n sh "$TMP/inner.sh"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "the run in the namespace failed ($rc)"
expect "$TMP/out" '^GUEST-RUN-EXIT vtap 0'
expect "$TMP/out" '^GUEST-PING 3$'
cat "$TMP/hostping"
grep -q '^HOST-PING 3$' "$TMP/hostping" || die "the host's pings of the guest got no answers"
got_h2g=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-H2G \([0-9a-f]*\) .*/\1/p')
g2h=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-G2H \([0-9a-f]*\) .*/\1/p')
got_g2h=$(sha256sum < "$TMP/g2h.bin" | cut -d' ' -f1)
echo "host->guest: host $h2g guest $got_h2g"
echo "guest->host: guest $g2h host $got_g2h"
[ "$h2g" = "$got_h2g" ] || die "host->guest transfer differs"
[ -n "$g2h" ] && [ "$g2h" = "$got_g2h" ] || die "guest->host transfer differs"
