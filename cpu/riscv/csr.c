/* cpu/riscv/csr.c: the control and status registers of M, S and U mode.
 *
 * WARL fields keep only legal values. PMP is enforced by pmp.c; the event
 * counters and Sscofpmf are pmu.c's.
 */
#include <inttypes.h>
#include <sys/random.h>

#include "bus/trace.h"
#include "cpu/riscv/aia.h"
#include "cpu/riscv/disas.h"
#include "cpu/riscv/ext.h"
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/fpu.h"

#define MISA_RV64 (2ull << 62)
#define MISA_EXT(c) (1ull << ((c) - 'A'))
#define RV_MISA (MISA_RV64 | MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('D') | \
                 MISA_EXT('F') | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('S') | MISA_EXT('U'))

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | \
                      MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | \
                       MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | \
                       MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_WMASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | \
                       MSTATUS_SUM | MSTATUS_MXR)

#define S_INTS (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP)
#define M_INTS (S_INTS | RV_MIP_MSIP | RV_MIP_MTIP | RV_MIP_MEIP)
/* Sscofpmf's LCOFI: in mip/mie/mideleg (and sip/sie when delegated) */
static uint64_t lcof(const struct rv_hart *h)
{
    return RV_EXT_HAS(rv_tcache_ext(h->tc), SSCOFPMF) ? RV_MIP_LCOFIP : 0;
}
/* Exceptions that may be delegated: all but ecall from M (11). */
#define MEDELEG_MASK 0xb3ffull
#define MENVCFG_STCE (1ull << 63)
/* STCE and FIOM: without Zicbom, Zicboz and Svpbmt, CBIE/CBCFE/CBZE and PBMTE
 * are read-only zero (Privileged ISA 3.1.18) */
#define MENVCFG_MASK (MENVCFG_STCE | 1ull)
#define MENVCFG_PBMTE (1ull << 62)   /* with Svpbmt */
#define MSECCFG_USEED (1ull << 8)    /* Zkr */
#define MSECCFG_SSEED (1ull << 9)

/* The cbo enables of menvcfg and senvcfg (CBIE 5:4, CBCFE 6, CBZE 7) that a
 * write of v keeps: those of the extensions the hart has (Zicbom: CBIE,
 * CBCFE; Zicboz: CBZE). CBIE = 10 is reserved: WARL, it reads 00. */
static uint64_t envcfg_cbo(const struct rv_hart *h, uint64_t v)
{
    uint64_t ext = rv_tcache_ext(h->tc), m = 0;
    if (RV_EXT_HAS(ext, ZICBOM))
        m |= ((v >> 4) & 3) == 2 ? 1ull << 6 : 0x70;
    if (RV_EXT_HAS(ext, ZICBOZ))
        m |= 1ull << 7;
    return m;
}

enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003, CSR_SEED = 0x015, CSR_MSECCFG = 0x747,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPM3 = 0xc03, CSR_HPM31 = 0xc1f,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_STIMECMP = 0x14d, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
    CSR_MIP = 0x344, CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af,
    CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02, CSR_MHPM3 = 0xb03, CSR_MHPM31 = 0xb1f,
};

uint64_t rv_read_mstatus(const struct rv_hart *h)
{
    uint64_t s = h->mstatus;
    if ((s & MSTATUS_FS) == MSTATUS_FS)
        s |= MSTATUS_SD;
    return s;
}

static uint64_t retired(const struct rv_hart *h)
{
    return h->icount + rv_hart_progress(h);
}

static uint64_t now(const struct rv_hart *h)
{
    return h->time ? h->time(h->time_ctx) : retired(h) / 10;
}

void rv_hart_update_timer(struct rv_hart *h)
{
    bool stip = (h->menvcfg & MENVCFG_STCE) && now(h) >= h->stimecmp;
    if (stip != !!(h->mip_hw & RV_MIP_STIP))
        rv_hart_set_irq(h, RV_IRQ_STI, stip);
}

uint64_t rv_hart_next_deadline(const struct rv_hart *h)
{
    if (!(h->menvcfg & MENVCFG_STCE) || (h->mip_hw & RV_MIP_STIP))
        return UINT64_MAX;
    return h->stimecmp;
}

