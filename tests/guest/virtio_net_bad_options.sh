# Mistakes around -netdev, -nic and virtio-net: each is one line on
# stderr, exit status 1. A -netdev no card uses is a warning (as QEMU).
. tests/guest/lib.sh
. tests/guest/net.shlib
K="-M virt -nographic -kernel $KERNEL -initrd $INITRD"
# shellcheck disable=SC2086
rejects "unknown netdev id" "no -netdev with id=n9" $K -netdev user,id=n0 -device virtio-net-device,netdev=n9
command -v python3 > /dev/null || { echo "python3 is needed to hold a port"; exit 77; }
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(30)' > "$TMP/port" &
holder=$!
trap 'kill $holder 2>/dev/null; rm -rf "$TMP"' EXIT
n=0; until [ -s "$TMP/port" ]; do n=$((n + 1)); [ $n -lt 100 ] || die "no port holder"; sleep 0.1; done
port=$(cat "$TMP/port")
rejects "hostfwd port in use" "port $port.*in use" $K -netdev user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22 \
    -device virtio-net-device,netdev=n0
rejects "malformed hostfwd" "hostfwd" $K -netdev user,id=n0,hostfwd=tcp:127.0.0.1:x-:22 -device virtio-net-device,netdev=n0
rejects "unknown netdev option" "unknown parameter 'speed'" $K -netdev user,id=n0,speed=9
rejects "unknown netdev type" "'socket' is not supported" $K -netdev socket,id=n0
rejects "netdev without id" "id" $K -netdev user
rejects "duplicate netdev id" "duplicate id 'n0'" $K -netdev user,id=n0 -netdev user,id=n0
rejects "netdev used twice" "already used" $K -netdev user,id=n0 -device virtio-net-device,netdev=n0 \
    -device virtio-net-device,netdev=n0
rejects "bad mac" "mac must be six hex bytes" $K -device virtio-net-device,mac=52:54:00:12:34
rejects "multicast mac" "mac must be a unicast" $K -device virtio-net-device,mac=01:00:5e:00:00:01
rejects "bad nic model" "model= must be" $K -nic user,model=e1000
rejects "tap with a script" "runs no interface scripts" $K -netdev tap,id=t0,script=/etc/qemu-ifup
timeout 20 "$RIVET" $K -netdev user,id=lonely -machine virt,dumpdtb="$TMP/x.dtb" < /dev/null > /dev/null 2> "$TMP/stderr"
echo "unused netdev: exit $?: $(cat "$TMP/stderr")"
grep -q '^rivet: warning: -netdev id=lonely is not used' "$TMP/stderr" || die "no warning for an unused -netdev"
# TAP without the right to open /dev/net/tun: as nobody, when root can drop to it.
if [ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ] && command -v setpriv > /dev/null &&
    setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$RIVET" 2> /dev/null &&
    setpriv --reuid 65534 --regid 65534 --clear-groups test -r "$KERNEL" 2> /dev/null; then
    rivet=$RIVET; RIVET=setpriv
    rejects "tap not permitted" "Permission denied.*CAP_NET_ADMIN" --reuid 65534 --regid 65534 --clear-groups \
        "$rivet" $K -netdev tap,id=t0,ifname=rvnoperm0 -device virtio-net-device,netdev=t0
    RIVET=$rivet
else
    echo "tap not permitted: not checked (needs root, /dev/net/tun and setpriv)"
fi
# -nic is accepted as the shorthand for -netdev plus its card, with one
# line saying that QEMU 7.2's virt would attach none (docs/qemu-compat.md).
timeout 20 "$RIVET" -M virt,dumpdtb="$TMP/nic.dtb" -nic user,mac=52:54:00:00:00:42,model=virtio < /dev/null \
    > /dev/null 2> "$TMP/stderr" || die "-nic user: exit $?: $(cat "$TMP/stderr")"
[ "$(wc -l < "$TMP/stderr")" -eq 1 ] && grep -q "rivet attaches a virtio-net-pci card" "$TMP/stderr" ||
    die "-nic user: expected one line saying a virtio-net-pci card is attached: $(cat "$TMP/stderr")"
echo "-nic user: accepted: $(cat "$TMP/stderr")"
