/* cpu/riscv/pmp.c: physical memory protection (privileged spec 1.12,
 * section 3.7), enforced.
 *
 * RV_PMP_ENTRIES (16, as QEMU 7.2's virt) entries are implemented; the CSRs
 * of entries 16-63 exist and read 0 (writes ignored), which is how OpenSBI
 * counts them. Granularity G = 0 (4 bytes, as QEMU): every pmpaddr bit is
 * writable and NA4 exists.
 *
 * The ranges are computed from pmpcfg/pmpaddr at each check (no derived
 * state to keep in step with the CSRs or with a restored snapshot): checks
 * run only on slow paths — a TLB fill, a device access, a page walk — never
 * on a TLB hit. A TLB entry may only hold a page that PMP treats the same
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

/* Does any entry carry the L bit (then M-mode is checked too)? Entries with
 * A = OFF count as well: that is harmless (they match nothing) and keeps
 * the test one loop over bytes. */
static bool any_locked(const struct rv_hart *h)
{
    for (unsigned i = 0; i < RV_PMP_ENTRIES; i++)
        if (h->pmpcfg[i] & PMP_L)
            return true;
    return false;
}

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

bool rv_pmp_ok(const struct rv_hart *h, uint64_t pa, uint64_t size, int kind, unsigned priv)
{
    if (priv == RV_PRIV_M && !any_locked(h))
        return true;
    uint64_t last = pa + (size - 1);
    if (last < pa) /* wraps past the top of the address space: nothing matches all of it */
        return priv == RV_PRIV_M;
    for (unsigned i = 0; i < RV_PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        if (!entry_range(h, i, &lo, &hi))
            continue;
        if (last < lo || pa > hi)
            continue;
        if (pa < lo || last > hi) /* the lowest entry touching the access must cover all of it */
            return false;
        uint8_t cfg = h->pmpcfg[i];
        if (priv == RV_PRIV_M && !(cfg & PMP_L))
            return true;
        return (cfg >> kind) & 1; /* R, W, X are bits 0, 1, 2 = RV_ACC_R/W/X */
    }
    /* No entry matches: M-mode is allowed, S and U are not (entries exist). */
    return priv == RV_PRIV_M;
}
