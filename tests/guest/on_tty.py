#!/usr/bin/env python3
"""Runs a command on a fresh pseudo-terminal, as a person at a terminal would.

usage: pty.py OUTFILE TIMEOUT STEP... -- COMMAND...
  expect:REGEX   wait until the output (so far, since the last expect) matches
  send:TEXT      type TEXT (Python escapes: \\x01 is Ctrl-A, \\n Enter)
  sleep:SECONDS
The whole output goes to OUTFILE. Exit status: the command's, 124 on a
timeout. The last line on stdout says whether the terminal was left in
cooked mode: "tty-restored yes|no".
"""
import os, pty, re, select, sys, termios, time

out_path, timeout = sys.argv[1], float(sys.argv[2])
i = sys.argv.index('--')
steps, cmd = sys.argv[3:i], sys.argv[i + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
deadline = time.time() + timeout
buf, mark, status = b'', 0, None


def pump(t, idle=True):
    """Reads what is there within t seconds. False when the terminal is
    gone, or (idle=False) when nothing came."""
    global buf
    r, _, _ = select.select([fd], [], [], t)
    if not r:
        return idle
    try:
        d = os.read(fd, 65536)
    except OSError:
        return False
    buf += d
    return bool(d)


def done():
    global status
    if status is None:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = os.waitstatus_to_exitcode(st)
    return status is not None


rc = None
for s in steps:
    kind, _, arg = s.partition(':')
    if kind == 'expect':
        rx = re.compile(arg.encode())
        while not rx.search(buf, mark):
            if time.time() > deadline or not pump(0.2):
                rc = 124
                break
        if rc:
            break
        mark = rx.search(buf, mark).end()
    elif kind == 'send':
        os.write(fd, arg.encode().decode('unicode_escape').encode('latin1'))
    elif kind == 'sleep':
        end = time.time() + float(arg)
        while time.time() < end and pump(0.05):
            pass
# let it finish
while rc is None and time.time() < deadline:
    if done():
        break
    if not pump(0.1):
        while not done() and time.time() < deadline:
            time.sleep(0.05)
        break
try:
    while pump(0.05, idle=False) and len(buf) < 1 << 24:
        pass
except OSError:
    pass
cooked = False
try:
    lflag = termios.tcgetattr(fd)[3]
    cooked = bool(lflag & termios.ECHO) and bool(lflag & termios.ICANON)
except termios.error:
    pass
if rc is None and not done():
    rc = 124
if rc is None:
    rc = status
if rc == 124:
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except OSError:
        pass
open(out_path, 'wb').write(buf)
print('tty-restored', 'yes' if cooked else 'no')
sys.exit(rc if rc >= 0 else 128 - rc)
