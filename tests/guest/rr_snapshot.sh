# A recording that starts from a snapshot (issue #14, points 1 and 5, test
# c): a first rivet boots to the shell and saves a snapshot (savevm on the
# monitor); then a recording starts from it (-loadvm FILE -record LOG) while
# lines are typed from a pipe at wall-clock moments (realtime mode), and
# the replay (-loadvm FILE -replay LOG, stdin /dev/null) prints the same
# console and state hash. The same with QEMU's spelling, -icount
# ...,rr=record|replay,rrfile=LOG,rrsnapshot=FILE. The snapshot file is one
# of the recording's images: a replay from another snapshot is refused.
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the monitor client)"
HMP="python3 tests/guest/hmp_client.py"
run() {
    timeout 300 "$RIVET" -M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 "$@"
}
run -monitor unix:"$TMP/m.sock",server=on,wait=off < /dev/null > "$TMP/boot.out" 2>&1 &
pid=$!
wait_line "$TMP/boot.out" "Type 'poweroff -f'" 1800 "the guest did not reach its shell"
sleep 0.5
$HMP "$TMP/m.sock" stop "savevm $TMP/s" cont sleep:0.5 stop "savevm $TMP/other" quit > "$TMP/m1" 2>&1 || { cat "$TMP/m1"; die "savevm"; }
wait $pid
grep -q '^Error' "$TMP/m1" && { cat "$TMP/m1"; die "savevm failed"; }
[ -f "$TMP/s" ] || die "no snapshot file"

typed() {
    sleep 2; echo 'echo typed-$((6 * 7)) $(cut -d" " -f1 /proc/uptime)'
    sleep 1.1; echo 'head -c 16 /dev/urandom | md5sum'
    sleep 0.6; echo 'poweroff -f'
}
for spelling in short qemu; do
    if [ $spelling = short ]; then
        rec="-icount shift=auto,sleep=on -loadvm $TMP/s -record $TMP/s.log"
        rep="-icount shift=auto,sleep=on -loadvm $TMP/s -replay $TMP/s.log"
    else
        rec="-icount shift=auto,sleep=on,rr=record,rrfile=$TMP/s.log,rrsnapshot=$TMP/s"
        rep="-icount shift=auto,sleep=on,rr=replay,rrfile=$TMP/s.log,rrsnapshot=$TMP/s"
    fi
    # shellcheck disable=SC2086
    typed | run $rec > "$TMP/rec.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { tail -n 5 "$TMP/rec.out"; die "$spelling: recording from the snapshot: exit $rc"; }
    expect "$TMP/rec.out" '^typed-42 '
    grep -q "Linux version" "$TMP/rec.out" && die "$spelling: the recording booted instead of starting from the snapshot"
    # shellcheck disable=SC2086
    run $rep < /dev/null > "$TMP/rep.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { tail -n 5 "$TMP/rep.out"; die "$spelling: replay: exit $rc"; }
    cmp "$TMP/rec.out" "$TMP/rep.out" || { diff "$TMP/rec.out" "$TMP/rep.out" | head; die "$spelling: the replay differs"; }
    echo "$spelling: $(grep -a 'state hash' "$TMP/rec.out") (recording and replay)"
done
cp "$TMP/other" "$TMP/s"
rejects "replay from another snapshot" "-replay .*s.log: the snapshot image .* differs from the recording's" \
    -M virt -m 256M -nographic -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 \
    -icount shift=auto,sleep=on -loadvm "$TMP/s" -replay "$TMP/s.log"
echo "rr snapshot: recorded from a snapshot and replayed"
