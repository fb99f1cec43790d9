#!/bin/sh
# gdb-multiarch against rivet's gdbstub on a bare-metal program with
# symbols (tests/gdb/prog.c, M-mode, -smp 2): -S, break FUNC and break
# *ADDR, continue, bt, finish, stepi, watch (old and new value) and
# rwatch, CSRs ($mstatus, $satp, $priv, $mhartid of thread 2), info
# threads, monitor, physical memory mode; disconnect leaves a -S guest
# stopped; reconnect; Ctrl-C (SIGINT to gdb) stops the running guest;
# kill; a unix socket; time stands still while stopped (real-time mode);
# a port in use and -S without -gdb are one-line errors.
. tests/guest/lib.sh
. tests/guest/gdb.shlib

command -v riscv64-unknown-elf-gcc > /dev/null || die "riscv64-unknown-elf-gcc not installed"
ELF=$TMP/prog.elf
riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles \
    -ffreestanding -O0 -g -T tests/isa/link.ld -o "$ELF" tests/gdb/prog.c || die "cannot build prog.c"
BUMP=$(riscv64-unknown-elf-nm "$ELF" | awk '$3 == "bump" { print "0x" $1 }')
[ -n "$BUMP" ] || die "no symbol bump"
LOG=$B/test-logs
mkdir -p "$LOG"

start() { # start OUT [rivet options]: rivet in the background
    o=$1; shift
    timeout 600 "$RIVET" -M virt -bios none -nographic -smp 2 -kernel "$ELF" "$@" < /dev/null > "$o" 2>&1 &
    RPID=$!
}
finish_rivet() {
    n=0
    while kill -0 "$RPID" 2>/dev/null; do
        n=$((n + 1))
        [ $n -gt 300 ] && { kill "$RPID"; die "rivet did not exit after kill"; }
        sleep 0.1
    done
    wait "$RPID"
    echo "rivet exited with status $?"
}

# ---- 1: -S, breakpoints, stepping, watchpoints, registers, threads
P=$(free_port)
start "$TMP/rivet1.out" -S -gdb tcp:127.0.0.1:$P
wait_listen "$P"
# a gdb that leaves before continuing leaves the -S guest stopped
gdb_batch "$TMP/gdb0.out" -ex "file $ELF" -ex "target remote 127.0.0.1:$P" -ex 'disconnect'
cat "$TMP/gdb0.out"
sleep 1
gdb_batch "$TMP/gdb1.out" -ex "file $ELF" -ex "target remote 127.0.0.1:$P" \
    -ex 'printf "PC0=%lx\n", $pc' -ex 'printf "COUNTER=%lu\n", counter' -ex 'info threads' \
    -ex 'break add' -ex 'continue' -ex 'bt' -ex 'finish' \
    -ex 'printf "PC1=%lu\n", $pc' -ex 'stepi' -ex 'printf "PC2=%lu\n", $pc' \
    -ex 'delete' -ex "break *$BUMP" -ex 'continue' -ex 'delete' \
    -ex 'watch watched' -ex 'continue' -ex 'continue' -ex 'delete' \
    -ex 'rwatch reads' -ex 'continue' -ex 'delete' \
    -ex 'printf "MSTATUS=%lx\n", $mstatus' -ex 'printf "SATP=%lx\n", $satp' -ex 'printf "PRIV=%d\n", $priv' \
    -ex 'info registers priv' -ex 'printf "MISA=%lx\n", $misa' \
    -ex 'thread 2' -ex 'printf "HARTID=%d\n", $mhartid' -ex 'thread 1' \
    -ex 'monitor help' \
    -ex 'maintenance packet Qqemu.PhyMemMode:1' -ex 'x/2xw 0x80000000' -ex 'maintenance packet Qqemu.PhyMemMode:0' \
    -ex 'x/2xw 0' \
    -ex 'set debug remote 1' -ex 'set var reads = 0x2a247d23' -ex 'set debug remote 0' \
    -ex 'printf "READS=%lx\n", reads' -ex 'set var reads = 0' \
    -ex 'disconnect'