/* Counter access from S/U, per mcounteren and scounteren. */
static bool counter_ok(const struct rv_hart *h, unsigned bit)
{
    if (h->priv == RV_PRIV_M)
        return true;
    if (!(h->mcounteren >> bit & 1))
        return false;
    if (h->priv == RV_PRIV_U && !(h->scounteren >> bit & 1))
        return false;
    return true;
}

static int csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_FFLAGS: case CSR_FRM: case CSR_FCSR:
        if (!(h->mstatus & MSTATUS_FS))
            return -1;
        *v = csr == CSR_FFLAGS ? h->fflags : csr == CSR_FRM ? h->frm : (h->frm << 5) | h->fflags;
        return 0;
    case CSR_CYCLE:
        if (!counter_ok(h, 0)) return -1;
        *v = retired(h) + h->cycle_offset;
        return 0;
    case CSR_TIME:
        if (!counter_ok(h, 1)) return -1;
        *v = now(h);
        return 0;
    case CSR_INSTRET:
        if (!counter_ok(h, 2)) return -1;
        *v = retired(h) + h->instret_offset;
        return 0;
    case CSR_SSTATUS: *v = rv_read_mstatus(h) & SSTATUS_MASK; return 0;
    case CSR_SIE: *v = h->mie & h->mideleg & (S_INTS | lcof(h)); return 0;
    case CSR_STVEC: *v = h->stvec; return 0;
    case CSR_SCOUNTEREN: *v = h->scounteren; return 0;
    case CSR_SENVCFG: *v = h->senvcfg; return 0;
    case CSR_SSCRATCH: *v = h->sscratch; return 0;
    case CSR_SEPC: *v = h->sepc; return 0;
    case CSR_SCAUSE: *v = h->scause; return 0;
    case CSR_STVAL: *v = h->stval; return 0;
    case CSR_SIP: *v = (h->mip_hw | h->mip_sw) & h->mideleg & (S_INTS | lcof(h)); return 0;
    case CSR_STIMECMP:
        if (h->priv == RV_PRIV_S && (!(h->menvcfg & MENVCFG_STCE) || !(h->mcounteren & 2)))
            return -1;
        *v = h->stimecmp;
        return 0;
    case CSR_SATP:
        if (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM))
            return -1;
        *v = h->satp;
        return 0;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
        *v = 0; return 0;
    case CSR_MHARTID: *v = h->mhartid; return 0;
    case CSR_MSTATUS: *v = rv_read_mstatus(h); return 0;
    case CSR_MISA: *v = RV_MISA; return 0;
    case CSR_MEDELEG: *v = h->medeleg; return 0;
    case CSR_MIDELEG: *v = h->mideleg; return 0;
    case CSR_MIE: *v = h->mie; return 0;
    case CSR_MTVEC: *v = h->mtvec; return 0;
    case CSR_MCOUNTEREN: *v = h->mcounteren; return 0;
    case CSR_MENVCFG: *v = h->menvcfg; return 0;
    case CSR_MSECCFG:
        if (!RV_EXT_HAS(rv_tcache_ext(h->tc), ZKR)) break;
        *v = h->mseccfg;
        return 0;
    case CSR_MSCRATCH: *v = h->mscratch; return 0;
    case CSR_MEPC: *v = h->mepc; return 0;
    case CSR_MCAUSE: *v = h->mcause; return 0;
    case CSR_MTVAL: *v = h->mtval; return 0;
    case CSR_MIP: *v = h->mip_hw | h->mip_sw; return 0;
    case CSR_MCYCLE: *v = retired(h) + h->cycle_offset; return 0;
    case CSR_MINSTRET: *v = retired(h) + h->instret_offset; return 0;
    }
    if (csr >= CSR_HPM3 && csr <= CSR_HPM31) {
        /* Zihpm: hpmcounter3-31 are mhpmcounter3-31 (pmu.c), behind
         * mcounteren/scounteren */
        if (!RV_EXT_HAS(rv_tcache_ext(h->tc), ZIHPM) || !counter_ok(h, csr - CSR_CYCLE)) return -1;
        return rv_pmu_csr_read(h, csr - CSR_HPM3 + CSR_MHPM3, v);
    }
    if (rv_pmu_csr(csr))
        return rv_pmu_csr_read(h, csr, v);
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned n = csr - CSR_PMPCFG0;
        if (n & 1) /* odd pmpcfg registers do not exist on RV64 */
            return -1;
        uint64_t r = 0;
        for (unsigned i = 0; i < 8; i++)
            r |= (uint64_t)h->pmpcfg[n * 4 + i] << (8 * i);
        *v = r;
        return 0;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        *v = h->pmpaddr[csr - CSR_PMPADDR0];
        return 0;
    }
    int aia = rv_aia_csr_read(h, csr, v);      /* Smaia/Ssaia (aia.c) */
    if (aia != RV_AIA_NOT_MINE)
        return aia;
    if (rv_trigger_csr_read(h, csr, v) == 0)
        return 0;
    if (TRACE_ON(TRACE_UNIMP)) {
        const char *name = rv_csr_name(csr);
        trace_printf("unimp: hart %" PRIu64 " csr 0x%03x%s%s%s is not implemented (illegal instruction)\n",
                     h->mhartid, csr, name ? " (" : "", name ? name : "", name ? ")" : "");
    }
    return -1;
}

