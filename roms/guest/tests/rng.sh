#!/bin/sh
# Entropy device: the kernel picked a hardware RNG and /dev/hwrng yields data.
set -e
echo "hwrng: $(cat /sys/class/misc/hw_random/rng_current)"
bytes=$(head -c 64 /dev/hwrng | wc -c)
echo "hwrng bytes: $bytes"
[ "$bytes" -eq 64 ]
