#!/bin/sh
# Block device round trip on /dev/vda (disk.ext4 from make guest): checks the
# known file, writes 4 MiB, remounts read-only and checks it again.
set -e
mount -t ext4 /dev/vda /mnt
cd /mnt
sha256sum -c known.sha256
dd if=/dev/urandom of=written.bin bs=1M count=4 2>/dev/null
sha256sum written.bin > written.sha256
cd /
umount /mnt
mount -t ext4 -o ro /dev/vda /mnt
cd /mnt
sha256sum -c written.sha256
cd /
umount /mnt
