#!/usr/bin/env python3
"""tests/fuzz/gen_seeds.py: writes the seed corpus tests/fuzz/corpus/NAME/
for the harnesses whose input is a little program (virtq, blk, gpu), code
(disas) or a file format (loader). Each seed follows its harness's decoding, so the
fuzzer starts from inputs that reach deep into the device. The cpu seeds
are RISC-V programs assembled from tests/fuzz/cpu_seeds/*.S when the cross
compiler is there (their binaries are committed). Run from the tree root."""
import os
import struct
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(name, fname, data):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


u8 = lambda v: struct.pack("<B", v)
u16 = lambda v: struct.pack("<H", v)
u32 = lambda v: struct.pack("<I", v)
u64 = lambda v: struct.pack("<Q", v)

# ---- virtq: ops 0 reg write, 2 bring-up, 3 poke, 4 desc, 5 publish, 6 notify
def ram(off):            # gpa() inside RAM
    return u8(0) + u16(off)

def bring_up(num_log2=4, feat_lo=0xffffffff):
    return u8(2) + u32(feat_lo) + u32(0) + u8(num_log2) + ram(0x1000) + ram(0x1100) + ram(0x1200)

def desc(i, off, length, flags, nxt):
    return u8(4) + u16(i) + ram(off) + u8(0) + u16(length) + u8(flags) + u16(nxt)

publish = lambda head: u8(5) + u16(head) + u8(0)
notify = u8(6) + u8(0)
poke = lambda off, b: u8(3) + u16(off) + u8(len(b)) + b

put("virtq", "simple", u8(0) + bring_up() + desc(0, 0x2000, 64, 2, 0) + publish(0) + notify + u8(7))
put("virtq", "chain", u8(0) + bring_up() + desc(0, 0x2000, 16, 3, 1) + desc(1, 0x2100, 32, 3, 2)
    + desc(2, 0x2200, 64, 2, 0) + publish(0) + desc(3, 0x2300, 8, 2, 0) + publish(3) + notify)
table = b"".join(u64(0x80002000 + 0x40 * i) + u32(0x40) + u16(3 if i < 3 else 2) + u16(i + 1)
                 for i in range(4))
put("virtq", "indirect", u8(0) + bring_up() + poke(0x3000, table) + desc(0, 0x3000, 64, 4, 0)
    + publish(0) + notify + u8(8))
put("virtq", "loop", u8(0) + bring_up() + desc(0, 0x2000, 16, 3, 1) + desc(1, 0x2000, 16, 3, 0)
    + publish(0) + notify)
regw = lambda off, val: u8(0) + u16(off) + u8(2) + u32(val)
put("virtq", "legacy", b"L" + regw(0x70, 3) + regw(0x28, 4096) + regw(0x30, 0) + regw(0x38, 16)
    + regw(0x3c, 4096) + regw(0x40, 0x80001) + regw(0x70, 7) + desc(0, 0x2000, 64, 2, 0)
    + publish(0) + notify)

# ---- blk: cfg, features, then batches of requests
def seg(kind, length_bytes, payload=b""):
    return u8(kind) + length_bytes + u8(0) + payload

def req(typ, sector, segs, indirect=False):
    return u8(len(segs) - 1) + u8(typ) + u8(sector) + b"".join(segs) + u8(0xe0 if indirect else 0)

hdr = u8(0)                          # kind < 0xf0: 16-byte header, readable
sect = u8(0x80) + u8(0)              # 512 bytes
status = u8(0) + u8(1)               # last segment: writable, 1 byte
wdata = u8(1) + sect                 # writable 512
rdata = u8(0) + sect                 # readable 512 (kind 0: even)
blk = u8(0) + u32(0)
blk += u8(0) + req(0, 1, [hdr + u8(0), wdata, status])                      # IN
blk += u8(0) + req(1, 2, [hdr + u8(0), rdata + bytes(16), status])          # OUT
blk += u8(1) + req(2, 0, [hdr + u8(0), status]) + req(3, 0, [hdr + u8(0), u8(1) + u8(20) + u8(0), status])
blk += u8(0) + req(4, 0, [hdr + u8(0), u8(0) + u8(16) + u8(0) + u64(3) + u32(2) + u32(0), status])
blk += u8(0) + req(5, 0, [hdr + u8(0), u8(0) + u8(16) + u8(0) + u64(5) + u32(1) + u32(1), status], True)
put("blk", "requests", blk)
put("blk", "readonly", u8(1) + u32(0) + u8(0) + req(1, 0, [hdr + u8(0), rdata + bytes(16), status]))

# ---- gpu: xres, yres, then commands
small = lambda v: u8(v)              # field(): m < 0xa0 -> m % 8
wide = lambda v: u8(0xa0) + u16(v)   # field(): u16 % 300
tail = u8(0) + u8(0) + u8(0) + u8(0) + u8(0)   # not cut, no split, 1056-byte response, direct, no reset

def gcmd(t, body):
    return u8(t) + u8(1) + u8(7) + body + tail

def fields(*fs):
    return u8(len(fs)) + b"".join(fs)

create = gcmd(1, u8(0) + small(1) + wide(64) + wide(64))
attach = gcmd(6, u8(1) + small(1) + u8(0) + u8(0) + wide(64) + wide(64) + u8(0))
rect = (small(0), small(0), wide(64), wide(64))
scanout = gcmd(3, fields(*rect, small(0), small(1)))
transfer = gcmd(5, fields(*rect, small(0), small(0), small(1), small(0)))
flush = gcmd(4, fields(*rect, small(1), small(0)))
info = gcmd(0, fields())
edid = gcmd(10, fields(small(0), small(0)))
cursor = u8(0xf0) + u8(0) + u8(0) + fields(small(0), wide(10), wide(20), small(0), small(1), small(2), small(3), small(0)) + tail
unref = gcmd(2, fields(small(1), small(0)))
detach = gcmd(7, fields(small(1), small(0)))
put("gpu", "display", u8(10) + u8(10) + info + edid + create + attach + scanout + transfer + flush + cursor)
put("gpu", "lifecycle", u8(0) + u8(0) + create + attach + transfer + detach + transfer + scanout + unref + flush)

