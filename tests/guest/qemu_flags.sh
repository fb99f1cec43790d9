# QEMU's harmless flags (issue #25 point 1): a command line full of them
# boots; -nodefaults drops the default serial; -no-reboot turns a guest
# reset into exit 0; -daemonize returns once the machine is running, with
# -pidfile naming the daemon until it exits; -smp topology keeps QEMU's
# cpu-map; -cpu help lists rv64.
. tests/guest/lib.sh

boot_guest "$TMP/flags" -name guest=g,debug-threads=on -accel tcg,thread=multi -machine virt,accel=tcg \
    -vga none -nodefaults -serial mon:stdio -cpu rv64 -m 512M,slots=2,maxmem=1G \
    -smp cpus=2,sockets=1,cores=2,threads=1,maxcpus=2 -device virtio-rng-pci,romfile=,bootindex=1 \
    -append "console=ttyS0 guest.poweroff=1"
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/flags"; die "boot with QEMU's flags exited $rc"; }
expect "$TMP/flags" '^cpus: 2$'
expect "$TMP/flags" '^pci: .* 0x1af4:0x1044 '
expect "$TMP/flags" '^GUEST-POWEROFF'
echo "harmless flags: boots, 2 harts, the rng with romfile= and bootindex="

# -nodefaults without -serial: no console at all (as QEMU).
boot_guest "$TMP/nodef" -nodefaults -append "console=ttyS0 guest.poweroff=1"
rc=$?
[ $rc -eq 0 ] || die "-nodefaults boot exited $rc"
[ ! -s "$TMP/nodef" ] || { head -n 3 "$TMP/nodef"; die "-nodefaults printed a console"; }
echo "-nodefaults: no default serial"

# -no-reboot: the guest's reboot ends rivet with status 0.
printf 'reboot -f\n' > "$TMP/reboot-in"
interact "$TMP/reboot" "Type 'poweroff" "$TMP/reboot-in" -no-reboot -append "console=ttyS0"
rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$TMP/reboot"; die "-no-reboot: exit $rc"; }
n=$(grep -c 'OpenSBI v' "$TMP/reboot")
[ "$n" -eq 1 ] || die "-no-reboot: firmware started $n times"
echo "-no-reboot: reset exits 0"

# -daemonize -pidfile: the command returns at once with 0, the pid file
# names a running rivet, which removes it when the guest powers off.
start=$(date +%s)
timeout 60 "$RIVET" -M virt -daemonize -pidfile "$TMP/pid" -serial file:"$TMP/daemon-console" \
    -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0 guest.poweroff=1" < /dev/null > "$TMP/daemon-out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/daemon-out"; die "-daemonize exited $rc"; }
[ ! -s "$TMP/daemon-out" ] || { cat "$TMP/daemon-out"; die "-daemonize printed something"; }
[ -s "$TMP/pid" ] || die "-pidfile: no pid file"
pid=$(cat "$TMP/pid")
n=0
while [ -e "$TMP/pid" ]; do
    n=$((n + 1)); [ $n -lt 1200 ] || die "the daemon did not finish"
    sleep 0.1
done
n=0
while kill -0 "$pid" 2> /dev/null; do # removed at exit: the process ends just after
    n=$((n + 1)); [ $n -lt 50 ] || die "pid $pid still runs 5 s after removing its pid file"
    sleep 0.1
done
expect "$TMP/daemon-console" '^GUEST-POWEROFF'
echo "-daemonize: returned, daemon $pid booted the guest and removed its pid file"

