# tests/guest/png_check.py FILE W H [white]: decodes an 8-bit RGB PNG with zlib
# (chunks, CRCs, the five row filters) and checks that it is W x H and
# holds console text: in the top-left text area, enough light pixels (the
# glyphs) on a mostly dark background, spread over many rows and columns.
# Prints what it found; exit 1 when the picture is blank or malformed.
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            raise ValueError("bad CRC in %r" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
    if depth != 8 or ctype != 2:
        raise ValueError("not 8-bit RGB")
    raw = zlib.decompress(idat)
    stride = w * 3
    if len(raw) != h * (stride + 1):
        raise ValueError("wrong amount of pixel data")
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
            elif f != 0:
                raise ValueError("bad filter %d" % f)
        rows.append(line)
        prev = line
    return w, h, rows


def main():
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    w, h, rows = decode(path)
    print("png: %dx%d" % (w, h))
    if (w, h) != (want_w, want_h):
        print("FAIL: expected %dx%d" % (want_w, want_h))
        return 1
    if len(sys.argv) > 4 and sys.argv[4] == "white":
        white = sum(1 for r in rows for x in range(w) if r[3 * x] == r[3 * x + 1] == r[3 * x + 2] == 255)
        print("white: %d of %d pixels" % (white, w * h))
        if white < w * h * 9 // 10:
            print("FAIL: not painted white")
            return 1
        return 0
    # the text area: the top half, left 640 columns (80 columns of 8 px)
    light = dark = 0
    light_rows, light_cols = set(), set()
    for y in range(min(h, 384)):
        r = rows[y]
        for x in range(min(w, 640)):
            lum = (r[3 * x] * 3 + r[3 * x + 1] * 6 + r[3 * x + 2]) // 10
            if lum >= 128:
                light += 1
                light_rows.add(y)
                light_cols.add(x)
            elif lum < 64:
                dark += 1
    total = min(h, 384) * min(w, 640)
    print("text area: %d light, %d dark of %d pixels; light in %d rows, %d columns"
          % (light, dark, total, len(light_rows), len(light_cols)))
    if light < total // 100 or dark < total // 2 or len(light_rows) < 100 or len(light_cols) < 200:
        print("FAIL: no console text (blank or uniform picture)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
