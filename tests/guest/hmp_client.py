#!/usr/bin/env python3
"""hmp_client.py SOCKET CMD...: runs each CMD on rivet's human monitor at
the unix socket SOCKET (or HOST:PORT) and prints what it answered, each
answer after a line "== CMD". "sleep:S" waits S seconds instead. Exits 1
when the monitor does not answer within 20 s. Standard library only."""
import socket
import sys
import time

PROMPT = b"(qemu) "


def connect(where):
    if ":" in where and not where.startswith("/"):
        host, port = where.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=20)
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        s.connect(where)
    return s


def until_prompt(s, buf):
    while not buf.endswith(PROMPT):
        chunk = s.recv(65536)
        if not chunk:
            return buf, False
        buf += chunk
    return buf, True


def main():
    s = connect(sys.argv[1])
    buf, ok = until_prompt(s, b"")
    if not ok:
        print("no greeting", file=sys.stderr)
        return 1
    sys.stdout.write(buf.decode(errors="replace").replace(PROMPT.decode(), ""))
    for cmd in sys.argv[2:]:
        if cmd.startswith("sleep:"):
            time.sleep(float(cmd[6:]))
            continue
        print("== " + cmd, flush=True)
        s.sendall(cmd.encode() + b"\n")
        if cmd in ("quit", "q"):
            continue
        try:
            buf, ok = until_prompt(s, b"")
        except socket.timeout:
            print("timeout", file=sys.stderr)
            return 1
        sys.stdout.write(buf[: -len(PROMPT)].decode(errors="replace"))
        if not ok:
            return 1
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
