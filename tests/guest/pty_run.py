#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would.

    pty_run.py LOG PROMPT INPUT TIMEOUT -- COMMAND...

Waits until the output shows PROMPT, then types INPUT (a file) line by
line. Writes every output line to LOG as "SECONDS LINE", SECONDS being the
host's monotonic time since the start when the line arrived. Exits with
the command's status (124 if it ran longer than TIMEOUT seconds, 125 if the
prompt never came).
"""
import os, pty, select, signal, sys, time

log, prompt, inp, limit = sys.argv[1], sys.argv[2].encode(), open(sys.argv[3], 'rb').read(), float(sys.argv[4])
cmd = sys.argv[6:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
t0 = time.monotonic()
seen, line, typed = b'', b'', False
pending, next_at = [], 0.0
with open(log, 'w') as out:
    while True:
        now = time.monotonic() - t0
        if pending and now >= next_at:
            os.write(fd, pending.pop(0))
            next_at = now + 0.05
        if now > limit:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.exit(124 if typed else 125)
        r, _, _ = select.select([fd], [], [], min(0.02, max(0.0, next_at - now)) if pending else 0.02)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        now = time.monotonic() - t0
        line += data
        while b'\n' in line:
            l, line = line.split(b'\n', 1)
            out.write('%.3f %s\n' % (now, l.decode(errors='replace').rstrip('\r')))
            out.flush()
        if not typed:
            seen += data
            if prompt in seen:
                typed = True
                pending, next_at = inp.splitlines(True), now
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
