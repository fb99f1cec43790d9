"""Known QEMU 7.2 deviations from the RISC-V specification.

classify() gets one mismatching sequence and the differences between
rivet's and QEMU's state; when every difference is explained by known QEMU
7.2 deviations it returns their ids (joined by '+'), else None.  Each quirk
says why QEMU is wrong, with the specification text it contradicts.
See tests/difftest/README.md ("Known QEMU 7.2 deviations").
"""

from gen import TRAPLOG_MAX

QUIRKS = {
    'amo-fault-as-load': (
        'a faulting AMO raises the load exception (misaligned 4, access '
        'fault 5, page fault 13) instead of the store/AMO one (6, 7, 15)',
        'Privileged ISA 20211203, 3.1.15 Table 3.6: causes 6, 7 and 15 are '
        '"Store/AMO address misaligned", "Store/AMO access fault", '
        '"Store/AMO page fault"; Unprivileged ISA 20191213, 8.4: an AMO '
        'performs a load and a store of the same address'),
    'sc-unchecked': (
        'an SC.W/SC.D without a matching reservation fails (rd = 1) without '
        'checking alignment or permissions, so a misaligned or faulting SC '
        'raises no exception',
        'Unprivileged ISA 20191213, 8.2 "Load-Reserved/Store-Conditional '
        'Instructions": "If the address is not naturally aligned, an '
        'address-misaligned exception or an access-fault exception will be '
        'generated"; riscv-isa-manual src/unpriv/zalrsc.adoc: "No SC.W '
        'instruction shall retire unless it passes memory permission checks"'),
    'mepc-bit0': (
        'mepc keeps bit 0 as written',
        'Privileged ISA 20211203, 3.1.14: "The low bit of mepc (mepc[0]) is '
        'always zero"'),
    'mpp-reserved': (
        'mstatus.MPP holds the reserved value 2',
        'Privileged ISA 20211203, 3.1.6.1: "xPP fields are WARL fields that '
        'can hold only privilege mode x and any implemented privilege mode '
        'lower than x" (2 is reserved without H)'),
    'medeleg-m-ecall': (
        'medeleg bit 11 (ECALL from M) is writable',
        'Privileged ISA 20211203, 3.1.8: "medeleg[11] is read-only zero"'),
    'csrrs-zero-write': (
        'CSRRS/CSRRC with rs1 != x0 holding zero on a read-only CSR does '
        'not trap',
        'Unprivileged ISA 20191213, 9.1: with rs1 != x0 holding zero "the '
        'instruction will still attempt to write the unmodified value back '
        'to the CSR"; Privileged ISA 20211203, 2.1: "Attempts to write a '
        'read-only register raise an illegal instruction exception"'),
    'mcountinhibit-64': (
        'mcountinhibit keeps all 64 bits written, bit 1 (TM) included',
        'Privileged ISA 20211203, 3.1.13: "The counter-inhibit register '
        'mcountinhibit is a 32-bit WARL register"; its bit 1 is '
        'read-only zero in the register layout (time cannot be inhibited)'),
    'envcfg-ro': (
        'menvcfg/senvcfg keep CBIE, CBCFE, CBZE and PBMTE writable without '
        'Zicbom, Zicboz and Svpbmt (rivet has Zicbom and Zicboz: only the '
        'bits of what rivet lacks or has switched off can differ; CBIE = 10 '
        'reads 00 on rivet, WARL)',
        'Privileged ISA 20211203, 3.1.18: "If the Svpbmt extension is not '
        'implemented, PBMTE is read-only zero"; CBIE/CBCFE "are read-only '
        'zero" without Zicbom, CBZE without Zicboz (Zicbom/Zicboz 1.0)'),
}


