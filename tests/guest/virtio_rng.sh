# virtio-rng: /dev/hwrng gives bytes from the host's getrandom; with seed=N
# the generator is deterministic, so two runs print the same bytes (and,
# with the RTC pinned, byte-identical consoles), and another seed differs.
. tests/guest/lib.sh
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
cat > "$TMP/root/vrng.sh" <<'GUEST'
echo "rng: $(cat /sys/class/misc/hw_random/rng_current)"
echo "RNG $(head -c 64 /dev/hwrng | od -An -tx1 | tr -d ' \n')"
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/pristine.img" 8M || die "mke2fs failed"
run() { # run OUT [rng options]
    out=$1; shift
    cp "$TMP/pristine.img" "$TMP/disk.img"
    boot_guest "$out" -rtc base=2020-01-01T00:00:00 -append "console=ttyS0 guest.run=vrng guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 \
        -device virtio-rng-device"$*" || die "rivet exited $? ($out)"
    expect "$out" '^rng: virtio_rng'
    expect "$out" '^GUEST-RUN-EXIT vrng 0'
    tr -d '\r' < "$out" | sed -n 's/^RNG \([0-9a-f]*\)$/\1/p'
}
host=$(run "$TMP/host")
a=$(run "$TMP/a" ,seed=7)
b=$(run "$TMP/b" ,seed=7)
c=$(run "$TMP/c" ,seed=8)
echo "host:   $host"
echo "seed 7: $a"
echo "seed 7: $b"
echo "seed 8: $c"
[ ${#host} -eq 128 ] || die "/dev/hwrng did not give 64 bytes"
[ ${#a} -eq 128 ] || die "/dev/hwrng did not give 64 bytes (seeded)"
[ "$a" = "$b" ] || die "the same seed gave different bytes"
[ "$a" != "$c" ] || die "different seeds gave the same bytes"
[ "$host" != "$a" ] || die "host entropy equals the seeded stream"
cmp "$TMP/a" "$TMP/b" || die "seeded runs printed different consoles"
echo "seeded runs are byte-identical ($(wc -c < "$TMP/a") bytes)"
