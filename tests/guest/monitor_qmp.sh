# QMP (issue #13, point 2) driven by a python3 client (standard library
# only) on the test guest:
#   -qmp unix:..,server=on,wait=off at the shell prompt: greeting,
#       commands before qmp_capabilities refused, query-status, stop with
#       its STOP event, paused, cont with RESUME, human-monitor-command,
#       malformed JSON answered with an error object (the session goes on),
#       an unknown command, system_reset with RESET and a second boot,
#       quit with SHUTDOWN; rivet exits 0
#   -qmp tcp:..,server=on (wait=on) -no-shutdown, guest.poweroff=1: the
#       guest's poweroff gives SHUTDOWN (guest) and STOP, status shutdown,
#       cont refused, system_reset boots it again, quit
#   screendump (QMP and human-monitor-command) of a virtio-gpu console:
#       1024x768 PNGs with console text (png_check.py); a bad path: error
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (the QMP client)"
PORT=$(free_port)
python3 - "$RIVET" "$TMP" "$KERNEL" "$INITRD" "$PORT" <<'PY'
import json, re, socket, subprocess, sys, time
rivet, tmp, kernel, initrd, port = sys.argv[1:6]
bad = 0

def fail(msg):
    global bad
    bad += 1
    print("FAIL: " + msg)

class Client:
    def __init__(self, addr):
        for _ in range(200):
            try:
                if isinstance(addr, str):
                    self.s = socket.socket(socket.AF_UNIX)
                else:
                    self.s = socket.socket()
                self.s.connect(addr)
                break
            except OSError:
                self.s.close()
                time.sleep(0.1)
        else:
            raise SystemExit("FAIL: cannot connect to %s" % (addr,))
        self.s.settimeout(60)
        self.buf = b""
        self.events = []

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, text):
        self.s.sendall(text.encode())

    def reply(self):
        while True:
            m = self.read()
            if "event" in m:
                self.events.append(m)
            else:
                return m

    def cmd(self, name, **args):
        m = {"execute": name}
        if args:
            m["arguments"] = args
        self.send_raw(json.dumps(m) + "\n")
        return self.reply()

    def event(self, name, limit=60):
        end = time.time() + limit
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            self.events.append(self.read())
        raise SystemExit("FAIL: no %s event" % name)

def wait_console(path, text, count=1, limit=120):
    end = time.time() + limit
    while time.time() < end:
        try:
            if open(path, errors="replace").read().count(text) >= count:
                return True
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    return False

# ---- 1: a unix socket at the shell prompt
con = tmp + "/console1"
p = subprocess.Popen([rivet, "-M", "virt", "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0",
                      "-serial", "file:" + con, "-qmp", "unix:%s/q.sock,server=on,wait=off" % tmp],
                     stdin=subprocess.DEVNULL, stdout=open(tmp + "/out1", "wb"), stderr=subprocess.STDOUT)
if not wait_console(con, "Type 'poweroff"):
    raise SystemExit("FAIL: no shell prompt")
c = Client(tmp + "/q.sock")
g = c.read()
if g.get("QMP", {}).get("version", {}).get("qemu", {}).get("major") != 7:
    fail("greeting: %r" % g)
r = c.cmd("query-status")
if r.get("error", {}).get("class") != "CommandNotFound":
    fail("a command before qmp_capabilities: %r" % r)
if c.cmd("qmp_capabilities") != {"return": {}}:
    fail("qmp_capabilities")
r = c.cmd("query-status")
if r.get("return", {}).get("status") != "running" or r["return"].get("running") is not True:
    fail("query-status: %r" % r)
if c.cmd("stop") != {"return": {}}:
    fail("stop")
c.event("STOP", 10)
r = c.cmd("query-status")
if r.get("return", {}).get("status") != "paused" or r["return"].get("running") is not False:
    fail("query-status after stop: %r" % r)
r = c.cmd("human-monitor-command", **{"command-line": "info status"})
if not re.match(r"VM status: paused\nState hash: [0-9a-f]{16}\n$", r.get("return", "")):
    fail("human-monitor-command: %r" % r)
r = c.cmd("human-monitor-command", **{"command-line": "xp/2xg 0x80200000"})
if not r.get("return", "").startswith("0000000080200000: 0x"):
    fail("human-monitor-command xp: %r" % r)
if c.cmd("cont") != {"return": {}}:
    fail("cont")
c.event("RESUME", 10)
c.send_raw('{"execute": }\n')
r = c.reply()
if r.get("error", {}).get("class") != "GenericError" or "JSON parse error" not in r["error"].get("desc", ""):
    fail("malformed JSON: %r" % r)
c.send_raw('[1, 2]\n')
r = c.reply()
if "must be a JSON object" not in r.get("error", {}).get("desc", ""):
    fail("a non-object: %r" % r)
