#!/usr/bin/env python3
"""The Linux side of the AIA (issue #23 point 2), on the Debian 13 system
of `make debian` (its 6.12 kernel has the APLIC and IMSIC drivers).

    aia-linux.py DIR RIVET
    aia-linux.py --bench AIA DIR RIVET

Boots DIR's vmlinux and initrd on -M virt,aia=aplic-imsic -smp 2 with the
root disk as virtio-blk-pci (-snapshot) and a virtio-net-pci card on user
networking, straight into a shell (init=/bin/bash: no systemd, so the
check takes minutes, not tens of minutes), then checks:
  - OpenSBI's IPI device is the IMSIC, Linux's intc runs on the AIA;
  - /proc/interrupts has one MSI-X vector per virtqueue (blk: config and
    req.0; net: config, input.0, output.0) and no INTx line for them;
  - blk works (64 MiB read with O_DIRECT, counted on the req.0 vector)
    and net works (a line through a TCP connection to a server on the host
    via 10.0.2.2, counted on input.0);
  - smp_affinity moves the net input vector to the other hart: its count
    there grows with the next traffic.
Prints one line per check and exits 0 when all hold. DEBIAN_TIMEOUT
(seconds, 900), AIA_LOG (a file to keep the console in).

With --bench AIA (none, aplic, aplic-imsic) it boots the same way on
aia=AIA and times on the host, between markers the guest prints, a 256 MiB
O_DIRECT read of the disk (virtio-blk-pci) and 64 MiB received over TCP
from the host (virtio-net-pci), BENCH_RUNS (3) times each, and prints
    aia=AIA blk R MB/s net N MB/s (best of RUNS)
"""
import os, re, select, socket, subprocess, sys, threading, time

bench = None
if sys.argv[1] == '--bench':
    bench = sys.argv[2]
    del sys.argv[1:3]
d, rivet = sys.argv[1], sys.argv[2]
NET_MB = 64
limit = float(os.environ.get('DEBIAN_TIMEOUT', '900'))

srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(4)
port = srv.getsockname()[1]


def serve():
    while True:
        try:
            c, _ = srv.accept()
        except OSError:
            return
        data = c.recv(100)
        if data.startswith(b'bulk'):
            chunk = b'y' * (1 << 20)
            for _ in range(NET_MB):
                c.sendall(chunk)
        else:
            c.sendall(b'HOST-SAYS-' + data.strip().upper() + b'\n' + b'x' * 200000 + b'\n')
        c.close()


threading.Thread(target=serve, daemon=True).start()
cmdline = 'root=/dev/vda rw console=ttyS0 init=/bin/bash'
cmd = [rivet, '-M', 'virt,aia=' + (bench or 'aplic-imsic'), '-m', '2G', '-smp', '2', '-nographic',
       '-kernel', os.path.join(d, 'vmlinux'), '-initrd', os.path.join(d, 'initrd.img'), '-append', cmdline,
       '-drive', 'file=%s,format=raw,if=none,id=hd0' % os.path.join(d, 'rootfs.img'), '-snapshot',
       '-device', 'virtio-blk-pci,drive=hd0', '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0']
log = open(os.environ['AIA_LOG'], 'wb') if os.environ.get('AIA_LOG') else None
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
buf = b''


def wait_for(pattern, what):
    global buf
    rx = re.compile(pattern)
    while True:
        m = rx.search(buf)
        if m:
            return m
        if time.monotonic() - t0 > limit:
            p.kill()
            sys.exit('aia-linux: no %s after %d s' % (what, limit))
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if not r:
            continue
        data = os.read(p.stdout.fileno(), 65536)
        if not data:
            sys.exit('aia-linux: rivet exited (%s) before %s' % (p.wait(), what))
        if log:
            log.write(data)
            log.flush()
        buf += data


def send(line):
    p.stdin.write(line.encode() + b'\n')
    p.stdin.flush()


def ints():
    """The virtio lines of /proc/interrupts between markers: name -> (irq, cpu0, cpu1, chip)."""
    global buf
    tag = 'INTS%d' % int(time.monotonic() * 1000)
    send('echo %s""-BEGIN; grep virtio /proc/interrupts; echo %s""-END' % (tag, tag))
    m = wait_for(rb'(?s)[\r\n]%s-BEGIN\r?\n(.*?)\r?\n%s-END' % (tag.encode(), tag.encode()), '/proc/interrupts')
    out = {}
    for line in m.group(1).decode(errors='replace').splitlines():
        f = line.split()
        if len(f) >= 5 and f[0].endswith(':'):
            out[f[-1]] = (f[0][:-1], int(f[1]), int(f[2]), ' '.join(f[3:-1]))
    buf = buf[m.end():]
    return out


fails = []


def check(ok, text):
    print('%s %s' % ('ok  ' if ok else 'FAIL', text))
    if not ok:
        fails.append(text)


def timed(command, start, end, what):
    """Host seconds between the guest printing start and end."""
    global buf
    send(command)
    wait_for(start.encode(), what)
    t = time.monotonic()
    buf = buf[buf.index(start.encode()) + len(start):]
    wait_for(end.encode(), what)
    return time.monotonic() - t


