/* cpu/riscv/hart_state.c: save/load of one hart (hart_state.h). */
#include <string.h>

#include "cpu/riscv/hart_state.h"
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"

/* The LR reservation holds a host address; on the wire it is the guest-
 * physical address of the word (a fresh machine has other host memory). */
static uint64_t host_to_pa(const struct bus *b, uint64_t host)
{
    for (unsigned i = 0; i < b->count; i++) {
        const struct bus_region *r = &b->regions[i];
        if (!r->ops && r->host && host >= (uintptr_t)r->host && host - (uintptr_t)r->host < r->size)
            return r->base + (host - (uintptr_t)r->host);
    }
    return UINT64_MAX;
}

#define F(name) state_u64(st, #name, &h->name)

void rv_hart_state(struct rv_hart *h, struct state *st)
{
    bool load = state_loading(st);
    unsigned ver = state_section(st, "hart", 2);
    uint64_t id = h->mhartid;
    state_u64(st, "mhartid", &id);
    if (load && id != h->mhartid)
        state_fail(st, "hart: another hart id");
    state_bytes(st, "x", h->x, 32 * sizeof h->x[0]);
    state_u64(st, "pc", &h->pc);
    state_bytes(st, "f", h->f, sizeof h->f);
    state_u32(st, "fflags", &h->fflags);
    state_u32(st, "frm", &h->frm);
    uint8_t priv = (uint8_t)h->priv;
    state_u8(st, "priv", &priv);
    state_bool(st, "wfi", &h->wfi);
    F(mstatus); F(misa); F(medeleg); F(mideleg); F(mie); F(mtvec); F(mscratch);
    F(mepc); F(mcause); F(mtval); F(mcounteren); F(menvcfg); F(mcountinhibit);
    F(stvec); F(sscratch); F(sepc); F(scause); F(stval); F(satp); F(scounteren);
    F(senvcfg); F(stimecmp); F(mseccfg);
    F(mip_hw); F(mip_sw);
    F(icount);
    uint64_t co = (uint64_t)h->cycle_offset, io = (uint64_t)h->instret_offset;
    state_u64(st, "cycle_offset", &co);
    state_u64(st, "instret_offset", &io);
    state_bytes(st, "pmpcfg", h->pmpcfg, sizeof h->pmpcfg);
    state_bytes(st, "pmpaddr", h->pmpaddr, sizeof h->pmpaddr);
    uint64_t lr = h->lr_valid ? host_to_pa(h->bus, h->lr_addr) : UINT64_MAX;
    bool lr_valid = h->lr_valid && lr != UINT64_MAX;
    state_bool(st, "lr_valid", &lr_valid);
    state_u64(st, "lr_addr", &lr);
    unsigned tselect = h->tselect;
    struct rv_trigger trig[RV_NTRIGGERS];
    memcpy(trig, h->trig, sizeof trig);
    state_unsigned(st, "tselect", &tselect);
    for (unsigned i = 0; i < RV_NTRIGGERS; i++) {
        state_u64(st, "tdata1", &trig[i].tdata1);
        state_u64(st, "tdata2", &trig[i].tdata2);
    }
    F(last_trap_pc); F(last_trap_cause); F(same_trap_count);
    /* version 2: the event counters (pmu.c), each as mhpmevent and its value */
    for (unsigned i = 0; i < RV_HPM_COUNTERS && (ver >= 2 || !load); i++) {
        uint64_t v = 0;
        if (!load)
            rv_pmu_csr_read(h, 0xb03 + i, &v);
        state_u64(st, "mhpmevent", &h->hpm[i].event);
        state_u64(st, "mhpmcounter", &v);
        if (load)
            h->hpm[i].val = v;
    }
    if (!load)
        return;
    h->x[0] = 0;
    if (priv != RV_PRIV_U && priv != RV_PRIV_S && priv != RV_PRIV_M)
        state_fail(st, "hart: no such privilege mode");
    if (h->frm > 7 || h->fflags > 0x1f)
        state_fail(st, "hart: fflags or frm out of range");
    if (tselect >= RV_NTRIGGERS)
        state_fail(st, "hart: tselect out of range");
    if (h->pc & 1)
        state_fail(st, "hart: odd pc");
    h->lr_valid = false;
    if (lr_valid && !st->error) {
        uint8_t *p = bus_dma(h->bus, lr, 8);
        if (!p)
            state_fail(st, "hart: LR reservation outside RAM");
        else {
            h->lr_addr = (uintptr_t)p;
            h->lr_valid = true;
        }
    }
    if (st->error) {
        rv_hart_reset(h, 0);
        return;
    }
    h->priv = (enum rv_priv)priv;
    h->cycle_offset = (int64_t)co;
    h->instret_offset = (int64_t)io;
    h->stop = h->yield = h->trap_loop = false;
    h->slice_done = 0;
    if (ver < 2)
        rv_pmu_reset(h);
    rv_pmu_rearm(h); /* the counters count from here, wraps are deadlines again */
    /* triggers through their CSRs: WARL rules and what arming derives */
    rv_trigger_reset(h);
    for (unsigned i = 0; i < RV_NTRIGGERS; i++) {
        rv_trigger_csr_write(h, 0x7a0, i);
        rv_trigger_csr_write(h, 0x7a2, trig[i].tdata2);
        rv_trigger_csr_write(h, 0x7a1, trig[i].tdata1);
    }
    rv_trigger_csr_write(h, 0x7a0, tselect);
    /* derived state: regimes, TLBs, the jump cache, the interrupt check */
    rv_update_modes(h);
    rv_pmp_update(h);
    rv_tlb_flush(h);
    memset(h->jump_cache, 0, (sizeof *h->jump_cache) << RV_JC_BITS);
    rv_tcache_invalidate(h->tc);
    rv_update_irq(h);
}
