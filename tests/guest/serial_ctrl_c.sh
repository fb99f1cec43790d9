# Ctrl-C on the console as in QEMU (issue #25, point 2), on a real terminal
# (a pty whose session rivet leads) with the guest's shell:
#   -serial stdio without -nographic   Ctrl-C ends rivet (SIGINT), terminal restored
#   -nographic, -serial mon:stdio      Ctrl-C goes to the guest: it interrupts
#                                      a `sleep` in the guest's shell, rivet runs on
#   -serial stdio -pidfile F           Ctrl-C ends rivet and F is gone
. tests/guest/lib.sh
TTY="python3 tests/guest/on_tty.py"
G="-M virt -kernel $KERNEL -initrd $INITRD -append console=ttyS0"

# shellcheck disable=SC2086
$TTY "$TMP/a" 120 "expect:Type 'poweroff" 'send:\x03' -- "$RIVET" $G -serial stdio -pidfile "$TMP/pid" > "$TMP/tty"
rc=$?
# on_tty.py: death by signal N is 128+N
[ $rc -eq 130 ] || { tail -c 300 "$TMP/a"; die "-serial stdio: Ctrl-C: exit $rc, expected death by SIGINT (130)"; }
grep -q 'tty-restored yes' "$TMP/tty" || die "-serial stdio: Ctrl-C left the terminal raw"
[ -e "$TMP/pid" ] && die "-serial stdio: Ctrl-C left the -pidfile behind"
echo "-serial stdio: Ctrl-C ends rivet (SIGINT), terminal restored, pidfile removed"

for serial in "-nographic" "-serial mon:stdio"; do
    # shellcheck disable=SC2086
    $TTY "$TMP/b" 120 "expect:Type 'poweroff" 'send:sleep 100\n' 'sleep:1' 'send:\x03' \
        'send:echo AFTER-$((6 * 7))\n' 'expect:AFTER-42' 'send:poweroff -f\n' -- "$RIVET" $G $serial > "$TMP/tty"
    rc=$?
    [ $rc -eq 0 ] || { tail -c 400 "$TMP/b"; die "$serial: Ctrl-C did not reach the guest (exit $rc)"; }
    grep -q 'tty-restored yes' "$TMP/tty" || die "$serial: the terminal was left raw"
    tr -d '\r' < "$TMP/b" | grep -q '^\^C' || die "$serial: the guest's shell did not echo ^C"
    echo "$serial: Ctrl-C went to the guest (its sleep interrupted), rivet ran on"
done
