# Mistakes around -netdev, -nic and virtio-net: each is one line on
# stderr, exit status 1. A -netdev no card uses is a warning (as QEMU).
. tests/guest/lib.sh
. tests/guest/net.shlib
check() {
    desc=$1; pattern=$2; shift 2
    timeout 20 "$RIVET" "$@" < /dev/null > "$TMP/stdout" 2> "$TMP/stderr"
    rc=$?
    lines=$(wc -l < "$TMP/stderr")
    echo "$desc: exit $rc: $(cat "$TMP/stderr")"
    [ $rc -eq 1 ] || die "$desc: exit status $rc, expected 1"
    [ "$lines" -eq 1 ] || die "$desc: $lines lines on stderr, expected 1"
    grep -q '^rivet: ' "$TMP/stderr" || die "$desc: message does not start with 'rivet: '"
    grep -Eq "$pattern" "$TMP/stderr" || die "$desc: message does not match '$pattern'"
}
K="-M virt -nographic -kernel $KERNEL -initrd $INITRD"
# shellcheck disable=SC2086
check "unknown netdev id" "no -netdev with id=n9" $K -netdev user,id=n0 -device virtio-net-device,netdev=n9
command -v python3 > /dev/null || { echo "python3 is needed to hold a port"; exit 77; }
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(30)' > "$TMP/port" &
holder=$!
trap 'kill $holder 2>/dev/null; rm -rf "$TMP"' EXIT
n=0; until [ -s "$TMP/port" ]; do n=$((n + 1)); [ $n -lt 100 ] || die "no port holder"; sleep 0.1; done
port=$(cat "$TMP/port")
check "hostfwd port in use" "port $port.*in use" $K -netdev user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22 \
    -device virtio-net-device,netdev=n0
check "malformed hostfwd" "hostfwd" $K -netdev user,id=n0,hostfwd=tcp:127.0.0.1:x-:22 -device virtio-net-device,netdev=n0
check "unknown netdev option" "unknown parameter 'speed'" $K -netdev user,id=n0,speed=9
check "unknown netdev type" "'socket' is not supported" $K -netdev socket,id=n0
check "netdev without id" "id" $K -netdev user
check "duplicate netdev id" "duplicate id 'n0'" $K -netdev user,id=n0 -netdev user,id=n0
check "netdev used twice" "already used" $K -netdev user,id=n0 -device virtio-net-device,netdev=n0 \
    -device virtio-net-device,netdev=n0
check "bad mac" "mac must be six hex bytes" $K -device virtio-net-device,mac=52:54:00:12:34
check "multicast mac" "mac must be a unicast" $K -device virtio-net-device,mac=01:00:5e:00:00:01
check "bad nic model" "model= must be" $K -nic user,model=e1000
check "tap with a script" "runs no interface scripts" $K -netdev tap,id=t0,script=/etc/qemu-ifup
timeout 20 "$RIVET" $K -netdev user,id=lonely -machine virt,dumpdtb="$TMP/x.dtb" < /dev/null > /dev/null 2> "$TMP/stderr"
echo "unused netdev: exit $?: $(cat "$TMP/stderr")"
grep -q '^rivet: warning: -netdev id=lonely is not used' "$TMP/stderr" || die "no warning for an unused -netdev"
# TAP without the right to open /dev/net/tun: as nobody, when root can drop to it.
if [ "$(id -u)" -eq 0 ] && [ -c /dev/net/tun ] && command -v setpriv > /dev/null &&
    setpriv --reuid 65534 --regid 65534 --clear-groups test -x "$RIVET" 2> /dev/null &&
    setpriv --reuid 65534 --regid 65534 --clear-groups test -r "$KERNEL" 2> /dev/null; then
    rivet=$RIVET; RIVET=setpriv
    check "tap not permitted" "Permission denied.*CAP_NET_ADMIN" --reuid 65534 --regid 65534 --clear-groups \
        "$rivet" $K -netdev tap,id=t0,ifname=rvnoperm0 -device virtio-net-device,netdev=t0
    RIVET=$rivet
else
    echo "tap not permitted: not checked (needs root, /dev/net/tun and setpriv)"
fi
# -nic is accepted as the shorthand for -netdev plus its card (no warning).
timeout 20 "$RIVET" -M virt,dumpdtb="$TMP/nic.dtb" -nic user,mac=52:54:00:00:00:42,model=virtio < /dev/null \
    > /dev/null 2> "$TMP/stderr" || die "-nic user: exit $?: $(cat "$TMP/stderr")"
[ ! -s "$TMP/stderr" ] || die "-nic user: unexpected output: $(cat "$TMP/stderr")"
echo "-nic user: accepted"
