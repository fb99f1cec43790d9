#!/usr/bin/env python3
"""Boots the Debian system of `make debian` (roms/debian/build.sh) to
multi-user and checks it, as docs/debian.md describes.

    boot-debian.py DIR EMULATOR [EXTRA-OPTION...]

DIR holds vmlinux, initrd.img, rootfs.img and cmdline. EMULATOR is rivet
or qemu-system-riscv64. The root file system is used with -snapshot, so
DIR stays as built. Console input is a pipe, not a terminal: whether the
run is realtime or batch is up to EXTRA (rivet: the -netdev makes it
realtime; `-icount sleep=off` makes it batch). Waits for the autologin
prompt, then runs `systemctl is-system-running --wait`, counts failed
units, reads /proc/cpuinfo's isa line and powers off. Prints
    debian: shell in S s, STATE in T s (N failed units), isa ISA
(T: when `systemctl is-system-running --wait` returned)
and exits 0 when the state is "running" with no failed unit.
Environment: DEBIAN_TIMEOUT (seconds, 900), DEBIAN_SMP (2), DEBIAN_MEM (2G),
DEBIAN_LOG (a file to keep the console in), DEBIAN_TRANSPORT (mmio, or pci
for virtio-blk-pci and virtio-net-pci), DEBIAN_CMD (a shell command typed
after the check, before poweroff: its output is printed, between the
lines "debian: cmd begin" and "debian: cmd end").
"""
import os, re, select, subprocess, sys, time

d, emu, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
limit = float(os.environ.get('DEBIAN_TIMEOUT', '900'))
tr = {'mmio': 'device', 'pci': 'pci'}[os.environ.get('DEBIAN_TRANSPORT', 'mmio')]
cmdline = open(os.path.join(d, 'cmdline')).read().strip()
bios = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin'
cmd = [emu, '-M', 'virt', '-m', os.environ.get('DEBIAN_MEM', '2G'),
       '-smp', os.environ.get('DEBIAN_SMP', '2'), '-nographic', '-bios', bios,
       '-kernel', os.path.join(d, 'vmlinux'), '-initrd', os.path.join(d, 'initrd.img'),
       '-append', cmdline, '-snapshot',
       '-drive', 'file=%s,format=raw,if=none,id=hd0' % os.path.join(d, 'rootfs.img'),
       '-device', 'virtio-blk-%s,drive=hd0' % tr,
       '-netdev', 'user,id=n0', '-device', 'virtio-net-%s,netdev=n0' % tr] + extra
log = open(os.environ['DEBIAN_LOG'], 'wb') if os.environ.get('DEBIAN_LOG') else None
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
buf, prompt_at, sent, result = b'', None, False, None
prompt = re.compile(rb'root@rivet-debian:~# ')
while True:
    if time.monotonic() - t0 > limit:
        p.kill()
        print('debian: no result after %d s' % limit, file=sys.stderr)
        sys.exit(1)
    r, _, _ = select.select([p.stdout], [], [], 0.5)
    if not r:
        continue
    data = os.read(p.stdout.fileno(), 65536)
    if not data:
        break
    if log:
        log.write(data); log.flush()
    buf += data
    if prompt_at is None and prompt.search(buf):
        prompt_at = time.monotonic() - t0
        p.stdin.write(b'echo STATE=$(systemctl is-system-running --wait) FAILED=$(systemctl --failed --no-legend | wc -l) ISA=$(grep -m1 ^isa /proc/cpuinfo | cut -d: -f2)\n')
        p.stdin.flush()
    m = re.search(rb'STATE=([a-z-]+) FAILED=(\d+) ISA= *(\S*)[\r\n]', buf)  # the whole line
    if m and not sent:
        result = (m.group(1).decode(), int(m.group(2)), m.group(3).decode(), time.monotonic() - t0)
        cmd = os.environ.get('DEBIAN_CMD')
        if cmd:
            p.stdin.write(b'echo CMD-BEGIN; ' + cmd.encode() + b'; echo CMD-END\n')
        p.stdin.write(b'systemctl --failed --no-legend; poweroff\n')
        p.stdin.flush()
        sent = True
rc = p.wait()
if prompt_at is None or result is None:
    print('debian: the system did not reach the shell (exit status %d)' % rc, file=sys.stderr)
    sys.exit(1)
print('debian: shell in %.1f s, %s in %.1f s (%d failed units), isa %s' % (prompt_at, result[0], result[3], result[1], result[2]))
m = re.search(rb'\nCMD-BEGIN\r?\n(.*?)CMD-END', buf, re.S)
if m:
    print('debian: cmd begin')
    sys.stdout.write(m.group(1).decode('utf-8', 'replace').replace('\r', ''))
    print('debian: cmd end')
sys.exit(0 if result[0] == 'running' and result[1] == 0 else 1)
