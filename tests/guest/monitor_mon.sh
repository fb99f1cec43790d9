# Monitors on -chardev sockets, as libvirt and scripts spell them:
#   -chardev socket,id=q,... -mon chardev=q,mode=control   (QMP)
#   -chardev socket,id=h,... -mon chardev=h                (human monitor)
#   -chardev socket,id=h2,... -monitor chardev:h2 and -qmp chardev:q2
# On the test guest at its shell prompt: the QMP greeting, qmp_capabilities,
# query-status, and the human monitor's info status on the other socket;
# quit from QMP ends rivet with exit 0. QMP on the terminal (-qmp stdio, or
# a -chardev stdio with -mon mode=control) greets at once. ringbuf_read/
# ringbuf_write and info chardev, and QMP's ringbuf-read/-write. Mistakes: an unknown chardev id, a
# bad mode=, a chardev a device or the serial console also uses, two human
# monitors: one line, exit 1.
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the monitor clients)"
HMP="python3 tests/guest/hmp_client.py"

qmp_session() { # SOCKET: greeting, capabilities, query-status; prints the status
    python3 - "$1" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
for _ in range(200):
    try:
        s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
s.settimeout(30)
f = s.makefile("rwb")
def msg():
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
g = msg()
assert "QMP" in g, g
f.write(b'{"execute":"qmp_capabilities"}\n'); f.flush()
assert msg() == {"return": {}}
f.write(b'{"execute":"query-status"}\n'); f.flush()
print("status", msg()["return"]["status"])
PY
}

run() { # NAME QSOCK HSOCK OPTIONS...: boots, talks to both monitors, quits over QMP
    name=$1 q=$2 h=$3; shift 3
    "$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 -serial file:"$TMP/console-$name" \
        "$@" < /dev/null > "$TMP/out-$name" 2>&1 &
    pid=$!
    wait_line "$TMP/console-$name" "Type 'poweroff" 600 "$name: no shell prompt"
    st=$(qmp_session "$q") || die "$name: QMP session"
    echo "$name: QMP $st"
    [ "$st" = "status running" ] || die "$name: QMP query-status said '$st'"
    $HMP "$h" "info status" > "$TMP/h-$name" || { cat "$TMP/h-$name"; die "$name: human monitor"; }
    grep -q '^VM status: running$' "$TMP/h-$name" || { cat "$TMP/h-$name"; die "$name: info status"; }
    echo "$name: HMP $(grep '^VM status' "$TMP/h-$name")"
    python3 - "$q" <<'PY' || die "$name: quit over QMP"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
f = s.makefile("rwb")
json.loads(f.readline())
for c in (b'{"execute":"qmp_capabilities"}\n', b'{"execute":"quit"}\n'):
    f.write(c); f.flush()
PY
    n=0
    while kill -0 $pid 2> /dev/null; do
        n=$((n + 1)); [ $n -lt 300 ] || { kill $pid; die "$name: rivet did not quit"; }
        sleep 0.1
    done
    wait $pid; rc=$?
    [ $rc -eq 0 ] || { cat "$TMP/out-$name"; die "$name: exit status $rc after quit"; }
}

run mon "$TMP/q.sock" "$TMP/h.sock" \
    -chardev socket,id=charmonitor,path="$TMP/q.sock",server=on,wait=off \
    -mon chardev=charmonitor,id=monitor,mode=control \
    -chardev socket,id=hmp,path="$TMP/h.sock",server=on,wait=off -mon hmp,mode=readline,pretty=off
run ref "$TMP/q2.sock" "$TMP/h2.sock" \
    -chardev socket,id=q2,path="$TMP/q2.sock",server=on,wait=off -qmp chardev:q2 \
    -chardev socket,id=h2,path="$TMP/h2.sock",server=on,wait=off -monitor chardev:h2

# QMP on the terminal: -qmp stdio, and -chardev stdio + -mon mode=control
for how in "-qmp stdio" "-chardev stdio,id=m -mon chardev=m,mode=control"; do
    (sleep 1; printf '{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n{"execute":"quit"}\n') |
        timeout 60 "$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -serial none -display none $how > "$TMP/qs" 2>&1
    rc=$?
    [ $rc -eq 0 ] || die "$how: exit $rc: $(tail -n 3 "$TMP/qs")"
    head -n 1 "$TMP/qs" | grep -q '^{"QMP": ' || die "$how: no greeting first: $(head -n 1 "$TMP/qs")"
    grep -q '"status": "running"' "$TMP/qs" || die "$how: no query-status answer"
    grep -q '"reason": "host-qmp-quit"' "$TMP/qs" || die "$how: no SHUTDOWN event"
    echo "$how: greeting, query-status, quit: exit 0"
done

# ringbuf_read / ringbuf-read: the serial console into a ring, read out
# over QMP until the shell prompt shows (each byte once, in order: the text
# read must be the boot log from its start), then HMP ringbuf_write and
# ringbuf_read, QMP base64 both ways, and the errors.
"$RIVET" -M virt -kernel "$KERNEL" -initrd "$INITRD" -append console=ttyS0 \
    -chardev ringbuf,id=rb,size=4096 -serial chardev:rb -chardev null,id=nul \
    -qmp unix:"$TMP/rq.sock",server=on,wait=off -monitor unix:"$TMP/rh.sock",server=on,wait=off \
    < /dev/null > "$TMP/out-rb" 2>&1 &
