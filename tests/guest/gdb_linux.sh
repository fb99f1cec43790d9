# gdb-multiarch against rivet's gdbstub on the Linux test guest (-smp 2,
# booted to its shell): connecting stops it; info threads shows both harts;
# $satp (Sv39/48/57 on), $priv; break *ADDR on a kernel function that runs
# on every timer tick (address from /proc/kallsyms) stops in S-mode code
# that is already decoded; stepi; memory through the MMU and physically; a
# disconnect leaves the guest running (its shell answers). Then with
# symbols: the guest kernel has no vmlinux here, so the test reads
# /proc/kallsyms over the console and builds an ELF of its text symbols
# (kallsyms_elf in gdb.shlib) for gdb's symbol-file; `break
# proc_sys_call_handler` stops when the shell writes a sysctl, `finish`
# returns to the caller with the byte count, `break *proc_dointvec` stops
# at the kallsyms address, and `watch -l` on the sysctl's int (its
# ctl_table's data) prints the old and new values the shell wrote.
# Reconnect, Ctrl-C (one SIGINT to gdb) stops the running guest; kill ends
# rivet.
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
echo 'echo KS-BEGIN; cat /proc/kallsyms; echo KS-END' >&9
wait_console '^KS-END'
tr -d '\r' < "$TMP/out" | sed -n '/^KS-BEGIN/,/^KS-END/p' > "$TMP/kallsyms"
# ksym NAME: its address in /proc/kallsyms (the first, without 0x)
ksym() { awk -v n="$1" '$3 == n { print $1; exit }' "$TMP/kallsyms"; }
FUNC=0x$(ksym update_process_times)
echo "update_process_times at $FUNC, $(grep -c . "$TMP/kallsyms") kallsyms lines"
[ "$FUNC" != 0x ] || die "no update_process_times in /proc/kallsyms"
[ "$FUNC" != 0x0000000000000000 ] || die "kallsyms hides addresses"
kallsyms_elf "$TMP/kallsyms" "$TMP/syms.elf"

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

# ---- with symbols: break FUNC, finish, watch
CALL=$(ksym proc_sys_call_handler)
INTVEC=$(ksym proc_dointvec)
[ -n "$CALL" ] && [ -n "$INTVEC" ] || die "no proc_sys_call_handler or proc_dointvec in /proc/kallsyms"
gdb_start "$TMP/gdb3.out" "$TMP/syms.elf" -ex "target remote 127.0.0.1:$P" \
    -ex 'break proc_sys_call_handler' -ex 'printf "ARMED\n"' -ex 'continue' \
    -ex 'printf "HIT1 pc=%lx ra=%lx\n", $pc, $ra' -ex 'finish' -ex 'printf "FINISH pc=%lx a0=%ld\n", $pc, $a0' \
    -ex 'delete' -ex 'break *proc_dointvec' -ex 'continue' -ex 'printf "HIT2 pc=%lx\n", $pc' \
    -ex 'set $data = *(unsigned long *)($a0 + 8)' -ex 'delete' -ex 'watch -l *(int *)$data' -ex 'continue' \
    -ex 'delete' -ex 'disconnect'
n=0
until grep -aq '^ARMED' "$TMP/gdb3.out"; do
    n=$((n + 1))
    [ $n -gt 1200 ] && die "gdb did not connect with symbols: $(tail -n 3 "$TMP/gdb3.out")"
    sleep 0.1
done
# the shell writes the sysctl twice (proc_dointvec: the first field of
# struct ctl_table is procname, the second data)
echo 'echo 7 > /proc/sys/kernel/panic; echo 9 > /proc/sys/kernel/panic; echo PANIC=$(cat /proc/sys/kernel/panic)' >&9
wait $GPID
cp "$TMP/gdb3.out" "$LOG/gdb_linux-3.log"
cat "$TMP/gdb3.out"
wait_console '^PANIC=9'
at=$(sed -n 's/^Breakpoint 1 at 0x\([0-9a-f]*\)$/\1/p' "$TMP/gdb3.out")
[ -n "$at" ] || die "no 'Breakpoint 1 at' line"
d=$(python3 -c "print(0x$at - 0x$CALL)")
echo "break proc_sys_call_handler: 0x$at, kallsyms 0x$CALL + $d (gdb skips the prologue)"
[ "$d" -ge 0 ] && [ "$d" -lt 64 ] || die "the breakpoint is $d bytes from proc_sys_call_handler"
expect "$TMP/gdb3.out" "hit Breakpoint 1, 0x$at in proc_sys_call_handler \(\)"
expect "$TMP/gdb3.out" "^HIT1 pc=$at ra="
ra=$(sed -n 's/^HIT1 pc=[0-9a-f]* ra=//p' "$TMP/gdb3.out")
expect "$TMP/gdb3.out" "^0x$ra in [A-Za-z_][A-Za-z0-9_.]* \(\)$"  # the caller, by name
expect "$TMP/gdb3.out" "^FINISH pc=$ra a0=2$"                      # returned: 2 bytes written ("7\n")
expect "$TMP/gdb3.out" "hit Breakpoint 2, 0x$INTVEC in proc_dointvec \(\)"
expect "$TMP/gdb3.out" "^HIT2 pc=$INTVEC$"
expect "$TMP/gdb3.out" '^Hardware watchpoint 3: -location \*\(int \*\)\$data$'
expect "$TMP/gdb3.out" 'hit Hardware watchpoint 3: -location'
expect "$TMP/gdb3.out" '^Old value = 7$'
expect "$TMP/gdb3.out" '^New value = 9$'
expect "$TMP/gdb3.out" '^0x[0-9a-f]+ in [A-Za-z_][A-Za-z0-9_.]* \(\)$'

# reconnect, Ctrl-C, kill
gdb_start "$TMP/gdb2.out" -ex "target remote 127.0.0.1:$P" -ex 'printf "CONNECTED\n"' -ex 'continue' \
    -ex 'info threads' -ex 'kill'
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
