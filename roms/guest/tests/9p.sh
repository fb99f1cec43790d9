#!/bin/sh
# Shared folder: mounts the virtio-9p share tagged "host" and lists it.
set -e
mount -t 9p -o trans=virtio,version=9p2000.L host /mnt
ls -la /mnt | cat   # through cat: no colour codes on the console
umount /mnt
