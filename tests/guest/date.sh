# The guest's clock (goldfish RTC) is within a minute of the host's. The
# command is typed into the guest's shell through the console. -icount
# sleep=on keeps guest time on wall time while the shell waits for input (in
# batch mode, the default without a terminal, idle time is skipped).
. tests/guest/lib.sh
printf 'echo DATE=$(date +%%s)\npoweroff -f\n' > "$TMP/in"
host=$(date +%s)
interact "$TMP/out" "Type 'poweroff -f'" "$TMP/in" -icount sleep=on -append "console=ttyS0"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
guest=$(sed -n 's/^DATE=\([0-9][0-9]*\).*/\1/p' "$TMP/out" | head -n 1)
[ -n "$guest" ] || die "the guest did not print its date"
d=$((guest - host)); [ $d -lt 0 ] && d=$((-d))
echo "host $host guest $guest difference ${d}s"
[ $d -le 60 ] || die "guest clock is ${d}s off"
