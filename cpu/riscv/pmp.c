/* cpu/riscv/pmp.c: physical memory protection (privileged spec 1.12,
 * section 3.7), enforced.
 *
 * RV_PMP_ENTRIES (16, as QEMU 7.2's virt) entries are implemented; the CSRs
 * of entries 16-63 exist and read 0 (writes ignored), which is how OpenSBI
 * counts them. Granularity G = 0 (4 bytes, as QEMU): every pmpaddr bit is
 * writable and NA4 exists.
 *
 * The ranges are compiled from pmpcfg/pmpaddr by rv_pmp_update into the
 * hart's pmp_rule list (the active entries only, in priority order, with
 * their inclusive ranges); every change of the CSRs (csr.c), a reset
 * (hart.c) and a snapshot load (hart_state.c) call it. Checks run only on
 * slow paths — a TLB fill, a device access, a page walk — never on a TLB
 * hit; a page walk checks each PTE read, so the compiled list keeps that
 * to a loop over the two or three entries firmware sets up, and a memo
 * per access kind (the last range where that kind passed for a privilege)
 * answers most of them in one compare (rv_pmp_ok, mmu.h). A TLB entry may only hold a page that PMP treats the same
 * everywhere: the MMU fills it only when the whole 4 KiB page passes the
 * check (rv_pmp_ok over the page), so a page cut by a PMP boundary stays
 * out of the TLB and each access is checked; every PMP CSR write flushes
 * the hart's TLBs (the M regime included).
 */
#include "cpu/riscv/hart.h"
#include "cpu/riscv/mmu.h"

#define PMP_L 0x80u
#define PMP_A(cfg) (((cfg) >> 3) & 3u)
enum { PMP_OFF, PMP_TOR, PMP_NA4, PMP_NAPOT };

/* Entry i's range [*lo, *last] (inclusive); false when it matches nothing
 * (OFF, or TOR with top <= base). */
static bool entry_range(const struct rv_hart *h, unsigned i, uint64_t *lo, uint64_t *last)
{
    uint64_t a = h->pmpaddr[i] & ((1ull << 54) - 1); /* as csr.c stores it; keeps ctz below 64 */
    switch (PMP_A(h->pmpcfg[i])) {
    case PMP_TOR: {
        uint64_t base = i ? h->pmpaddr[i - 1] << 2 : 0, top = a << 2;
        if (top <= base)
            return false;
        *lo = base;
        *last = top - 1;
        return true;
    }
    case PMP_NA4:
        *lo = a << 2;
        *last = *lo + 3;
        return true;
    case PMP_NAPOT: {
        /* pmpaddr = base/4 with (k) trailing ones: 2^(k+3) bytes. pmpaddr
         * holds 54 bits, so k <= 54 and the shift stays inside 64 bits. */
        unsigned k = (unsigned)__builtin_ctzll(~a);
        uint64_t size = 8ull << k;
        *lo = (a << 2) & ~(size - 1);
        *last = *lo + (size - 1);
        return true;
    }
    default:
        return false;
    }
}

void rv_pmp_update(struct rv_hart *h)
{
    unsigned n = 0;
    /* Does any entry carry the L bit (then M-mode is checked too)? Entries
     * with A = OFF count as well: that is harmless (they match nothing). */
    h->pmp_locked = false;
    for (unsigned i = 0; i < RV_PMP_ENTRIES; i++) {
        if (h->pmpcfg[i] & PMP_L)
            h->pmp_locked = true;
        uint64_t lo, last;
        if (!entry_range(h, i, &lo, &last))
            continue;
        h->pmp_rule[n].lo = lo;
        h->pmp_rule[n].last = last;
        h->pmp_rule[n].cfg = h->pmpcfg[i];
        n++;
    }
    h->pmp_nrules = n;
    for (unsigned k = 0; k < 3; k++)
        h->pmp_memo[k][0].priv = h->pmp_memo[k][1].priv = RV_PMP_MEMO_NONE;
}

/* Remember that accesses of this kind and privilege inside [lo, hi] pass:
 * rule i decides there, and no rule before it touches that range. */
static void memo(struct rv_hart *h, unsigned i, uint64_t pa, int kind, unsigned priv)
{
    uint64_t lo = h->pmp_rule[i].lo, hi = h->pmp_rule[i].last;
    for (unsigned j = 0; j < i; j++) {
        /* rule j did not touch the access: it lies wholly below or above pa */
        if (h->pmp_rule[j].last < pa) {
            if (h->pmp_rule[j].last >= lo)
                lo = h->pmp_rule[j].last + 1;
        } else if (h->pmp_rule[j].lo <= hi) {
            hi = h->pmp_rule[j].lo - 1;
        }
    }
    struct rv_pmp_memo *m = &h->pmp_memo[kind][priv & 1];
    m->lo = lo;
    m->last = hi;
    m->priv = priv;
}

bool rv_pmp_check(struct rv_hart *h, uint64_t pa, uint64_t size, int kind, unsigned priv)
{
    uint64_t last = pa + (size - 1);
    if (last < pa) /* wraps past the top of the address space: nothing matches all of it */
        return priv == RV_PRIV_M;
    for (unsigned i = 0; i < h->pmp_nrules; i++) {
        uint64_t lo = h->pmp_rule[i].lo, hi = h->pmp_rule[i].last;
        if (last < lo || pa > hi)
            continue;
        if (pa < lo || last > hi) /* the lowest entry touching the access must cover all of it */
            return false;
        uint8_t cfg = h->pmp_rule[i].cfg;
        bool ok = (priv == RV_PRIV_M && !(cfg & PMP_L)) ||
                  ((cfg >> kind) & 1); /* R, W, X are bits 0, 1, 2 = RV_ACC_R/W/X */
        if (ok)
            memo(h, i, pa, kind, priv);
        return ok;
    }
    /* No entry matches: M-mode is allowed, S and U are not (entries exist). */
    return priv == RV_PRIV_M;
}
