# virtio-console: a shell on the virtio console (hvc1 on this kernel: its SBI
# console driver takes hvc0 first, on QEMU too) through -chardev stdio, with
# both spellings (virtio-console-device, and QEMU's virtio-serial-device +
# virtconsole); the guest's console output into a -chardev file; and
# console=hvc0 (the SBI console, through the firmware to the UART).
. tests/guest/lib.sh
printf 'echo HVC-$((6 * 7)) $(tty)\npoweroff -f\n' > "$TMP/in"
interact "$TMP/out1" "Type 'poweroff -f'" "$TMP/in" -serial none -append "console=hvc1" \
    -chardev stdio,id=c0 -device virtio-console-device,chardev=c0
rc=$?
cat "$TMP/out1"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out1" '^GUEST-BOOT-OK'
expect "$TMP/out1" '^HVC-42 /dev/hvc1'

interact "$TMP/out2" "Type 'poweroff -f'" "$TMP/in" -serial none -append "console=hvc1" \
    -chardev stdio,id=c0 -device virtio-serial-device -device virtconsole,chardev=c0
rc=$?
[ $rc -eq 0 ] || die "rivet exited $rc (virtio-serial-device spelling)"
expect "$TMP/out2" '^HVC-42 /dev/hvc1'

boot_guest "$TMP/out3" -append "console=ttyS0 console=hvc1 guest.poweroff=1" \
    -chardev file,id=log,path="$TMP/hvc.log" -device virtio-console-device,chardev=log
rc=$?
[ $rc -eq 0 ] || die "rivet exited $rc (file chardev)"
expect "$TMP/out3" 'printk: console \[hvc1\] enabled'
expect "$TMP/hvc.log" 'goldfish_rtc .*: registered as rtc0'   # the kernel log from then on
expect "$TMP/hvc.log" '^GUEST-BOOT-OK'                        # /dev/console: the last console=
expect "$TMP/hvc.log" '^GUEST-POWEROFF'

# no chardev: the port exists, unconnected (its output dropped), and the
# guest runs on; /dev/console is the UART (the last console=)
boot_guest "$TMP/out4" -append "console=hvc1 console=ttyS0 guest.poweroff=1" -device virtio-console-device
rc=$?
[ $rc -eq 0 ] || die "rivet exited $rc (unconnected)"
expect "$TMP/out4" '^virtio: virtio0 device=0x0003'
expect "$TMP/out4" 'printk: console \[hvc1\] enabled'
expect "$TMP/out4" 'reboot: Power down'

boot_guest "$TMP/out5" -append "console=hvc0 guest.poweroff=1"
rc=$?
[ $rc -eq 0 ] || die "rivet exited $rc (console=hvc0)"
expect "$TMP/out5" 'printk: console \[hvc0\] enabled'
expect "$TMP/out5" '^GUEST-POWEROFF'
echo "all console variants work"
