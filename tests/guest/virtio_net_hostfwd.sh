# virtio-net-pci, host -> guest through user networking's hostfwd: busybox
# httpd in the guest serves a 1 MiB file that the host fetches with curl
# (or python3) from 127.0.0.1:HOSTPORT, and the host uploads 1 MiB to a
# busybox nc listening in the guest; both sha256 sums match. restrict=on
# keeps the guest off the host and the outside: hostfwd still works. The
# card is on PCI here (virtio_net_user.sh uses virtio-mmio), with mac=.
. tests/guest/lib.sh
. tests/guest/net.shlib
command -v python3 > /dev/null || { echo "python3 is needed for the host client"; exit 77; }
mkdir "$TMP/root"
head -c 1048576 /dev/urandom > "$TMP/up.bin"
up_sum=$(sha256sum < "$TMP/up.bin" | cut -d' ' -f1)
cat > "$TMP/root/vfwd.sh" <<'GUEST'
set -e
ip link set lo up
ip link set eth0 up
echo "mac: $(cat /sys/class/net/eth0/address)"
udhcpc -i eth0 -q -n -t 5 -s /mnt/udhcpc.sh
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/page.bin bs=1024 count=1024 2>/dev/null
echo "GUEST-SERVED $(sha256sum /tmp/www/page.bin)"
httpd -p 8080 -h /tmp/www
echo "GUEST-READY"
nc -l -p 9000 < /dev/null > /tmp/up.bin
echo "GUEST-UPLOAD $(sha256sum /tmp/up.bin)"
GUEST
guest_disk "$TMP/root" "$TMP/disk.img"
p1=$(free_port); p2=$(free_port)
while [ "$p2" = "$p1" ]; do p2=$(free_port); done
timeout "${BOOT_TIMEOUT:-120}" "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" \
    -append "console=ttyS0 guest.run=vfwd guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$p1-:8080,hostfwd=tcp:127.0.0.1:$p2-:9000 \
    -device virtio-net-pci,netdev=n0,mac=52:54:00:ab:cd:ef < /dev/null > "$TMP/out" 2>&1 &
pid=$!
n=0
until grep -aq '^GUEST-READY' "$TMP/out" 2>/dev/null; do
    n=$((n + 1))
    if [ $n -gt 900 ] || ! kill -0 $pid 2>/dev/null; then
        cat "$TMP/out"; kill $pid 2>/dev/null; die "the guest never got ready"
    fi
    sleep 0.1
done
python3 - "$p1" "$TMP/page.bin" <<'PY' || { kill $pid; cat "$TMP/out"; die "GET through hostfwd failed"; }
import sys, urllib.request
data = urllib.request.urlopen("http://127.0.0.1:%s/page.bin" % sys.argv[1], timeout=60).read()
open(sys.argv[2], "wb").write(data)
PY
python3 - "$p2" "$TMP/up.bin" <<'PY' || { kill $pid; cat "$TMP/out"; die "upload through hostfwd failed"; }
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
s.sendall(open(sys.argv[2], "rb").read())
s.close()
PY
wait $pid
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^GUEST-RUN-EXIT vfwd 0'
expect "$TMP/out" '^pci: .* 0x1af4:0x1041 class=0x020000'
expect "$TMP/out" '^mac: 52:54:00:ab:cd:ef$'
served=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-SERVED \([0-9a-f]*\) .*/\1/p')
uploaded=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-UPLOAD \([0-9a-f]*\) .*/\1/p')
got=$(sha256sum < "$TMP/page.bin" | cut -d' ' -f1)
echo "guest->host: guest $served host $got ($(wc -c < "$TMP/page.bin") bytes)"
echo "host->guest: host $up_sum guest $uploaded"
[ -n "$served" ] && [ "$served" = "$got" ] || die "the page fetched through hostfwd differs"
[ "$uploaded" = "$up_sum" ] || die "the upload through hostfwd differs"