cp "$TMP/gdb1.out" "$LOG/gdb_baremetal-1.log"
cat "$TMP/gdb1.out"
expect "$TMP/gdb1.out" '^PC0=1000$'                             # -S: stopped at the reset vector
expect "$TMP/gdb1.out" '^COUNTER=0$'
expect "$TMP/gdb1.out" '^\* 1 +Thread 1 \(hart 0, M-mode\)'
expect "$TMP/gdb1.out" '^  2 +Thread 2 \(hart 1, M-mode\)'
expect "$TMP/gdb1.out" 'Breakpoint 1, add \(a=0, b=1\) at tests/gdb/prog.c'
expect "$TMP/gdb1.out" '^#1 .* in main_loop \(\) at tests/gdb/prog.c'
expect "$TMP/gdb1.out" '^0x[0-9a-f]+ in main_loop \(\) at tests/gdb/prog.c'   # finish
expect "$TMP/gdb1.out" '^Value returned is \$[0-9]+ = 1$'
# stepi moved the pc by one instruction (2 or 4 bytes)
pc1=$(sed -n 's/^PC1=//p' "$TMP/gdb1.out")
pc2=$(sed -n 's/^PC2=//p' "$TMP/gdb1.out")
[ -n "$pc1" ] && [ -n "$pc2" ] || die "no pc before/after stepi"
d=$((pc2 - pc1))
[ $d -eq 2 ] || [ $d -eq 4 ] || die "stepi moved the pc by $d"
expect "$TMP/gdb1.out" 'Breakpoint 2, (0x[0-9a-f]+ in )?bump \(\) at tests/gdb/prog.c'
expect "$TMP/gdb1.out" 'Hardware watchpoint 3: watched'
expect "$TMP/gdb1.out" '^Old value = 0$'
expect "$TMP/gdb1.out" '^New value = 1$'
expect "$TMP/gdb1.out" '^Old value = 1$'
expect "$TMP/gdb1.out" '^New value = 2$'
expect "$TMP/gdb1.out" 'Hardware read watchpoint 4: reads'
expect "$TMP/gdb1.out" '^Value = 0$'
expect "$TMP/gdb1.out" '^MSTATUS=a00000[0-9a-f]{3}$'          # SXL = UXL = 2
expect "$TMP/gdb1.out" '^SATP=0$'                               # bare
expect "$TMP/gdb1.out" '^PRIV=3$'                               # M-mode
expect "$TMP/gdb1.out" '^priv[[:space:]]+0x3[[:space:]]+prv:3 \[Machine\]'
expect "$TMP/gdb1.out" '^MISA=800000000014112d$'                # RV64 ACDFIMSU
expect "$TMP/gdb1.out" '^HARTID=1$'                             # thread 2 is hart 1
expect "$TMP/gdb1.out" '^system_reset +-- reset the machine'
expect "$TMP/gdb1.out" '^0x80000000 <_start>:[[:space:]]+0xf14022f3'
expect "$TMP/gdb1.out" 'Cannot access memory at address 0x0'
# a memory write goes as X (binary), its '#', '}', '$' and '*' escaped
expect "$TMP/gdb1.out" 'Sending packet: \$X[0-9a-f]+,8:'
expect "$TMP/gdb1.out" '^READS=2a247d23$'
kill -0 "$RPID" || die "rivet exited after the disconnect"

# ---- 2: it runs after the disconnect; reconnect, Ctrl-C, kill
sleep 1
gdb_start "$TMP/gdb3.out" -ex "file $ELF" -ex "target remote 127.0.0.1:$P" -ex 'p counter' \
    -ex 'continue' -ex 'p counter' -ex 'info threads' -ex 'kill'
gdb_interrupt "$TMP/gdb3.out" '^\$1 = ' "gdb did not connect"   # once it printed the counter
cat "$TMP/gdb3.out"
cp "$TMP/gdb3.out" "$LOG/gdb_baremetal-3.log"
expect "$TMP/gdb3.out" 'received signal SIGINT'
a=$(grep -aE '^\$1 = [0-9]+$' "$TMP/gdb3.out" | sed 's/.*= //')
b=$(grep -aE '^\$2 = [0-9]+$' "$TMP/gdb3.out" | sed 's/.*= //')
[ -n "$a" ] && [ -n "$b" ] || die "no counter values"
[ "$a" -gt 0 ] || die "the guest did not run after session 2 disconnected (counter $a)"
[ "$b" -gt "$a" ] || die "the guest did not run on continue ($a -> $b)"
expect "$TMP/gdb3.out" 'Thread 2 \(hart 1, M-mode, wfi\)'
finish_rivet

# ---- 3: a unix socket, time stands still while stopped (real-time mode)
SOCK=$TMP/gdb.sock
start "$TMP/rivet4.out" -S -gdb unix:$SOCK,server=on -icount sleep=on
n=0; until [ -S "$SOCK" ]; do n=$((n + 1)); [ $n -gt 600 ] && die "no socket $SOCK"; sleep 0.1; done
gdb_batch "$TMP/gdb4.out" -ex "file $ELF" -ex "target remote $SOCK" -ex 'break pause_here' -ex 'continue' \
    -ex 'shell sleep 3' -ex 'delete' -ex 'break bump' -ex 'continue' -ex 'p pause_done' -ex 'p t_delta' -ex 'kill'
cat "$TMP/gdb4.out"
expect "$TMP/gdb4.out" 'Breakpoint 1, pause_here'
expect "$TMP/gdb4.out" '^\$1 = 1$'
delta=$(grep -aE '^\$2 = [0-9]+$' "$TMP/gdb4.out" | sed 's/.*= //')
[ -n "$delta" ] || die "no t_delta"
echo "guest time across a 3 s stop: $delta ticks of 10 MHz"
[ "$delta" -lt 10000000 ] || die "the guest saw the stop: $delta ticks (>= 1 s)"
finish_rivet

# ---- 4: mistakes
P2=$(free_port)
start "$TMP/rivet5.out" -gdb tcp:127.0.0.1:$P2
wait_listen "$P2"
rejects "port in use" "cannot listen: Address already in use" -M virt -bios none -kernel "$ELF" -gdb tcp:127.0.0.1:$P2
kill "$RPID"; wait "$RPID"
rejects "-S alone" "-S: needs -s, -gdb, -monitor or -qmp" -M virt -bios none -kernel "$ELF" -S
rejects "bad -gdb" "-gdb serial:x: unsupported device" -M virt -bios none -kernel "$ELF" -gdb serial:x
rejects "bad port" "not a port" -M virt -bios none -kernel "$ELF" -gdb tcp::99999
echo "PASS"
