# Bad device plug-ins (docs/plugins.md): each one is refused with exactly
# one line naming the file and the problem, exit 1, before anything runs.
# The plug-ins are tests/plugins/bad.c built once per mistake.
. tests/guest/lib.sh
P=$B/tests/plugins
[ -f "$P/bad-zero.so" ] || die "$P/bad-*.so not built (make plugins)"
rejects "not an ELF file" "^rivet: -plugin $P/not-elf.so: not a shared object" -plugin "$P/not-elf.so"
rejects "missing file" "^rivet: -plugin $P/missing.so: cannot open it: No such file" -plugin "$P/missing.so"
rejects "no entry point" "^rivet: -plugin $P/bad-noentry.so: no entry point rivet_plugin_entry" -plugin "$P/bad-noentry.so"
rejects "ABI too new" "^rivet: -plugin $P/bad-abi-new.so: built for device ABI 2, newer than this rivet's" \
    -plugin "$P/bad-abi-new.so"
rejects "ABI too old" "^rivet: -plugin $P/bad-abi-old.so: built for device ABI 0, older than this rivet's" \
    -plugin file="$P/bad-abi-old.so"
rejects "two devices of one name" "^rivet: -plugin $P/bad-dup.so: two devices named dup-rng" -plugin "$P/bad-dup.so"
rejects "a built-in device's name" \
    "^rivet: -plugin $P/bad-builtin.so: device virtio-rng: the name virtio-rng-device is already taken by the built-in" \
    -plugin "$P/bad-builtin.so"
rejects "the same plug-in twice" \
    "^rivet: -plugin $P/example-rng.so: device example-rng: the name example-rng-device is already taken by the plug-in" \
    -plugin "$P/example-rng.so" -plugin "$P/example-rng.so"
rejects "zero-sized region" "^rivet: -plugin $P/bad-zero.so: device zero-mmio: a zero-sized region" -plugin "$P/bad-zero.so"
rejects "overlapping a board region" \
    "^rivet: -plugin $P/bad-overlap.so: device uart-clash: region 0x10000000\+0x1000 overlaps the board's uart" \
    -plugin "$P/bad-overlap.so"
rejects "two windows of one plug-in overlap" \
    "^rivet: -plugin $P/bad-self-overlap.so: device mmio-b: region 0x20001000\+0x1000 overlaps its device mmio-a" \
    -plugin "$P/bad-self-overlap.so"
rejects "a window over another plug-in's" \
    "^rivet: -plugin $P/example-mmio.so: device example-mmio: region 0x10100000\+0x1000 overlaps plug-in device example-mmio" \
    -plugin "$P/example-mmio.so" -plugin "$P/example-mmio.so"
rejects "a QEMU TCG plug-in" "^rivet: -plugin $P/bad-qemu.so: a QEMU TCG plug-in, not a rivet device plug-in" \
    -plugin "$P/bad-qemu.so"
rejects "QEMU plug-in arguments" "^rivet: -plugin file=$P/example-rng.so,arg=x: unknown option 'arg'" \
    -plugin "file=$P/example-rng.so,arg=x"
rejects "no file" "^rivet: -plugin file=: expected FILE.so" -plugin "file="
# a plug-in device without its plug-in is an unknown device
rejects "device without -plugin" "^rivet: -device example-rng-device: unknown device" -device example-rng-device
# its options are checked like a built-in device's
rejects "bad option value" "^rivet: -device example-rng-pci,start=x: start must be" \
    -device example-rng-pci,start=x -plugin "$P/example-rng.so"
rejects "one window" "^rivet: -device example-mmio: example-mmio has one fixed window" \
    -plugin "$P/example-mmio.so" -device example-mmio -device example-mmio -kernel /dev/null

# listed in -device help, with its options, wherever -plugin stands
"$RIVET" -device help -plugin "$P/example-rng.so" > "$TMP/help" || die "-device help failed"
grep -q '^  example-rng-device  *virtio-mmio example plug-in' "$TMP/help" || die "example-rng-device not in -device help"
grep -q '^  example-rng-pci  *virtio-pci example plug-in' "$TMP/help" || die "example-rng-pci not in -device help"
grep -q 'virtio-rng-device' "$TMP/help" || die "built-in devices missing from -device help"
"$RIVET" -plugin "$P/example-rng.so" -device example-rng-pci,help > "$TMP/help" || die "-device example-rng-pci,help failed"
cat "$TMP/help"
grep -q '^  start=N .*(default 0)' "$TMP/help" || die "start= not in example-rng-pci's help"
grep -q '^  addr=SLOT' "$TMP/help" || die "the PCI transport's addr= not in example-rng-pci's help"
echo "every bad plug-in refused in one line; help lists the plug-in's devices"
