# QEMU's legacy and shorthand spellings (issue #25, point 3) on the real
# guest:
#   -net nic,model=virtio,macaddr=M -net user   one line saying rivet attaches
#        a virtio-net-pci card (QEMU 7.2's virt attaches none); the guest
#        leases 10.0.2.15 by DHCP and wget fetches a file from the host
#   -nic user,model=virtio-net-device           the same card on virtio-mmio
#   -object rng-random,filename=F,id=r0 -device virtio-rng-pci,rng=r0
#        /dev/hwrng gives F's bytes (F: a file of one repeated byte)
#   -object rng-builtin,id=r0 -device virtio-rng-device,rng=r0   getrandom
# and each mistake: one line, exit 1.
. tests/guest/lib.sh
. tests/guest/net.shlib
mkdir "$TMP/www" "$TMP/root"
head -c 262144 /dev/urandom > "$TMP/www/file.bin"
host_sum=$(sha256sum < "$TMP/www/file.bin" | cut -d' ' -f1)
http_serve "$TMP/www"
trap 'kill $HTTP_PID 2>/dev/null; rm -rf "$TMP"' EXIT
cat > "$TMP/root/legacy.sh" <<GUEST
ip link set lo up
ip link set eth0 up
echo "mac: \$(cat /sys/class/net/eth0/address) bus: \$(basename \$(readlink -f /sys/class/net/eth0/device/..))"
udhcpc -i eth0 -q -n -t 5 -s /mnt/udhcpc.sh
echo "10.0.2.2 rivet-host" >> /etc/hosts
wget -q -T 30 -O /tmp/file.bin http://rivet-host:$HTTP_PORT/file.bin
echo "GUEST-SHA256 \$(sha256sum /tmp/file.bin)"
GUEST
cat > "$TMP/root/rng.sh" <<'GUEST'
echo "rng: $(cat /sys/class/misc/hw_random/rng_current)"
echo "RNG $(head -c 64 /dev/hwrng | od -v -An -tx1 | tr -d ' \n')"
GUEST
guest_disk "$TMP/root" "$TMP/disk.img"
DISK="-drive file=$TMP/disk.img,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0"

for net in "-net nic,model=virtio,macaddr=52:54:00:00:00:42 -net user" "-nic user,model=virtio-net-device,mac=52:54:00:00:00:42"; do
    # shellcheck disable=SC2086
    boot_guest "$TMP/out" -append "console=ttyS0 guest.run=legacy guest.poweroff=1" $DISK $net
    rc=$?
    [ $rc -eq 0 ] || { tail -n 20 "$TMP/out"; die "$net: rivet exited $rc"; }
    n=$(grep -c "^rivet: -ni\?[ce]t\? .*QEMU 7.2's virt board would attach no card, rivet attaches a virtio-net-" "$TMP/out")
    [ "$n" -eq 1 ] || { grep '^rivet' "$TMP/out"; die "$net: expected one line about the card, got $n"; }
    case $net in
        -net*) expect "$TMP/out" '^mac: 52:54:00:00:00:42 bus: 0000:00:0[0-9a-f]\.0$' ;; # virtio-net-pci
        *) expect "$TMP/out" '^mac: 52:54:00:00:00:42 bus: [0-9a-f]*\.virtio_mmio$' ;;
    esac
    expect "$TMP/out" 'lease of 10\.0\.2\.15 obtained'
    guest_sum=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-SHA256 \([0-9a-f]*\) .*/\1/p')
    [ "$guest_sum" = "$host_sum" ] || { tail -n 20 "$TMP/out"; die "$net: wget: sha256 $guest_sum, host $host_sum"; }
    echo "$net: $(grep '^rivet' "$TMP/out" | head -1 | cut -c1-60)...; $(tr -d '\r' < "$TMP/out" | grep '^mac:'); DHCP and wget ok"
done

# rng-random reads the named file: one repeated byte cannot come from getrandom
head -c 8388608 /dev/zero | tr '\000' '\253' > "$TMP/ab.bin"
boot_guest "$TMP/rng1" -append "console=ttyS0 guest.run=rng guest.poweroff=1" $DISK \
    -object rng-random,filename="$TMP/ab.bin",id=r0 -device virtio-rng-pci,rng=r0 || die "rng-random: exit $?"
expect "$TMP/rng1" '^rng: virtio_rng'
expect "$TMP/rng1" '^RNG (ab){64}$'
echo "rng-random,filename=F: /dev/hwrng gives F's bytes"
boot_guest "$TMP/rng2" -append "console=ttyS0 guest.run=rng guest.poweroff=1" $DISK \
    -object rng-builtin,id=r0 -device virtio-rng-device,rng=r0 || die "rng-builtin: exit $?"
expect "$TMP/rng2" '^RNG [0-9a-f]{128}$'
tr -d '\r' < "$TMP/rng2" | grep -Eq '^RNG (ab){64}$|^RNG (00){64}$' && die "rng-builtin gave a constant stream"
echo "rng-builtin: 64 bytes from getrandom"

K="-M virt -kernel $KERNEL"
rejects "missing rng file" "^rivet: -object rng-random,filename=/nonexistent/rng,id=r0: cannot open" \
    $K -object rng-random,filename=/nonexistent/rng,id=r0 -device virtio-rng-pci,rng=r0
rejects "unknown object type" "^rivet: -object memory-backend-ram,id=m,size=1G: unknown object type" \
    $K -object memory-backend-ram,id=m,size=1G
rejects "object typo" "did you mean 'rng-builtin'" $K -object rng-bultin,id=r0
rejects "object without id" "id=ID is required" $K -object rng-random
rejects "rng= of nothing" "no -object with id=r9" $K -device virtio-rng-pci,rng=r9
rejects "seed and rng" "seed= and rng=" $K -object rng-builtin,id=r0 -device virtio-rng-device,rng=r0,seed=1
rejects "net model" "^rivet: -net nic,model=e1000: model=" $K -net nic,model=e1000 -net user
rejects "net mac" "^rivet: -net nic,macaddr=1:2: macaddr=" $K -net nic,macaddr=1:2 -net user
rejects "net vlan" "vlan= must be" $K -net nic,vlan=-1
rejects "net two nics" "no hub" $K -net nic -net nic -net user
rejects "net socket" "not supported" $K -net socket,listen=:1234
rejects "net user option" "^rivet: -net user,foo=1: " $K -net nic -net user,foo=1
echo "legacy networking and rng objects ok"
