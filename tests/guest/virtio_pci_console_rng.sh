# virtio-console and virtio-rng over PCI, as virtio_console.sh and
# virtio_rng.sh over mmio: a shell on the virtio console (hvc1) through
# -chardev stdio, with both spellings (virtio-console-pci, and QEMU's
# virtio-serial-pci + virtconsole); /dev/hwrng from a virtio-rng-pci with
# host entropy, and with seed=N a byte stream identical run to run and to
# the mmio device's with the same seed.
. tests/guest/lib.sh
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
printf 'echo HVC-$((6 * 7)) $(tty)\npoweroff -f\n' > "$TMP/in"
interact "$TMP/out1" "Type 'poweroff -f'" "$TMP/in" -serial none -append "console=hvc1" \
    -chardev stdio,id=c0 -device virtio-console-pci,chardev=c0
rc=$?
cat "$TMP/out1"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out1" '^pci: 0000:00:01.0 0x1af4:0x1043 class=0x078000'
expect "$TMP/out1" '^HVC-42 /dev/hvc1'

interact "$TMP/out2" "Type 'poweroff -f'" "$TMP/in" -serial none -append "console=hvc1" \
    -chardev stdio,id=c0 -device virtio-serial-pci,addr=7 -device virtconsole,chardev=c0
rc=$?
[ $rc -eq 0 ] || die "rivet exited $rc (virtio-serial-pci spelling)"
expect "$TMP/out2" '^pci: 0000:00:07.0 0x1af4:0x1043 class=0x078000'
expect "$TMP/out2" '^HVC-42 /dev/hvc1'

mkdir "$TMP/root"
cat > "$TMP/root/vrng.sh" <<'GUEST'
echo "rng: $(cat /sys/class/misc/hw_random/rng_current)"
echo "RNG $(head -c 64 /dev/hwrng | od -An -tx1 | tr -d ' \n')"
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/pristine.img" 8M || die "mke2fs failed"
run() { # run OUT RNG-DEVICE: prints the guest's 64 bytes
    out=$1; shift
    cp "$TMP/pristine.img" "$TMP/disk.img"
    boot_guest "$out" -rtc base=2020-01-01T00:00:00 -append "console=ttyS0 guest.run=vrng guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0 \
        -device "$1" || die "rivet exited $? ($out)"
    expect "$out" '^rng: virtio_rng'
    expect "$out" '^GUEST-RUN-EXIT vrng 0'
    tr -d '\r' < "$out" | sed -n 's/^RNG \([0-9a-f]*\)$/\1/p'
}
host=$(run "$TMP/host" virtio-rng-pci)
a=$(run "$TMP/a" virtio-rng-pci,seed=7)
b=$(run "$TMP/b" virtio-rng-pci,seed=7)
m=$(run "$TMP/m" virtio-rng-device,seed=7)
echo "host:        $host"
echo "pci seed 7:  $a"
echo "pci seed 7:  $b"
echo "mmio seed 7: $m"
expect "$TMP/a" '^pci: 0000:00:02.0 0x1af4:0x1044 class=0x00ff00'
[ ${#host} -eq 128 ] || die "/dev/hwrng did not give 64 bytes"
[ ${#a} -eq 128 ] || die "/dev/hwrng did not give 64 bytes (seeded)"
[ "$a" = "$b" ] || die "the same seed gave different bytes"
[ "$a" = "$m" ] || die "the pci and mmio devices differ with the same seed"
[ "$host" != "$a" ] || die "host entropy equals the seeded stream"
cmp "$TMP/a" "$TMP/b" || die "seeded runs printed different consoles"
echo "console and rng work over virtio-pci"
