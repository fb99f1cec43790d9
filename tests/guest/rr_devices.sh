# Record/replay of every kind of host input at once (issue #14, point 7 a
# and b): lines typed into the console from a pipe at wall-clock moments
# (realtime mode: a -netdev makes the run realtime), a file fetched over
# user networking from a loopback HTTP server (python3 -m http.server's
# handler; the guest reaches it at 10.0.2.2), entropy read from an
# unseeded virtio-rng, and a file written to a virtio-blk disk. Recorded,
# then the HTTP server is stopped, the disk put back as it was at the
# start, and replayed with stdin from /dev/null: the console (state hash
# line included) is byte for byte the recording's, and the disk after the
# replay is the disk after the recording. Twice: -smp 1 with virtio-mmio
# devices (a), -smp 2 with virtio-pci devices (b).
. tests/guest/lib.sh
. tests/guest/net.shlib
mkdir "$TMP/www" "$TMP/root"
head -c 262144 /dev/urandom > "$TMP/www/f.bin"
host_sum=$(md5sum < "$TMP/www/f.bin" | cut -d' ' -f1)
http_serve "$TMP/www"
trap 'kill $HTTP_PID 2>/dev/null; rm -rf "$TMP"' EXIT
cat > "$TMP/root/rrt.sh" <<GUEST
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -s /mnt/udhcpc.sh > /dev/null 2>&1
echo "10.0.2.2 rivet-host" >> /etc/hosts
wget -q -T 30 -O /mnt/fetched.bin http://rivet-host:$HTTP_PORT/f.bin
echo "GUEST-FETCHED \$(md5sum < /mnt/fetched.bin | cut -d' ' -f1)"
head -c 4096 /dev/hwrng > /mnt/rng.bin
echo "GUEST-RNG \$(md5sum < /mnt/rng.bin | cut -d' ' -f1) \$(cat /sys/class/misc/hw_random/rng_current)"
echo "GUEST-READY"
read a
echo "GOT-1 \$a \$(cut -d' ' -f1 /proc/uptime)"
read b
echo "GOT-2 \$b \$(cut -d' ' -f1 /proc/uptime)"
echo "\$a \$b" > /mnt/typed.txt
sync
GUEST
guest_disk "$TMP/root" "$TMP/disk.orig"

for variant in mmio pci; do
    if [ $variant = mmio ]; then
        devs="-smp 1 -drive file=$TMP/disk.img,format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0
              -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-rng-device"
    else
        devs="-smp 2 -drive file=$TMP/disk.img,format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0
              -netdev user,id=n0 -device virtio-net-pci,netdev=n0 -device virtio-rng-pci"
    fi
    run() {
        # shellcheck disable=SC2086
        timeout 600 "$RIVET" -M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" \
            -append "console=ttyS0 guest.run=rrt guest.poweroff=1" $devs "$@"
    }
    echo "=== $variant: $(echo $devs | tr -s ' ')"
    cp "$TMP/disk.orig" "$TMP/disk.img"
    # typed once the script reads (bytes typed while the kernel boots are
    # dropped by its tty), then with a sleep
    rm -f "$TMP/in"; mkfifo "$TMP/in"
    run -record "$TMP/$variant.log" < "$TMP/in" > "$TMP/rec.out" 2>&1 &
    pid=$!
    exec 9> "$TMP/in"
    wait_line "$TMP/rec.out" '^GUEST-READY' 3000 "$variant: the guest script did not get ready"
    sleep 0.4; echo "first-$variant" >&9
    sleep 1.7; echo "second-$variant" >&9
    exec 9>&-
    wait $pid
    rc=$?
    grep -a '^GUEST-\|^GOT-\|^rivet: ' "$TMP/rec.out"
    [ $rc -eq 0 ] || { tail -n 20 "$TMP/rec.out"; die "$variant: recording: exit $rc"; }
    expect "$TMP/rec.out" "^GUEST-FETCHED $host_sum\$"
    expect "$TMP/rec.out" '^GUEST-RNG [0-9a-f]{32} virtio_rng'
    expect "$TMP/rec.out" "^GOT-1 first-$variant [0-9.]+\$"
    expect "$TMP/rec.out" "^GOT-2 second-$variant [0-9.]+\$"
    expect "$TMP/rec.out" '^rivet: state hash [0-9a-f]{16} at instruction [0-9]+$'
    echo "log: $(wc -c < "$TMP/$variant.log") bytes"
    mv "$TMP/disk.img" "$TMP/disk.rec"
    cp "$TMP/disk.orig" "$TMP/disk.img"
    # no server, no input: all of it must come from the log
    kill $HTTP_PID 2> /dev/null
    run -replay "$TMP/$variant.log" < /dev/null > "$TMP/rep.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { tail -n 20 "$TMP/rep.out"; die "$variant: replay: exit $rc"; }
    cmp "$TMP/rec.out" "$TMP/rep.out" || { diff "$TMP/rec.out" "$TMP/rep.out" | head -20; die "$variant: the replay's console differs"; }
    cmp "$TMP/disk.rec" "$TMP/disk.img" || die "$variant: the disk after the replay differs from the disk after the recording"
    echo "$variant: replayed: the same console, state hash and disk"
    http_serve "$TMP/www"
    [ $variant = mmio ] && sed -i "s/:[0-9]*\/f.bin/:$HTTP_PORT\/f.bin/" "$TMP/root/rrt.sh" && guest_disk "$TMP/root" "$TMP/disk.orig.new" &&
        mv "$TMP/disk.orig.new" "$TMP/disk.orig"
done
echo "rr devices: recorded and replayed"
