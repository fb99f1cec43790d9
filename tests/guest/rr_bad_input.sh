# Record/replay's bad input (issue #14, "Bad input"): a missing, truncated,
# corrupted or wrong-version log, a replay against another image or another
# command line, conflicting options: one line naming the problem, exit 1,
# and the disk image is not written. A log on a full disk (/dev/full): the
# recording stops with one clear line and the guest goes on to its end.
# The machine is a bare-metal ISA test (a few thousand instructions) with a
# virtio-blk disk, so each case takes a moment.
. tests/guest/lib.sh
ELF=$B/tests/isa/rv64i.elf
[ -f "$ELF" ] || die "$ELF not built (make isa)"
truncate -s 1M "$TMP/disk.img"
run() {
    "$RIVET" -M virt -m 128M -bios none -nographic -kernel "$ELF" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 "$@"
}
run -record "$TMP/good.log" < /dev/null > "$TMP/rec.out" 2>&1 || { cat "$TMP/rec.out"; die "recording failed"; }
grep -q '^rivet: state hash [0-9a-f]\{16\} at instruction [0-9]*$' "$TMP/rec.out" || die "no state hash line"
run -replay "$TMP/good.log" < /dev/null > "$TMP/rep.out" 2>&1 || { cat "$TMP/rep.out"; die "replay failed"; }
cmp "$TMP/rec.out" "$TMP/rep.out" || die "the replay printed something else than the recording"
sum0=$(md5sum < "$TMP/disk.img")

# rejects with the disk checked afterwards
refused() {
    desc=$1; pattern=$2; shift 2
    rejects "$desc" "$pattern" -M virt -m 128M -bios none -nographic -kernel "$ELF" \
        -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 "$@"
    [ "$(md5sum < "$TMP/disk.img")" = "$sum0" ] || die "$desc: the disk image changed"
}
refused "missing log" "-replay .*nothere.log: cannot open" -replay "$TMP/nothere.log"
refused "unreadable log (a directory)" "-replay .*: not a rivet record/replay log" -replay "$TMP"
printf 'RIVET-RQ\001\000\000\000' > "$TMP/magic.log"
refused "wrong magic" "-replay .*magic.log: not a rivet record/replay log" -replay "$TMP/magic.log"
size=$(wc -c < "$TMP/good.log")
for cut in 0 5 12 13 40 $((size / 2)) $((size - 1)); do
    head -c $cut "$TMP/good.log" > "$TMP/cut.log"
    refused "log cut at $cut of $size bytes" "-replay .*cut.log: .*(truncated|short|magic|header)" -replay "$TMP/cut.log"
done
# a flipped bit in every tenth byte after the header
i=12
while [ $i -lt "$size" ]; do
    python3 - "$TMP/good.log" "$TMP/bad.log" $i <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[int(sys.argv[3])] ^= 0x10
open(sys.argv[2], "wb").write(d)
PY
    refused "bit flipped at byte $i" "-replay .*bad.log: " -replay "$TMP/bad.log"
    i=$((i + 37))
done
python3 - "$TMP/good.log" "$TMP/v2.log" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[8] = 2
open(sys.argv[2], "wb").write(d)
PY
refused "wrong version" "-replay .*v2.log: .*version" -replay "$TMP/v2.log"
refused "another command line" "-replay .*good.log: recorded with another command line" \
    -replay "$TMP/good.log" -smp 2
cp "$TMP/disk.img" "$TMP/disk.orig"
printf 'x' | dd of="$TMP/disk.img" conv=notrunc 2> /dev/null
sum0=$(md5sum < "$TMP/disk.img")
refused "another disk" "-replay .*good.log: the drive0 image .*disk.img differs from the recording's" \
    -replay "$TMP/good.log"
cp "$TMP/disk.orig" "$TMP/disk.img"
sum0=$(md5sum < "$TMP/disk.img")
rejects "record and replay" "a run either records or replays" -record "$TMP/x.log" -replay "$TMP/good.log"
rejects "rr= without rrfile=" "-icount .*rrfile" -icount shift=auto,rr=record
rejects "rrfile= without rr=" "-icount .*need rr=" -icount rrfile="$TMP/x.log"
rejects "record with a debugger" "-record .*a debugger changes the machine" -record "$TMP/x.log" -s
rejects "replay with a shared folder" "-replay .*shared folder" -replay "$TMP/good.log" -virtfs local,path="$TMP",mount_tag=h,security_model=none

# a full disk: one line, the guest goes on (the ISA test passes, exit 0)
[ -w /dev/full ] || { echo "no /dev/full"; exit 77; }
run -record /dev/full < /dev/null > "$TMP/full.out" 2>&1
rc=$?
cat "$TMP/full.out"
[ $rc -eq 0 ] || die "recording to a full disk: exit $rc, expected the guest's 0"
grep -q '^PASS' "$TMP/full.out" || die "the guest did not go on"
[ "$(grep -c '^rivet: -record /dev/full: .*No space left on device: the recording stops here, the guest goes on$' "$TMP/full.out")" -eq 1 ] ||
    die "no single line about the full disk"
echo "rr bad input: all refused"
