# The Ctrl-A keys on a real terminal (a pty), as QEMU's muxed console:
# h lists only keys that work, t stamps output lines, b sends a break the
# guest's 8250 driver counts, x ends with "rivet: terminated" on its own
# line and the terminal back in cooked mode. A refused option leaves the
# terminal as it was, too.
. tests/guest/lib.sh
TTY="python3 tests/guest/on_tty.py"
$TTY "$TMP/keys" 120 "expect:Type 'poweroff" 'send:\x01h' 'expect:C-a C-a' \
    'send:\x01t' 'send:echo stamped\n' 'expect:\] stamped' 'send:\x01t' \
    'send:\x01b' 'sleep:0.5' 'send:\n' 'sleep:0.5' 'send:cat /proc/tty/driver/serial\n' 'expect:brk:' 'sleep:0.3' \
    'send:\x01x' -- "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 > "$TMP/tty"
rc=$?
[ $rc -eq 0 ] || { tail -c 600 "$TMP/keys"; die "Ctrl-A session: exit $rc"; }
grep -q 'tty-restored yes' "$TMP/tty" || die "the terminal was left in raw mode"
tr -d '\r' < "$TMP/keys" > "$TMP/keys.txt"
for k in 'C-a h' 'C-a x' 'C-a s' 'C-a b' 'C-a t' 'C-a C-a'; do
    grep -q "^$k " "$TMP/keys.txt" || die "Ctrl-A h does not list $k"
done
grep -Eq '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] stamped$' "$TMP/keys.txt" || die "Ctrl-A t: no stamped line"
n=$(grep -c '^\[[0-9][0-9]:' "$TMP/keys.txt")
grep -Eq '^0: uart:16550A .* brk:1 ' "$TMP/keys.txt" || die "Ctrl-A b: the guest saw no break"
[ "$(tail -n 1 "$TMP/keys.txt")" = "rivet: terminated" ] || die "Ctrl-A x: last line is '$(tail -n 1 "$TMP/keys.txt")'"
grep -q '^rivet: terminated$' "$TMP/keys.txt" || die "'rivet: terminated' is not on its own line"
echo "Ctrl-A h, t ($n stamped lines), b, x ok; terminal restored"

# A refused option on a terminal: one line, exit 1, terminal untouched.
$TTY "$TMP/bad" 20 -- "$RIVET" -M virt -nographic -enable-kvm -kernel "$KERNEL" > "$TMP/tty"
rc=$?
[ $rc -eq 1 ] || die "refused option on a tty: exit $rc"
grep -q 'tty-restored yes' "$TMP/tty" || die "a refused option left the terminal raw"
echo "refused option: $(tr -d '\r' < "$TMP/bad")"
