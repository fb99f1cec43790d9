# Host files that used to hang rivet or be taken silently (issue #18, point
# 4): each is refused at once with one line on stderr and exit 1.
#  - non-regular files (a FIFO would block at open, /dev/zero reads forever)
#    as -kernel, -initrd, -dtb, -bios
#  - what cannot fit in guest RAM (a sparse file larger than -m), a -dtb
#    over 2 MiB, a gzip kernel that inflates beyond RAM
#  - a -dtb libfdt refuses (garbage, cut short)
#  - no -kernel with a firmware that cannot boot by itself (OpenSBI
#    fw_dynamic, the default)
#  - damaged U-Boot uImages and gzip streams
. tests/guest/lib.sh
mkfifo "$TMP/fifo"
for opt in -kernel -initrd -dtb -bios; do
    k="-kernel $KERNEL"
    [ $opt = -kernel ] && k=""
    # shellcheck disable=SC2086
    rejects "FIFO as $opt" "^rivet: $opt $TMP/fifo: not a regular file \(a FIFO\)" -M virt -nographic $k $opt "$TMP/fifo"
done
rejects "/dev/zero as -dtb" '^rivet: -dtb /dev/zero: not a regular file \(a character device\)' \
    -M virt -nographic -kernel "$KERNEL" -dtb /dev/zero
rejects "directory as -kernel" 'not a regular file \(a directory\)' -M virt -nographic -kernel "$TMP"
truncate -s 200M "$TMP/huge"
rejects "initrd larger than RAM" '^rivet: -initrd .*huge: 209715200 bytes do not fit in guest RAM \(128 MiB\)' \
    -M virt -m 128M -nographic -kernel "$KERNEL" -initrd "$TMP/huge"
rejects "kernel larger than RAM" '^rivet: -kernel .*huge: 209715200 bytes do not fit in guest RAM \(128 MiB\)' \
    -M virt -m 128M -nographic -kernel "$TMP/huge"
rejects "-dtb over 2 MiB" '^rivet: -dtb .*huge: 209715200 bytes, more than the 2 MiB' \
    -M virt -nographic -kernel "$KERNEL" -dtb "$TMP/huge"
head -c 4096 /dev/urandom > "$TMP/garbage"
rejects "garbage -dtb" '^rivet: -dtb .*garbage: not a valid device tree blob \(FDT_ERR_BADMAGIC\)' \
    -M virt -nographic -kernel "$KERNEL" -dtb "$TMP/garbage"
"$RIVET" -M virt,dumpdtb="$TMP/virt.dtb" -nographic -kernel "$KERNEL" || die "dumpdtb failed"
head -c 1000 "$TMP/virt.dtb" > "$TMP/cut.dtb"
rejects "-dtb cut short" '^rivet: -dtb .*cut.dtb: not a valid device tree blob \(FDT_ERR_TRUNCATED\)' \
    -M virt -nographic -kernel "$KERNEL" -dtb "$TMP/cut.dtb"
rejects "no -kernel" "^rivet: no -kernel given: the firmware '.*fw_dynamic.bin' \(OpenSBI without a payload\) has nothing to boot" \
    -M virt -nographic
rejects "no -kernel, -bios none" 'no -kernel given and -bios none' -M virt -nographic -bios none
# gzip: a stream cut short, and one that inflates past RAM (a gzip bomb)
gzip -c < "$KERNEL" > "$TMP/Image.gz"
head -c 100000 "$TMP/Image.gz" > "$TMP/cut.gz"
rejects "gzip cut short" '^rivet: -kernel .*cut.gz: gzip data cut short' -M virt -nographic -kernel "$TMP/cut.gz"
head -c 150000000 /dev/zero | gzip -c > "$TMP/bomb.gz"
rejects "gzip bomb" '^rivet: -kernel .*bomb.gz: decompresses to more than fits in guest RAM' \
    -M virt -m 128M -nographic -kernel "$TMP/bomb.gz"
# uImages (tests/guest/mkuimage.py): damaged header, damaged data, other arch, not a kernel
python3 tests/guest/mkuimage.py "$KERNEL" "$TMP/uImage" || die "mkuimage failed"
python3 - "$TMP/uImage" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
h = bytearray(d); h[40] ^= 1; open(sys.argv[1] + '.hcrc', 'wb').write(h)
x = bytearray(d); x[1000] ^= 1; open(sys.argv[1] + '.dcrc', 'wb').write(x)
PY
rejects "uImage header CRC" '^rivet: -kernel .*uImage.hcrc: uImage header CRC mismatch' -M virt -nographic -kernel "$TMP/uImage.hcrc"
rejects "uImage data CRC" '^rivet: -kernel .*uImage.dcrc: uImage data CRC mismatch' -M virt -nographic -kernel "$TMP/uImage.dcrc"
python3 tests/guest/mkuimage.py --arch 22 "$KERNEL" "$TMP/uImage.arm64" || die "mkuimage failed"
rejects "uImage arch" 'uImage for architecture 22, not RISC-V' -M virt -nographic -kernel "$TMP/uImage.arm64"
python3 tests/guest/mkuimage.py --type 3 "$KERNEL" "$TMP/uImage.ramdisk" || die "mkuimage failed"
rejects "uImage type" 'uImage of type 3 is not a kernel' -M virt -nographic -kernel "$TMP/uImage.ramdisk"
python3 tests/guest/mkuimage.py --load 0x80000000 "$KERNEL" "$TMP/uImage.low" || die "mkuimage failed"
rejects "uImage over the firmware" 'uImage load address 0x80000000 overlaps the firmware' -M virt -nographic -kernel "$TMP/uImage.low"
echo "all bad host files rejected"
