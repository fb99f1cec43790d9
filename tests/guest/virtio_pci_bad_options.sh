# Mistakes around virtio-pci devices: each is one line on stderr, exit
# status 1. Then -device help lists the -pci types and NAME,help their
# transport options.
. tests/guest/lib.sh
K="-M virt -nographic -kernel $KERNEL -initrd $INITRD"
head -c 1048576 /dev/zero > "$TMP/disk.img"
# shellcheck disable=SC2086
rejects "slot 0" "addr must be a slot from 1 to 1f" $K -device virtio-rng-pci,addr=0
rejects "slot 20" "addr must be a slot from 1 to 1f" $K -device virtio-rng-pci,addr=20
rejects "function 1" "addr must be .*one function per slot" $K -device virtio-rng-pci,addr=3.1
rejects "not hex" "addr must be" $K -device virtio-rng-pci,addr=xyz
rejects "negative" "addr must be" $K -device virtio-rng-pci,addr=-1
rejects "slot taken" "PCI slot 04 is already taken by -device virtio-rng-pci,addr=4" $K \
    -device virtio-rng-pci,addr=4 -device virtio-console-pci,addr=4
rejects "slot taken (spelled 0x4.0)" "PCI slot 04 is already taken" $K \
    -device virtio-rng-pci,addr=04 -device virtio-rng-pci,addr=0x4.0
rejects "legacy" "disable-legacy must be on or auto" $K -device virtio-rng-pci,disable-legacy=off
rejects "modern off" "disable-modern must be off" $K -device virtio-rng-pci,disable-modern=on
rejects "addr on mmio" "virtio-rng-device has no option 'addr'" $K -device virtio-rng-device,addr=3
rejects "blk-pci without drive" "virtio-blk-pci needs drive=" $K -device virtio-blk-pci
rejects "drive used twice" "already used" $K -drive file="$TMP/disk.img",format=raw,if=none,id=d0 \
    -device virtio-blk-pci,drive=d0 -device virtio-blk-device,drive=d0
set --
for i in $(seq 32); do set -- "$@" -device virtio-rng-pci; done
rejects "32 devices" "all 31 PCI slots of bus 0 are taken" $K "$@"
# -device help and NAME,help
"$RIVET" -device help > "$TMP/help" || die "-device help failed"
for t in virtio-blk-pci virtio-console-pci virtio-serial-pci virtio-rng-pci; do
    grep -q "^  $t " "$TMP/help" || die "-device help does not list $t"
done
"$RIVET" -device virtio-blk-pci,help > "$TMP/help" || die "-device virtio-blk-pci,help failed"
grep -q '^  drive=ID' "$TMP/help" || die "virtio-blk-pci,help does not list drive="
grep -q '^  addr=SLOT' "$TMP/help" || die "virtio-blk-pci,help does not list addr="
# 31 devices fill bus 0 and boot
boot_guest "$TMP/full" -append "console=ttyS0 guest.poweroff=1" $(for i in $(seq 31); do printf ' -device virtio-rng-pci,seed=%s' $i; done)
rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/full"; die "31 devices: rivet exited $rc"; }
n=$(tr -d '\r' < "$TMP/full" | grep -c '^pci: 0000:00:..\.0 0x1af4:0x1044')
echo "31 devices: $n virtio-rng-pci enumerated"
[ "$n" -eq 31 ] || die "expected 31 virtio-rng-pci, saw $n"
expect "$TMP/full" '^pci: 0000:00:1f.0 0x1af4:0x1044'
n=$(tr -d '\r' < "$TMP/full" | grep -c '^virtio: virtio[0-9]* device=0x0004 vendor=0x1af4')
[ "$n" -eq 31 ] || die "expected 31 bound virtio devices, saw $n"
echo "all bad virtio-pci options rejected"
