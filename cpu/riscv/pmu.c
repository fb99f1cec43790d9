/* cpu/riscv/pmu.c: the event counters mhpmcounter3..18 (Zihpm) and their
 * overflow interrupt (Sscofpmf).
 *
 * Events, as QEMU 7.2's virt numbers them (the SBI PMU's event codes, which
 * OpenSBI writes into mhpmevent as they are; the board's device tree maps
 * them to counters in its `pmu` node): 1 (cycles) and 2 (instructions
 * retired) both count retired instructions, as mcycle and minstret do.
 * Every other selector, the TLB-miss events 0x10019/0x1001b/0x10021
 * included, counts nothing.
 *
 * A counting counter costs nothing per instruction: its value is
 * `val + (retired - base)`, folded into val whenever what it counts
 * changes (mhpmevent, mhpmcounter, mcountinhibit writes; a privilege change
 * when a mode filter (MINH/SINH/UINH) is set). Its wrap is a deadline in
 * retired instructions (`wrap_at`); the earliest is `pmu_deadline`, which
 * shortens the slice's budget (`budget_exact`: the interpreter runs single
 * instructions near it, exec.c), so that the overflow is raised after
 * exactly the instruction that wrapped the counter, before the next one.
 * With Sscofpmf, the wrap sets mhpmevent.OF and, when OF was clear, the
 * LCOFI interrupt (mip bit 13). Nothing armed: pmu_deadline is UINT64_MAX
 * and no path checks more than that.
 */
#include "cpu/riscv/ext.h"
#include "cpu/riscv/hart.h"

#define HPM_OF    (1ull << 63)
#define HPM_MINH  (1ull << 62)
#define HPM_SINH  (1ull << 61)
#define HPM_UINH  (1ull << 60)
#define HPM_SEL   ((1ull << 56) - 1)   /* bits 57:56 are reserved (read 0) */
#define HPM_INH   (HPM_MINH | HPM_SINH | HPM_UINH)

enum {
    CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MHPM3 = 0xb03, CSR_MHPM31 = 0xb1f, CSR_SCOUNTOVF = 0xda0,
};
enum { EV_CYCLES = 1, EV_INSTRET = 2 };

static bool sscofpmf(const struct rv_hart *h)
{
    return RV_EXT_HAS(rv_tcache_ext(h->tc), SSCOFPMF);
}

static uint64_t retired(const struct rv_hart *h)
{
    return h->icount + rv_hart_progress(h);
}

static struct rv_hpm *hpm_of(struct rv_hart *h, unsigned n)
{
    return n >= RV_HPM_FIRST && n < RV_HPM_FIRST + RV_HPM_COUNTERS ? &h->hpm[n - RV_HPM_FIRST] : NULL;
}

/* Does counter n count in privilege p now? */
static bool counts(const struct rv_hart *h, unsigned n, enum rv_priv p)
{
    uint64_t ev = h->hpm[n - RV_HPM_FIRST].event;
    uint64_t sel = ev & HPM_SEL;
    if ((sel != EV_CYCLES && sel != EV_INSTRET) || (h->mcountinhibit >> n & 1))
        return false;
    uint64_t inh = p == RV_PRIV_M ? HPM_MINH : p == RV_PRIV_S ? HPM_SINH : HPM_UINH;
    return !(ev & inh);
}

/* Fold the running counters' counts up to `now` into their values. */
static void fold(struct rv_hart *h, uint64_t now)
{
    for (unsigned i = 0; i < RV_HPM_COUNTERS; i++) {
        struct rv_hpm *c = &h->hpm[i];
        if (h->hpm_run >> (i + RV_HPM_FIRST) & 1)
            c->val += now - c->base;
        c->base = now;
    }
}

/* The slice's budget ends at the next wrap (in this slice). */
static void clamp(struct rv_hart *h)
{
    uint64_t done = h->slice_done;
    if (h->pmu_deadline == UINT64_MAX || h->pmu_deadline < h->icount + done)
        return;
    uint64_t at = h->pmu_deadline - h->icount; /* slice-relative */
    if (at < h->budget) {
        h->budget = at;
        h->budget_exact = true;
        h->limit = 0; /* back to the dispatcher, which takes the new budget */
    }
}

/* Which counters count from `now` on, and when the first of them wraps. */
static void arm(struct rv_hart *h, uint64_t now)
{
    uint32_t run = 0;
    uint64_t dl = UINT64_MAX;
    bool filter = false;
    for (unsigned i = 0; i < RV_HPM_COUNTERS; i++) {
        unsigned n = i + RV_HPM_FIRST;
        struct rv_hpm *c = &h->hpm[i];
        c->base = now;
        c->wrap_at = UINT64_MAX;
        uint64_t sel = c->event & HPM_SEL;
        if ((sel == EV_CYCLES || sel == EV_INSTRET) && !(h->mcountinhibit >> n & 1) && (c->event & HPM_INH))
            filter = true;
        if (!counts(h, n, h->priv))
            continue;
        run |= 1u << n;
        uint64_t left = -c->val; /* increments until it wraps to 0; 0: 2^64 */
        if (left && left <= UINT64_MAX - now)
            c->wrap_at = now + left;
        if (c->wrap_at < dl)
            dl = c->wrap_at;
    }
    h->hpm_run = run;
    h->pmu_filter = filter;
    h->pmu_deadline = dl;
    clamp(h);
}

