# With -icount sleep=on (the default on a terminal), an idle guest follows
# wall time: `sleep 3` typed into the shell takes about three host seconds.
# In batch mode (sleep=off) the same idle time is skipped.
. tests/guest/lib.sh
printf 'sleep 3\npoweroff -f\n' > "$TMP/in"
for mode in on off; do
    t0=$(date +%s%N)
    interact "$TMP/out-$mode" "Type 'poweroff -f'" "$TMP/in" -icount sleep=$mode -append "console=ttyS0" ||
        die "sleep=$mode: rivet failed"
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    echo "sleep=$mode: boot + sleep 3 + poweroff took ${ms} ms of host time"
    eval "ms_$mode=$ms"
done
# The boot itself takes about a second either way; the difference is the sleep.
diff=$((ms_on - ms_off))
echo "difference ${diff} ms"
[ $diff -ge 2500 ] || die "sleep=on did not wait for wall time"
[ $diff -le 5000 ] || die "sleep=on waited far longer than the guest asked"
[ $ms_off -lt 20000 ] || die "batch mode did not skip idle time"
