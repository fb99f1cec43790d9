# -serial and -chardev backends as QEMU's (issue #25, point 2), each with a
# shell on the real guest driven from python3:
#   -serial pty            the "char device redirected to /dev/pts/N (label
#                          serial0)" line; open it, type a command, read the answer
#   -serial tcp:..,server=on,wait=off   connect, talk, leave, a second client
#                          talks (output while nobody is connected is dropped,
#                          the guest goes on)
#   -serial tcp:HOST:PORT  client mode against a python listener
#   -chardev socket,path=..,server=on,wait=off -serial chardev:c0   unix
#   -chardev socket,..,server=on (wait=on, QEMU's default): nothing runs
#                          before the client: it sees OpenSBI's banner
#   virtconsole on a tcp server chardev: the kernel log through hvc1
#   -serial file:F, -serial chardev:RB (ringbuf), -serial null
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (drives the sockets and the pty)"
GUEST_ARGS="-M virt -kernel $KERNEL -initrd $INITRD"
python3 - "$RIVET" "$TMP" "$GUEST_ARGS" <<'PY'
import os, re, select, socket, subprocess, sys, time
rivet, tmp, guest = sys.argv[1], sys.argv[2], sys.argv[3].split()
bad = 0

def fail(msg):
    global bad
    bad += 1
    print("FAIL: " + msg)

def start(*args, append="console=ttyS0"):
    err = open(tmp + "/stderr", "wb")
    p = subprocess.Popen([rivet] + guest + ["-append", append] + list(args), stdin=subprocess.DEVNULL,
                         stdout=open(tmp + "/stdout", "wb"), stderr=err)
    return p

def stderr_line(p, rx, limit=20):
    end = time.time() + limit
    while time.time() < end:
        m = re.search(rx, open(tmp + "/stderr").read())
        if m:
            return m
        if p.poll() is not None:
            break
        time.sleep(0.05)
    return None