# ---- loader: first byte picks the loader, the rest is the file
def elf(paddr, vaddr, code, symbols=None):
    ehsize, phsize = 64, 56
    off = ehsize + phsize
    shdrs = b""
    extra = b""
    shnum = shoff = shstrndx = 0
    if symbols:
        strtab = b"\0" + b"".join(n.encode() + b"\0" for n, _ in symbols)
        symtab = bytes(24)
        pos = 1
        for n, v in symbols:
            symtab += u32(pos) + u8(0x11) + u8(0) + u16(1) + u64(v) + u64(8)
            pos += len(n) + 1
        sym_off = off + len(code)
        str_off = sym_off + len(symtab)
        extra = symtab + strtab
        shoff = str_off + len(strtab)
        shoff = (shoff + 7) & ~7
        extra += bytes(shoff - str_off - len(strtab))
        sh = lambda name, typ, o, size, link, entsize: (u32(name) + u32(typ) + u64(0) + u64(0) + u64(o)
                                                       + u64(size) + u32(link) + u32(0) + u64(8) + u64(entsize))
        shdrs = bytes(64) + sh(0, 2, sym_off, len(symtab), 2, 24) + sh(0, 3, str_off, len(strtab), 0, 0)
        shnum = 3
    eh = (b"\x7fELF" + u8(2) + u8(1) + u8(1) + bytes(9) + u16(2) + u16(243) + u32(1) + u64(vaddr)
          + u64(ehsize) + u64(shoff) + u32(5) + u16(ehsize) + u16(phsize) + u16(1) + u16(64)
          + u16(shnum) + u16(shstrndx))
    ph = u32(1) + u32(7) + u64(off) + u64(vaddr) + u64(paddr) + u64(len(code)) + u64(len(code) + 64) + u64(0x1000)
    return eh + ph + code + extra + shdrs

code = bytes.fromhex("9302100073001050") * 4
put("loader", "elf", u8(0) + elf(0x80000000, 0x80000000, code))
put("loader", "elf_syms", u8(0) + elf(0x80001000, 0xffffffff80001000, code,
                                      [("tohost", 0xffffffff80001010), ("fromhost", 0xffffffff80001018)]))
image = (u32(0x0000006f) + u32(0) + u64(0) + u64(0x3000) + u64(0) + u32(2) + u32(0) + u64(0)
         + b"RISCV\0\0\0" + b"RSC\x05" + u32(0))
put("loader", "image", u8(1) + image + code)
put("loader", "image_high", u8(2) + image + code * 4)
put("loader", "raw", u8(3) + code)
# loader_program: gzip Image, uImage (plain and gzip), ELF; -dtb; -initrd
import gzip as _gzip, zlib as _zlib
def uimage(payload, load=0x80200000, ep=0x80200000, comp=0):
    name = b"fuzz".ljust(32, b"\0")
    h = lambda c: struct.pack(">IIIIIIIBBBB32s", 0x27051956, c, 0, len(payload), load, ep,
                              _zlib.crc32(payload), 5, 26, 2, comp, name)
    return h(_zlib.crc32(h(0))) + payload
put("loader", "program_gzip_image", u8(4) + _gzip.compress(image + code, 6, mtime=0))
put("loader", "program_uimage", u8(4) + uimage(image + code))
put("loader", "program_uimage_gzip", u8(4) + uimage(_gzip.compress(image + code, 6, mtime=0), comp=1))
put("loader", "program_elf", u8(5) + elf(0x80000000, 0x80000000, code))
def fdt(chosen):
    strings = b"model\0bootargs\0"
    be = lambda v: struct.pack(">I", v)
    prop = lambda data, off: be(3) + be(len(data)) + be(off) + data + bytes((4 - len(data) % 4) % 4)
    st = be(1) + b"\0\0\0\0" + prop(b"fuzz\0", 0)
    if chosen:
        st += be(1) + b"chosen\0\0" + prop(b"old\0", 6) + be(2)
    st += be(2) + be(9)
    rsv = bytes(16)
    off_rsv = 40
    off_st = off_rsv + len(rsv)
    off_str = off_st + len(st)
    total = off_str + len(strings)
    hdr = (be(0xd00dfeed) + be(total) + be(off_st) + be(off_str) + be(off_rsv) + be(17) + be(16)
           + be(0) + be(len(strings)) + be(len(st)))
    return hdr + rsv + st + strings
put("loader", "dtb", u8(6) + fdt(True))
put("loader", "dtb_merge", u8(6 + 8 + 16) + fdt(False))
put("loader", "initrd", u8(7) + code * 8)

# ---- net_slirp: records of guest frames (see fuzz_net_slirp.c)
def nframe(payload, op=0):
    return u8(op) + u16(len(payload)) + payload
