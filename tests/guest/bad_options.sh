# Mistakes the user can make: each is one line on stderr naming the problem,
# and exit status 1.
. tests/guest/lib.sh
rejects "missing kernel" '/nonexistent/Image: No such file' -M virt -nographic -kernel /nonexistent/Image
rejects "-m 0" '-m 0: RAM must be between' -M virt -m 0 -nographic -kernel "$KERNEL"
rejects "-m 1T" '-m 1T: RAM must be between' -M virt -m 1T -nographic -kernel "$KERNEL"
rejects "-smp 99" '-smp 99: between 1 and 8 harts' -M virt -smp 99 -nographic -kernel "$KERNEL"
rejects "unknown option" "unknown option '-frobnicate'" -M virt -frobnicate -kernel "$KERNEL"
rejects "unknown machine" 'unknown machine' -M pc -kernel "$KERNEL"
rejects "missing argument" "'-kernel' needs an argument" -M virt -kernel
rejects "missing initrd" '-initrd /nonexistent/initrd: No such file' -M virt -nographic -kernel "$KERNEL" -initrd /nonexistent/initrd
rejects "missing bios" '/nonexistent/fw.bin: No such file' -M virt -nographic -bios /nonexistent/fw.bin -kernel "$KERNEL"
rejects "missing disk, no if=" "-drive file=/nonexistent/disk.img: cannot open the image" -M virt -nographic -kernel "$KERNEL" -drive file=/nonexistent/disk.img
rejects "missing -hda" "-drive file=/nonexistent/disk.img: cannot open the image" -M virt -nographic -kernel "$KERNEL" -hda /nonexistent/disk.img
head -c 100000 "$KERNEL" > "$TMP/truncated-Image"
rejects "truncated Image" 'truncated-Image: truncated' -M virt -nographic -kernel "$TMP/truncated-Image"
echo "all bad options rejected"
