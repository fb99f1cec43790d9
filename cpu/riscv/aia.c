/* cpu/riscv/aia.c: Smaia/Ssaia CSRs (see aia.h). */
#include "cpu/riscv/aia.h"
#include "cpu/riscv/ext.h"
#include "cpu/riscv/hart.h"

enum {
    CSR_SISELECT = 0x150, CSR_SIREG = 0x151, CSR_STOPEI = 0x15c, CSR_STOPI = 0xdb0,
    CSR_MVIEN = 0x308, CSR_MVIP = 0x309,
    CSR_MISELECT = 0x350, CSR_MIREG = 0x351, CSR_MTOPEI = 0x35c, CSR_MTOPI = 0xfb0,
};

#define ISELECT_MASK 0xfffu     /* WARL: holds 0..0xfff */
#define S_INTS (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP)

void rv_hart_set_imsic(struct rv_hart *h, const struct rv_imsic_ops *ops, void *ctx)
{
    h->imsic = ops;
    h->imsic_ctx = ctx;
}

/* The highest-priority interrupt of pend in the default order, as
 * (iid << 16) | 1, or 0. */
static uint64_t topi_of(uint64_t pend)
{
    static const unsigned order[] = { RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI,
                                      RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI, RV_IRQ_LCOF };
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (pend >> order[i] & 1)
            return (uint64_t)order[i] << 16 | 1;
    return 0;
}

/* mireg/sireg through select sel at level. */
static int ireg_read(struct rv_hart *h, unsigned level, unsigned sel, uint64_t *v)
{
    if (sel >= 0x30 && sel <= 0x3f) {          /* iprio0..15: read-only zero */
        if (sel & 1)
            return -1;                         /* odd ones do not exist on RV64 */
        *v = 0;
        return 0;
    }
    if (sel >= 0x70 && sel <= 0xff && h->imsic)
        return h->imsic->reg_read(h->imsic_ctx, level, sel, v);
    return -1;
}

static int ireg_write(struct rv_hart *h, unsigned level, unsigned sel, uint64_t v)
{
    if (sel >= 0x30 && sel <= 0x3f)
        return (sel & 1) ? -1 : 0;
    if (sel >= 0x70 && sel <= 0xff && h->imsic) {
        if (h->imsic->reg_write(h->imsic_ctx, level, sel, v) < 0)
            return -1;
        return 1;                              /* the external interrupt line may have moved */
    }
    return -1;
}

static bool is_s_csr(unsigned csr)
{
    return csr == CSR_SISELECT || csr == CSR_SIREG || csr == CSR_STOPEI || csr == CSR_STOPI;
}

static bool is_m_csr(unsigned csr)
{
    return csr == CSR_MISELECT || csr == CSR_MIREG || csr == CSR_MTOPEI || csr == CSR_MTOPI ||
           csr == CSR_MVIEN || csr == CSR_MVIP;
}

static bool mine(const struct rv_hart *h, unsigned csr)
{
    uint64_t ext = rv_tcache_ext(h->tc);
    if (is_m_csr(csr))
        return RV_EXT_HAS(ext, SMAIA);
    if (is_s_csr(csr))
        return RV_EXT_HAS(ext, SSAIA) || RV_EXT_HAS(ext, SMAIA);
    return false;
}

int rv_aia_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    if (!mine(h, csr))
        return RV_AIA_NOT_MINE;
    uint64_t mip = h->mip_hw | h->mip_sw;
    switch (csr) {
    case CSR_MISELECT: *v = h->miselect; return 0;
    case CSR_SISELECT: *v = h->siselect; return 0;
    case CSR_MIREG: return ireg_read(h, RV_AIA_LEVEL_M, (unsigned)h->miselect, v);
    case CSR_SIREG: return ireg_read(h, RV_AIA_LEVEL_S, (unsigned)h->siselect, v);
    case CSR_MTOPEI: *v = h->imsic ? h->imsic->topei(h->imsic_ctx, RV_AIA_LEVEL_M) : 0; return 0;
    case CSR_STOPEI: *v = h->imsic ? h->imsic->topei(h->imsic_ctx, RV_AIA_LEVEL_S) : 0; return 0;
    case CSR_MTOPI: *v = topi_of(mip & h->mie & ~h->mideleg); return 0;
    case CSR_STOPI: *v = topi_of(mip & h->mie & h->mideleg & (S_INTS | RV_MIP_LCOFIP)); return 0;
    case CSR_MVIEN: *v = 0; return 0;          /* no interrupt filtering: read-only zero */
    case CSR_MVIP:
        /* with mvien zero, mvip's bits alias mip's software-writable ones */
        *v = (h->mip_sw & (RV_MIP_SSIP | RV_MIP_SEIP)) | (mip & RV_MIP_STIP);
        return 0;
    }
    return RV_AIA_NOT_MINE;
}

int rv_aia_csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    if (!mine(h, csr))
        return RV_AIA_NOT_MINE;
    switch (csr) {
    case CSR_MISELECT: h->miselect = v & ISELECT_MASK; return 0;
    case CSR_SISELECT: h->siselect = v & ISELECT_MASK; return 0;
    case CSR_MIREG: return ireg_write(h, RV_AIA_LEVEL_M, (unsigned)h->miselect, v);
    case CSR_SIREG: return ireg_write(h, RV_AIA_LEVEL_S, (unsigned)h->siselect, v);
    case CSR_MTOPEI:
    case CSR_STOPEI:
        if (h->imsic)
            h->imsic->claim(h->imsic_ctx, csr == CSR_MTOPEI ? RV_AIA_LEVEL_M : RV_AIA_LEVEL_S);
        return 1;
    case CSR_MVIEN: return 0;
    case CSR_MVIP:
        rv_write_mip(h, v);
        return 1;
    }
    return RV_AIA_NOT_MINE;
}
