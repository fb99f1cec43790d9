/* cpu/riscv/mmu.h: translation and slow memory paths (cpu/riscv internal). */
#ifndef RIVET_RV_MMU_H
#define RIVET_RV_MMU_H

#include <stdint.h>

#include "cpu/riscv/hart.h"

enum { RV_ACC_R, RV_ACC_W, RV_ACC_X };

/* Returns 0 with *pa, or the exception cause (page fault or access fault). */
int rv_translate(struct rv_hart *, uint64_t va, int kind, uint64_t *pa);
/* Slow paths: 0 = done; 1 = exception (h->exc_cause/exc_tval); for stores
 * 2 = done, but decoded code was overwritten: leave the block. */
int rv_load_slow(struct rv_hart *, uint64_t va, unsigned size, uint64_t *val);
int rv_store_slow(struct rv_hart *, uint64_t va, unsigned size, uint64_t val);
int rv_fetch_page(struct rv_hart *, uint64_t va, uint8_t **host, uint64_t *pa);
int rv_amo_addr(struct rv_hart *, uint64_t va, unsigned size, bool is_lr, void **host, uint64_t *pa);
void rv_tlb_flush_writes(struct rv_hart *);
/* PMP (pmp.c): may privilege mode priv make an access of this kind (RV_ACC_*)
 * to the physical bytes [pa, pa + size)? */
bool rv_pmp_check(struct rv_hart *, uint64_t pa, uint64_t size, int kind, unsigned priv);
static inline bool rv_pmp_ok(struct rv_hart *h, uint64_t pa, uint64_t size, int kind, unsigned priv)
{
    const struct rv_pmp_memo *m = &h->pmp_memo[kind][priv & 1];
    uint64_t last = pa + (size - 1);
    if ((priv == RV_PRIV_M && !h->pmp_locked) ||
        (m->priv == priv && pa >= m->lo && last <= m->last && last >= pa))
        return true;
    return rv_pmp_check(h, pa, size, kind, priv);
}
/* Recompile the hart's PMP rules after pmpcfg/pmpaddr changed (every writer:
 * CSR writes, reset, snapshot load). */
void rv_pmp_update(struct rv_hart *);
/* Zicbom/Zicboz (cbo.c): op = the instruction's imm (0 inval, 1 clean,
 * 2 flush, 4 zero) on the block holding va. -1 = illegal instruction (not
 * enabled for this privilege), else as rv_store_slow. */
#define RV_CBO_BLOCK 64
int rv_cbo(struct rv_hart *, unsigned op, uint64_t va);

#endif
