#!/bin/sh
# virtio-net benchmark: guest <- host TCP throughput over user networking
# (libslirp): the guest wgets a 64 MiB file from a python3 HTTP server on
# the host's 127.0.0.1 (10.0.2.2 in the guest) to /dev/null, on rivet and,
# when installed, on qemu-system-riscv64 with the same firmware, kernel,
# initramfs and script (-netdev user + virtio-net-device on virtio-mmio for
# both). The time is host wall time between two marker lines the guest
# prints around the wget. Medians of $RUNS (5) runs, rivet and QEMU alternating.
#
#   sh scripts/bench-net.sh        (tree root; B=build, RUNS=3)
#
# Prints:
#   net wget (64 MiB over user net, median of N): rivet  X MB/s (S s)
#   net wget (64 MiB over user net, median of N): qemu   Y MB/s (S s)
#   net wget ratio rivet/qemu: R
set -eu
B=${B:-build}
RUNS=${RUNS:-5}
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
MB=64
. scripts/guest-dir.sh
[ -n "$GUEST" ] || { echo "bench-net: no test guest (run make guest)" >&2; exit 1; }
command -v mke2fs > /dev/null || { echo "bench-net: mke2fs not installed (e2fsprogs)" >&2; exit 1; }
command -v python3 > /dev/null || { echo "bench-net: python3 is needed for the host HTTP server" >&2; exit 1; }
tmp=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -rf "$tmp"' EXIT

mkdir "$tmp/www" "$tmp/root"
head -c $((MB << 20)) /dev/urandom > "$tmp/www/f.bin"
python3 - "$tmp/www" "$tmp/port" > /dev/null 2>&1 <<'PY' &
import functools, http.server, os, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2] + ".tmp", "w").write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
PY
server=$!
n=0
until [ -s "$tmp/port" ]; do
    n=$((n + 1)); [ $n -lt 100 ] || { echo "bench-net: the HTTP server did not start" >&2; exit 1; }
    sleep 0.1
done
port=$(cat "$tmp/port")
cat > "$tmp/root/bench.sh" <<EOF2
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -s /etc/udhcpc.script > /dev/null 2>&1
echo BENCH-START
wget -q -O /dev/null http://10.0.2.2:$port/f.bin && echo BENCH-OK
echo BENCH-END
EOF2
mke2fs -q -t ext4 -d "$tmp/root" "$tmp/disk.img" 16M > /dev/null

# one_run EMULATOR-COMMAND...: prints the wall ns between the markers
one_run() {
    rm -f "$tmp/start" "$tmp/end" "$tmp/ok"
    "$@" < /dev/null 2>&1 | while IFS= read -r line; do
        case "$line" in
            *BENCH-START*) now_ns > "$tmp/start" ;;
            *BENCH-OK*) : > "$tmp/ok" ;;
            *BENCH-END*) now_ns > "$tmp/end" ;;
        esac
    done
    [ -f "$tmp/start" ] && [ -f "$tmp/end" ] || { echo "bench-net: no markers from: $*" >&2; return 1; }
    [ -f "$tmp/ok" ] || { echo "bench-net: wget failed in: $*" >&2; return 1; }
    echo $(( $(cat "$tmp/end") - $(cat "$tmp/start") ))
}

. scripts/bench-throughput.sh

append="console=ttyS0 guest.run=bench guest.poweroff=1"
devs="-drive file=$tmp/disk.img,format=raw,if=none,id=d0,readonly=on -device virtio-blk-device,drive=d0"
devs="$devs -netdev user,id=n0 -device virtio-net-device,netdev=n0"
throughput "net wget" "net wget ($MB MiB over user net, median of $RUNS)" "$append" "$devs"