# Differences the specification allows (not counted as mismatches either).
IMPL_DEFINED = {
    'fs-dirty': (
        'mstatus.FS (and SD) read Dirty on rivet where QEMU 7.2 keeps '
        'Initial or Clean: rivet marks FS Dirty on every FP instruction',
        'Privileged ISA 20211203, 3.1.6.6: "Implementations may choose to '
        'track the dirtiness of the floating-point register state '
        'imprecisely by reporting the state to be dirty even when it has '
        'not been modified"'),
    'sc-spurious': (
        'an SC fails on rivet (rd = 1) where it succeeds on QEMU: rivet drops '
        'a reservation at a trap, and at the end of a hart\'s slice when other '
        'harts share the memory (difftest runs one hart: since the fix of '
        'the slice-end failures difftest found, this one should not show)',
        'Unprivileged ISA 20191213, 8.3: an SC may fail spuriously; only a '
        'constrained LR/SC loop must eventually succeed'),
    'ebreak-tval': (
        'on EBREAK (cause 3) rivet writes the address of the EBREAK to '
        'mtval/stval, QEMU 7.2 writes 0',
        'Privileged ISA 20211203, 3.1.16: "If mtval is written with a nonzero '
        'value when a breakpoint ... exception occurs ..., then mtval will '
        'contain the faulting virtual address"; writing zero is allowed'),
    'sinval-tval': (
        'an illegal sinval.vma (U-mode, or S-mode with mstatus.TVM) writes '
        'its instruction bits to mtval/stval on rivet, 0 on QEMU 7.2',
        'Privileged ISA 20211203, 3.1.16: "If mtval is written with a nonzero '
        'value when an illegal-instruction exception occurs, then mtval will '
        'contain the shortest of ..." the faulting instruction; writing zero '
        'is allowed'),
}
QUIRKS.update(IMPL_DEFINED)


def describe(qid):
    parts = []
    for q in qid.split('+'):
        what, cite = QUIRKS[q]
        parts.append('%s: %s [%s]' % (q, what, cite))
    return '; '.join(parts)


def _labels(seq, syms, prefix):
    p = '%s%d_' % (prefix, seq.idx)
    return {v for k, v in syms.items() if k.startswith(p)}


def _last_s(traps):
    for i in range(len(traps) - 1, -1, -1):
        if traps[i][3] >> 8 == 1:
            return i
    return None


def _forget_s_csrs(rd, qd):
    for k in ('scause', 'sepc', 'stval'):
        rd.pop(k, None)
        qd.pop(k, None)


def _amo_misaligned(seq, syms, rd, rt, qd, qt):
    """QEMU's load causes (4, 5, 13) at an AMO become the store/AMO ones."""
    pcs = _labels(seq, syms, 'qk_')
    hit = False
    last = _last_s(qt)
    for i, t in enumerate(qt):
        if t[1] in pcs and t[0] in (4, 5, 13):
            qt[i] = (t[0] + 2,) + tuple(t[1:])
            hit = True
            if i == last and qd.get('scause') == t[0]:
                qd['scause'] = t[0] + 2
    return hit


def _sc_misaligned(seq, syms, rd, rt, qd, qt):
    """A misaligned SC traps on rivet; QEMU 7.2 fails it silently when
    there is no matching reservation.  Drop those traps from rivet's log."""
    pcs = _labels(seq, syms, 'qs_')
    qkeys = {(t[1], t[2]) for t in qt}
    hit = False
    last = _last_s(rt)
    keep = []
    for i, t in enumerate(rt):
        if t[1] in pcs and t[0] in (6, 7, 15) and (t[1], t[2]) not in qkeys:
            hit = True
            if i == last:
                _forget_s_csrs(rd, qd)
            continue
        keep.append(t)
    if hit:
        rd['ntraps'] -= len(rt) - len(keep)
        rt[:] = keep
    return hit


def _ebreak_tval(seq, syms, rd, rt, qd, qt):
    """Implementation-defined, not a deviation: on EBREAK rivet writes the
    pc to xtval, QEMU 7.2 writes 0; both are allowed."""
    hit = False
    for traps, d in ((rt, rd), (qt, qd)):
        last = _last_s(traps)
        for i, t in enumerate(traps):
            if t[0] == 3 and t[2] in (0, t[1]):
                if t[2]:
                    hit = True
                traps[i] = (3, t[1], 0, t[3])
                if i == last and d.get('scause') == 3:
                    d['stval'] = 0
    return hit


def _is_sinval(v):
    return (v & 0xfe007fff) == 0x16000073


def _sinval_tval(seq, syms, rd, rt, qd, qt):
    """Implementation-defined: the xtval of an illegal sinval.vma is its
    encoding on rivet, 0 on QEMU 7.2 (its helper raises without the bits).
    Only traps of cause 2 whose rivet tval is a sinval.vma encoding."""
    if len(rt) != len(qt):
        return False
    hit = False
    last = _last_s(rt)
    for i, (a, b) in enumerate(zip(rt, qt)):
        if a[0] == 2 and b[0] == 2 and _is_sinval(a[2]) and b[2] == 0:
            rt[i] = (a[0], a[1], 0, a[3])
            hit = True
            if i == last and rd.get('scause') == 2 and _is_sinval(rd.get('stval', 0)):
                rd['stval'] = 0
    return hit


