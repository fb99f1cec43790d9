# -kernel as QEMU takes it, and more (issue #18, point 4): the test guest's
# Image compressed with gzip (rivet inflates it with zlib; QEMU 7.2 cannot),
# as a U-Boot uImage (plain and gzip payload, tests/guest/mkuimage.py), each
# boots to the guest's checks and powers off. With -dtb (rivet's own tree,
# dumped), -append and -initrd are merged into /chosen as QEMU does: the
# kernel sees the command line and finds the initramfs.
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 not installed (writes the uImages)"; exit 77; }
gzip -c < "$KERNEL" > "$TMP/Image.gz"
python3 tests/guest/mkuimage.py "$KERNEL" "$TMP/uImage" || die "mkuimage failed"
python3 tests/guest/mkuimage.py --gzip "$KERNEL" "$TMP/uImage.gz" || die "mkuimage failed"
for k in Image.gz uImage uImage.gz; do
    timeout 120 "$RIVET" -M virt -nographic -kernel "$TMP/$k" -initrd "$INITRD" \
        -append "console=ttyS0 guest.poweroff=1 rivet.kernel=$k" < /dev/null > "$TMP/out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { tail -n 20 "$TMP/out"; die "-kernel $k: exit $rc"; }
    expect "$TMP/out" "Kernel command line: .*rivet.kernel=$k"
    expect "$TMP/out" '^GUEST-BOOT-OK'
    echo "-kernel $k: booted"
done
"$RIVET" -M virt,dumpdtb="$TMP/virt.dtb" -nographic -kernel "$KERNEL" || die "dumpdtb failed"
timeout 120 "$RIVET" -M virt -nographic -kernel "$KERNEL" -dtb "$TMP/virt.dtb" -initrd "$INITRD" \
    -append "console=ttyS0 guest.poweroff=1 rivet.dtb=merged" < /dev/null > "$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] || { tail -n 20 "$TMP/out"; die "-dtb: exit $rc"; }
expect "$TMP/out" 'Kernel command line: .*rivet.dtb=merged'
expect "$TMP/out" 'Trying to unpack rootfs image as initramfs|Unpacking initramfs'
expect "$TMP/out" '^GUEST-BOOT-OK'
echo "-dtb with -append and -initrd: booted"