static void write_mstatus(struct rv_hart *h, uint64_t v, uint64_t mask)
{
    uint64_t old = h->mstatus;
    uint64_t n = (old & ~mask) | (v & mask);
    if (((n & MSTATUS_MPP) >> 11) == 2) /* reserved MPP: keep the old value */
        n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    n = (n & ~(MSTATUS_UXL | MSTATUS_SXL | MSTATUS_SD)) | (2ull << 32) | (2ull << 34);
    h->mstatus = n;
    if ((old ^ n) & MSTATUS_MXR)
        rv_tlb_flush_translated(h);
    rv_update_modes(h);
    rv_update_irq(h);
}

static bool pmp_locked(const struct rv_hart *h, unsigned i)
{
    return h->pmpcfg[i] & 0x80;
}


/* mip's software-writable bits (SSIP, SEIP, and STIP unless Sstc owns it),
 * as csrw mip writes them; Smaia's mvip (with mvien = 0) is the same. */
void rv_write_mip(struct rv_hart *h, uint64_t v)
{
    uint64_t m = RV_MIP_SSIP | RV_MIP_SEIP | lcof(h);
    if (!(h->menvcfg & MENVCFG_STCE))
        m |= RV_MIP_STIP;
    h->mip_sw = (h->mip_sw & ~m) | (v & m);
    rv_update_irq(h);
}

