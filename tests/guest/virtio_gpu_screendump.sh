# virtio-gpu on the real kernel, headless: Linux's virtio-gpu DRM driver
# with fbcon (console=tty0) draws the boot messages. The picture is checked
# after decoding it with zlib (tests/guest/png_check.py): right size, and
# console text in it (light glyph pixels over many rows and columns on a
# dark background).
#  1. -display none -screendump FILE at exit, after the guest powered off
#     (Linux resets the device at poweroff: FILE is the last picture).
#  2. SIGUSR1 while the guest runs writes a screendump at once.
#  3. xres=/yres= set the mode Linux picks (800x600 from the EDID and the
#     display info), here on virtio-gpu-pci; the guest's white paint of
#     /dev/fb0 shows in the screendump.
#  4. Ctrl-A s on the terminal writes one (util-linux's script for a pty).
# Screendumps are kept in $B/test-logs/virtio_gpu-*.png.
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 not installed (decodes the PNG)"; exit 77; }
mkdir -p "$B/test-logs"
# The guest side (roms/guest/tests/gpu.sh) goes on a disk, so that any test
# guest runs it (the initramfs of ../shared/guest does not carry it).
mkdir "$TMP/root"
cp roms/guest/tests/gpu.sh "$TMP/root/vgpu.sh"
# Keep kernel messages (the disk's unmount) off the framebuffer console once
# the paint is done, and give fbdev's delayed damage worker time to flush
# before the guest powers off (and resets the GPU).
sed -i '2i dmesg -n 1' "$TMP/root/vgpu.sh"
echo 'sleep 1' >> "$TMP/root/vgpu.sh"
mke2fs -q -t ext4 -d "$TMP/root" "$TMP/disk.img" 8M || die "mke2fs failed"
DISK="-drive file=$TMP/disk.img,format=raw,if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0"

boot_guest "$TMP/out" -display none -screendump "$TMP/exit.png" \
    -append "console=tty0 console=ttyS0 guest.run=vgpu guest.poweroff=1" $DISK -device virtio-gpu-device
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^drm: card0-Virtual-1 connected'
expect "$TMP/out" '^fb0: virtio_gpudrmfb 1024,768 bpp=32'
expect "$TMP/out" '^GUEST-RUN-EXIT vgpu 0'
[ -f "$TMP/exit.png" ] || die "no screendump at exit"
cp "$TMP/exit.png" "$B/test-logs/virtio_gpu-exit.png"
# vgpu.sh painted the framebuffer white (see part 3 for why that
# does not show at 1024 pixels a line): only the size is checked here
python3 tests/guest/png_check.py "$TMP/exit.png" 1024 768 > "$TMP/chk1"
grep -q '^png: 1024x768' "$TMP/chk1" || die "the exit screendump does not decode to 1024x768"

# 2: SIGUSR1 on a running guest that only booted (console text, no paint)
rm -f "$TMP/usr1.png"
"$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -display none -screendump "$TMP/usr1.png" \
    -append "console=tty0 console=ttyS0" -device virtio-gpu-device < /dev/null > "$TMP/out2" 2>&1 &
pid=$!
n=0
until grep -aq "Type 'poweroff -f'" "$TMP/out2"; do
    n=$((n + 1))
    [ $n -gt 1200 ] && { kill $pid; die "the guest did not boot"; }
    kill -0 $pid 2> /dev/null || die "rivet exited early"
    sleep 0.1
done
sleep 0.5
kill -USR1 $pid
n=0
until grep -aq "screendump written to $TMP/usr1.png" "$TMP/out2"; do
    n=$((n + 1))
    [ $n -gt 100 ] && { kill $pid; cat "$TMP/out2"; die "SIGUSR1 wrote no screendump"; }
    sleep 0.1
done
kill $pid
wait $pid 2> /dev/null
cp "$TMP/usr1.png" "$B/test-logs/virtio_gpu-sigusr1.png"
python3 tests/guest/png_check.py "$TMP/usr1.png" 1024 768 || die "the SIGUSR1 screendump holds no console text"

# 3: another mode, on PCI
boot_guest "$TMP/out3" -display none -screendump "$TMP/pci.png" \
    -append "console=tty0 console=ttyS0 guest.run=vgpu guest.poweroff=1" $DISK -device virtio-gpu-pci,xres=800,yres=600
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/out3"; die "rivet exited $rc (pci)"; }
expect "$TMP/out3" '^pci: 0000:00:01.0 0x1af4:0x1050 class=0x038000'
expect "$TMP/out3" '^fb0: virtio_gpudrmfb 800,600 bpp=32'
cp "$TMP/pci.png" "$B/test-logs/virtio_gpu-pci-800x600.png"
# vgpu.sh painted /dev/fb0 white: at 800 pixels a line the kernel's
# fbdev reports the damage (at 1024, 4096-byte writes are exactly one
# scanline each and Linux 6.1 rounds that damage to nothing: the paint of
# part 1 never reaches the device, on QEMU either)
python3 tests/guest/png_check.py "$TMP/pci.png" 800 600 white || die "the pci screendump is not the white paint"
# 4: Ctrl-A s on a terminal (util-linux's script gives rivet a pty)
if command -v script > /dev/null 2>&1; then
    mkfifo "$TMP/in"
    timeout 120 script -qfc "$RIVET -M virt -nographic -icount sleep=off -kernel $KERNEL -initrd $INITRD \
        -append 'console=tty0 console=ttyS0' -device virtio-gpu-device -screendump $TMP/ctrla.png" /dev/null \
        < "$TMP/in" > "$TMP/out4" 2>&1 &
    spid=$!
    exec 8> "$TMP/in"
    n=0
    until grep -aq "Type 'poweroff -f'" "$TMP/out4"; do
        n=$((n + 1))
        [ $n -gt 1200 ] && { exec 8>&-; cat "$TMP/out4"; die "the guest did not boot on the pty"; }
        sleep 0.1
    done
    printf '\001s' >&8
    n=0
    until grep -aq "screendump written to $TMP/ctrla.png" "$TMP/out4"; do
        n=$((n + 1))
        [ $n -gt 100 ] && { exec 8>&-; cat "$TMP/out4"; die "Ctrl-A s wrote no screendump"; }
        sleep 0.1
    done
    printf '\001x' >&8
    exec 8>&-
    wait $spid
    python3 tests/guest/png_check.py "$TMP/ctrla.png" 1024 768 || die "the Ctrl-A s screendump holds no console text"
else
    echo "script (util-linux) not installed: Ctrl-A s not tested"
fi
echo "virtio-gpu: fbcon text in headless screendumps (exit, SIGUSR1, Ctrl-A s), 800x600 on PCI"
