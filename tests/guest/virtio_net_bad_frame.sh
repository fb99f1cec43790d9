# Issue #18: one Ethernet frame from root in the guest must not kill rivet.
# tests/guest/sendframe.c (built here, static riscv64) sends, through an
# AF_PACKET socket, exactly the frame that made libslirp 4.7.0 fault inside
# slirp_input (SIGBUS; QEMU 7.2 dies too): ICMP 10.0.2.15 -> 10.0.2.2,
# 1487 bytes, DF, fragment offset 0x173e, MF clear; then the same frame
# without DF (a lone last fragment, what libslirp actually faults on). rivet
# drops the first as invalid and holds the second for reassembly
# (frontends/net_ipcheck.h); the guest then fetches a file over the same
# network, and -stats shows the dropped frame (tx-invalid=1).
. tests/guest/lib.sh
. tests/guest/net.shlib
command -v riscv64-linux-gnu-gcc > /dev/null || { echo "riscv64-linux-gnu-gcc not installed"; exit 77; }
mkdir "$TMP/www" "$TMP/root"
riscv64-linux-gnu-gcc -static -O2 -o "$TMP/root/sendframe" tests/guest/sendframe.c ||
    die "cannot build sendframe (libc6-dev-riscv64-cross installed?)"
head -c 65536 /dev/urandom > "$TMP/www/file.bin"
host_sum=$(sha256sum < "$TMP/www/file.bin" | cut -d' ' -f1)
http_serve "$TMP/www"
trap 'kill $HTTP_PID 2>/dev/null; rm -rf "$TMP"' EXIT
cat > "$TMP/root/badframe.sh" <<GUEST
set -e
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -s /mnt/udhcpc.sh
/mnt/sendframe eth0
/mnt/sendframe eth0 nodf
echo "10.0.2.2 rivet-host" >> /etc/hosts
wget -q -T 30 -O /tmp/file.bin http://rivet-host:$HTTP_PORT/file.bin
echo "GUEST-SHA256 \$(sha256sum /tmp/file.bin)"
GUEST
guest_disk "$TMP/root" "$TMP/disk.img"
boot_guest "$TMP/out" -stats -append "console=ttyS0 guest.run=badframe guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -netdev user,id=n0 -device virtio-net-device,netdev=n0
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc (signal $((rc - 128)) if above 128)"
expect "$TMP/out" '^sendframe: sent 1487 bytes'
expect "$TMP/out" '^rivet: netdev n0: guest frame dropped before libslirp: IPv4 fragment with DF set'
expect "$TMP/out" '^GUEST-RUN-EXIT badframe 0'
expect "$TMP/out" '^rivet: stats: netdev n0: .* tx-invalid=1 '
guest_sum=$(tr -d '\r' < "$TMP/out" | sed -n 's/^GUEST-SHA256 \([0-9a-f]*\) .*/\1/p')
[ "$guest_sum" = "$host_sum" ] || die "the file fetched after the frame differs (guest '$guest_sum', host '$host_sum')"
echo "issue #18 frame dropped, lone last fragment held, network still works"