if bench:
    wait_for(rb'root@[^\n]*# $|bash-[0-9.]+# $|\n# $', 'the shell')
    send('mount -t proc proc /proc; mount -t sysfs sys /sys; ip link set lo up; '
         'N=$(ls /sys/class/net | grep -v lo | head -n 1); ip addr add 10.0.2.15/24 dev $N; ip link set $N up; echo NET-UP $N')
    wait_for(rb'NET-UP \w+', 'the network interface')
    runs = int(os.environ.get('BENCH_RUNS', '3'))
    blk, net = [], []
    for i in range(runs):
        blk.append(timed('echo B""START; dd if=/dev/vda of=/dev/null bs=1M count=256 skip=%d iflag=direct 2>/dev/null; '
                         'echo B""END' % (256 * i), 'BSTART', 'BEND', 'the disk read'))
        net.append(timed('exec 3<>/dev/tcp/10.0.2.2/%d; echo bulk >&3; echo N""START; cat <&3 | wc -c; exec 3<&-; '
                         'echo N""END' % port, 'NSTART', 'NEND', 'the TCP transfer'))
    got = re.findall(rb'\n(\d+)\r?\nNEND', b'\n' + buf)
    send('echo o > /proc/sysrq-trigger')
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
    print('aia=%s blk %.1f MB/s net %.1f MB/s (best of %d; host seconds blk %s net %s)' % (
        bench, 256 * 1.048576 / min(blk), NET_MB * 1.048576 / min(net), runs,
        ' '.join('%.2f' % x for x in blk), ' '.join('%.2f' % x for x in net)))
    sys.exit(0)

wait_for(rb'Platform IPI Device\s*:\s*\S+', 'OpenSBI banner')
ipi = re.search(rb'Platform IPI Device\s*:\s*(\S+)', buf).group(1).decode()
check(ipi == 'aia-imsic', 'OpenSBI IPI device: %s' % ipi)
wait_for(rb'root@[^\n]*# $|bash-[0-9.]+# $|\n# $', 'the shell')
shell_at = time.monotonic() - t0
check(re.search(rb'riscv-intc: \d+ local interrupts mapped using AIA', buf) is not None, 'Linux: riscv-intc using AIA')
check(re.search(rb'riscv-imsic: [^\n]*providing IPIs', buf) is not None, 'Linux: riscv-imsic provides the IPIs')
send('mount -t proc proc /proc; mount -t sysfs sys /sys; ip link set lo up; '
     'N=$(ls /sys/class/net | grep -v lo | head -n 1); ip addr add 10.0.2.15/24 dev $N; ip link set $N up; echo NET""-UP $N')
wait_for(rb'NET-UP \w+', 'the network interface')
send('dd if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct 2>&1 | tail -n 1; echo BLK""-DONE')
wait_for(rb'BLK-DONE', 'the disk read')
m = re.search(rb'(\d+) bytes[^\n]*copied', buf)
check(m is not None and int(m.group(1)) == 64 << 20, 'blk: 64 MiB read through virtio-blk-pci')
probe = ('exec 3<>/dev/tcp/10.0.2.2/%d && echo hello-%%s >&3 && head -n 1 <&3 | tr -d "\\n"; '
         'cat <&3 > /dev/null; exec 3<&-; echo " NET""-DONE"') % port
send(probe % 'one')
wait_for(rb'NET-DONE', 'the TCP exchange')
check(b'HOST-SAYS-HELLO-ONE NET-DONE' in buf, 'net: a TCP exchange with the host through virtio-net-pci')
v = ints()
for name in sorted(v):
    print('     %-20s irq %-4s cpu0 %-8d cpu1 %-8d %s' % (name, v[name][0], v[name][1], v[name][2], v[name][3]))
blk = [n for n in v if n.endswith('-req.0')]
net_in = [n for n in v if n.endswith('-input.0')]
net_out = [n for n in v if n.endswith('-output.0')]
cfg = [n for n in v if n.endswith('-config')]
check(len(blk) == 1 and len(net_in) == 1 and len(net_out) == 1 and len(cfg) == 2,
      'one vector per virtqueue: %d config, req.0 %d, input.0 %d, output.0 %d' % (len(cfg), len(blk), len(net_in), len(net_out)))
check(all('MSI' in v[n][3] for n in v), 'every virtio vector is MSI-X (%s)' % sorted(set(v[n][3] for n in v)))
check(len(set(v[n][0] for n in v)) == len(v), 'each vector its own Linux irq')
check(bool(blk) and v[blk[0]][1] + v[blk[0]][2] > 0, 'blk completions counted on req.0')
check(bool(net_in) and v[net_in[0]][1] + v[net_in[0]][2] > 0, 'net receptions counted on input.0')
if net_in:
    irq, c0, c1 = v[net_in[0]][0], v[net_in[0]][1], v[net_in[0]][2]
    to = 0 if c1 > c0 else 1               # the hart it is not on now
    send('echo %d > /proc/irq/%s/smp_affinity; echo A""FF=$(cat /proc/irq/%s/effective_affinity_list)' % (1 << to, irq, irq))
    m = wait_for(rb'AFF=(\d+)', 'smp_affinity')
    check(m.group(1) == str(to).encode(), 'smp_affinity of input.0 set to hart %d (effective %s)' % (to, m.group(1).decode()))
    before = (c0, c1)[to]
    send(probe % 'two')
    wait_for(rb'HOST-SAYS-HELLO-TWO NET-DONE', 'the second TCP exchange')
    after = ints().get(net_in[0], (0, 0, 0, ''))[1 + to]
    check(after > before, 'net input vector moved: now counted on CPU%d, %d -> %d' % (to, before, after))
send('echo o > /proc/sysrq-trigger')
try:
    p.wait(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
srv.close()
print('aia-linux: shell in %.0f s, %d checks failed' % (shell_at, len(fails)))
sys.exit(1 if fails else 0)
