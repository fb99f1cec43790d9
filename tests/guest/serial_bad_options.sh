# Mistakes with -serial, -chardev, -net, -object and -pidfile (issue #25,
# "bad input"): each is one line naming the option and the problem, exit 1,
# and a refusal that comes after the terminal went raw (a -object or
# -chardev opened after the console) leaves it as it was.
. tests/guest/lib.sh
K="-M virt -kernel $KERNEL"
rejects "serial typo" "^rivet: -serial stdo: .*did you mean 'stdio'" $K -serial stdo
rejects "serial telnet" "^rivet: -serial telnet::4444,server=on: not supported" $K -serial telnet::4444,server=on
rejects "serial tcp no port" "^rivet: -serial tcp:127.0.0.1: tcp: needs" $K -serial tcp:127.0.0.1
rejects "serial tcp bad port" "^rivet: -serial tcp::http: tcp: the port must be a number" $K -serial tcp::http
rejects "serial tcp option" "^rivet: -serial tcp::4444,color=red: socket has no option 'color'" $K -serial tcp::4444,color=red
rejects "serial unix no path" "^rivet: -serial unix:: unix: needs a socket path" $K -serial unix:
rejects "serial file no name" "^rivet: -serial file:: file: needs a file name" $K -serial file:
rejects "serial file unwritable" "^rivet: -serial file:/nonexistent/dir/log: cannot open" $K -serial file:/nonexistent/dir/log
rejects "serial chardev unknown" "^rivet: -serial chardev:zz: no -chardev with id=zz" $K -serial chardev:zz
rejects "serial client refused" "^rivet: -serial tcp:127.0.0.1:1: cannot connect" $K -serial tcp:127.0.0.1:1
rejects "serial id taken" "the id serial0 is taken" $K -chardev null,id=serial0 -serial pty
rejects "chardev typo" "^rivet: -chardev ptty,id=p: unknown backend 'ptty'; did you mean 'pty'" $K -chardev ptty,id=p
rejects "chardev no id" "^rivet: -chardev pty: id=ID is required" $K -chardev pty
rejects "chardev ringbuf size" "^rivet: -chardev ringbuf,id=r,size=1000: size=1000: must be a power of two" \
    $K -chardev ringbuf,id=r,size=1000
rejects "chardev signal" "^rivet: -chardev stdio,id=s,signal=maybe: signal=maybe: must be on or off" \
    $K -serial none -chardev stdio,id=s,signal=maybe
rejects "chardev wait client" "wait= is for a server" $K -chardev socket,id=s,host=127.0.0.1,port=4,wait=off
rejects "chardev stdio twice" "already the serial console" $K -nographic -chardev stdio,id=c0
rejects "chardev twice to serial and device" "chardev 'c0' is already the serial console" \
    $K -chardev null,id=c0 -serial chardev:c0 -device virtio-console-device,chardev=c0
rejects "pidfile empty" "^rivet: -pidfile : needs a file name" $K -pidfile ""
rejects "pidfile unwritable" "^rivet: -pidfile /nonexistent/dir/pid: " $K -pidfile /nonexistent/dir/pid

# refused once the terminal is raw: it is put back
TTY="python3 tests/guest/on_tty.py"
for late in "-object rng-random,filename=/nonexistent/rng,id=r0" "-drive file=/nonexistent/disk.img,format=raw,if=none,id=d0"; do
    # shellcheck disable=SC2086
    $TTY "$TMP/late" 20 -- "$RIVET" $K -nographic $late > "$TMP/tty"
    rc=$?
    [ $rc -eq 1 ] || die "$late on a terminal: exit $rc"
    grep -q 'tty-restored yes' "$TMP/tty" || die "$late: the refusal left the terminal raw"
    [ "$(tr -d '\r' < "$TMP/late" | grep -c '^rivet: ')" -eq 1 ] || die "$late: not one line: $(cat "$TMP/late")"
    echo "after the terminal went raw: $(tr -d '\r' < "$TMP/late"); terminal restored"
done
