# The terminal is left as it was found, whatever ends rivet (issue #18,
# point 5): rivet runs a bare-metal loop on a pseudo-terminal (python3's
# pty), puts it in raw mode, and gets each catchable signal whose default
# action ends a process (SIGKILL cannot be caught; SIGUSR1 too, as no
# display catches it here); it must die of that signal and `stty -g` must
# read as before. Then the other ways out: Ctrl-A x (exit 0) and a trap
# loop (exit 3).
. tests/guest/lib.sh
command -v python3 > /dev/null || { echo "python3 not installed (drives the pty)"; exit 77; }
# 64 bytes each, raw binaries (not Linux Images)
{ printf '\157\000\000\000'; head -c 60 /dev/zero; } > "$TMP/loop.bin"   # j .
head -c 64 /dev/zero > "$TMP/trap.bin"                             # illegal instruction, mtvec 0
python3 - "$RIVET" "$TMP" <<'PY'
import os, pty, select, signal, subprocess, sys, time
rivet, tmp = sys.argv[1], sys.argv[2]

def stty(fd):
    return subprocess.run(["stty", "-g"], stdin=fd, capture_output=True, check=True).stdout.strip()

def drain(master):
    while select.select([master], [], [], 0)[0]:
        try:
            if not os.read(master, 4096):
                break
        except OSError:
            break

def run(image, action, expect_rc):
    master, slave = pty.openpty()
    before = stty(slave)
    p = subprocess.Popen([rivet, "-M", "virt", "-bios", "none", "-nographic", "-kernel", image],
                         stdin=slave, stdout=slave, stderr=slave)
    deadline = time.time() + 20
    # wait for raw mode (a trap loop may end before it is seen)
    while action and stty(slave) == before:
        drain(master)
        if p.poll() is not None or time.time() > deadline:
            p.kill()
            print("FAIL: rivet never made the terminal raw (exit %s)" % p.poll())
            sys.exit(1)
        time.sleep(0.02)
    if action:
        action(p, master)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        print("FAIL: %s: rivet did not end" % what)
        sys.exit(1)
    drain(master)
    after = stty(slave)
    os.close(master)
    os.close(slave)
    return rc, before, after

fatal = ["HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "USR1", "SEGV", "USR2", "PIPE",
         "ALRM", "TERM", "STKFLT", "XCPU", "XFSZ", "VTALRM", "PROF", "IO", "PWR", "SYS"]
sigs = [getattr(signal, "SIG" + n) for n in fatal] + list(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))
bad = 0
for sig in sigs:
    what = "signal %d (%s)" % (sig, signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else "RT")
    rc, before, after = run(tmp + "/loop.bin", lambda p, m: p.send_signal(sig), -sig)
    ok = rc == -sig and before == after
    if not ok:
        bad += 1
        print("FAIL: %s: exit %d, terminal %s" % (what, rc, "restored" if before == after else "left changed"))
print("%d signals: terminal restored after each" % (len(sigs) - bad) if not bad else "")
what = "Ctrl-A x"
rc, before, after = run(tmp + "/loop.bin", lambda p, m: os.write(m, b"\x01x"), 0)
print("Ctrl-A x: exit %d, terminal %s" % (rc, "restored" if before == after else "left changed"))
bad += rc != 0 or before != after
what = "trap loop"
rc, before, after = run(tmp + "/trap.bin", None, 3)
print("trap loop: exit %d, terminal %s" % (rc, "restored" if before == after else "left changed"))
bad += rc != 3 or before != after
sys.exit(1 if bad else 0)
PY
rc=$?
[ $rc -eq 0 ] || die "the terminal was not restored on every way out"
echo "terminal restored on every signal and exit path"
