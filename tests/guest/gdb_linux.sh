# gdb-multiarch against rivet's gdbstub on the Linux test guest (-smp 2,
# booted to its shell): connecting stops it; info threads shows both harts;
# $satp (Sv39/48/57 on), $priv; break *ADDR on a kernel function that runs
# on every timer tick (address from /proc/kallsyms) stops in S-mode code
# that is already decoded; stepi; memory through the MMU and physically; a disconnect leaves the
# guest running (its shell answers); reconnect; Ctrl-C (SIGINT to gdb)
# stops the running guest; kill ends rivet.
. tests/guest/lib.sh
. tests/guest/gdb.shlib

LOG=$B/test-logs
mkdir -p "$LOG"
P=$(free_port)
fifo=$TMP/console-in
mkfifo "$fifo"
: > "$TMP/out"
timeout 900 "$RIVET" -M virt -nographic -smp 2 -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0" \
    -gdb tcp:127.0.0.1:$P < "$fifo" > "$TMP/out" 2>&1 &
RPID=$!
exec 9> "$fifo"
trap 'exec 9>&-; kill $RPID 2>/dev/null; rm -rf "$TMP"' EXIT

# wait_console PATTERN: until the console shows it (10 minutes on a loaded machine)
wait_console() {
    n=0
    until tr -d '\r' < "$TMP/out" | grep -aEq "$1"; do
        n=$((n + 1))
        if [ $n -gt 6000 ] || ! kill -0 $RPID 2>/dev/null; then
            tail -n 20 "$TMP/out"
            die "the console never showed '$1'"
        fi
        sleep 0.1
    done
}

wait_console "Type 'poweroff -f'"
echo 'awk '"'"'$3 == "update_process_times" { print "SYM", $0 }'"'"' /proc/kallsyms' >&9
wait_console '^SYM [0-9a-f]+ . update_process_times'
FUNC=0x$(tr -d '\r' < "$TMP/out" | awk '$1 == "SYM" && $4 == "update_process_times" { print $2; exit }')
echo "update_process_times at $FUNC"
[ "$FUNC" != 0x0000000000000000 ] || die "kallsyms hides addresses"

gdb_batch "$TMP/gdb1.out" -ex "target remote 127.0.0.1:$P" -ex 'info threads' \
    -ex 'printf "SATP=%lx\n", $satp' \
    -ex "break *$FUNC" -ex 'continue' \
    -ex 'printf "PC=%lx PRIV=%d\n", $pc, $priv' -ex 'stepi' -ex 'printf "STEP=%lx\n", $pc' \
    -ex 'x/2xw $pc' -ex 'delete' \
    -ex 'maintenance packet Qqemu.PhyMemMode:1' -ex 'x/2xw 0x80200000' -ex 'maintenance packet Qqemu.PhyMemMode:0' \
    -ex 'disconnect'
cp "$TMP/gdb1.out" "$LOG/gdb_linux-1.log"
cat "$TMP/gdb1.out"
expect "$TMP/gdb1.out" '^\* 1 +Thread 1 \(hart 0, [SU]-mode'
expect "$TMP/gdb1.out" '^  2 +Thread 2 \(hart 1, [SU]-mode'
expect "$TMP/gdb1.out" '^SATP=[89a]0'                     # Sv39/48/57 on
expect "$TMP/gdb1.out" "Breakpoint 1, $FUNC in \?\? \(\)"
expect "$TMP/gdb1.out" "^PC=${FUNC#0x} PRIV=1$"          # S-mode, before the instruction
step=$(sed -n 's/^STEP=//p' "$TMP/gdb1.out")
d=$(python3 -c "print(0x$step - $FUNC)")
[ $d -eq 2 ] || [ $d -eq 4 ] || die "stepi moved the pc by $d"
expect "$TMP/gdb1.out" '^0x[0-9a-f]+:[[:space:]]+0x[0-9a-f]{8}[[:space:]]+0x[0-9a-f]{8}'
expect "$TMP/gdb1.out" '^0x80200000:[[:space:]]+0x[0-9a-f]{8}'

# the guest runs on after the disconnect
echo 'echo ALIVE-$((6 * 7))' >&9
wait_console '^ALIVE-42'

# reconnect, Ctrl-C, kill
timeout 300 stdbuf -oL gdb-multiarch -batch -nx -ex "set pagination off" -ex "set confirm off" \
    -ex "target remote 127.0.0.1:$P" -ex 'printf "CONNECTED\n"' -ex 'continue' -ex 'info threads' -ex 'kill' \
    > "$TMP/gdb2.out" 2>&1 &
GPID=$!
gdb_interrupt "$TMP/gdb2.out" '^CONNECTED' "gdb did not connect again"
cat "$TMP/gdb2.out"
cp "$TMP/gdb2.out" "$LOG/gdb_linux-2.log"
expect "$TMP/gdb2.out" 'received signal SIGINT'
expect "$TMP/gdb2.out" 'Thread 2 \(hart 1'
n=0
while kill -0 $RPID 2>/dev/null; do
    n=$((n + 1))
    [ $n -gt 300 ] && die "rivet did not exit after kill"
    sleep 0.1
done
echo PASS