c.send_raw('{"execute": "query-status", "id": "x7"}')
r = c.reply()
if r.get("id") != "x7" or r.get("return", {}).get("status") != "running":
    fail("after malformed input: %r" % r)
r = c.cmd("frobnicate")
if r.get("error", {}).get("class") != "CommandNotFound":
    fail("unknown command: %r" % r)
if c.cmd("system_reset") != {"return": {}}:
    fail("system_reset")
e = c.event("RESET", 10)
if e.get("data") != {"guest": False, "reason": "host-qmp-system-reset"}:
    fail("RESET event: %r" % e)
if not wait_console(con, "Type 'poweroff", 2):
    fail("system_reset: no second boot")
if c.cmd("quit") != {"return": {}}:
    fail("quit")
e = c.event("SHUTDOWN", 10)
if e.get("data") != {"guest": False, "reason": "host-qmp-quit"}:
    fail("SHUTDOWN event: %r" % e)
try:
    rc = p.wait(20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "still running"
if rc != 0:
    fail("quit: exit %s: %s" % (rc, open(tmp + "/out1").read()[-300:]))
print("QMP on a unix socket: greeting, negotiation, status, stop/STOP, cont/RESUME, hmp, errors, reset/RESET, quit/SHUTDOWN ok")

# ---- 2: tcp, wait=on, -no-shutdown, a guest that powers off by itself
con = tmp + "/console2"
p = subprocess.Popen([rivet, "-M", "virt", "-kernel", kernel, "-initrd", initrd,
                      "-append", "console=ttyS0 guest.poweroff=1", "-no-shutdown",
                      "-serial", "file:" + con, "-qmp", "tcp:127.0.0.1:%s,server=on" % port],
                     stdin=subprocess.DEVNULL, stdout=open(tmp + "/out2", "wb"), stderr=subprocess.STDOUT)
c = Client(("127.0.0.1", int(port)))
c.read()
c.cmd("qmp_capabilities")
e = c.event("SHUTDOWN", 120)
if e.get("data") != {"guest": True, "reason": "guest-shutdown"}:
    fail("guest poweroff: SHUTDOWN %r" % e)
c.event("STOP", 10)
r = c.cmd("query-status")
if r.get("return", {}).get("status") != "shutdown":
    fail("after poweroff with -no-shutdown: %r" % r)
r = c.cmd("cont")
if "error" not in r:
    fail("cont after poweroff: %r" % r)
if p.poll() is not None:
    fail("-no-shutdown: rivet ended at the guest's poweroff")
c.cmd("system_reset")
e = c.event("RESET", 10)
e = c.event("SHUTDOWN", 120)
if open(con, errors="replace").read().count("GUEST-POWEROFF") != 2:
    fail("system_reset after poweroff: the guest did not boot again")
c.cmd("quit")
try:
    rc = p.wait(20)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "still running"
if rc != 0:
    fail("-no-shutdown quit: exit %s" % rc)
print("QMP on tcp with -no-shutdown: SHUTDOWN (guest), STOP, status shutdown, cont refused, reset boots again, quit ok")

# ---- 3: screendump, from QMP and from the human monitor, of a virtio-gpu console
con = tmp + "/console3"
p = subprocess.Popen([rivet, "-M", "virt", "-kernel", kernel, "-initrd", initrd, "-append", "console=tty0 console=ttyS0",
                      "-device", "virtio-gpu-device", "-display", "none", "-serial", "file:" + con,
                      "-qmp", "unix:%s/q3.sock,server=on,wait=off" % tmp],
                     stdin=subprocess.DEVNULL, stdout=open(tmp + "/out3", "wb"), stderr=subprocess.STDOUT)
if not wait_console(con, "Type 'poweroff"):
    raise SystemExit("FAIL: gpu guest: no shell prompt")
time.sleep(0.5)
c = Client(tmp + "/q3.sock")
c.read()
c.cmd("qmp_capabilities")
if c.cmd("screendump", filename=tmp + "/qmp.png") != {"return": {}}:
    fail("QMP screendump")
r = c.cmd("human-monitor-command", **{"command-line": "screendump %s/hmp.png" % tmp})
if r != {"return": ""}:
    fail("HMP screendump: %r" % r)
r = c.cmd("screendump", filename="/nonexistent/dir/x.png")
if "error" not in r:
    fail("screendump to a missing folder: %r" % r)
c.cmd("quit")
p.wait(20)
for f in ("qmp.png", "hmp.png"):
    if subprocess.call(["python3", "tests/guest/png_check.py", tmp + "/" + f, "1024", "768"],
                       stdout=subprocess.DEVNULL) != 0:
        fail("%s: not the 1024x768 console" % f)
print("screendump from QMP and HMP: 1024x768 PNGs of the console; a bad path is an error")
sys.exit(1 if bad else 0)
PY