pid=$!
python3 - "$TMP/rq.sock" "$TMP/rh.sock" <<'PY' || { kill $pid; die "ringbuf"; }
import base64, json, socket, subprocess, sys, time
s = socket.socket(socket.AF_UNIX)
for _ in range(200):
    try:
        s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
s.settimeout(60)
f = s.makefile("rwb")
def cmd(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n"); f.flush()
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
json.loads(f.readline())
cmd("qmp_capabilities")
text, t0 = "", time.time()
while "Type 'poweroff" not in text:
    if time.time() - t0 > 300:
        sys.exit("FAIL: no shell prompt read out of the ring: ..." + text[-200:])
    text += cmd("ringbuf-read", device="rb", size=1000)["return"]
    time.sleep(0.05)
if not text.startswith("OpenSBI") and "OpenSBI v" not in text[:200]:
    sys.exit("FAIL: the ring's text does not start with the boot log: " + text[:100])
print("ringbuf-read: %d bytes of console, from the boot banner to the prompt" % len(text))
h = subprocess.run(["python3", "tests/guest/hmp_client.py", sys.argv[2], "ringbuf_write rb hello",
                    "ringbuf_read rb 100", "ringbuf_read rb 100", "ringbuf_read nul 4", "ringbuf_read rb x",
                    "info chardev"], capture_output=True, text=True).stdout
answers = h.split("== ")
# the guest may still print (its prompt) before hello lands in the ring
want = [("ringbuf_read rb 100\n", lambda a: a.endswith("hello\n")),
        ("ringbuf_read nul 4\n", lambda a: a.startswith("Error: nul is not a ringbuf device\n")),
        ("ringbuf_read rb x\n", lambda a: a.startswith("Error: size 'x'"))]
for head, ok in want:
    if not any(a.startswith(head) and ok(a[len(head):]) for a in answers):
        sys.exit("FAIL: HMP %s did not answer as expected:\n%s" % (head.strip(), h))
if "rb: filename=ringbuf (4096 bytes" not in h or "nul: filename=null" not in h:
    sys.exit("FAIL: info chardev:\n" + h)
print("HMP ringbuf_write + ringbuf_read: hello; errors; info chardev")
data = bytes(range(256))
r = cmd("ringbuf-write", device="rb", data=base64.b64encode(data).decode(), format="base64")
got = cmd("ringbuf-read", device="rb", size=4096, format="base64")["return"]
if not base64.b64decode(got).endswith(data):
    sys.exit("FAIL: base64 round trip: %r" % got[:80])
r = cmd("ringbuf-write", device="rb", data="h\u00e9llo")
got = cmd("ringbuf-read", device="rb", size=100)["return"]
if not got.endswith("h\u00e9llo"):
    sys.exit("FAIL: utf8 round trip: %r" % got)
for args, err in (({"device": "nul", "size": 1}, "nul is not a ringbuf device"),
                  ({"device": "nope", "size": 1}, "Device 'nope' not found"),
                  ({"device": "rb", "size": 1, "format": "hex"}, "must be utf8 or base64"),
                  ({"device": "rb"}, "Parameter 'size'")):
    r = cmd("ringbuf-read", **args)
    if err not in r.get("error", {}).get("desc", ""):
        sys.exit("FAIL: ringbuf-read %s: %r" % (args, r))
r = cmd("ringbuf-write", device="rb", data="Zg=", format="base64")
if "not base64" not in r.get("error", {}).get("desc", ""):
    sys.exit("FAIL: ringbuf-write bad base64: %r" % r)
print("QMP ringbuf-read/-write: base64 and utf8 round trips, errors")
cmd("quit")
PY
wait $pid || die "ringbuf: rivet exit $?"

K="-M virt -kernel $KERNEL -nographic"
rejects "no such chardev" "^rivet: -monitor chardev:nope: no -chardev with id=nope$" $K -mon chardev=nope
rejects "no such chardev (qmp)" "^rivet: -qmp chardev:nope: no -chardev with id=nope$" $K -qmp chardev:nope
rejects "bad mode" "^rivet: -mon chardev=m,mode=json: mode= must be readline" $K -chardev null,id=m -mon chardev=m,mode=json
rejects "no chardev=" "^rivet: -mon mode=control: needs chardev=ID" $K -mon mode=control
rejects "unknown key" "^rivet: -mon chardev=m,speed=9: unknown option" $K -chardev null,id=m -mon chardev=m,speed=9
rejects "two human monitors" "^rivet: -monitor none: given twice" $K -chardev null,id=m -mon chardev=m -monitor none
rejects "a device takes it" "^rivet: -device virtconsole,chardev=m: chardev 'm' is already the monitor" \
    $K -chardev null,id=m -mon chardev=m -device virtio-serial-device -device virtconsole,chardev=m
rejects "the serial console's" "^rivet: -monitor chardev:m: chardev 'm' is already the serial console" \
    -M virt -kernel "$KERNEL" -chardev null,id=m -serial chardev:m -mon chardev=m
rejects "both monitors on one" "^rivet: -qmp chardev:m: chardev 'm' is already the monitor" \
    $K -chardev null,id=m -mon chardev=m -mon chardev=m,mode=control
echo "PASS"