class Conn:
    """A console seen through a file descriptor (socket or pty)."""
    def __init__(self, fd, sock=None):
        self.fd, self.sock, self.buf = fd, sock, b""
    def send(self, b):
        if self.sock:
            self.sock.sendall(b)
        else:
            os.write(self.fd, b)
    def read(self, t):
        r, _, _ = select.select([self.fd], [], [], t)
        if not r:
            return True
        try:
            d = self.sock.recv(65536) if self.sock else os.read(self.fd, 65536)
        except OSError:
            return False
        self.buf += d
        return bool(d)
    def expect(self, rx, limit=60, poke=None):
        """Waits for rx in what came since the last expect; types `poke`
        every 2 s (a command whose answer matches rx) until it comes."""
        end, last = time.time() + limit, 0
        while time.time() < end:
            m = re.search(rx, self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return True
            if poke and time.time() - last > 2:
                self.send(poke)
                last = time.time()
            if not self.read(0.1):
                break
        return False
    def close(self):
        (self.sock or os).close() if self.sock else os.close(self.fd)

def shell_roundtrip(c, tag):
    """Types a command until its answer comes back (the boot may still be
    going on): proves input and output both ways."""
    return c.expect(rb"%s-42" % tag.encode(), 90, poke=b"echo %s-$((6 * 7))\n" % tag.encode())

def finish(p, c, what):
    c.send(b"poweroff -f\n")
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "timeout"
    if rc != 0:
        fail("%s: rivet exit %s: %s" % (what, rc, open(tmp + "/stderr").read()[-300:]))
    else:
        print("%s: ok" % what)

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port

def connect_tcp(port, limit=20):
    end = time.time() + limit
    while time.time() < end:
        try:
            return socket.create_connection(("127.0.0.1", port))
        except OSError:
            time.sleep(0.05)
    return None

# ---- -serial pty ----
p = start("-serial", "pty")
m = stderr_line(p, r"char device redirected to (/dev/pts/\d+) \(label serial0\)")
if not m:
    fail("-serial pty: no 'char device redirected to /dev/pts/N (label serial0)' line: %r" %
         open(tmp + "/stderr").read())
    p.kill()
else:
    fd = os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
    c = Conn(fd)
    if not shell_roundtrip(c, "PTY"):
        fail("-serial pty: no answer on %s: %r" % (m.group(1), c.buf[-300:]))
        p.kill()
    else:
        finish(p, c, "-serial pty (%s)" % m.group(1))
    os.close(fd)
p.wait()

# ---- -serial tcp server, wait=off; two clients one after the other ----
port = free_port()
p = start("-serial", "tcp:127.0.0.1:%d,server=on,wait=off" % port)
s1 = connect_tcp(port)
if not s1:
    fail("-serial tcp server: cannot connect")
    p.kill()
else:
    c = Conn(s1.fileno(), s1)
    ok = shell_roundtrip(c, "TCPA")
    s1.close()
    time.sleep(1)            # output meanwhile goes nowhere; the guest goes on
    s2 = connect_tcp(port)
    c2 = Conn(s2.fileno(), s2)
    ok2 = ok and shell_roundtrip(c2, "TCPB")
    if not ok2:
        fail("-serial tcp server: %s client got no answer: %r" % ("first" if not ok else "second", c2.buf[-200:]))
        p.kill()
    else:
        finish(p, c2, "-serial tcp:127.0.0.1:%d,server=on,wait=off, two clients" % port)
    s2.close()
p.wait()

# ---- -serial tcp client against a listener here ----
lsn = socket.socket()
lsn.bind(("127.0.0.1", 0))
lsn.listen(1)
port = lsn.getsockname()[1]
p = start("-serial", "tcp:127.0.0.1:%d" % port)
lsn.settimeout(20)
try:
    s, _ = lsn.accept()
    c = Conn(s.fileno(), s)
    if not c.expect(rb"GUEST-BOOT-OK", 60) or not shell_roundtrip(c, "CLIENT"):
        fail("-serial tcp client: %r" % c.buf[-200:])
        p.kill()
    else:
        finish(p, c, "-serial tcp:127.0.0.1:%d (client)" % port)
    s.close()
except socket.timeout:
    fail("-serial tcp client: rivet never connected")
    p.kill()
lsn.close()
p.wait()

# ---- unix server through -chardev and -serial chardev:ID ----
path = tmp + "/console.sock"
p = start("-chardev", "socket,id=c0,path=%s,server=on,wait=off" % path, "-serial", "chardev:c0")
end = time.time() + 20
while not os.path.exists(path) and time.time() < end:
    time.sleep(0.05)
u = socket.socket(socket.AF_UNIX)
try:
    u.connect(path)
    c = Conn(u.fileno(), u)
    if not shell_roundtrip(c, "UNIX"):
        fail("unix chardev: %r" % c.buf[-200:])
        p.kill()
    else:
        finish(p, c, "-chardev socket,path=..,server=on,wait=off -serial chardev:c0")
except OSError as e:
    fail("unix chardev: connect: %s" % e)
    p.kill()
u.close()
p.wait()
if os.path.exists(path):
    fail("unix chardev: %s left behind" % path)

# ---- wait=on (the default for a server): the guest waits for the client ----
port = free_port()
p = start("-chardev", "socket,id=c0,host=127.0.0.1,port=%d,server=on" % port, "-serial", "chardev:c0")
if not stderr_line(p, r"waiting for a connection on 127\.0\.0\.1:%d" % port):
    fail("wait=on: no 'waiting for a connection' line: %r" % open(tmp + "/stderr").read())
time.sleep(1)
s = connect_tcp(port)
c = Conn(s.fileno(), s)
if not c.expect(rb"OpenSBI v", 30) or not shell_roundtrip(c, "WAIT"):
    fail("wait=on: the client did not see the boot from its start: %r" % c.buf[:200])
    p.kill()
else:
    finish(p, c, "-chardev socket,server=on (wait=on): the first client sees OpenSBI's banner")
s.close()
p.wait()

# ---- virtconsole on a tcp server chardev ----
port = free_port()
p = start("-chardev", "socket,id=v0,host=127.0.0.1,port=%d,server=on,wait=on" % port, "-device",
          "virtio-serial-device", "-device", "virtconsole,chardev=v0", "-serial", "null",
          append="console=ttyS0 console=hvc1 guest.poweroff=1")
s = connect_tcp(port)
c = Conn(s.fileno(), s)
if not c.expect(rb"GUEST-BOOT-OK", 60) or not c.expect(rb"GUEST-POWEROFF", 60):
    fail("virtconsole on a socket: %r" % c.buf[-200:])
rc = p.wait(timeout=60)
if rc != 0:
    fail("virtconsole on a socket: exit %d" % rc)
else:
    print("virtconsole,chardev=v0 on a tcp server: kernel log and init through hvc1")
s.close()

# ---- file, ringbuf, null: batch boots that power off ----
for what, args, check in [
        ("-serial file:F", ["-serial", "file:" + tmp + "/serial.log"], tmp + "/serial.log"),
        ("-serial chardev:rb (ringbuf)", ["-chardev", "ringbuf,id=rb,size=4096", "-serial", "chardev:rb"], None),
        ("-serial null", ["-serial", "null"], None)]:
    p = start(*args, append="console=ttyS0 guest.poweroff=1")
    rc = p.wait(timeout=120)
    out = open(tmp + "/stdout", "rb").read()
    if rc != 0:
        fail("%s: exit %d" % (what, rc))
    elif b"GUEST-BOOT-OK" in out:
        fail("%s: the console reached stdout" % what)
    elif check and b"GUEST-POWEROFF" not in open(check, "rb").read():
        fail("%s: the log lacks GUEST-POWEROFF" % what)
    else:
        print("%s: exit 0, nothing on stdout" % what)
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || die "a serial backend does not work as QEMU's"
echo "every serial backend works"
