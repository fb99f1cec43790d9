#!/bin/sh
# Input devices: one line per evdev node with the device's name; fails when
# there is none.
found=0
for ev in /dev/input/event*; do
    [ -c "$ev" ] || continue
    found=$((found + 1))
    echo "input: ${ev##*/} $(cat "/sys/class/input/${ev##*/}/device/name")"
done
[ "$found" -gt 0 ]
