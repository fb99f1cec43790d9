# Record/replay of monitor commands (issue #14, point 2: state changed from
# outside the guest): while lines are typed into the console, a client on
# the human monitor (-monitor unix:...) stops the machine, lets it stand,
# continues it and later resets it (system_reset: the guest boots again).
# The replay (the same -monitor option, nobody connecting; stdin from
# /dev/null) prints the same console and final state hash: the commands
# came from the log. (QMP's stop, cont, system_reset, system_powerdown and
# quit call the same machine functions, which are where the log takes them.)
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the monitor client)"
HMP="python3 tests/guest/hmp_client.py"
run() {
    timeout 300 "$RIVET" -M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 \
        -monitor unix:"$TMP/m.sock",server=on,wait=off "$@"
}
mkfifo "$TMP/in"
run -record "$TMP/m.log" < "$TMP/in" > "$TMP/rec.out" 2>&1 &
pid=$!
exec 9> "$TMP/in"
wait_line "$TMP/rec.out" "Type 'poweroff -f'" 1800 "the guest did not reach its shell"
echo 'echo first-$((6 * 7)) $(cut -d" " -f1 /proc/uptime)' >&9
wait_line "$TMP/rec.out" '^first-42' 300 "the first line was not run"
$HMP "$TMP/m.sock" stop sleep:0.7 "info status" cont > "$TMP/m1" || { cat "$TMP/m1"; die "stop/cont"; }
grep -q 'VM status: paused' "$TMP/m1" || { cat "$TMP/m1"; die "stop did not stop"; }
echo 'echo second $(cut -d" " -f1 /proc/uptime)' >&9
wait_line "$TMP/rec.out" '^second ' 300 "the second line was not run"
$HMP "$TMP/m.sock" system_reset > "$TMP/m2" || { cat "$TMP/m2"; die "system_reset"; }
n=0
until [ "$(grep -c "Type 'poweroff -f'" "$TMP/rec.out")" -ge 2 ]; do
    n=$((n + 1)); [ $n -lt 1800 ] || die "the guest did not boot again after system_reset"
    sleep 0.1
done
echo 'poweroff -f' >&9
exec 9>&-
wait $pid
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/rec.out"; die "recording: exit $rc"; }
expect "$TMP/rec.out" '^rivet: state hash [0-9a-f]{16} at instruction [0-9]+$'
echo "recorded: $(grep -c 'Linux version' "$TMP/rec.out") boots, $(grep -a 'state hash' "$TMP/rec.out")"
run -replay "$TMP/m.log" < /dev/null > "$TMP/rep.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/rep.out"; die "replay: exit $rc"; }
cmp "$TMP/rec.out" "$TMP/rep.out" || { diff "$TMP/rec.out" "$TMP/rep.out" | head; die "the replay differs"; }
echo "rr monitor: stop, cont and system_reset replayed"