def nfrag(ident, off_field, length, proto_sel=0, fill=b""):
    body = (fill * length)[:length] if fill else bytes(range(256)) * (length // 256 + 1)
    return u8(3) + u8(ident) + u16(off_field) + u16(length) + u8(proto_sel) + body[:length]
be16 = lambda v: struct.pack(">H", v)
arp = bytes(12) + be16(0x0806) + be16(1) + be16(0x0800) + u8(6) + u8(4) + be16(1) + bytes(6) + bytes([10, 0, 2, 15]) + bytes(6) + bytes([10, 0, 2, 2])
put("net_slirp", "arp", nframe(arp, 4 | (1 << 3)))
# issue #18: DF, offset 0x173e, MF clear, 1453 bytes of ICMP; then without DF
put("net_slirp", "issue18_frame", nfrag(0, 0x4000 | 0x173e, 1453) + nfrag(1, 0x173e, 1453) + u8(2) + u8(50))
# a ping in three fragments, last one first; then time passes
put("net_slirp", "frags_out_of_order", nfrag(2, 0x7d * 2, 40) + nfrag(2, 0x2000, 1000) + nfrag(2, 0x2000 | 0x7d, 1000)
    + u8(2) + u8(10))
put("net_slirp", "frag_timeout", nfrag(3, 0x2000, 64) + u8(2) + u8(255) + u8(2) + u8(255))
ip6 = bytes(12) + be16(0x86dd) + bytes([0x60, 0, 0, 0]) + be16(8) + u8(17) + u8(64) + bytes(32) + bytes(8)
put("net_slirp", "ipv6_udp", nframe(ip6, 4 | (2 << 3)))

# ---- cpu: assembled programs
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpu_seeds")
cc = os.environ.get("RISCV_CC", "riscv64-unknown-elf-gcc")
objcopy = cc[:-3] + "objcopy" if cc.endswith("gcc") else "riscv64-unknown-elf-objcopy"
for s in sorted(os.listdir(src)) if os.path.isdir(src) else []:
    if not s.endswith(".S"):
        continue
    out = "/tmp/fuzz_seed_" + s[:-2]
    try:
        subprocess.run([cc, "-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-Wl,-e,0x80000000",
                        "-Ttext=0x80000000", "-o", out + ".elf", os.path.join(src, s)], check=True)
        subprocess.run([objcopy, "-O", "binary", out + ".elf", out + ".bin"], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("cpu seeds: %s (kept the committed ones)" % e, file=sys.stderr)
        break
    # fuzz_cpu.c's 64-byte header from a "# header: key=value ..." line
    # (default: M-mode, everything 0).
    hd = bytearray(64)
    hd[0] = 3
    fields = {"priv": (0, 1), "satp": (1, 1), "asid": (2, 1), "irq": (3, 1), "mtvec": (4, 2),
              "stvec": (6, 2), "pc": (8, 2), "medeleg": (10, 2), "mideleg": (12, 2), "mie": (14, 2),
              "mstatus": (16, 8), "pmpcfg0": (24, 8), "pmpaddr0": (32, 8), "pmpaddr1": (40, 8),
              "menvcfg": (48, 8), "mcounteren": (56, 1), "scounteren": (57, 1),
              "pmpcfg2": (58, 6)}
    for line in open(os.path.join(src, s)):
        if line.startswith("# header:"):
            for kv in line.split(":", 1)[1].split():
                k, v = kv.split("=")
                off, n = fields[k]
                hd[off:off + n] = int(v, 0).to_bytes(n, "little")
    with open(out + ".bin", "rb") as f:
        put("cpu", s[:-2], bytes(hd) + f.read())

# ---- virtio_pci: 5 bring-up, 7 desc+publish, 8 notify, 4 MSI-X entry, 0 cfg write
def pci_bring_up():
    return u8(5) + u32(0xffffffff) + u32(0) + u8(4) + u8(0) + ram(0x1000) + ram(0x1100) + ram(0x1200)

def pci_desc(i, off, length, flags, nxt, head):
    return u8(7) + u16(i) + ram(off) + u16(length) + u8(flags) + u16(nxt) + u16(head)

pnotify = u8(8) + u8(0)
put("virtio_pci", "simple", pci_bring_up() + pci_desc(0, 0x2000, 64, 2, 0, 0) + pnotify + u8(9))
msix_on = u8(0) + u16(0x98 + 2) + u8(1) + u32(0x8000)          # MSI-X enable in the capability
put("virtio_pci", "msix_self", pci_bring_up() + u8(4) + u8(0) + u8(0x80) + u32(0) + u8(0)
    + u8(4) + u8(1) + u8(0x80) + u32(0) + u8(0) + msix_on
    + pci_desc(0, 0x2000, 64, 2, 0, 0) + pnotify + pci_desc(1, 0x2100, 64, 2, 0, 1) + pnotify)

# ---- disas: 8-byte address, then code (rv64gc; 48-, 64-, 80-bit formats)
put("disas", "rv64gc", u64(0x80000000) + bytes.fromhex("97220000938202106f0000fd0945730025f1"))
put("disas", "long", u64(0xffffffff80000000) + bytes([0x1f, 0, 1, 2, 3, 4, 0x3f, 0, 1, 2, 3, 4, 5, 6,
                                                       0x7f, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))

# ---- gdb: a client's byte stream (frontends/gdb_rsp.c framing)
def gpkt(p):
    return b"$" + p + b"#" + b"%02x" % (sum(p) & 0xff)

put("gdb", "session", b"+" + b"".join(gpkt(p) for p in [
    b"qSupported:multiprocess+;swbreak+;hwbreak+", b"QStartNoAckMode", b"?",
    b"qXfer:features:read:target.xml:0,ffb", b"qfThreadInfo", b"qsThreadInfo", b"Hg1", b"g",
    b"p20", b"p341", b"p1041", b"m80000000,10", b"M80000800,8:0102030405060708",
    b"Z0,80000008,4", b"vCont;c", b"z0,80000008,4", b"vCont;s:2;c", b"Z2,80000800,8", b"c",
    b"Z3,80000808,8", b"s", b"Z4,80000800,10", b"c", b"Hc2", b"Z1,80000004,4", b"c",
    b"Qqemu.PhyMemMode:1", b"m80000000,4", b"qRcmd,68656c70", b"P1041=0000000000000000", b"c", b"D"]))
put("gdb", "hostile", gpkt(b"m0,ffffffff") + b"$g#00" + b"\x03" + gpkt(b"mffffffffffffffff,ffff")
    + gpkt(b"M80000000,ffffffffffffffff:00") + gpkt(b"Z2,fffffffffffffffc,8") + gpkt(b"vCont;s:-1")
    + b"$" + b"a" * 5000 + b"#00" + gpkt(b"G" + b"0" * 528) + gpkt(b"c") + gpkt(b"k"))

# ---- 9p: flags (bit 0 read-only, bits 1-3 reply room), then messages:
# u16 length, u8 flags (bit 0: fix the size field), the message
def p9s(s):
    return u16(len(s)) + s

def p9(typ, tag, body):
    m = u32(7 + len(body)) + u8(typ) + u16(tag) + body
    return u16(len(m)) + u8(0) + m

NOFID = 0xffffffff
p9_session = (p9(100, 0xffff, u32(512000) + p9s(b"9P2000.L"))
              + p9(104, 1, u32(0) + u32(NOFID) + p9s(b"root") + p9s(b"") + u32(0))
              + p9(110, 2, u32(0) + u32(1) + u16(2) + p9s(b"dir") + p9s(b"file"))
              + p9(12, 3, u32(1) + u32(2))                                   # lopen RDWR
              + p9(116, 4, u32(1) + u64(0) + u32(65536))                     # read
              + p9(118, 5, u32(1) + u64(10) + u32(5) + b"hello")             # write
              + p9(24, 6, u32(1) + u64(0x3fff))                              # getattr
              + p9(26, 7, u32(1) + u32(0x1ff) + u32(0o644) + u32(1) + u32(1) + u64(3) + u64(1) + u64(2) + u64(3) + u64(4))
              + p9(50, 8, u32(1) + u32(1))                                   # fsync
              + p9(52, 9, u32(1) + u8(1) + u32(0) + u64(0) + u64(0) + u32(7) + p9s(b"guest"))
              + p9(54, 10, u32(1) + u8(1) + u64(0) + u64(0) + u32(7) + p9s(b"guest"))
              + p9(120, 11, u32(1))                                          # clunk
              + p9(110, 12, u32(0) + u32(2) + u16(0))                        # clone
              + p9(12, 13, u32(2) + u32(0))                                  # lopen dir
              + p9(40, 14, u32(2) + u64(0) + u32(8192))                      # readdir
              + p9(40, 15, u32(2) + u64(37) + u32(300))
              + p9(14, 16, u32(0) + p9s(b"new") + u32(0o102) + u32(0o644) + u32(0))  # lcreate on root fid
              + p9(110, 17, u32(2) + u32(3) + u16(1) + p9s(b".."))
              + p9(72, 18, u32(3) + p9s(b"sub") + u32(0o755) + u32(0))        # mkdir
              + p9(16, 19, u32(3) + p9s(b"lnk") + p9s(b"/etc/passwd") + u32(0))
              + p9(110, 20, u32(3) + u32(4) + u16(1) + p9s(b"lnk"))
              + p9(22, 21, u32(4))                                           # readlink
              + p9(18, 22, u32(3) + p9s(b"fifo") + u32(0o10644) + u32(0) + u32(0) + u32(0))
              + p9(70, 23, u32(3) + u32(4) + p9s(b"hard"))                   # link
              + p9(74, 24, u32(3) + p9s(b"a") + u32(3) + p9s(b"b"))          # renameat
              + p9(20, 25, u32(4) + u32(3) + p9s(b"c"))                      # rename
              + p9(76, 26, u32(3) + p9s(b"b") + u32(0x200))                  # unlinkat
              + p9(8, 27, u32(3))                                            # statfs
              + p9(30, 28, u32(3) + u32(5) + p9s(b""))                       # xattrwalk list
              + p9(116, 29, u32(5) + u64(0) + u32(100))
              + p9(30, 30, u32(3) + u32(6) + p9s(b"user.big"))
              + p9(32, 31, u32(4) + p9s(b"user.k") + u64(3) + u32(0))        # xattrcreate
              + p9(118, 32, u32(4) + u64(0) + u32(3) + b"abc")
              + p9(120, 33, u32(4))
              + p9(108, 34, u16(5))                                          # flush
              + p9(122, 35, u32(3))                                          # remove
              + p9(110, 36, u32(0) + u32(7) + u16(17) + b"".join(p9s(b"d") for _ in range(17))))
put("9p", "session", u8(7 << 1) + p9_session)
put("9p", "readonly", u8(1 | 4 << 1) + p9_session)
put("9p", "small-reply", u8(0) + p9_session)
put("9p", "hostile", u8(6 << 1)
    + p9(104, 1, u32(0) + u32(NOFID) + p9s(b"") + p9s(b"") + u32(0))
    + p9(110, 2, u32(0) + u32(1) + u16(1) + p9s(b"a/../../etc"))
    + p9(110, 3, u32(0) + u32(1) + u16(1) + p9s(b"a\0b"))
    + p9(110, 4, u32(0) + u32(0) + u16(1) + p9s(b"."))
    + p9(104, 5, u32(0) + u32(NOFID) + p9s(b"") + p9s(b"") + u32(0))      # fid reuse
    + p9(116, 6, u32(99) + u64(0) + u32(0xffffffff))                        # unknown fid, huge count
    + p9(118, 7, u32(0) + u64(0) + u32(0xffffffff))                         # count past the message
    + u16(7) + u8(0) + u32(0xffffff) + u8(110) + u16(8)                     # size beyond the bytes
    + u16(3) + u8(1) + b"\x03\x00\x00")
# ---- mmio: the virt board as a script (fuzz_mmio.c); first byte: bit 0
# legacy virtio-mmio, bit 1 two harts. Regions: 0 CLINT, 1 PLIC, 2 UART,
# 3 RTC, 4 test, 5 virtio-mmio slots, 6 ECAM, 7 PCI 32-bit window, 8 PIO,
# 9 64-bit window, 10 RAM, 11 any address.
def MW(region, off, sl, v):
    return u8(0) + u8(region) + u32(off) + u8(sl) + u64(v)

def MR(region, off, sl=2):
    return u8(1) + u8(region) + u32(off) + u8(sl)

MPOKE = lambda off, b: u8(2) + u16(off) + u8(len(b)) + b
MT = lambda ticks, shift=0: u8(3) + u16(ticks) + u8(shift)
MSER = lambda b: u8(4) + u8(len(b)) + b
MCHR = lambda i, b: u8(5) + u8(i) + u8(len(b)) + b
MEV = lambda t, code, down=1, x=0, y=0: u8(6) + u8(t) + u16(code) + u8(down) + u32(x & 0xffffffff) + u32(y & 0xffffffff)
MFR = lambda n, b: u8(7) + u8(n) + u16(len(b)) + b
MQ = lambda slot, q, log2, feat: u8(8) + u8(slot) + u8(q) + u8(log2) + u32(feat)
PQ = lambda slot, q, log2, feat, vec=0: u8(9) + u8(slot - 1) + u8(q) + u8(log2) + u32(feat) + u8(vec)

def MCH(h, segs):
    return u8(10) + u8(h) + u8(len(segs) - 1) + b"".join(u16(o) + u16(l) + u8(w) for o, l, w in segs)

# PLIC: source priorities, hart 0's S context enables everything, threshold 0.
plic_on = b"".join(MW(1, 4 * s, 2, 7) for s in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 32, 33, 34, 35)) \
    + MW(1, 0x2080, 2, 0xffffffff) + MW(1, 0x2084, 2, 0xffffffff) + MW(1, 0x2088, 2, 0xffffffff) \
    + MW(1, 0x201000, 2, 0)
claim = MR(1, 0x201004) + MW(1, 0x201004, 2, 10) + MW(1, 0x201004, 2, 11) + MW(1, 0x201004, 2, 3)
frame = bytes.fromhex("525400123456" "525400123502" "0800") + bytes(range(46))
bcast = b"\xff" * 6 + bytes.fromhex("525400123502" "0806") + bytes(46)
put("mmio", "platform", u8(2) + plic_on
    + MW(0, 0x4000, 3, 100) + MW(0, 0x4008, 3, 50) + MW(0, 0, 2, 1) + MW(0, 4, 2, 1) + MT(200)
    + MR(0, 0xbff8, 3) + MW(0, 0, 2, 0)
    + MW(2, 3, 0, 0x83) + MW(2, 0, 0, 1) + MW(2, 1, 0, 0) + MW(2, 3, 0, 3) + MW(2, 2, 0, 0xc7)
    + MW(2, 1, 0, 0xf) + MW(2, 4, 0, 0x0b) + MSER(b"hello\r") + MT(10) + claim + MR(2, 0) + MR(2, 5, 0)
    + MW(2, 0, 0, 0x41) + MW(2, 4, 0, 0x1b) + MW(2, 0, 0, 0x42) + MR(2, 0, 0) + MR(2, 2, 0)
    + MR(3, 0) + MR(3, 4) + MW(3, 0xc, 2, 0) + MW(3, 8, 2, 5000) + MW(3, 0x10, 2, 1) + MT(100, 4)
    + claim + MR(3, 0x14) + MW(3, 0x1c, 2, 1) + MW(3, 0x18, 2, 0) + MR(3, 0x14)
    + MW(1, 0x2000, 2, 0xffffffff) + MW(1, 0x200000, 2, 2) + MR(1, 0x200004) + MR(1, 0x1000)
    + MW(4, 0, 2, 0x3333))                      # finisher: fail(0), the machine stops
# ECAM: every function's IDs, BAR sizing, BARs placed on top of each other, INTx.
ecam = b""
for slot in range(6):
    base = slot << 15
    ecam += MR(6, base) + MR(6, base + 8) + MR(6, base + 0x2c) + MR(6, base + 0x3c, 1)
    for bar in range(6):
        ecam += MW(6, base + 0x10 + 4 * bar, 2, 0xffffffff) + MR(6, base + 0x10 + 4 * bar)
ecam += MR(6, (1 << 20) | (3 << 15) | (2 << 12)) + MR(6, 0xff << 20)
for slot in (1, 2, 3, 4):
    ecam += MW(6, (slot << 15) + 0x20, 2, 0x40000000) + MW(6, (slot << 15) + 0x24, 2, 0) \
        + MW(6, (slot << 15) + 0x14, 2, 0x40002000) + MW(6, (slot << 15) + 4, 1, 0x407)
ecam += MR(7, 0) + MR(7, 0x2000) + MW(7, 0x14, 0, 0) + MR(7, 0x3000, 1) + MW(6, (1 << 15) + 4, 1, 0x6)
put("mmio", "pci_ecam_bars", u8(0) + plic_on + ecam + PQ(1, 0, 4, 0xffffffff, 0)
    + MCH(0, [(0x100, 8, 1)]) + MW(6, (1 << 15) + 4, 1, 0x406) + MT(10) + claim
    + MW(6, (1 << 15) + 0x20, 2, 0x40010000) + MW(6, (2 << 15) + 0x20, 2, 0x40010000) + MR(7, 0x10000)
    + PQ(2, 0, 3, 0, 0) + MCH(1, [(0x200, 16, 1)]) + MCHR(2, b"pci console") + MT(5) + claim)
# Every virtio-mmio device: queues set up, buffers posted, host input, time.
def virtio_all(mode):
    s = u8(mode) + plic_on
    for slot in range(8):
        s += MR(5, slot * 0x1000) + MR(5, slot * 0x1000 + 8) + MR(5, slot * 0x1000 + 0x100)
    # keyboard (slot 7): events in, LEDs out; config space select/subsel
    s += MQ(7, 0, 3, 0) + MQ(7, 1, 3, 0) + MW(5, 0x7100, 0, 1) + MR(5, 0x7102, 0) + MW(5, 0x7100, 0, 0x11) \
        + MW(5, 0x7101, 0, 1) + MR(5, 0x7108, 2)
    s += b"".join(MCH(0, [(0x300 + 8 * i, 8, 1)]) for i in range(4))
    s += MEV(0, 30, 1) + MEV(0, 30, 0) + MPOKE(0x400, u16(0x11) + u16(1) + u32(1)) + MCH(1, [(0x400, 8, 0)]) + MT(3)
    # tablet (slot 6)
    s += MQ(6, 0, 2, 0) + MCH(2, [(0x500, 8, 1)]) + MCH(2, [(0x508, 8, 1)]) + MEV(3, 0, 1, 100, 200) \
        + MEV(1, 0x110, 1) + MEV(4, 0, 0, 1, -1) + MT(2) + MW(5, 0x6100, 0, 0x12) + MR(5, 0x6108, 2)
    # console (slot 5): rx buffers, host bytes, tx out
    s += MQ(5, 0, 3, 0xffffffff) + MQ(5, 1, 3, 0xffffffff) + MCH(3, [(0x600, 32, 1)]) + MCHR(0, b"typed") + MT(2) \
        + MPOKE(0x700, b"out!") + MCH(4, [(0x700, 4, 0)]) + MW(5, 0x5108, 2, 0x41)
    # virtio-serial (slot 4)
    s += MQ(4, 0, 2, 0xffffffff) + MQ(4, 1, 2, 0xffffffff) + MCH(5, [(0x800, 16, 1), (0x810, 16, 1)]) \
        + MCHR(1, b"x" * 40) + MT(1) + MCH(6, [(0x700, 4, 0), (0x704, 60000, 0)])
    # net (slot 3) with MRG_RXBUF, CTRL_VQ, CTRL_RX, CTRL_MAC_ADDR: rx, tx, ctrl
    feat = (1 << 5) | (1 << 15) | (1 << 16) | (1 << 17) | (1 << 18) | (1 << 23)
    s += MQ(3, 0, 3, feat) + MQ(3, 1, 3, feat) + MQ(3, 2, 3, feat)
    s += MCH(7, [(0x1000, 40, 1)]) + MCH(7, [(0x1100, 1600, 1)]) + MCH(7, [(0x1800, 2000, 1), (0x2000, 100, 1)])
    s += MFR(0, frame) + MFR(0, bcast) + MFR(0, frame * 30) + MT(1)
    s += MPOKE(0x3000, bytes(12) + frame) + MCH(8, [(0x3000, 12, 0), (0x300c, len(frame), 0)])
    s += MPOKE(0x3100, bytes([0, 0, 1, 1, 0, 0])) + MCH(9, [(0x3100, 2, 0), (0x3102, 1, 0), (0x3110, 1, 1)])
    s += MPOKE(0x3200, bytes([1, 1]) + bytes.fromhex("020000000001")) + MCH(9, [(0x3200, 2, 0), (0x3202, 6, 0), (0x3210, 1, 1)])
    s += MPOKE(0x3300, bytes([1, 0]) + u32(1) + bytes.fromhex("525400aabbcc") + u32(2) + bytes(12)) \
        + MCH(9, [(0x3300, 2, 0), (0x3302, 10, 0), (0x330c, 16, 0), (0x3310, 1, 1)])
    s += MPOKE(0x3400, bytes([0, 5, 1])) + MCH(9, [(0x3400, 3, 0), (0x3410, 1, 1)])
    # rng (slot 2)
    s += MQ(2, 0, 2, 0) + MCH(10, [(0x4000, 64, 1)]) + MR(5, 0x2060) + MW(5, 0x2064, 2, 1) + MT(1) + claim
    return s
put("mmio", "virtio_mmio_modern", virtio_all(0))
put("mmio", "virtio_mmio_legacy", virtio_all(1))
# virtio-net without MRG_RXBUF (one frame per buffer chain), modern, then a reset mid-flight.
put("mmio", "net_rx_plain", u8(0) + MQ(3, 0, 2, 1 << 5) + MCH(0, [(0x1000, 10, 1), (0x100a, 1514, 1)])
    + MCH(0, [(0x1000, 12, 1)]) + MFR(0, frame) + MFR(0, frame) + MT(1) + MFR(0, frame * 30) + MT(1)
    + MCH(0, [(0x2000, 65535, 1)]) + MT(1) + MW(5, 0x3070, 2, 0) + MFR(0, frame) + MT(1))
# virtio-pci devices: mouse, console, net, rng, queues through the common configuration, MSI-X to RAM.
put("mmio", "virtio_pci_all", u8(2) + plic_on
    + PQ(1, 0, 3, 0, 1) + MCH(0, [(0x100, 8, 1)]) + MEV(2, 0, 0, 5, -5) + MEV(1, 0x111, 1) + MT(1)
    + PQ(2, 0, 3, 0xffffffff, 2) + PQ(2, 1, 3, 0xffffffff, 2) + MCH(1, [(0x200, 16, 1)]) + MCHR(2, b"abc") + MT(1)
    + MPOKE(0x300, b"tx") + MCH(2, [(0x300, 2, 0)])
    + PQ(3, 0, 3, (1 << 15) | (1 << 17), 3) + PQ(3, 1, 3, (1 << 15) | (1 << 17), 3) + PQ(3, 2, 3, (1 << 15) | (1 << 17), 3)
    + MCH(3, [(0x1000, 2048, 1)]) + MFR(1, frame) + MT(1) + MPOKE(0x3100, bytes([0, 1, 1]))
    + MCH(5, [(0x3100, 2, 0), (0x3102, 1, 0), (0x3110, 1, 1)])
    + PQ(4, 0, 2, 0, 0) + MCH(6, [(0x4000, 32, 1)]) + MR(9, 0) + MR(7, 0x4000) + claim)

# ---- 9p_local: flags (bits 0-1 model, bit 2 read-only, bits 3-5 reply
# room), then messages as for 9p, on a share of f, d/g and links out
# (esc, abs, escdir, dang)
p9l = (p9(100, 0xffff, u32(512000) + p9s(b"9P2000.L"))
       + p9(104, 1, u32(0) + u32(NOFID) + p9s(b"") + p9s(b"") + u32(0))
       + p9(110, 2, u32(0) + u32(1) + u16(2) + p9s(b"d") + p9s(b"g"))
       + p9(12, 3, u32(1) + u32(2))
       + p9(116, 4, u32(1) + u64(0) + u32(100))
       + p9(118, 5, u32(1) + u64(2) + u32(3) + b"abc")
       + p9(110, 6, u32(0) + u32(2) + u16(1) + p9s(b"esc"))
       + p9(12, 7, u32(2) + u32(0))
       + p9(22, 8, u32(2))
       + p9(110, 9, u32(0) + u32(3) + u16(2) + p9s(b"escdir") + p9s(b"secret"))
       + p9(110, 10, u32(0) + u32(3) + u16(0))
       + p9(14, 11, u32(3) + p9s(b"dang") + u32(0o102) + u32(0o644) + u32(0))
       + p9(14, 12, u32(3) + p9s(b"n") + u32(0o102) + u32(0o644) + u32(0))
       + p9(118, 13, u32(3) + u64(0) + u32(2) + b"hi")
       + p9(72, 14, u32(0) + p9s(b"m") + u32(0o755) + u32(0))
       + p9(16, 15, u32(0) + p9s(b"s") + p9s(b"../../outside/secret") + u32(0))
       + p9(110, 16, u32(0) + u32(4) + u16(1) + p9s(b"f"))
       + p9(70, 17, u32(0) + u32(4) + p9s(b"hard"))
       + p9(26, 18, u32(4) + u32(0x3f) + u32(0o600) + u32(1) + u32(1) + u64(2) + u64(0) * 4)
       + p9(32, 19, u32(4) + p9s(b"user.x") + u64(1) + u32(0))
       + p9(118, 20, u32(4) + u64(0) + u32(1) + b"v")
       + p9(120, 21, u32(4))
       + p9(74, 22, u32(0) + p9s(b"n") + u32(0) + p9s(b"n2"))
       + p9(76, 23, u32(0) + p9s(b"m") + u32(0x200))
       + p9(18, 24, u32(0) + p9s(b"fifo") + u32(0o10644) + u32(0) + u32(0) + u32(0))
       + p9(110, 25, u32(0) + u32(5) + u16(1) + p9s(b"d"))
       + p9(110, 26, u32(5) + u32(6) + u16(3) + p9s(b"..") + p9s(b"..") + p9s(b"abs"))
       + p9(12, 27, u32(6) + u32(2))
       + p9(12, 28, u32(5) + u32(0))
       + p9(40, 29, u32(5) + u64(0) + u32(4096))
       + p9(50, 30, u32(5) + u32(0))
       + p9(8, 31, u32(5))
       + p9(122, 32, u32(1)))
for model in range(3):
    put("9p_local", "session-model%d" % model, u8(model | 7 << 3) + p9l)
put("9p_local", "readonly", u8(4 | 4 << 3) + p9l)
# virtio-pci with MSI-X off: INTx (PLIC 32-35, swizzled by slot), ISR read, claim, INTx disable.
put("mmio", "pci_intx", u8(0) + plic_on
    + PQ(1, 0, 3, 0, 0x80) + MCH(0, [(0x100, 8, 1)]) + MEV(2, 0, 0, 1, 1) + MT(1) + claim + MR(7, 0x101000, 0)
    + PQ(4, 0, 2, 0, 0x80) + MCH(1, [(0x200, 16, 1)]) + MT(1) + MR(1, 0x201004) + MR(6, (4 << 15) + 6, 1)
    + MW(6, (4 << 15) + 4, 1, 0x406) + MCH(1, [(0x300, 16, 1)]) + MT(1) + claim + MR(7, 0x401000, 0) + claim)

# ---- options: argv[1..] joined by NUL bytes (fuzz_options.c)
def argv(*words):
    return b"\0".join(w.encode() for w in words)

for name, words in {
    "linux": ["-machine", "virt", "-m", "512M", "-smp", "2", "-bios", "default", "-kernel", "Image",
              "-initrd", "initrd.gz", "-append", "console=ttyS0 root=/dev/vda", "-nographic"],
    "devices": ["-drive", "file=disk.qcow2,if=none,id=d0,format=qcow2,cache=none,discard=unmap,aio=threads",
                "-device", "virtio-blk-device,drive=d0", "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22,restrict=on",
                "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:57,addr=3", "-chardev", "socket,id=c0,path=/tmp/s,server=on,wait=off",
                "-device", "virtio-serial-device", "-device", "virtconsole,chardev=c0", "-device", "virtio-rng-pci,seed=7",
                "-device", "virtio-gpu-device,xres=800,yres=600", "-device", "virtio-keyboard-pci", "-display", "none"],
    "compat": ["-M", "virt,accel=tcg,dumpdtb=x.dtb", "-accel", "tcg,thread=single", "-cpu", "rv64", "-m", "size=1G,slots=2,maxmem=2G",
               "-smp", "cpus=2,sockets=1,cores=2,threads=1,maxcpus=2", "-name", "guest,debug-threads=on", "-vga", "none",
               "-nodefaults", "-serial", "file:/tmp/out", "-no-reboot", "-pidfile", "/tmp/p", "-rtc", "base=2020-01-01T00:00:00,clock=vm,driftfix=none",
               "-icount", "shift=3,sleep=off,align=off", "-global", "virtio-mmio.force-legacy=on", "-stats", "-s", "-S",
               "-d", "in_asm,int,mmu,guest_errors", "-D", "/tmp/t", "-dfilter", "0x80000000..0x80001000,0x1000+0x10", "-snapshot",
               "-hda", "a,b.img", "-nic", "user,model=virtio-net-pci,mac=52:54:00:00:00:01", "-gdb", "tcp::1234"],
    "errors": ["-m", "0", "-smp", "0", "-m", "1Q", "-icount", "shift=11", "-rtc", "base=garbage", "-device", "nope",
               "-device", "virtio-blk-device,drive=missing", "-drive", "if=floppy", "-netdev", "user,id=", "-nic", "tap,ifname=",
               "-chardev", "file,id=x", "-global", "x.y=z", "-serial", "tcp:1", "-display", "gtk", "-d", "nothing", "-dfilter", "1..0",
               "-kernel"],
    "help": ["-device", "help"], "help_dev": ["-device", "virtio-net-pci,help"], "help_cpu": ["-cpu", "?"],
    "help_machine": ["-machine", "help"], "help_d": ["-d", "help"], "help_all": ["--help"], "version": ["-version"],
    "typo": ["-kernal", "x"], "daemon": ["-daemonize", "-nographic"], "daemon_stdio": ["-daemonize", "-chardev", "stdio,id=s"],
    "S_alone": ["-S"], "icount_conflict": ["-icount", "shift=auto,align=on"],
}.items():
    put("options", name, argv(*words))

# ---- hmp: monitor lines, one per \n (fuzz_hmp.c)
for name, lines in {
    "status": ["help", "help info", "info", "info status", "stop", "info status", "cont", "c", "?", "help x"],
    "memory": ["x/4xg 0x80000000", "xp/16xb 0x80000000", "x/8dh $sp", "xp/3uw 0x1000", "x/2i $pc", "xp/4c 0x80000000",
               "x/4og 0x80000ff8", "xp/2xg 0x10", "x 0x80000000", "x/i 0x80000002", "xp/0x 0"],
    "harts": ["cpu 1", "info registers", "info cpus", "cpu 2", "cpu 0", "info registers", "x/2xg $a0", "x/2xg $x31"],
    "info": ["info mtree", "info cpus", "info nope", "info status extra", "info virtio", "info pci"],
    "errors": ["frobnicate", "x/4q 0", "x", "x/4xg", "stop now", "x/99999999xg 0", "\"unterminated",
               "a b c d e f g h i j k l m n o p q r s t", "screendump /nonexistent/x.png", "cpu -1", "cpu $pc",
               "x/4xg 0x80000000 extra", "quit/x"],
    "machine": ["system_powerdown", "system_reset", "stop", "cont", "quit"],
    "quotes": ['screendump "a file.png"', 'help "x"', 'x/2xg "0x80000000"', 'info "status"'],
    "ringbuf": ["info chardev", "ringbuf_write rb hello", 'ringbuf_write rb "a\\b c"', "ringbuf_read rb 3",
                "ringbuf_read rb 100", "ringbuf_read rb 0", "ringbuf_read nul 4", "ringbuf_read nope 4",
                "ringbuf_read rb -1", "ringbuf_read rb 0x200000", "ringbuf_write rb", "ringbuf_write nul x"],
}.items():
    put("hmp", name, "\n".join(lines).encode())

# ---- json: one value (fuzz_json.c)
for name, text in {
    "object": '{"execute": "human-monitor-command", "arguments": {"command-line": "info status"}, "id": 1}',
    "nested": '[1, -2.5e-3, true, false, null, {"a": [[], {}]}, "x"]',
    "escapes": '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\u0000"',
    "utf8": '"h\u00e9llo \u20ac \U0001f600"',
    "numbers": '[0, -0, 1e999, 9223372036854775807, 9223372036854775808, -9223372036854775808, 0.1, 1E+2]',
    "deep": "[" * 70 + "]" * 70,
    "bad_comma": '{"a": 1,}',
    "bad_escape": '"\\x"',
    "lone_surrogate": '"\\udc00"',
    "cut": '{"execute": "qmp_cap',
    "ws": " \t\r\n ",
}.items():
    put("json", name, text.encode())
put("json", "invalid_utf8", b'"\xc0\xaf \xed\xa0\x80 \xf5"')
put("json", "control", b'"a\x01b"')

# ---- qmp: u8 (top bit: qmp_capabilities first; low 7: piece length), then bytes (fuzz_qmp.c)
def qmp(*cmds):
    return "\r\n".join(cmds).encode()
for name, (flag, text) in {
    "session": (0x85, qmp('{"execute": "query-status"}', '{"execute": "stop", "id": "a"}', '{"execute": "query-status"}',
                          '{"execute": "cont", "id": 7}', '{"execute": "human-monitor-command", "arguments": {"command-line": "info registers"}}',
                          '{"execute": "human-monitor-command", "arguments": {"command-line": "x/4xg 0x80000000", "cpu-index": 1}}',
                          '{"execute": "query-commands"}', '{"execute": "query-version"}', '{"execute": "system_powerdown"}',
                          '{"execute": "screendump", "arguments": {"filename": "/nonexistent/x.png"}}')),
    "negotiate": (0x7f, qmp('{"execute": "query-status"}', '{"execute": "qmp_capabilities", "arguments": {"enable": []}}',
                            '{"execute": "qmp_capabilities"}', '{"execute": "nope"}')),
    "malformed": (0x80, qmp('{"execute": }', 'garbage', '[1, 2]', '"str"', '{"arguments": {}}', '{"execute": 5}',
                            '{"execute": "stop", "arguments": []}', '{"execute": "stop", "extra": 1}',
                            '{"execute": "stop", "arguments": {"x": 1}}', '{"exec-oob": "stop"}', '{"execute": "stop"}')),
    "split": (0x80, qmp('{"execute"', ': "query-status", "id": {"a": [1]}}', '{"execute": "human-monitor-command", "arguments": {}}')),
    "machine": (0x81, qmp('{"execute": "system_reset"}', '{"execute": "quit"}')),
    "ringbuf": (0x85, qmp('{"execute": "ringbuf-write", "arguments": {"device": "rb", "data": "h\\u00e9llo"}}',
                          '{"execute": "ringbuf-read", "arguments": {"device": "rb", "size": 3}}',
                          '{"execute": "ringbuf-write", "arguments": {"device": "rb", "data": "/w==", "format": "base64"}}',
                          '{"execute": "ringbuf-read", "arguments": {"device": "rb", "size": 100, "format": "base64"}}',
                          '{"execute": "ringbuf-write", "arguments": {"device": "rb", "data": "a=b=", "format": "base64"}}',
                          '{"execute": "ringbuf-read", "arguments": {"device": "nul", "size": 1}}',
                          '{"execute": "ringbuf-read", "arguments": {"device": "rb", "size": -1, "format": "hex"}}')),
}.items():
    put("qmp", name, bytes([flag]) + text)

# ---- drive: u8 mode (cache = mode&7 %5: writeback none writethrough
# directsync unsafe; 8 discard=ignore, 16 probe, 32 snapshot), u16 size,
# u8 align size, u8 head length + bytes; then 0 read/1 write (u8 aligned,
# u32 off, u8 nseg-1, u16 len [u8 shift] ..., write: u8 seed), 2 discard,
# 3 write-zeroes (u8 aligned, u32 off, u16 len [, u8 unmap]), 4 flush
def DRW(op, aligned, off, lens, seed=None):
    s = u8(op) + u8(aligned) + u32(off) + u8(len(lens) - 1)
    for l in lens:
        s += u16(l) + (b"" if aligned else u8(l % 61))
    return s + (u8(seed) if seed is not None else b"")

def drive_script(mode, size=0x8000):
    return u8(mode) + u16(size) + u8(1) + u8(4) + b"\x11\x22\x33\x44" + b"".join([
        DRW(1, 1, 0x1000, [4096, 512], 5), DRW(0, 1, 0x1000, [512, 4096]), DRW(1, 0, 0x1003, [100, 7, 600], 9),
        DRW(0, 0, 0x1001, [700, 3]), u8(2) + u8(1) + u32(0x2000) + u16(0x1000), DRW(0, 1, 0x2000, [4096]),
        u8(3) + u8(0) + u32(0x10) + u16(0x333) + u8(1), u8(3) + u8(1) + u32(0x3000) + u16(0x1000) + u8(0),
        DRW(0, 0, 0, [0x4000]), u8(4), DRW(1, 1, 0x7e00, [4096], 1), DRW(0, 0, 0x7000, [8191]), u8(4)])

for name, mode in {"writeback": 0, "none_direct": 1, "writethrough": 2, "directsync": 3, "unsafe_ignore": 4 | 8,
                   "probe": 16, "snapshot_none": 32 | 1, "snapshot_discard": 32}.items():
    put("drive", name, drive_script(mode))
put("drive", "probe_block0_qcow2", u8(16) + u16(0x2000) + u8(1) + u8(0)
    + u8(2) + u8(0) + u32(0) + u16(512) + DRW(1, 0, 0, [8], 0x51) + b"QFI\xfb\0\0\0\x03" + DRW(0, 0, 0, [8]))
put("drive", "odd_size", u8(1) + u16(0x1234) + u8(0) + u8(0) + DRW(1, 1, 0x1000, [4096], 3) + DRW(0, 0, 0x1000, [0x234]))

# ---- rr_replay: record/replay logs as a replay reads them (machine/rr_log.h)
import zlib

def uvar(v):
    assert v >= 0, "stamps go back"
    out = b""
    while True:
        b = v & 0x7f
        v >>= 7
        out += u8(b | (0x80 if v else 0))
        if not v:
            return out

def rr_log(records):
    out, last = b"RIVET-RR" + u32(1), 0
    for typ, stamp, payload in records:
        rec = u8(typ) + uvar(stamp - last) + uvar(len(payload)) + payload
        out += rec + u32(zlib.crc32(rec) & 0xffffffff)
        last = stamp
    return out

def rr_settings():
    return [(4, 0, name + b"\0" + u64(v)) for name, v in
            ((b"rtc-base", 1700000000 * 10**9), (b"icount-shift", 2**64 - 2), (b"icount-sleep", 1),
             (b"icount-align", 0), (b"rtc-clock", 1))]

rr_cmd = (1, 0, b"-M\0virt\0-m\x00256M\0")
put("rr_replay", "every-input", rr_log([rr_cmd] + rr_settings() + [
    (3, 5, b"serial\0ls\n"), (4, 7, b"rate\0" + u64(12345)), (4, 8, b"jump\0" + u64(99)),
    (5, 9, b"seed\0\x12\x34"), (5, 9, b"rng:h\0" + bytes(range(32))), (3, 11, b"netdev:n0\0" + bytes(60)),
    (3, 11, b"chardev:c0\0hello"), (3, 12, b"display\0" + u32(0) + u32(30) + u8(1) + u32(0) + u32(0)),
    (3, 12, b"display-grab\0\x01"), (3, 14, b"monitor\0stop"), (3, 14, b"monitor\0cont"),
    (6, 100000004, u64(0x1111)), (4, 100000005, b"idle-jump\0" + u64(7)), (3, 100000006, b"quit\0"),
    (8, 100000006, u64(0x2222))]))
put("rr_replay", "missed", rr_log([rr_cmd] + rr_settings() + [(3, 3, b"break\0"), (3, 3, b"serial\0x"),
                                                              (3, 4, b"nobody\0"), (8, 9, u64(1))]))
put("rr_replay", "no-settings", rr_log([rr_cmd, (8, 1, u64(0))]))
