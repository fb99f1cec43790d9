#!/bin/sh
# Runs from the disk: guest.run=hello with the disk on /dev/vda.
echo "hello from the disk"
