# The human monitor over -monitor unix:..,server=on,wait=off (issue #13,
# point 1) on the test guest at its shell prompt: info status, stop (virtual
# time stands still: the time CSR does not move across a 1 s stop), x/4xg
# of the kernel's first bytes at their virtual address = xp/4xg at their
# physical one = the Image file's first 32 bytes, x/2i, info registers,
# info cpus, info virtio|pci|mtree with a virtio-rng on each transport,
# one-line errors that leave the guest running, cont,
# system_reset (the guest boots again: a second banner), quit (exit 0).
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the monitor client)"
HMP="python3 tests/guest/hmp_client.py"
"$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 -serial file:"$TMP/console" \
    -device virtio-rng-device,seed=1 -device virtio-rng-pci,seed=2 \
    -monitor unix:"$TMP/m.sock",server=on,wait=off < /dev/null > "$TMP/out" 2>&1 &
pid=$!
wait_line "$TMP/console" "Type 'poweroff" 600 "no shell prompt"
$HMP "$TMP/m.sock" "info status" stop "info status" "info registers" sleep:1 "info registers" \
    "x/4xg 0xffffffff80000000" "xp/4xg 0x80200000" "x/2i \$pc" "info cpus" "cpu 5" "x/4q 0" "frobnicate" \
    "xp/2xg 0x10" "stop extra" "info virtio" "info pci" "info mtree" cont "info status" > "$TMP/m1" || { cat "$TMP/m1"; die "monitor session 1"; }
sed 's/^/  /' "$TMP/m1" | head -12
grep -q "^rivet monitor - type 'help'" "$TMP/m1" || die "no greeting"
[ "$(grep -c '^VM status: running$' "$TMP/m1")" -eq 2 ] || die "info status: not running twice"
grep -q '^VM status: paused$' "$TMP/m1" || die "info status after stop: not paused"
t=$(grep '^ time ' "$TMP/m1" | awk '{print $2}' | sort -u)
[ "$(echo "$t" | wc -l)" -eq 1 ] && [ -n "$t" ] || die "the time CSR moved while stopped: $t"
want=$(od -A n -t x8 -N 32 "$KERNEL" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
v=$(grep '^ffffffff800000[01]0:' "$TMP/m1" | cut -d: -f2 | sed 's/0x//g' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
p=$(grep '^00000000802000[01]0:' "$TMP/m1" | cut -d: -f2 | sed 's/0x//g' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
[ "$v" = "$want" ] || die "x/4xg 0xffffffff80000000: '$v', the Image starts with '$want'"
[ "$p" = "$want" ] || die "xp/4xg 0x80200000: '$p', the Image starts with '$want'"
grep -Eq '^ pc +ffffffff8' "$TMP/m1" || die "info registers: no kernel pc"
grep -Eq ' x2/sp +ff' "$TMP/m1" || die "info registers: no sp"
grep -Eq '^ffffffff8[0-9a-f]+:	[0-9a-f]+ +	[a-z]' "$TMP/m1" || die "x/2i: no disassembly"
grep -q '^\* CPU #0: pc=0xffffffff8' "$TMP/m1" || die "info cpus"
grep -q '^virtio-rng (virtio-mmio@10008000): device id 4, status 0x0f (ACKNOWLEDGE DRIVER DRIVER_OK FEATURES_OK)' \
    "$TMP/m1" || die "info virtio: the mmio rng"
grep -q '^virtio-rng (virtio-pci 00:01.0): device id 4, status 0x0f' "$TMP/m1" || die "info virtio: the pci rng"
grep -Eq '^  queue 0: size [0-9]+, desc 0x8' "$TMP/m1" || die "info virtio: no live queue"
grep -q '^    class 00ff: PCI device 1af4:1044$' "$TMP/m1" || die "info pci: the rng function"
grep -q '^    class 0600: PCI device 1b36:0008$' "$TMP/m1" || die "info pci: the host bridge"
grep -Eq '^      BAR4: 64 bit memory at 0x[0-9a-f]+ ' "$TMP/m1" || die "info pci: BAR4 not mapped"
grep -q '^  0000000080000000-000000009fffffff (ram): ram$' "$TMP/m1" || die "info mtree: RAM"
grep -q '^  0000000010008000-0000000010008fff (i/o): virtio-mmio$' "$TMP/m1" || die "info mtree: a virtio-mmio slot"
grep -q '^Error: cpu 5: no such hart' "$TMP/m1" || die "cpu 5 accepted"
grep -q "^Error: invalid char 'q' in format" "$TMP/m1" || die "x/4q accepted"
grep -q "^Error: unknown command: 'frobnicate'" "$TMP/m1" || die "unknown command"
grep -q '^Error: cannot access memory at 0x10$' "$TMP/m1" || die "xp of an unmapped address"
grep -q '^Error: stop: too many arguments' "$TMP/m1" || die "stop extra accepted"
[ "$(grep -c '^Error' "$TMP/m1")" -eq 5 ] || die "errors are not one line each"
kill -0 $pid || die "the guest went down"
n=$(grep -c 'Linux version' "$TMP/console")
$HMP "$TMP/m.sock" system_reset > "$TMP/m2" || die "monitor session 2"
i=0
while [ "$(grep -c 'Linux version' "$TMP/console")" -le "$n" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || die "system_reset: no second boot"
    sleep 0.1
done
echo "system_reset: the guest boots again"
$HMP "$TMP/m.sock" "info status" quit > "$TMP/m3" || die "monitor session 3"
grep -q '^VM status: running$' "$TMP/m3" || die "after the reset: not running"
i=0
while kill -0 $pid 2> /dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { kill $pid; die "quit: rivet still runs"; }
    sleep 0.1
done
wait $pid
rc=$?
[ $rc -eq 0 ] || die "quit: exit $rc: $(cat "$TMP/out")"
[ ! -e "$TMP/m.sock" ] || die "the monitor's socket file is left behind"
echo "HMP over a unix socket: status, stop/cont (time stands still), x/xp, registers, errors, reset, quit ok"