static int csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    switch (csr) {
    case CSR_FFLAGS: h->fflags = v & 0x1f; h->mstatus |= MSTATUS_FS; return 0;
    case CSR_FRM: h->frm = v & 7; h->mstatus |= MSTATUS_FS; return 0;
    case CSR_FCSR:
        h->fflags = v & 0x1f;
        h->frm = (v >> 5) & 7;
        h->mstatus |= MSTATUS_FS;
        return 0;
    case CSR_SSTATUS: write_mstatus(h, v, SSTATUS_WMASK); return 1;
    case CSR_SIE: {
        uint64_t m = h->mideleg & (S_INTS | lcof(h));
        h->mie = (h->mie & ~m) | (v & m);
        rv_update_irq(h);
        return 1;
    }
    case CSR_STVEC: h->stvec = v & ~2ull; return 0;
    case CSR_SCOUNTEREN: h->scounteren = v & 0xffffffff; return 0;
    case CSR_SENVCFG: h->senvcfg = v & (1 | envcfg_cbo(h, v)); return 0; /* FIOM and the cbo enables */
    case CSR_SSCRATCH: h->sscratch = v; return 0;
    case CSR_SEPC: h->sepc = v & ~1ull; return 0;
    case CSR_SCAUSE: h->scause = v; return 0;
    case CSR_STVAL: h->stval = v; return 0;
    case CSR_SIP: {
        uint64_t m = h->mideleg & (RV_MIP_SSIP | lcof(h));
        h->mip_sw = (h->mip_sw & ~m) | (v & m);
        rv_update_irq(h);
        return 1;
    }
    case CSR_STIMECMP:
        h->stimecmp = v;
        rv_hart_update_timer(h);
        return 1;
    case CSR_SATP: {
        uint64_t mode = v >> 60;
        if (mode != 0 && mode != 8 && mode != 9 && mode != 10)
            return 0; /* unsupported mode: the write has no effect */
        h->satp = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
        rv_tlb_flush_translated(h);
        return 1;
    }
    case CSR_MSTATUS: write_mstatus(h, v, MSTATUS_WMASK); return 1;
    case CSR_MISA: return 0; /* fixed */
    case CSR_MEDELEG: h->medeleg = v & MEDELEG_MASK; return 0;
    case CSR_MIDELEG: h->mideleg = v & (S_INTS | lcof(h)); rv_update_irq(h); return 1;
    case CSR_MIE: h->mie = v & (M_INTS | lcof(h)); rv_update_irq(h); return 1;
    case CSR_MTVEC: h->mtvec = v & ~2ull; return 0;
    case CSR_MCOUNTEREN: h->mcounteren = v & 0xffffffff; return 0;
    case CSR_MSECCFG: h->mseccfg = v & (MSECCFG_SSEED | MSECCFG_USEED); return 0;
    case CSR_MENVCFG:
        if ((h->menvcfg ^ v) & MENVCFG_PBMTE)
            rv_tlb_flush_translated(h); /* PBMT bits change meaning: fault or not */
        h->menvcfg = v & (MENVCFG_MASK | (RV_EXT_HAS(rv_tcache_ext(h->tc), SVPBMT) ? MENVCFG_PBMTE : 0) |
                            envcfg_cbo(h, v));
        rv_hart_update_timer(h);
        return 1;
    case CSR_MSCRATCH: h->mscratch = v; return 0;
    case CSR_MEPC: h->mepc = v & ~1ull; return 0;
    case CSR_MCAUSE: h->mcause = v; return 0;
    case CSR_MTVAL: h->mtval = v; return 0;
    case CSR_MIP:
        rv_write_mip(h, v);
        return 1;
    /* The written value is what the next instruction reads: the writing
     * instruction, not yet counted in retired(), must not count (+1). */
    case CSR_MCYCLE: h->cycle_offset = (int64_t)(v - retired(h) - 1); return 0;
    case CSR_MINSTRET: h->instret_offset = (int64_t)(v - retired(h) - 1); return 0;
    }
    if (rv_pmu_csr(csr))
        return rv_pmu_csr_write(h, csr, v);
    /* PMP (pmp.c): entries past RV_PMP_ENTRIES read 0 and ignore writes.
     * A change of what PMP allows must reach cached translations: every
     * write flushes the TLBs (M regime too) and ends the block. */
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned n = csr - CSR_PMPCFG0;
        for (unsigned i = 0; i < 8 && n * 4 + i < RV_PMP_ENTRIES; i++) {
            unsigned idx = n * 4 + i;
            uint8_t c = v >> (8 * i);
            if (pmp_locked(h, idx))
                continue;
            c &= 0x9f;               /* bits 5-6 are reserved */
            if ((c & 3) == 2)        /* R=0 W=1 is reserved: drop W */
                c &= ~2;
            h->pmpcfg[idx] = c;
        }
        rv_pmp_update(h);
        rv_tlb_flush(h);
        return 1;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        unsigned i = csr - CSR_PMPADDR0;
        if (i >= RV_PMP_ENTRIES)
            return 0;
        bool tor_locked = i + 1 < RV_PMP_ENTRIES && pmp_locked(h, i + 1) && ((h->pmpcfg[i + 1] >> 3) & 3) == 1;
        if (!pmp_locked(h, i) && !tor_locked)
            h->pmpaddr[i] = v & ((1ull << 54) - 1);
        rv_pmp_update(h);
        rv_tlb_flush(h);
        return 1;
    }
    int aia = rv_aia_csr_write(h, csr, v);
    if (aia != RV_AIA_NOT_MINE)
        return aia < 0 ? 0 : aia;
    int r = rv_trigger_csr_write(h, csr, v);
    return r < 0 ? 0 : r;
}

