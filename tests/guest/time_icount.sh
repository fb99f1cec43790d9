# -icount and -rtc on the command line: shift=N gives exactly 2^N ns per
# instruction (read by a bare-metal program through rdtime, time_rate.S),
# in batch runs and in runs that would otherwise be realtime (a network
# backend); batch mode's own rate is 10 ns per instruction; align=on holds
# a fixed rate to wall time (1.024 s of guest time at shift=10 lasts about
# a second) while align=off does not; malformed values are one-line errors.
. tests/guest/lib.sh
RISCV_CC=$(sed -n 's/^RISCV_CC = //p' config.mk 2>/dev/null)
[ -n "$RISCV_CC" ] && command -v "$RISCV_CC" > /dev/null || { echo "no RISC-V cross compiler (configure's RISCV_CC)"; exit 77; }
build() { # build NAME [-DSHIFT=N]
    name=$1; shift
    "$RISCV_CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding \
        -Itests/isa -T tests/isa/link.ld "$@" -o "$TMP/$name.elf" tests/guest/time_rate.S || die "cannot build $name"
}
bare() { # bare ELF [options]: runs it bare-metal in the background of nothing
    elf=$1; shift
    timeout 30 "$RIVET" -M virt -m 64M -bios none -nographic -kernel "$elf" "$@" < /dev/null > "$TMP/out" 2>&1
}
build batch
bare "$TMP/batch.elf" || { cat "$TMP/out"; die "batch mode is not 10 ns per instruction"; }
echo "batch: 10 ns per instruction"
for n in 0 3 10; do
    build shift$n -DSHIFT=$n
    bare "$TMP/shift$n.elf" -icount shift=$n || { cat "$TMP/out"; die "shift=$n is not 2^$n ns per instruction"; }
    echo "shift=$n: 2^$n ns per instruction"
done
# a network backend makes a run realtime, but not an explicit shift
bare "$TMP/shift3.elf" -icount shift=3 -netdev user,id=n0 || { cat "$TMP/out"; die "shift=3 with a network backend"; }
bare "$TMP/shift3.elf" -icount shift=3,sleep=on || { cat "$TMP/out"; die "shift=3,sleep=on"; }
echo "shift=3 with -netdev user, and with sleep=on: exact"
# the same program with shift=auto does not run at batch mode's rate
bare "$TMP/batch.elf" -icount shift=auto && die "shift=auto ran at exactly batch mode's rate"
echo "shift=auto: not batch mode's rate"
# align=on: guest time does not run ahead of the wall clock
t0=$(date +%s%N)
bare "$TMP/shift10.elf" -icount shift=10,align=on || { cat "$TMP/out"; die "shift=10,align=on failed"; }
t1=$(date +%s%N)
bare "$TMP/shift10.elf" -icount shift=10,align=off || { cat "$TMP/out"; die "shift=10,align=off failed"; }
t2=$(date +%s%N)
on=$(( (t1 - t0) / 1000000 )); off=$(( (t2 - t1) / 1000000 ))
echo "1.024 s of guest time at shift=10: align=on ${on} ms, align=off ${off} ms of host time"
[ $on -ge 950 ] || die "align=on let guest time run ahead of the wall"
[ $off -lt 900 ] || die "align=off waited for the wall"

K="-M virt -bios none -kernel $TMP/batch.elf"
rejects "shift=foo" "-icount.*shift must be auto or 0\.\.10" $K -icount shift=foo
rejects "shift=11" "-icount.*shift must be auto or 0\.\.10" $K -icount shift=11
rejects "shift=" "-icount.*shift must be" $K -icount shift=
rejects "shift=-1" "-icount.*shift must be" $K -icount shift=-1
rejects "unknown key" "-icount.*supported: shift=N\|auto" $K -icount speed=2
rejects "align without shift" "align=on needs shift=N" $K -icount align=on
rejects "auto+align" "shift=auto and align=on are incompatible" $K -icount shift=auto,align=on
rejects "auto+sleep=off" "shift=auto and sleep=off are incompatible" $K -icount shift=auto,sleep=off
rejects "align+sleep=off" "align=on and sleep=off are incompatible" $K -icount shift=3,align=on,sleep=off
rejects "rtc clock" "-rtc.*clock must be host, rt or vm" $K -rtc clock=wall
rejects "rtc base" "-rtc.*base must be utc, localtime" $K -rtc base=yesterday
rejects "rtc driftfix" "-rtc.*supported: base=" $K -rtc driftfix=slew
