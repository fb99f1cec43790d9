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
}


# Differences the specification allows (not counted as mismatches either).
IMPL_DEFINED = {
    'ebreak-tval': (
        'on EBREAK (cause 3) rivet writes the address of the EBREAK to '
        'mtval/stval, QEMU 7.2 writes 0',
        'Privileged ISA 20211203, 3.1.16: "If mtval is written with a nonzero '
        'value when a breakpoint ... exception occurs ..., then mtval will '
        'contain the faulting virtual address"; writing zero is allowed'),
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


NORMALISE = [
    ('ebreak-tval', _ebreak_tval),
    ('amo-fault-as-load', _amo_misaligned),
    ('sc-unchecked', _sc_misaligned),
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