/* Zkr: 16 bits of entropy for the seed CSR, from the hart's entropy
 * callback (the board's: a record/replay log takes them there), else from
 * the host (getrandom), 32 bytes fetched at a time. false: none available
 * now. */
static bool seed_entropy(struct rv_hart *h, uint16_t *out)
{
    if (h->entropy)
        return h->entropy(h->entropy_ctx, out);
    static uint16_t pool[16];
    static unsigned left;
    if (left == 0) {
        if (getrandom(pool, sizeof pool, GRND_NONBLOCK) != (ssize_t)sizeof pool)
            return false;
        left = 16;
    }
    *out = pool[--left];
    return true;
}

#define SEED_ES16 (2u << 30)   /* OPST: 16 bits of entropy */
#define SEED_WAIT (1u << 30)   /* OPST: none yet, try again */

/* The seed CSR (Zkr): only a read-write access (csrrw, or csrrs/csrrc
 * with rs1 != x0), from M, or from S with mseccfg.SSEED, U with USEED;
 * what is written is ignored. */
static int seed_op(struct rv_hart *h, bool write, uint64_t *old)
{
    if (!RV_EXT_HAS(rv_tcache_ext(h->tc), ZKR) || !write)
        return -1;
    if ((h->priv == RV_PRIV_S && !(h->mseccfg & MSECCFG_SSEED)) ||
        (h->priv == RV_PRIV_U && !(h->mseccfg & MSECCFG_USEED)))
        return -1;
    uint16_t e;
    *old = seed_entropy(h, &e) ? SEED_ES16 | e : SEED_WAIT;
    return 0;
}

int rv_csr_op(struct rv_hart *h, unsigned csr, int op, uint64_t operand, bool write, uint64_t *old)
{
    if (csr == CSR_SEED)
        return seed_op(h, write, old);
    unsigned min_priv = (csr >> 8) & 3;
    bool read_only = (csr >> 10) == 3;
    if (h->priv < min_priv)
        return -1;
    if (write && read_only)
        return -1;
    uint64_t v = 0;
    if (csr_read(h, csr, &v) < 0)
        return -1;
    *old = v;
    if (!write)
        return 0;
    /* A read-modify-write of mip uses the software-writable SEIP bit, not
     * the value OR-ed with the PLIC's line (privileged spec, 3.1.9): else a
     * `csrs mip, SSIP` while the line is high would latch SEIP forever. */
    uint64_t base = v;
    if (csr == CSR_MIP || csr == CSR_SIP)
        base = ((h->mip_hw & ~RV_MIP_SEIP) | h->mip_sw) & (csr == CSR_SIP ? h->mideleg & (S_INTS | lcof(h)) : ~0ull);
    uint64_t nv = op == RV_CSR_RW ? operand : op == RV_CSR_RS ? base | operand : base & ~operand;
    return csr_write(h, csr, nv);
}

int rv_csr_debug(struct rv_hart *h, unsigned csr, bool write, uint64_t *val)
{
    enum rv_priv p = h->priv;
    uint64_t fs = h->mstatus & MSTATUS_FS, old;
    h->priv = RV_PRIV_M;
    bool fp = csr >= CSR_FFLAGS && csr <= CSR_FCSR;
    if (fp)
        h->mstatus |= MSTATUS_FS; /* fflags/frm/fcsr even with the FPU off */
    int r = rv_csr_op(h, csr, RV_CSR_RW, *val, write, &old);
    if (fp)
        h->mstatus = (h->mstatus & ~MSTATUS_FS) | fs;
    h->priv = p;
    rv_update_modes(h);
    rv_update_irq(h);
    if (r < 0)
        return -1;
    if (!write)
        *val = old;
    return 0;
}
