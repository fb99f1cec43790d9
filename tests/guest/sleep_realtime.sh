# -icount sleep=on|off: `sleep 3` typed into the guest's shell lasts three
# seconds of host time with sleep=on (realtime, the default on a terminal)
# and is skipped with sleep=off (batch). Timed on the host between the
# console lines before and after it (tests/guest/pty_run.py), so the boot's
# own length, which varies with the host's load, does not count.
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 is needed for the pseudo-terminal"; exit 77; }
printf 'echo SLEEP-START; sleep 3; echo SLEEP-END\npoweroff -f\n' > "$TMP/in"
for mode in on off; do
    python3 tests/guest/pty_run.py "$TMP/log-$mode" "Type 'poweroff -f'" "$TMP/in" 120 -- \
        "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -icount sleep=$mode -append "console=ttyS0" ||
        { tail -n 5 "$TMP/log-$mode"; die "sleep=$mode: rivet failed"; }
    a=$(grep -a -m1 -E '^[0-9.]+ SLEEP-START$' "$TMP/log-$mode" | cut -d' ' -f1)
    b=$(grep -a -m1 -E '^[0-9.]+ SLEEP-END$' "$TMP/log-$mode" | cut -d' ' -f1)
    [ -n "$a" ] && [ -n "$b" ] || die "sleep=$mode: markers missing"
    ms=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%d", (b - a) * 1000 }')
    echo "sleep=$mode: sleep 3 took ${ms} ms of host time"
    eval "ms_$mode=$ms"
done
[ $ms_on -ge 2800 ] || die "sleep=on did not wait for wall time"
[ $ms_on -le 3500 ] || die "sleep=on waited far longer than the guest asked"
[ $ms_off -lt 1000 ] || die "batch mode did not skip idle time"
