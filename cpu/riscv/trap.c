/* cpu/riscv/trap.c: exceptions, interrupts, delegation, MRET/SRET and the
 * bookkeeping that follows privilege changes. */
#include <inttypes.h>

#include "cpu/riscv/hart.h"
#include "cpu/riscv/trace.h"

static inline uint64_t mip_of(const struct rv_hart *h)
{
    return h->mip_hw | h->mip_sw;
}

/* The interrupt to take now, or -1. Priority per the privileged spec:
 * MEI, MSI, MTI, SEI, SSI, STI, then Sscofpmf's LCOFI (AIA's default
 * order puts it after STI). */
static int pending_irq(const struct rv_hart *h)
{
    uint64_t pend = mip_of(h) & h->mie;
    if (!pend)
        return -1;
    uint64_t m_pend = pend & ~h->mideleg;
    uint64_t s_pend = pend & h->mideleg;
    bool m_on = h->priv < RV_PRIV_M || (h->mstatus & MSTATUS_MIE);
    bool s_on = h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_SIE));
    static const int order[] = { RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI,
                                 RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI, RV_IRQ_LCOF };
    uint64_t sel = m_on ? m_pend : 0;
    if (!sel && s_on)
        sel = s_pend;
    if (!sel)
        return -1;
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (sel & (1ull << order[i]))
            return order[i];
    return -1;
}

void rv_update_irq(struct rv_hart *h)
{
    h->irq_ready = pending_irq(h) >= 0;
    if (h->irq_ready)
        h->limit = 0; /* leave the current block chain at its next boundary */
}

void rv_update_modes(struct rv_hart *h)
{
    static const unsigned of_priv[4] = { RV_MODE_U, RV_MODE_S, RV_MODE_S, RV_MODE_M };
    unsigned eff = h->priv;
    if (h->priv == RV_PRIV_M && (h->mstatus & MSTATUS_MPRV))
        eff = (h->mstatus & MSTATUS_MPP) >> 11;
    unsigned d = of_priv[eff];
    if (d == RV_MODE_S && (h->mstatus & MSTATUS_SUM))
        d = RV_MODE_SSUM;
    h->dmode = d;
    h->imode = of_priv[h->priv];
}

void rv_hart_set_irq(void *opaque, unsigned n, bool level)
{
    struct rv_hart *h = opaque;
    uint64_t bit = 1ull << n;
    if (TRACE_ON(TRACE_IRQ) && !!(h->mip_hw & bit) != level) {
        static const char *const names[16] = { [1] = "SSIP", [3] = "MSIP", [5] = "STIP", [7] = "MTIP",
                                               [9] = "SEIP", [11] = "MEIP", [13] = "LCOFIP" };
        trace_printf("irq: hart %" PRIu64 " %s %s\n", h->mhartid, n < 16 && names[n] ? names[n] : "line",
                     level ? "raised" : "lowered");
    }
    if (level)
        h->mip_hw |= bit;
    else
        h->mip_hw &= ~bit;
    rv_update_irq(h);
}

static void set_priv(struct rv_hart *h, enum rv_priv p)
{
    if (__builtin_expect(h->pmu_filter, 0))
        rv_pmu_set_priv(h, p); /* a counter starts or stops in this mode */
    else
        h->priv = p;
    rv_update_modes(h);
}

static void trap_to(struct rv_hart *h, uint64_t cause, uint64_t tval, bool irq)
{
    uint64_t code = cause & 63;
    bool to_s = h->priv <= RV_PRIV_S &&
                ((irq ? h->mideleg : h->medeleg) >> code & 1);
    uint64_t mcause = irq ? (1ull << 63) | code : code;
    if (TRACE_ON(TRACE_INT))
        rv_trace_trap(h, code, tval, irq, to_s);
    h->lr_valid = false;
    if (to_s) {
        h->scause = mcause;
        h->sepc = h->pc;
        h->stval = tval;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s &= ~MSTATUS_SIE;
        s = (s & ~MSTATUS_SPP) | (h->priv == RV_PRIV_S ? MSTATUS_SPP : 0);
        h->mstatus = s;
        uint64_t base = h->stvec & ~3ull;
        h->pc = (irq && (h->stvec & 1)) ? base + 4 * code : base;
        set_priv(h, RV_PRIV_S);
    } else {
        h->mcause = mcause;
        h->mepc = h->pc;
        h->mtval = tval;
        uint64_t s = h->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s &= ~MSTATUS_MIE;
        s = (s & ~MSTATUS_MPP) | ((uint64_t)h->priv << 11);
        h->mstatus = s;
        uint64_t base = h->mtvec & ~3ull;
        h->pc = (irq && (h->mtvec & 1)) ? base + 4 * code : base;
        set_priv(h, RV_PRIV_M);
    }
    rv_update_irq(h);
}

void rv_raise(struct rv_hart *h, uint64_t cause, uint64_t tval)
{
    if (cause == RV_EXC_DEBUGGER) { /* stop for the debugger at h->pc */
        h->yield = true;
        h->limit = 0;
        return;
    }
    if (h->pc == h->last_trap_pc && cause == h->last_trap_cause)
        h->same_trap_count++;
    else {
        h->last_trap_pc = h->pc;
        h->last_trap_cause = cause;
        h->same_trap_count = 0;
    }
    trap_to(h, cause, tval, false);
}

bool rv_take_interrupt(struct rv_hart *h)
{
    int irq = pending_irq(h);
    if (irq < 0) {
        h->irq_ready = false;
        return false;
    }
    h->same_trap_count = 0;
    trap_to(h, (uint64_t)irq, 0, true);
    return true;
}

void rv_mret(struct rv_hart *h)
{
    uint64_t s = h->mstatus;
    enum rv_priv p = (enum rv_priv)((s & MSTATUS_MPP) >> 11);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP; /* MPP = U (least privileged supported mode) */
    if (p != RV_PRIV_M)
        s &= ~MSTATUS_MPRV;
    h->mstatus = s;
    h->pc = h->mepc;
    set_priv(h, p);
    rv_update_irq(h);
}

void rv_sret(struct rv_hart *h)
{
    uint64_t s = h->mstatus;
    enum rv_priv p = (s & MSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV; /* SRET always returns below M */
    h->mstatus = s;
    h->pc = h->sepc;
    set_priv(h, p);
    rv_update_irq(h);
}