void rv_pmu_reset(struct rv_hart *h)
{
    for (unsigned i = 0; i < RV_HPM_COUNTERS; i++)
        h->hpm[i] = (struct rv_hpm){ .wrap_at = UINT64_MAX };
    h->hpm_run = 0;
    h->pmu_filter = false;
    h->pmu_deadline = UINT64_MAX;
}

void rv_pmu_rearm(struct rv_hart *h)
{
    h->hpm_run = 0;
    arm(h, retired(h));
}

/* The counters that wrapped by `now`: with Sscofpmf, OF, and LCOFI when
 * OF was clear. Before any fold, so that no wrap is missed. */
static void wraps(struct rv_hart *h, uint64_t now)
{
    if (h->pmu_deadline > now)
        return;
    bool irq = false;
    for (unsigned i = 0; i < RV_HPM_COUNTERS; i++) {
        struct rv_hpm *c = &h->hpm[i];
        if (c->wrap_at > now)
            continue;
        c->wrap_at = UINT64_MAX;
        if (sscofpmf(h) && !(c->event & HPM_OF)) {
            c->event |= HPM_OF;
            irq = true;
        }
    }
    h->pmu_deadline = UINT64_MAX; /* arm() sets the next one */
    if (irq) {
        h->mip_sw |= RV_MIP_LCOFIP;
        rv_update_irq(h);
    }
}

void rv_pmu_slice(struct rv_hart *h)
{
    uint64_t now = h->icount + h->slice_done;
    if (h->budget_exact && h->slice_done >= h->budget) {
        h->budget = h->budget_full; /* the slice goes on to its own end */
        h->budget_exact = false;
    }
    if (h->pmu_deadline <= now) {
        wraps(h, now);
        fold(h, now);
        arm(h, now); /* the next wrap: clamps the budget again */
    } else {
        clamp(h);
    }
}

void rv_pmu_set_priv(struct rv_hart *h, enum rv_priv p)
{
    uint64_t now = retired(h);
    wraps(h, now);
    fold(h, now);
    h->priv = p;
    arm(h, now);
}

bool rv_pmu_csr(unsigned csr)
{
    return csr == CSR_MCOUNTINHIBIT || csr == CSR_SCOUNTOVF ||
           (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) || (csr >= CSR_MHPM3 && csr <= CSR_MHPM31);
}

int rv_pmu_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    if (csr == CSR_MCOUNTINHIBIT) {
        *v = h->mcountinhibit;
        return 0;
    }
    if (csr == CSR_SCOUNTOVF) {
        /* OF of mhpmevent3..31, each bit as mcounteren allows (in M too) */
        if (!sscofpmf(h))
            return -1;
        uint64_t r = 0;
        for (unsigned i = 0; i < RV_HPM_COUNTERS; i++)
            if (h->hpm[i].event & HPM_OF)
                r |= 1ull << (i + RV_HPM_FIRST);
        *v = r & h->mcounteren;
        return 0;
    }
    if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) {
        struct rv_hpm *c = hpm_of(h, csr - CSR_MHPMEVENT3 + 3);
        *v = c ? c->event : 0;
        return 0;
    }
    struct rv_hpm *c = hpm_of(h, csr - CSR_MHPM3 + 3);
    if (!c)
        *v = 0;
    else if (h->hpm_run >> (csr - CSR_MHPM3 + 3) & 1)
        *v = c->val + (retired(h) - c->base);
    else
        *v = c->val;
    return 0;
}

/* The writing instruction still counts under the old setting: what the
 * next instruction reads is the value written (as mcycle/minstret). */
int rv_pmu_csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    uint64_t now = retired(h) + 1;
    struct rv_hpm *c = NULL;
    if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)
        c = hpm_of(h, csr - CSR_MHPMEVENT3 + 3);
    else if (csr >= CSR_MHPM3 && csr <= CSR_MHPM31)
        c = hpm_of(h, csr - CSR_MHPM3 + 3);
    if (!c && csr != CSR_MCOUNTINHIBIT)
        return 0; /* scountovf is read-only (csr.c refuses); counters 19-31: WARL 0 */
    wraps(h, now);
    fold(h, now);
    if (csr == CSR_MCOUNTINHIBIT)
        h->mcountinhibit = v & 0xfffffffd;
    else if (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)
        c->event = v & (HPM_SEL | (sscofpmf(h) ? HPM_OF | HPM_INH : 0));
    else
        c->val = v;
    arm(h, now);
    return 1;
}
