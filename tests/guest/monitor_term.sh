# The monitor on the terminal (issue #13, point 1), on a real pty:
#   -nographic: Ctrl-A c switches to the monitor (greeting, prompt, echo),
#   info status, stop, what is typed there never reaches the guest (an
#   unknown command is one line), cont, Ctrl-A c back to the guest's shell,
#   which answers; Ctrl-A c, quit: exit 0, the terminal restored.
#   -monitor stdio with -serial file: and -S from a pipe: the machine waits
#   paused until cont; info status says so before and after.
#   -monitor stdio on a terminal console: refused in one line.
. tests/guest/lib.sh
TTY="python3 tests/guest/on_tty.py"
$TTY "$TMP/keys" 120 "expect:Type 'poweroff" 'send:\x01c' 'expect:\(qemu\) ' \
    'send:info status\r' 'expect:VM status: running' 'send:stop\r' 'send:info status\r' 'expect:VM status: paused' \
    'send:echo leaked\r' "expect:unknown command: 'echo'" 'send:cont\r' 'send:info status\r' 'expect:VM status: running' \
    'send:\x01c' 'send:echo back $((6*7))\r' 'expect:back 42' \
    'send:\x01c' 'expect:\(qemu\) ' 'send:quit\r' -- \
    "$RIVET" -M virt -nographic -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 > "$TMP/tty"
rc=$?
[ $rc -eq 0 ] || { tail -c 600 "$TMP/keys"; die "Ctrl-A c session: exit $rc"; }
grep -q 'tty-restored yes' "$TMP/tty" || die "the terminal was left in raw mode"
tr -d '\r' < "$TMP/keys" > "$TMP/keys.txt"
grep -q "^rivet monitor - type 'help' for more information$" "$TMP/keys.txt" || die "no greeting"
grep -q '^(qemu) info status$' "$TMP/keys.txt" || die "the monitor does not echo what is typed"
[ "$(grep -c '^Error: ' "$TMP/keys.txt")" -eq 1 ] || die "errors: $(grep '^Error' "$TMP/keys.txt")"
grep -q '^leaked' "$TMP/keys.txt" && die "a line typed into the monitor reached the guest"
echo "Ctrl-A c: monitor, stop, cont, errors, back to the shell, quit ok; terminal restored"

printf 'info status\ncont\ninfo status\n' > "$TMP/cmds"
(cat "$TMP/cmds"; i=0; while [ $i -lt 600 ] && ! grep -q "Type 'poweroff" "$TMP/con" 2> /dev/null; do
    sleep 0.1; i=$((i + 1)); done; echo quit) |
    timeout 120 "$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 -serial file:"$TMP/con" \
        -monitor stdio -S > "$TMP/mon" 2>&1
rc=$?
[ $rc -eq 0 ] || die "-monitor stdio -S: exit $rc: $(tail -n 3 "$TMP/mon")"
grep -q "Type 'poweroff" "$TMP/con" || die "-S, cont: the guest did not boot"
[ "$(grep -o 'VM status: [a-z]*' "$TMP/mon" | tr '\n' ' ')" = "VM status: paused VM status: running " ] ||
    die "-monitor stdio -S: $(cat "$TMP/mon")"
echo "-monitor stdio -S: paused until cont, then the guest boots; quit ok"

rejects "-monitor stdio twice" "the terminal is already the serial console" \
    -M virt -nographic -kernel "$KERNEL" -monitor stdio
rejects "-monitor bad" "-monitor foo" -M virt -kernel "$KERNEL" -monitor foo
rejects "-qmp file:" "QMP needs a peer" -M virt -kernel "$KERNEL" -qmp file:"$TMP/q"
rejects "-qmp stdio on the serial's terminal" "^rivet: -qmp stdio: the terminal is already the serial console" \
    -M virt -nographic -kernel "$KERNEL" -qmp stdio
rejects "-qmp stdio and -monitor stdio" "^rivet: -qmp stdio: the terminal is already the monitor" \
    -M virt -kernel "$KERNEL" -serial none -monitor stdio -qmp stdio
