# Device plug-ins (docs/plugins.md): the example plug-in example-rng
# (tests/plugins/example-rng.c, built out of tree against `make install`'s
# header through pkg-config), loaded with -plugin, is bound by the stock
# Linux virtio-rng driver on virtio-mmio and on virtio-pci, and the bytes
# the guest reads from /dev/hwrng are its counter pattern (byte n of its
# stream is n mod 256: each byte is the previous one plus one), which no
# real generator gives. -plugin and -device work in either order.
. tests/guest/lib.sh
PLUGIN=$B/tests/plugins/example-rng.so
[ -f "$PLUGIN" ] || die "$PLUGIN not built (make plugins)"
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
cat > "$TMP/root/prng.sh" <<'GUEST'
[ -d /sys/class/misc/hw_random ] && echo "hw_random: yes"
echo "rng_current: $(cat /sys/class/misc/hw_random/rng_current)"
echo "rng_available: $(cat /sys/class/misc/hw_random/rng_available)"
for d in /sys/bus/virtio/devices/*; do echo "virtio device: $(cat $d/device) $(basename $(readlink $d/driver))"; done
echo "RNG $(head -c 32 /dev/hwrng | od -An -tu1 | tr -s ' \n' '  ')"
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/pristine.img" 8M || die "mke2fs failed"

# consecutive "a b c ...": every byte is the one before plus one, mod 256
consecutive() {
    set -- $1
    [ $# -ge 16 ] || return 1
    prev=$1; shift
    for b in "$@"; do
        [ "$b" -eq $(( (prev + 1) % 256 )) ] || return 1
        prev=$b
    done
}

run() { # run NAME [rivet options...]
    name=$1; shift
    out=$TMP/$name
    cp "$TMP/pristine.img" "$TMP/disk.img"
    boot_guest "$out" -append "console=ttyS0 guest.run=prng guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
        "$@" || die "rivet exited $? ($name)"
    expect "$out" '^hw_random: yes'
    expect "$out" '^rng_current: virtio_rng\.0'
    expect "$out" '^rng_available: virtio_rng\.0 *$'    # the plug-in is the only source
    expect "$out" '^virtio device: 0x0004 virtio_rng'   # device ID 4, bound by virtio_rng
    expect "$out" '^GUEST-RUN-EXIT prng 0'
    bytes=$(tr -d '\r' < "$out" | sed -n 's/^RNG \(.*\)$/\1/p')
    echo "$name: $bytes"
    consecutive "$bytes" || die "$name: /dev/hwrng bytes do not follow the counter pattern: $bytes"
}
run mmio -plugin "$PLUGIN" -device example-rng-device
run pci -device example-rng-pci,start=100 -plugin file="$PLUGIN"

# the built-in rng (seeded) does not follow the pattern: the check can fail
cp "$TMP/pristine.img" "$TMP/disk.img"
boot_guest "$TMP/builtin" -append "console=ttyS0 guest.run=prng guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
    -device virtio-rng-device,seed=1 || die "rivet exited $? (builtin)"
bytes=$(tr -d '\r' < "$TMP/builtin" | sed -n 's/^RNG \(.*\)$/\1/p')
echo "built-in: $bytes"
[ -n "$bytes" ] || die "built-in: no bytes"
consecutive "$bytes" && die "built-in rng bytes follow the counter pattern"
echo "plug-in rng: counter pattern on virtio-mmio and virtio-pci; the built-in one differs"
