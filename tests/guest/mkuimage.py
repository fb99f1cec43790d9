"""tests/guest/mkuimage.py: writes a U-Boot legacy uImage (what U-Boot's
`mkimage -A riscv -O linux -T kernel -C none|gzip -a LOAD -e ENTRY` makes):
a 64-byte big-endian header with CRC32s, then the payload.
usage: mkuimage.py [--gzip] [--arch N] [--type N] [--load A] [--entry A] IN OUT"""
import argparse, gzip, struct, zlib

ap = argparse.ArgumentParser()
ap.add_argument('--gzip', action='store_true')
ap.add_argument('--arch', type=int, default=26)      # IH_ARCH_RISCV
ap.add_argument('--type', type=int, default=2)       # IH_TYPE_KERNEL
ap.add_argument('--load', type=lambda s: int(s, 0), default=0x80200000)
ap.add_argument('--entry', type=lambda s: int(s, 0), default=None)
ap.add_argument('inp')
ap.add_argument('out')
a = ap.parse_args()
data = open(a.inp, 'rb').read()
if a.gzip:
    data = gzip.compress(data, 6, mtime=0)
entry = a.load if a.entry is None else a.entry
name = b'rivet test kernel'.ljust(32, b'\0')
def header(hcrc):
    return struct.pack('>IIIIIIIBBBB32s', 0x27051956, hcrc, 0, len(data), a.load, entry,
                       zlib.crc32(data), 5, a.arch, a.type, 1 if a.gzip else 0, name)
h = header(0)
open(a.out, 'wb').write(header(zlib.crc32(h)) + data)
