# After loadvm the guest goes on exactly as from savevm (issue #13, points 3
# and 4): -smp 2, virtio-blk-pci and virtio-rng-pci (seeded), no input. The
# guest runs a script from its disk that keeps writing files (64 KiB-256 KiB,
# contents from the rng), syncing and printing their checksums, uptime and
# interrupt counts, so disk writes are in flight at any moment. In one
# rivet: savevm s while it writes, let it run, loadvm s, let it run to its
# poweroff. Then a second rivet starts with -loadvm s and runs to poweroff.
# Checked: the console after the loadvm (first rivet) and the whole console
# of the second rivet are both byte for byte the console of the first rivet
# after its savevm (which they cut short or continue), the state hash after
# the loadvm is the one at savevm, and e2fsck finds the disk clean.
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the monitor client)"
command -v e2fsck > /dev/null || die "e2fsck not installed (e2fsprogs)"
HMP="python3 tests/guest/hmp_client.py"
mkdir "$TMP/root"
cat > "$TMP/root/snapw.sh" <<'EOF'
i=0
while [ $i -lt 60 ]; do
    n=$((64 + (i % 4) * 64))
    head -c $((n * 1024)) /dev/hwrng > /mnt/f$((i % 7))
    sync
    echo "w $i $(md5sum < /mnt/f$((i % 7)) | cut -c1-12) $(cut -d' ' -f1 /proc/uptime) $(grep -c virtio /proc/interrupts)"
    i=$((i + 1))
done
grep virtio /proc/interrupts | tr -s ' '
echo SNAPW-DONE
EOF
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 32M || die "mke2fs failed"
# rivet_run OPTIONS...: the machine of this test
rivet_run() {
    timeout 600 "$RIVET" -M virt -smp 2 -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" \
        -rtc base=2024-01-01 -icount shift=3,sleep=off \
        -append "console=ttyS0 guest.run=snapw guest.poweroff=1" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0,addr=3 \
        -device virtio-rng-pci,seed=7,addr=4 "$@" < /dev/null
}

rivet_run -monitor unix:"$TMP/m.sock",server=on,wait=off > "$TMP/out1" 2>&1 &
pid=$!
wait_line "$TMP/out1" '^w 8 ' 1200 "the guest script did not start writing"
# stopped (stop flushes the console), so the console's size is where savevm happened
$HMP "$TMP/m.sock" stop "savevm $TMP/s" "info status" > "$TMP/m1" || { cat "$TMP/m1"; die "savevm"; }
at=$(wc -c < "$TMP/out1")
$HMP "$TMP/m.sock" cont > /dev/null || die "cont"
grep -q '^Error' "$TMP/m1" && { cat "$TMP/m1"; die "savevm failed"; }
h1=$(grep '^State hash' "$TMP/m1" | tail -n 1)
wait_line "$TMP/out1" '^w 20 ' 1200 "the guest stopped writing after savevm"
$HMP "$TMP/m.sock" stop "loadvm $TMP/s" "info status" > "$TMP/m2" || { cat "$TMP/m2"; die "loadvm"; }
grep -q '^Error' "$TMP/m2" && { cat "$TMP/m2"; die "loadvm failed"; }
at2=$(wc -c < "$TMP/out1")
$HMP "$TMP/m.sock" cont > /dev/null || die "cont"
h2=$(grep '^State hash' "$TMP/m2")
wait $pid
rc=$?
[ $rc -eq 0 ] || die "first rivet: exit $rc: $(tail -n 5 "$TMP/out1")"
echo "savevm at byte $at of the console ($h1), loadvm at byte $at2 ($h2)"
[ -n "$h1" ] && [ "$h1" = "$h2" ] || die "the state hash after loadvm is not the one at savevm"
tail -c +$((at + 1)) "$TMP/out1" | head -c $((at2 - at)) > "$TMP/after-save"
tail -c +$((at2 + 1)) "$TMP/out1" > "$TMP/after-load"
grep -q '^SNAPW-DONE' "$TMP/after-load" || die "the guest did not finish after loadvm"
e2fsck -fn "$TMP/disk.img" > "$TMP/fsck" 2>&1 || { cat "$TMP/fsck"; die "e2fsck after the first rivet"; }
# the run between savevm and loadvm is the start of the run after loadvm
head -c $((at2 - at)) "$TMP/after-load" | cmp -s - "$TMP/after-save" ||
    { diff "$TMP/after-save" "$TMP/after-load" | head; die "after loadvm the guest printed something else than after savevm"; }

rivet_run -loadvm "$TMP/s" > "$TMP/out2" 2>&1
rc=$?
[ $rc -eq 0 ] || die "second rivet (-loadvm): exit $rc: $(tail -n 5 "$TMP/out2")"
cmp -s "$TMP/out2" "$TMP/after-load" ||
    { diff "$TMP/after-load" "$TMP/out2" | head; die "-loadvm printed something else than loadvm"; }
e2fsck -fn "$TMP/disk.img" > "$TMP/fsck" 2>&1 || { cat "$TMP/fsck"; die "e2fsck after the second rivet"; }
echo "$(grep -c '^w ' "$TMP/after-load") writes after the snapshot, console identical after savevm, loadvm and -loadvm; e2fsck clean"