def _fs_dirty(seq, syms, rd, rt, qd, qt):
    r, q = rd.get('mstatus'), qd.get('mstatus')
    if r is None or q is None or r == q:
        return False
    fs_sd = (3 << 13) | (1 << 63)
    if (r & ~fs_sd) == (q & ~fs_sd) and (r >> 13) & 3 == 3 and (q >> 13) & 3 in (1, 2):
        qd['mstatus'] = r
        return True
    return False


def _sc_spurious(seq, syms, rd, rt, qd, qt):
    """Every differing GPR is the rd of an SC that failed on rivet and
    succeeded on QEMU; memory may differ (QEMU stored); nothing else."""
    p = 'qs_%d_' % seq.idx
    sc_rds = {'x%s' % k.rsplit('_x', 1)[1] for k in syms if k.startswith(p)}
    hit = False
    for k in list(rd):
        if k.startswith('x') and k in qd and rd[k] != qd[k]:
            if k not in sc_rds or rd[k] != 1 or qd[k] != 0:
                return False
            hit = True
    if not hit:
        return False
    for k in list(rd):
        if k.startswith('x') and k in qd:
            qd[k] = rd[k]
        if (k.startswith('page') or k.startswith('mem+')) and k in qd:
            qd[k] = rd[k]
    return True


def _probe(qid, check):
    """A probe (gen.py g_probe) closes the sequence: its rd holds the
    deviating value; check(rivet, qemu) says it is the known deviation."""
    def fn(seq, syms, rd, rt, qd, qt):
        if not seq.probe or seq.probe[0] != qid:
            return False
        reg = seq.probe[1]
        if reg not in rd or reg not in qd or rd[reg] == qd[reg]:
            return False
        if not check(rd[reg], qd[reg]):
            return False
        qd[reg] = rd[reg]
        return True
    return fn


def _csrrs_zero(seq, syms, rd, rt, qd, qt):
    """rivet traps (illegal, rd keeps 0x5a5a); QEMU reads the CSR."""
    if not seq.probe or seq.probe[0] != 'csrrs-zero-write':
        return False
    pc = syms.get('qp_%d' % seq.idx)
    reg = seq.probe[1]
    if not rt or rt[-1][:2] != (2, pc) or any(t[1] == pc for t in qt):
        return False
    if rd.get(reg) != 0x5a5a or qd.get(reg) == 0x5a5a:
        return False
    del rt[-1]
    rd['ntraps'] -= 1
    qd[reg] = rd[reg]
    return True


NORMALISE = [
    ('mepc-bit0', _probe('mepc-bit0', lambda r, q: q == r | 1 and not r & 1)),
    ('mpp-reserved', _probe('mpp-reserved', lambda r, q: (q >> 11) & 3 == 2 and (r >> 11) & 3 != 2
                            and (r & ~(3 << 11)) == (q & ~(3 << 11)))),
    ('medeleg-m-ecall', _probe('medeleg-m-ecall', lambda r, q: q == r | 0x800 and not r & 0x800)),
    ('csrrs-zero-write', _csrrs_zero),
    ('mcountinhibit-64', _probe('mcountinhibit-64', lambda r, q: r == q & 0xfffffffd and r != q)),
    ('envcfg-ro', _probe('envcfg-ro', lambda r, q: (r | 0xf0 | (1 << 62)) == (q | 0xf0 | (1 << 62)) and r != q)),
    ('fs-dirty', _fs_dirty),
    ('sc-spurious', _sc_spurious),
    ('ebreak-tval', _ebreak_tval),
    ('amo-fault-as-load', _amo_misaligned),
    ('sc-unchecked', _sc_misaligned),
    ('sinval-tval', _sinval_tval),
]


def classify(seq, syms, rd, rt, qd, qt):
    """rd/qd: name -> value, rt/qt: trap entries (copies are made).
    Returns the ids of the quirks that explain every difference, or None."""
    rd, qd, rt, qt = dict(rd), dict(qd), list(rt), list(qt)
    used = [qid for qid, fn in NORMALISE if fn(seq, syms, rd, rt, qd, qt)]
    if not used:
        return None
    if len(rt) != len(qt) and max(rd.get('ntraps', 0), qd.get('ntraps', 0)) > TRAPLOG_MAX:
        n = min(len(rt), len(qt))     # a full log: compare what both hold
        rt, qt = rt[:n], qt[:n]
        rd.pop('ntraps', None)
        qd.pop('ntraps', None)
    if rt != qt:
        return None
    for k in set(rd) | set(qd):
        if k in rd and k in qd and rd[k] != qd[k]:
            return None
    return '+'.join(used)
