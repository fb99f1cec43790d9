# Mistakes around -fsdev, -virtfs and virtio-9p: each is one line on
# stderr, exit status 1, before the machine starts.
. tests/guest/lib.sh
K="-M virt -nographic -kernel $KERNEL -initrd $INITRD"
mkdir "$TMP/share"
touch "$TMP/file"
S=$TMP/share
D="-device virtio-9p-device,fsdev=f0,mount_tag=t"
long=$(head -c 300 /dev/zero | tr '\0' x)
# shellcheck disable=SC2086
{
rejects "missing folder" "/nonexistent-9p: No such file or directory" $K \
    -fsdev local,id=f0,path=/nonexistent-9p,security_model=none $D
rejects "folder is a file" "is not a folder" $K -fsdev local,id=f0,path="$TMP/file",security_model=none $D
rejects "unknown security_model" "unknown security_model 'strict'" $K \
    -fsdev local,id=f0,path="$S",security_model=strict $D
rejects "mapped-file" "security_model=mapped-file is not supported" $K \
    -fsdev local,id=f0,path="$S",security_model=mapped-file $D
rejects "mapped-file via -virtfs" "mapped-file is not supported" $K \
    -virtfs local,path="$S",mount_tag=t,security_model=mapped-file
rejects "no security_model" "needs security_model=" $K -fsdev local,id=f0,path="$S" $D
rejects "no path" "needs path=" $K -fsdev local,id=f0,security_model=none $D
rejects "no id" "needs id=" $K -fsdev local,path="$S",security_model=none
rejects "other driver" "only the local driver" $K -fsdev proxy,id=f0,sock_fd=3,security_model=none
rejects "unknown fsdev option" "unknown option 'writeout'" $K \
    -fsdev local,id=f0,path="$S",security_model=none,writeout=immediate $D
rejects "bad readonly" "readonly must be on or off" $K -fsdev local,id=f0,path="$S",security_model=none,readonly=maybe
rejects "duplicate fsdev id" "duplicate id 'f0'" $K -fsdev local,id=f0,path="$S",security_model=none \
    -fsdev local,id=f0,path="$S",security_model=none
rejects "two devices on one fsdev" "fsdev 'f0' is already used" $K -fsdev local,id=f0,path="$S",security_model=none \
    $D -device virtio-9p-pci,fsdev=f0,mount_tag=u
rejects "device without mount_tag" "needs mount_tag=" $K -fsdev local,id=f0,path="$S",security_model=none \
    -device virtio-9p-device,fsdev=f0
rejects "virtfs without mount_tag" "needs mount_tag=" $K -virtfs local,path="$S",security_model=none
rejects "device without fsdev" "needs fsdev=" $K -device virtio-9p-device,mount_tag=t
rejects "fsdev id not found" "no -fsdev with id=f9" $K -fsdev local,id=f0,path="$S",security_model=none \
    -device virtio-9p-device,fsdev=f9,mount_tag=t
rejects "mount_tag too long" "mount_tag must be 1 to 254 bytes" $K -fsdev local,id=f0,path="$S",security_model=none \
    -device virtio-9p-device,fsdev=f0,mount_tag="$long"
}
echo "virtio_9p_bad_options: all refused in one line"
