#!/bin/sh
# savevm and loadvm of a 512 MiB guest at its shell prompt (issue 13: each
# under 1 s, the file under 32 MiB). The test guest boots to its prompt
# with a 64 MiB ext4 disk on virtio-blk-pci (so the disk is in the
# snapshot too) and the monitor on a unix socket; a client times each
# command from sending it to the monitor's next prompt. Best of $RUNS
# (3) savevm/loadvm pairs in one run.
#
#   sh scripts/bench-snapshot.sh      (tree root; B=build, RUNS=3)
#
# Prints:
#   snapshot: savevm X s (file N MiB), loadvm Y s (512 MiB guest at its prompt, best of R)
set -eu
B=${B:-build}
RUNS=${RUNS:-3}
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-snapshot: no test guest (run make guest)" >&2; exit 1; }
command -v python3 > /dev/null || { echo "bench-snapshot: python3 not installed" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$tmp"' EXIT
zcat "$GUEST/disk.ext4.gz" > "$tmp/disk.img"
"$B/rivet" -M virt -m 512M -kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" -append console=ttyS0 \
    -serial file:"$tmp/console" -drive file="$tmp/disk.img",format=raw,if=none,id=d0 \
    -device virtio-blk-pci,drive=d0 -monitor unix:"$tmp/m.sock",server=on,wait=off < /dev/null > "$tmp/out" 2>&1 &
pid=$!
i=0
until grep -q "Type 'poweroff" "$tmp/console" 2> /dev/null; do
    i=$((i + 1))
    [ $i -lt 3000 ] && kill -0 $pid 2> /dev/null || { echo "bench-snapshot: no shell prompt" >&2; exit 1; }
    sleep 0.1
done
python3 - "$tmp/m.sock" "$tmp/s" "$RUNS" <<'PY'
import os, socket, sys, time
sock, snap, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(60)
s.connect(sock)
def until_prompt():
    buf = b""
    while not buf.endswith(b"(qemu) "):
        c = s.recv(65536)
        if not c:
            sys.exit("bench-snapshot: the monitor went away")
        buf += c
    return buf.decode(errors="replace")
def timed(cmd):
    t0 = time.monotonic()
    s.sendall(cmd.encode() + b"\n")
    out = until_prompt()
    t = time.monotonic() - t0
    if "Error" in out:
        sys.exit("bench-snapshot: %s: %s" % (cmd, out.strip()))
    return t
until_prompt()
save, load = [], []
for _ in range(runs):
    save.append(timed("savevm " + snap))
    load.append(timed("loadvm " + snap))
size = os.path.getsize(snap) / 1048576
print("snapshot: savevm runs %s" % " ".join("%.3f" % t for t in save))
print("snapshot: loadvm runs %s" % " ".join("%.3f" % t for t in load))
print("snapshot: savevm %.3f s (file %.1f MiB), loadvm %.3f s (512 MiB guest at its prompt, best of %d)"
      % (min(save), size, min(load), runs))
s.sendall(b"quit\n")
PY
wait $pid || true
pid=
