# docs/qemu-compat.md's table of QEMU options is true (issue #25, point 6):
# every row's example runs on the test guest with -machine dumpdtb= after
# it (the machine is built and its host side opened, then rivet exits):
#   same, different  exit 0
#   refused          exit 1 and exactly one "rivet: ..." line on stderr
# A `same` row must also be accepted by qemu-system-riscv64 (when
# installed). The test fails on any row that does not hold, on a row whose
# third column is none of the three, and on a table of fewer than 60 rows.
. tests/guest/lib.sh
command -v python3 > /dev/null || die "python3 not installed (reads the table)"
QEMU=$(command -v qemu-system-riscv64 || true)
python3 - "$RIVET" "$KERNEL" "$INITRD" "$TMP" "$QEMU" docs/qemu-compat.md <<'PY'
import os, re, socket, subprocess, sys
rivet, kernel, initrd, tmp, qemu, doc = sys.argv[1:7]
rivet, kernel, initrd = os.path.abspath(rivet), os.path.abspath(kernel), os.path.abspath(initrd)
text = open(doc).read()
section = text.split("## QEMU's options as rivet handles them", 1)
if len(section) != 2:
    print("FAIL: no table section in " + doc)
    sys.exit(1)
rows = [l for l in section[1].splitlines() if l.startswith("| `")]
open(tmp + "/disk.img", "wb").truncate(1 << 20)
subprocess.run([rivet, "-M", "virt,dumpdtb=" + tmp + "/virt.dtb"], stdin=subprocess.DEVNULL, check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return str(p)

def run(cmd):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30, cwd=tmp)
        return p.returncode, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", ""

bad, counts = 0, {"same": 0, "different": 0, "refused": 0}
for row in rows:
    cols = [c.strip() for c in row.strip().strip("|").split(" | ")]
    if len(cols) != 4 or not re.fullmatch(r"`[^`]+`", cols[1]):
        print("FAIL: malformed row: " + row)
        bad += 1
        continue
    example, kind = cols[1][1:-1], cols[2]
    if kind not in counts:
        print("FAIL: %s: third column '%s' is not same, different or refused" % (example, kind))
        bad += 1
        continue
    counts[kind] += 1
    port = free_port()
    args = []
    for t in example.split():
        t = t.replace("DIR", tmp).replace("PORT", port).replace("disk.img", tmp + "/disk.img")
        t = t.replace("virt.dtb", tmp + "/virt.dtb")
        args.append(kernel if t == "Image" else t)
    base = ["-M", "virt", "-kernel", kernel, "-initrd", initrd]
    rc, err = run([rivet] + base + args + ["-machine", "dumpdtb=" + tmp + "/out.dtb"])
    lines = err.splitlines()
    if kind == "refused":
        ok = rc == 1 and len(lines) == 1 and lines[0].startswith("rivet: ")
    else:
        ok = rc == 0
    if not ok:
        bad += 1
        print("FAIL: %s (%s): rivet exit %s: %s" % (example, kind, rc, " / ".join(lines)[:300]))
        continue
    note = ""
    if kind == "same" and qemu:
        qrc, qerr = run([qemu] + base + args + ["-machine", "dumpdtb=" + tmp + "/qemu.dtb"])
        if qrc != 0:
            bad += 1
            print("FAIL: %s: marked same, but QEMU refuses it (exit %s): %s" % (example, qrc, qerr.strip()[:300]))
            continue
        note = ", QEMU too"
    print("%-9s %s: rivet exit %s%s%s" % (kind, example, rc, (": " + lines[0][:90]) if lines else "", note))
print("%d rows: %d same, %d different, %d refused" % (len(rows), counts["same"], counts["different"],
                                                        counts["refused"]))
if len(rows) < 60:
    print("FAIL: the table has only %d rows" % len(rows))
    bad += 1
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || die "docs/qemu-compat.md's option table does not hold"
[ -n "$QEMU" ] || echo "qemu-system-riscv64 not installed: the same rows were not checked against QEMU"
echo "every row of the option table holds"
