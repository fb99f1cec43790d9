/* cpu/riscv/hart.c: hart life cycle and the slice entry point. */
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"

int rv_hart_init(struct rv_hart *h, struct bus *bus, struct rv_tcache *tc, uint64_t hartid)
{
    memset(h, 0, sizeof *h);
    h->bus = bus;
    h->tc = tc;
    h->mhartid = hartid;
    h->trap_loop_limit = RV_TRAP_LOOP_LIMIT;
    h->jump_cache = calloc(1u << RV_JC_BITS, sizeof *h->jump_cache);
    h->scratch_block = calloc(1, sizeof(struct rv_block) + 2 * sizeof(struct rv_op));
    if (!h->jump_cache || !h->scratch_block) {
        rv_hart_destroy(h);
        return -1;
    }
    h->tc_gen = tc->gen;
    rv_tcache_add_hart(tc, h);
    rv_hart_reset(h, 0);
    return 0;
}

void rv_hart_destroy(struct rv_hart *h)
{
    free(h->jump_cache);
    free(h->scratch_block);
    h->jump_cache = NULL;
    h->scratch_block = NULL;
}

void rv_hart_reset(struct rv_hart *h, uint64_t pc)
{
    memset(h->x, 0, sizeof h->x);
    memset(h->f, 0, sizeof h->f);
    h->fflags = h->frm = 0;
    h->pc = pc;
    h->priv = RV_PRIV_M;
    h->mstatus = (2ull << 32) | (2ull << 34);
    h->medeleg = h->mideleg = h->mie = 0;
    h->mtvec = h->mscratch = h->mepc = h->mcause = h->mtval = 0;
    h->mcounteren = h->menvcfg = h->mcountinhibit = 0;
    h->stvec = h->sscratch = h->sepc = h->scause = h->stval = h->satp = 0;
    h->scounteren = h->senvcfg = 0;
    h->stimecmp = UINT64_MAX;
    h->mip_sw = 0;
    h->miselect = h->siselect = 0;
    h->mip_hw &= ~RV_MIP_STIP;
    h->mseccfg = 0;
    memset(h->pmpcfg, 0, sizeof h->pmpcfg);
    memset(h->pmpaddr, 0, sizeof h->pmpaddr);
    rv_pmp_update(h);
    rv_pmu_reset(h);
    h->lr_valid = false;
    h->wfi = false;
    h->stop = false;
    h->trap_loop = false;
    h->same_trap_count = 0;
    h->last_trap_pc = ~0ull;
    rv_trigger_reset(h);
    rv_update_modes(h);
    rv_tlb_flush(h);
    rv_update_irq(h);
}

uint64_t rv_hart_run(struct rv_hart *h, uint64_t budget)
{
    h->slice_done = 0;
    h->budget = h->budget_full = budget;
    h->limit = budget;
    h->budget_exact = false;
    if (__builtin_expect(h->pmu_deadline != UINT64_MAX, 0))
        rv_pmu_slice(h); /* a counter may wrap in this slice: end the budget there */
    h->cur_block = NULL;
    h->cur_op = NULL;
    h->dbg_stop.hit = false;
    rv_exec(h);
    h->bus->epoch++;
    uint64_t done = h->slice_done;
    h->icount += done;
    h->slice_done = 0;
    h->cur_block = NULL;
    if (h->other_harts)
        h->lr_valid = false; /* another hart may run before our SC */
    h->yield = false;
    h->budget_exact = false;
    if (__builtin_expect(h->dbg_stop.hit, 0) && h->dbg_stop.type >= RV_DBG_WATCH_W)
        rv_trigger_finish_watch(h); /* report the watchpoint after the access */
    return done;
}

void rv_hart_set_priv(struct rv_hart *h, enum rv_priv p)
{
    rv_pmu_set_priv(h, p);
    rv_update_modes(h);
    rv_update_irq(h);
}

void rv_hart_request_stop(struct rv_hart *h)
{
    h->stop = true;
    h->limit = 0;
}

void rv_hart_yield(struct rv_hart *h)
{
    h->yield = true;
    h->limit = 0;
}

uint64_t rv_hart_progress(const struct rv_hart *h)
{
    const struct rv_block *b = h->cur_block;
    const struct rv_op *op = h->cur_op;
    if (b && op >= b->ops && op < b->ops + b->nops)
        return h->slice_done + (uint64_t)(op - b->ops);
    return h->slice_done;
}

bool rv_hart_idle(const struct rv_hart *h)
{
    return h->wfi && !((h->mip_hw | h->mip_sw) & h->mie);
}