# Ended from outside (SIGTERM, SIGINT, SIGHUP: what stops a QEMU): the pid
# file goes too, and rivet dies of the signal.
for sig in TERM INT HUP; do
    rm -f "$TMP/pid"
    timeout 60 "$RIVET" -M virt -daemonize -pidfile "$TMP/pid" -serial file:"$TMP/daemon-console" \
        -kernel "$KERNEL" -initrd "$INITRD" -append "console=ttyS0" < /dev/null > "$TMP/daemon-out" 2>&1 ||
        die "-daemonize (for SIG$sig) exited $?"
    pid=$(cat "$TMP/pid")
    kill -s "$sig" "$pid"
    n=0
    while kill -0 "$pid" 2> /dev/null; do
        n=$((n + 1)); [ $n -lt 100 ] || die "SIG$sig: pid $pid still runs after 10 s"
        sleep 0.1
    done
    [ -e "$TMP/pid" ] && die "-pidfile: SIG$sig left the pid file behind"
    echo "-pidfile: removed on SIG$sig"
done

# A daemon that fails while setting up: the parent exits with its status.
timeout 20 "$RIVET" -M virt -daemonize -serial none -kernel /nonexistent/Image < /dev/null > "$TMP/dfail" 2>&1
rc=$?
[ $rc -eq 1 ] || die "-daemonize with a missing kernel: exit $rc"
expect "$TMP/dfail" 'nonexistent/Image'
echo "-daemonize: setup errors reach the terminal, exit 1"

# -smp with a topology: the device tree's cpu-map is QEMU's (one cluster,
# one core per hart, coreN -> cpu@N).
cpumap() {
    dtc -I dtb -O dts "$1" 2> /dev/null | python3 -c '
import re, sys
s = sys.stdin.read()
ph = {m.group(2): m.group(1) for m in re.finditer(r"(cpu@\d+) \{[^{}]*?phandle = <(0x[0-9a-f]+)>", s)}
m = s[s.index("cpu-map {"):]
out, depth = [], 0
for line in m.splitlines():
    line = line.strip()
    if line.endswith("{"):
        depth += 1; out.append("  " * depth + line[:-2])
    elif line.startswith("cpu = <"):
        out.append("  " * (depth + 1) + "-> " + ph.get(line[7:-2], "?"))
    elif line == "};":
        depth -= 1
        if depth == 0: break
print("\n".join(out))'
}
"$RIVET" -M virt,dumpdtb="$TMP/r.dtb" -smp 4,sockets=2,cores=2,threads=1 -nographic < /dev/null || die "dumpdtb -smp topology"
cpumap "$TMP/r.dtb" > "$TMP/r.map"
cat > "$TMP/want.map" <<'EOT'
  cpu-map
    cluster0
      core0
        -> cpu@0
      core1
        -> cpu@1
      core2
        -> cpu@2
      core3
        -> cpu@3
EOT
diff -u "$TMP/want.map" "$TMP/r.map" || die "cpu-map differs from QEMU's"
if command -v qemu-system-riscv64 > /dev/null 2>&1; then
    qemu-system-riscv64 -M virt,dumpdtb="$TMP/q.dtb" -smp 4,sockets=2,cores=2,threads=1 -nographic > /dev/null 2>&1
    cpumap "$TMP/q.dtb" > "$TMP/q.map"
    diff -u "$TMP/q.map" "$TMP/r.map" || die "cpu-map differs from qemu-system-riscv64's"
    echo "cpu-map: same as qemu-system-riscv64"
fi

"$RIVET" -cpu help > "$TMP/cpuhelp" || die "-cpu help failed"
grep -q '^  rv64 ' "$TMP/cpuhelp" || die "-cpu help does not list rv64"
[ "$(sed -n '/^Available CPUs:/,/^$/p' "$TMP/cpuhelp" | grep -c '^  ')" -eq 1 ] || die "-cpu help lists more than one model"
grep -q '^  zicsr  *always on' "$TMP/cpuhelp" || die "-cpu help does not list the extensions"
"$RIVET" --help > "$TMP/help"
for opt in -name -accel -vga -nodefaults -pidfile -daemonize -no-reboot -cpu -enable-kvm; do
    grep -q -- "^  $opt" "$TMP/help" || die "--help does not list $opt"
done
echo "-cpu help and --help ok"
