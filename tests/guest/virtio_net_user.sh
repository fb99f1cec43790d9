# virtio-net on libslirp user networking: the guest leases 10.0.2.15 by
# DHCP (busybox udhcpc), gets 10.0.2.2 as router and 10.0.2.3 as DNS, and
# downloads a 4 MiB file from a host HTTP server on 127.0.0.1 through
# 10.0.2.2 (the name comes from a static /etc/hosts entry: this test sends
# nothing beyond loopback, so no upstream DNS). Its sha256 matches the
# host's. dump= writes a pcap that tshark reads, holding the DHCP exchange.
# A second boot turns mergeable buffers and checksum offload off
# (mrg_rxbuf=off,csum=off,guest_csum=off): every receive buffer then holds
# a whole frame, and the guest computes every checksum itself.
. tests/guest/lib.sh
. tests/guest/net.shlib
mkdir "$TMP/www" "$TMP/root"
head -c 4194304 /dev/urandom > "$TMP/www/file4m.bin"
host_sum=$(sha256sum < "$TMP/www/file4m.bin" | cut -d' ' -f1)
http_serve "$TMP/www"
trap 'kill $HTTP_PID 2>/dev/null; [ -n "${KEEP:-}" ] && cp "$TMP/dump.pcap" "$KEEP"; rm -rf "$TMP"' EXIT
cat > "$TMP/root/vnet.sh" <<GUEST
set -e
ip link set lo up
ip link set eth0 up
echo "mac: \$(cat /sys/class/net/eth0/address) mtu: \$(cat /sys/class/net/eth0/mtu)"
f=\$(cat /sys/class/net/eth0/device/features)
echo "features: csum=\$(echo \$f | cut -c1) guest_csum=\$(echo \$f | cut -c2) mrg_rxbuf=\$(echo \$f | cut -c16) ctrl_vq=\$(echo \$f | cut -c18)"
udhcpc -i eth0 -q -n -t 5 -s /mnt/udhcpc.sh
ip -4 addr show dev eth0 | sed -n 's/.*inet \([0-9.\/]*\).*/addr: \1/p'
ip route | sed -n 's/^default via \([0-9.]*\).*/router: \1/p'
sed -n 's/^nameserver /dns: /p' /etc/resolv.conf
echo "10.0.2.2 rivet-host" >> /etc/hosts
wget -q -T 30 -O /tmp/file4m.bin http://rivet-host:$HTTP_PORT/file4m.bin
echo "GUEST-SHA256 \$(sha256sum /tmp/file4m.bin)"
# rx mode through the control queue (Linux logs "Failed to set ..." on a NAK)
ip link set eth0 promisc on
ip link set eth0 address 52:54:00:65:43:21
ip link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/newmac: \1/p'
ip link set eth0 promisc off
echo "size: \$(wc -c < /tmp/file4m.bin)"
GUEST
guest_disk "$TMP/root" "$TMP/disk.img"
for variant in default offloads-off; do
opts=""
[ $variant = default ] || opts=",mrg_rxbuf=off,csum=off,guest_csum=off,queue-size=64"
echo "=== $variant: -device virtio-net-device,netdev=n0$opts"
boot_guest "$TMP/out" -append "console=ttyS0 guest.run=vnet guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -netdev user,id=n0,dump="$TMP/dump.pcap" -device "virtio-net-device,netdev=n0$opts"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^GUEST-RUN-EXIT vnet 0'
if [ $variant = default ]; then
    expect "$TMP/out" '^features: csum=1 guest_csum=1 mrg_rxbuf=1 ctrl_vq=1$'
else
    expect "$TMP/out" '^features: csum=0 guest_csum=0 mrg_rxbuf=0 ctrl_vq=1$'
fi
expect "$TMP/out" '^mac: 52:54:00:12:34:56 mtu: 1500$'
expect "$TMP/out" 'lease of 10\.0\.2\.15 obtained from 10\.0\.2\.2'
expect "$TMP/out" '^addr: 10\.0\.2\.15/24$'
expect "$TMP/out" '^router: 10\.0\.2\.2$'
expect "$TMP/out" '^dns: 10\.0\.2\.3$'
expect "$TMP/out" '^size: 4194304$'
expect "$TMP/out" '^newmac: 52:54:00:65:43:21$'
expect "$TMP/out" 'eth0: entered promiscuous mode|device eth0 entered promiscuous mode'
if tr -d '\r' < "$TMP/out" | grep -aEi 'virtio_net.*(fail|error)|Failed to (set|disable|enable)'; then
    die "the guest's driver reported a failed control command"
fi
guest_sum=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-SHA256 \([0-9a-f]*\) .*/\1/p')
echo "guest sha256 $guest_sum"
echo "host  sha256 $host_sum"
[ "$guest_sum" = "$host_sum" ] || die "sha256 differs"
if command -v tshark > /dev/null; then
    tshark -r "$TMP/dump.pcap" > "$TMP/pcap.txt" 2>&1 || { cat "$TMP/pcap.txt"; die "tshark -r failed"; }
    for m in 'DHCP Discover' 'DHCP Offer' 'DHCP Request' 'DHCP ACK'; do
        grep -q "$m" "$TMP/pcap.txt" || { cat "$TMP/pcap.txt" | head -20; die "no '$m' in the capture"; }
    done
    echo "pcap: $(wc -l < "$TMP/pcap.txt") frames, DHCP exchange present"
else
    echo "tshark not installed: pcap not checked"
fi
done
