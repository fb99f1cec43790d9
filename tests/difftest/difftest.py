#!/usr/bin/env python3
"""Differential CPU test: random sequences on rivet and on QEMU, compared.

Usage: difftest.py [--seed S] [--insns N] [--class C,...] [--quick]
Environment: DIFF_SEED, DIFF_INSNS (per class), DIFF_CLASS, DIFF_SEQ_INSNS,
DIFF_OUT, RIVET, QEMU.  Exit 0: no mismatch; 1: mismatches (reproducers in
DIFF_OUT); 2: the tools failed; 77: QEMU (or the cross compiler) missing.
See tests/difftest/README.md.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen      # noqa: E402
import quirks   # noqa: E402

QEMU_CPU = ('rv64,h=false,zba=true,zbb=true,zbc=true,zbs=true,'
            'zbkb=true,zbkc=true,zbkx=true,svinval=true,svnapot=true,svpbmt=true,v=false,Zfh=true,'
            'zmmul=false,sstc=true')
# rivet without what QEMU 7.2 lacks (their decoding would differ), and
# without Sscofpmf (QEMU's is off here: its counters follow host time)
RIVET_CPU = ('rv64,zicbom=off,zicboz=off,zicbop=off,zicond=off,zihintntl=off,'
             'zimop=off,zawrs=off,zcb=off,zcmop=off,zfa=off,sscofpmf=off')
MACHINE = ['-M', 'virt', '-m', '256M', '-bios', 'none', '-nographic']
CC = 'riscv64-unknown-elf-gcc'
CFLAGS = ['-march=rv64gc_zfh', '-mabi=lp64d', '-mcmodel=medany', '-static',
          '-nostdlib', '-nostartfiles']


def run_emu(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        return p.stdout.decode('latin-1'), p.returncode, False
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode('latin-1') if e.stdout else ''
        return out, -1, True


def start_emu(cmd, path):
    f = open(path, 'wb')
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=f,
                            stderr=subprocess.STDOUT), f


def parse(text):
    """seq id -> list of values (dump then trap entries); 'DONE' present?"""
    res = {}
    cur = None
    vals = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('S '):
            cur = int(line[2:], 16)
            vals = []
        elif line == 'E' and cur is not None:
            res[cur] = vals
            cur = None
        elif cur is not None:
            try:
                vals.append(int(line, 16))
            except ValueError:
                pass
    return res, 'DONE' in text


def named(vals):
    n = len(gen.DUMP_NAMES)
    d = dict(zip(gen.DUMP_NAMES, vals[:n]))
    traps = []
    nt = min(d.get('ntraps', 0), gen.TRAPLOG_MAX)
    t = vals[n:n + 4 * nt]
    for i in range(0, len(t) - 3, 4):
        traps.append(tuple(t[i:i + 4]))
    # with --dumpmem: the data window follows, one dword per line
    for i, v in enumerate(vals[n + 4 * nt:]):
        d['mem+0x%04x' % (8 * i)] = v
    return d, traps


def diff(rv, qv):
    """list of (name, rivet, qemu) that differ"""
    rd, rt = named(rv)
    qd, qt = named(qv)
    out = []
    for k in list(gen.DUMP_NAMES) + sorted(k for k in set(rd) | set(qd) if k.startswith('mem+')):
        if rd.get(k) != qd.get(k):
            out.append((k, rd.get(k), qd.get(k)))
    for i in range(max(len(rt), len(qt))):
        a = rt[i] if i < len(rt) else None
        b = qt[i] if i < len(qt) else None
        if a != b:
            for j, f in enumerate(gen.TRAP_FIELDS):
                av = a[j] if a else None
                bv = b[j] if b else None
                if av != bv:
                    out.append(('trap%d.%s' % (i, f), av, bv))
    return out


def fmt(v):
    return '-' if v is None else '0x%016x' % v


def symbols(elf):
    out = subprocess.run(['riscv64-unknown-elf-nm', elf], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    syms = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3:
            syms[p[2]] = int(p[0], 16)
    return syms


def count_insns(elf, syms, seqs, tmp):
    """Exact static instruction count of each body (16- and 32-bit)."""
    binf = tmp + '.seqbin'
    subprocess.run(['riscv64-unknown-elf-objcopy', '-O', 'binary',
                    '--only-section=.seq', elf, binf], check=True)
    with open(binf, 'rb') as f:
        data = f.read()
    os.unlink(binf)
    counts = {}
    for s in seqs:
        a = syms['s%d_body' % s.idx] - gen.SEQ_BASE
        b = syms['s%d_end' % s.idx] - gen.SEQ_BASE
        n = 0
        while a < b:
            a += 4 if (data[a] & 3) == 3 else 2
            n += 1
        counts[s.idx] = n
    return counts


def build(asm_text, path):
    with open(path + '.S', 'w') as f:
        f.write(asm_text)
    with open(path + '.ld', 'w') as f:
        f.write(gen.LINKER)
    p = subprocess.run([CC] + CFLAGS + ['-T', path + '.ld', '-o', path + '.elf',
                                        path + '.S'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        sys.stderr.write(p.stdout.decode()[:2000])
        raise RuntimeError('assembling %s.S failed' % path)
    return path + '.elf'


class Runner:
    def __init__(self, a):
        self.a = a
        self.rivet = [a.rivet, '-cpu', RIVET_CPU] + MACHINE
        self.qemu = [a.qemu, '-cpu', QEMU_CPU] + MACHINE
        self.nseq = 0
        self.ninsns = 0
        self.mismatches = []
        self.known = {}
        self.nknown = 0
        self.failed_tools = False

    def run_pair(self, elf, timeout):
        pr, fr = start_emu(self.rivet + ['-kernel', elf], elf + '.rivet.out')
        pq, fq = start_emu(self.qemu + ['-kernel', elf], elf + '.qemu.out')
        res = []
        for p, f in ((pr, fr), (pq, fq)):
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            f.close()
            with open(f.name, 'rb') as g:
                res.append(g.read().decode('latin-1'))
        return res

    def batch(self, klass, first, nseq):
        a = self.a
        path = os.path.join(a.out, '%s-%d-%d' % (klass, a.seed, first))
        text, seqs = gen.generate(a.seed, klass, nseq, a.seq_insns, first=first)
        elf = build(text, path)
        syms = symbols(elf)
        counts = count_insns(elf, syms, seqs, path)
        rout, qout = self.run_pair(elf, a.timeout)
        rres, rdone = parse(rout)
        qres, qdone = parse(qout)
        bad = 0
        for s in seqs:
            self.nseq += 1
            self.ninsns += counts[s.idx]
            rv, qv = rres.get(s.idx), qres.get(s.idx)
            if qv is None:
                # QEMU did not finish this one: no reference, a tool problem
                if rv is None or not qdone:
                    self.failed_tools = True
                    sys.stderr.write('difftest: %s: QEMU printed no state for sequence %d (see %s.qemu.out)\n'
                                     % (elf, s.idx, elf))
                    bad += 1
                    break
            d = diff(rv or [], qv or []) if rv is not None else [('rivet: no state (hang or crash)', None, None)]
            if not d:
                continue
            q = None
            if rv is not None and qv is not None:
                q = quirks.classify(s, syms, *named(rv), *named(qv))
            if q is not None:
                self.known[q] = self.known.get(q, 0) + 1
                self.nknown += 1
                continue
            bad += 1
            self.mismatch(klass, s, d)
            if rv is None:
                break
        if bad == 0 and not a.keep:
            for ext in ('.S', '.ld', '.elf', '.elf.rivet.out', '.elf.qemu.out'):
                try:
                    os.unlink(path + ext)
                except OSError:
                    pass

    def mismatch(self, klass, s, d):
        a = self.a
        self.mismatches.append((klass, s.idx))
        if len(self.mismatches) > a.max_repro:
            return
        rpath = os.path.join(a.out, 'repro-%s-%d-%d' % (klass, a.seed, s.idx))
        text, _ = gen.generate(a.seed, klass, 1, a.seq_insns, only=s.idx, dumpmem=True)
        elf = build(text, rpath)
        rout, qout = self.run_pair(elf, a.timeout)
        rres, _ = parse(rout)
        qres, _ = parse(qout)
        rv, qv = rres.get(s.idx), qres.get(s.idx)
        d2 = diff(rv, qv) if rv is not None and qv is not None else []
        if d2 and quirks.classify(s, symbols(elf), *named(rv), *named(qv)):
            d2 = []
        print('MISMATCH class %s seed %d sequence %d (%s mode, %s): reproducer %s'
              % (klass, a.seed, s.idx, s.mode, s.paging, elf))
        print('  regenerate: python3 tests/difftest/gen.py --seed %d --class %s --insns %d --only %d --dumpmem'
              % (a.seed, klass, a.seq_insns, s.idx))
        if not d2:
            print('  (the reproducer alone does not differ: state left by earlier sequences? differences in the batch:)')
            d2 = d
        for name, rv, qv in d2[:24]:
            print('  %-16s rivet %s  qemu %s' % (name, fmt(rv), fmt(qv)))
        if len(d2) > 24:
            print('  ... %d more' % (len(d2) - 24))
        with open(rpath + '.diff', 'w') as f:
            for name, rv, qv in d2:
                f.write('%s rivet %s qemu %s\n' % (name, fmt(rv), fmt(qv)))


def bisect(r, klass, idx):
    """Shortest prefix of sequence idx that still differs (the generator
    draws groups in order, so a shorter body is a prefix of the longer)."""
    a = r.a
    def differs(n):
        path = os.path.join(a.out, 'bisect-%s-%d-%d-%d' % (klass, a.seed, idx, n))
        text, seqs = gen.generate(a.seed, klass, 1, n, only=idx, dumpmem=True)
        elf = build(text, path)
        rout, qout = r.run_pair(elf, a.timeout)
        rv, qv = parse(rout)[0].get(idx), parse(qout)[0].get(idx)
        if rv is None or qv is None:
            return True, elf, []
        d = diff(rv, qv)
        if d and quirks.classify(seqs[0], symbols(elf), *named(rv), *named(qv)):
            d = []
        return bool(d), elf, d
    lo, hi = 0, a.seq_insns
    ok, elf, d = differs(hi)
    if not ok:
        print('sequence %d of class %s does not differ alone' % (idx, klass))
        return 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if differs(mid)[0]:
            hi = mid
        else:
            lo = mid
    ok, elf, d = differs(hi)
    s = gen.gen_seq(a.seed, klass, idx, hi)
    print('sequence %d of class %s first differs with %d instructions: %s' % (idx, klass, hi, elf))
    print('  last group:')
    for line in s.groups[-1]:
        print('    ' + line)
    for name, rv, qv in d[:24]:
        print('  %-16s rivet %s  qemu %s' % (name, fmt(rv), fmt(qv)))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get
    ap.add_argument('--seed', type=int, default=int(env('DIFF_SEED', '1')))
    ap.add_argument('--insns', type=int, default=int(env('DIFF_INSNS', '20000')),
                    help='instructions per class (default 20000)')
    ap.add_argument('--class', dest='classes', default=env('DIFF_CLASS', ','.join(gen.CLASSES)))
    ap.add_argument('--seq-insns', type=int, default=int(env('DIFF_SEQ_INSNS', '400')),
                    help='instructions per sequence')
    ap.add_argument('--seqs-per-elf', type=int, default=int(env('DIFF_BATCH', '200')))
    ap.add_argument('--out', default=env('DIFF_OUT', 'build/difftest'))
    ap.add_argument('--rivet', default=env('RIVET', 'build/rivet'))
    ap.add_argument('--qemu', default=env('QEMU', 'qemu-system-riscv64'))
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--max-repro', type=int, default=5)
    ap.add_argument('--keep', action='store_true', help='keep every batch')
    ap.add_argument('--quiet', action='store_true')
    ap.add_argument('--bisect', type=int, metavar='IDX',
                    help='find the shortest prefix of sequence IDX (of --class) that differs')
    a = ap.parse_args()
    if not shutil.which(a.qemu):
        print('difftest: %s not found (install qemu-system-misc): skipped' % a.qemu)
        return 77
    if not shutil.which(CC):
        print('difftest: %s not found: skipped' % CC)
        return 77
    if not os.access(a.rivet, os.X_OK):
        print('difftest: %s not built' % a.rivet, file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    r = Runner(a)
    if a.bisect is not None:
        return bisect(r, a.classes.split(',')[0], a.bisect)
    t0 = time.time()
    classes = [c for c in a.classes.split(',') if c]
    for c in classes:
        if c not in gen.CLASSES:
            print('difftest: unknown class %s (%s)' % (c, ', '.join(gen.CLASSES)), file=sys.stderr)
            return 2
    for c in classes:
        n0, i0 = r.nseq, r.ninsns
        first = 0
        while r.ninsns - i0 < a.insns and not r.failed_tools:
            want = max(1, min(a.seqs_per_elf, (a.insns - (r.ninsns - i0)) // a.seq_insns + 1))
            r.batch(c, first, want)
            first += want
        if not a.quiet:
            print('class %-4s %d sequences, %d instructions' % (c, r.nseq - n0, r.ninsns - i0))
    per = {}
    for q, n in r.known.items():
        for one in q.split('+'):
            per[one] = per.get(one, 0) + n
    for q, n in sorted(per.items()):
        kind = 'implementation-defined difference' if q in quirks.IMPL_DEFINED else 'known QEMU 7.2 deviation'
        print('%s, %d sequences: %s' % (kind, n, quirks.describe(q)))
    print('%d sequences, %d instructions, %d mismatches (%d sequences differ only in known or allowed ways; seed %d, %.0f s)'
          % (r.nseq, r.ninsns, len(r.mismatches), r.nknown, a.seed, time.time() - t0))
    if r.failed_tools:
        return 2
    return 1 if r.mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
