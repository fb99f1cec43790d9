# Sscofpmf on the real kernel: Linux's SBI PMU driver (through OpenSBI's
# SBI PMU, which reads the board's /pmu node) finds the overflow interrupt
# ("SBI PMU extension is available", and no "without sampling" warning),
# and tests/guest/perf_sample.c (built here, static riscv64: the guest has
# no perf binary) counts PERF_COUNT_HW_INSTRUCTIONS of a loop with a sample
# period: every sample is one counter overflow interrupt (LCOFI) taken by
# the kernel. The loop is 10M iterations (about 40M user instructions) at
# a period of 100000: the count must be near 40M and samples arrive (about
# count / period of them). With -cpu rv64,sscofpmf=off the same program
# gets no sampling event (the kernel refuses one without interrupts): the
# check can fail. A guest kernel built before roms/guest/kernel-fragment.config
# had CONFIG_PERF_EVENTS (perf_event_open is ENOSYS) skips the test.
. tests/guest/lib.sh
command -v riscv64-linux-gnu-gcc > /dev/null || { echo "riscv64-linux-gnu-gcc not installed"; exit 77; }
command -v mke2fs > /dev/null || { echo "mke2fs not installed (e2fsprogs)"; exit 77; }
mkdir "$TMP/root"
riscv64-linux-gnu-gcc -static -O2 -o "$TMP/root/perf_sample" tests/guest/perf_sample.c ||
    die "cannot build perf_sample (libc6-dev-riscv64-cross installed?)"
cat > "$TMP/root/t.sh" <<'GUEST'
dmesg | grep -i 'pmu'
/mnt/perf_sample 100000 10000000
GUEST
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 16M || die "mke2fs failed"
run() {
    boot_guest "$TMP/out" -append "console=ttyS0 guest.run=t guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 "$@"
    rc=$?
    cat "$TMP/out"
    [ $rc -eq 0 ] || die "rivet exited $rc"
}
run
if tr -d '\r' < "$TMP/out" | grep -aq '^perf_sample: perf_event_open: Function not implemented'; then
    echo "the test guest's kernel has no perf events (CONFIG_PERF_EVENTS: rebuild it with make guest)"
    exit 77
fi
expect "$TMP/out" 'SBI PMU extension is available'
tr -d '\r' < "$TMP/out" | grep -aq 'without sampling' && die "the kernel found no overflow interrupt"
line=$(tr -d '\r' < "$TMP/out" | grep -a '^perf_sample: ')
set -- $line
[ "$2" = count ] || die "perf_sample failed: $line"
count=$3 samples=$5
[ "$count" -ge 30000000 ] && [ "$count" -le 60000000 ] || die "instructions counted: $count (expected about 40M)"
[ "$samples" -ge $((count / 100000 / 2)) ] || die "$samples samples for $count instructions at period 100000"
echo "count $count, samples $samples"
# without Sscofpmf: no sampling
run -cpu rv64,sscofpmf=off
line=$(tr -d '\r' < "$TMP/out" | grep -a '^perf_sample: ')
case $line in
"perf_sample: perf_event_open: "*) echo "sscofpmf=off: $line" ;;
*) die "sscofpmf=off: sampling still works: $line" ;;
esac
echo "pmu_linux: PASS"
