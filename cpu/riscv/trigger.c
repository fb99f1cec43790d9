/* cpu/riscv/trigger.c: debug triggers (Sdtrig) and a debugger's
 * breakpoints and watchpoints.
 *
 * The guest sees RV_NTRIGGERS triggers through tselect/tdata1/tdata2/
 * tdata3/tinfo: type 2 (mcontrol) and type 6 (mcontrol6) address triggers
 * on execute, load and store, exact match (match = 0) on the virtual
 * address, M/S/U mode bits, action 0 (breakpoint exception), timing
 * "before" (the instruction or access does not happen). A trigger with
 * action 0 does not fire in M-mode while mstatus.MIE is 0, so that an
 * M-mode trap handler cannot trigger itself (Sdtrig's option without
 * tcontrol). Fields rivet does not implement (select, timing, size, chain,
 * other match kinds and actions, dmode) read back as 0.
 *
 * A debugger (frontends/gdbstub.c) adds points shared by all harts:
 * breakpoints stop before the instruction, watchpoints after the access.
 *
 * Nothing here costs anything while nothing is armed. Execute points are
 * found when code is decoded: the op of a marked pc becomes RV_OP_DEBUG,
 * which calls rv_trigger_exec (arming flushes the decoded blocks). Data
 * points set hart->dbg_data: the pages they cover are kept out of the TLB
 * (arming flushes it), so accesses to them take the slow paths in mmu.c,
 * which call rv_trigger_data.
 */
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"

enum {
    CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1, CSR_TDATA2 = 0x7a2, CSR_TDATA3 = 0x7a3,
    CSR_TINFO = 0x7a4,
};

#define TYPE_SHIFT 60
#define TYPE_MCONTROL 2ull
#define TYPE_MCONTROL6 6ull
#define TYPE_DISABLED 15ull
#define T_LOAD (1ull << 0)
#define T_STORE (1ull << 1)
#define T_EXEC (1ull << 2)
#define T_U (1ull << 3)
#define T_S (1ull << 4)
#define T_M (1ull << 6)
#define T2_HIT (1ull << 20)
#define T6_HIT0 (1ull << 22)
#define T_KEEP (T_LOAD | T_STORE | T_EXEC | T_U | T_S | T_M)

static unsigned ttype(uint64_t tdata1)
{
    return (unsigned)(tdata1 >> TYPE_SHIFT);
}

static bool is_addr_trigger(uint64_t tdata1)
{
    unsigned t = ttype(tdata1);
    return t == TYPE_MCONTROL || t == TYPE_MCONTROL6;
}

void rv_trigger_reset(struct rv_hart *h)
{
    h->tselect = 0;
    for (unsigned i = 0; i < RV_NTRIGGERS; i++) {
        h->trig[i].tdata1 = TYPE_MCONTROL << TYPE_SHIFT;
        h->trig[i].tdata2 = 0;
    }
    h->dbg_step = h->dbg_suppress = h->dbg_skip = false;
    h->dbg_stop.hit = false;
    h->dbg_data = h->tc && h->tc->dbg_nwatch;
}

/* Does this trigger apply in the hart's current mode? */
static bool mode_ok(const struct rv_hart *h, uint64_t tdata1)
{
    if (h->priv == RV_PRIV_M && !(h->mstatus & MSTATUS_MIE))
        return false;
    return (tdata1 >> (h->priv == RV_PRIV_M ? 6 : 3 + h->priv)) & 1;
}

static void set_hit(struct rv_trigger *t)
{
    t->tdata1 |= ttype(t->tdata1) == TYPE_MCONTROL ? T2_HIT : T6_HIT0;
}

static bool hart_exec_at(const struct rv_hart *h, uint64_t pc)
{
    for (unsigned i = 0; i < RV_NTRIGGERS; i++)
        if (is_addr_trigger(h->trig[i].tdata1) && (h->trig[i].tdata1 & T_EXEC) && h->trig[i].tdata2 == pc)
            return true;
    return false;
}

static bool is_break(enum rv_dbg_type t)
{
    return t == RV_DBG_BREAK_SW || t == RV_DBG_BREAK_HW;
}

bool rv_trigger_exec_marked(const struct rv_tcache *tc, uint64_t pc)
{
    for (unsigned i = 0; i < tc->dbg_npoints; i++)
        if (is_break(tc->dbg_points[i].type) && tc->dbg_points[i].addr == pc)
            return true;
    for (unsigned i = 0; i < tc->nharts; i++)
        if (hart_exec_at(tc->harts[i], pc))
            return true;
    return false;
}

/* Recount what is armed after a change; drop decoded blocks when the set
 * of marked pcs may have changed and TLB entries when data points did. */
static void rearm(struct rv_tcache *tc, bool exec_changed, bool data_changed)
{
    unsigned exec = 0, nwatch = 0;
    for (unsigned i = 0; i < tc->dbg_npoints; i++) {
        if (is_break(tc->dbg_points[i].type))
            exec++;
        else
            nwatch++;
    }
    for (unsigned k = 0; k < tc->nharts; k++)
        for (unsigned i = 0; i < RV_NTRIGGERS; i++)
            if (is_addr_trigger(tc->harts[k]->trig[i].tdata1) && (tc->harts[k]->trig[i].tdata1 & T_EXEC))
                exec++;
    tc->dbg_exec = exec;
    tc->dbg_nwatch = nwatch;
    for (unsigned k = 0; k < tc->nharts; k++) {
        struct rv_hart *h = tc->harts[k];
        bool data = nwatch > 0;
        for (unsigned i = 0; i < RV_NTRIGGERS; i++)
            if (is_addr_trigger(h->trig[i].tdata1) && (h->trig[i].tdata1 & (T_LOAD | T_STORE)))
                data = true;
        h->dbg_data = data;
        if (data_changed)
            rv_tlb_flush(h);
    }
    if (exec_changed)
        rv_tcache_invalidate(tc);
}

int rv_trigger_csr_read(struct rv_hart *h, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_TSELECT: *v = h->tselect; return 0;
    case CSR_TDATA1: *v = h->trig[h->tselect].tdata1; return 0;
    case CSR_TDATA2: *v = h->trig[h->tselect].tdata2; return 0;
    case CSR_TDATA3: *v = 0; return 0;
    case CSR_TINFO:
        *v = (1ull << 24) | (1ull << TYPE_MCONTROL) | (1ull << TYPE_MCONTROL6) | (1ull << TYPE_DISABLED);
        return 0;
    }
    return -1;
}

/* The legal value of a tdata1 write (WARL). */
static uint64_t legal_tdata1(uint64_t v)
{
    uint64_t type = v >> TYPE_SHIFT;
    if (type == TYPE_MCONTROL)
        return (TYPE_MCONTROL << TYPE_SHIFT) | (v & (T_KEEP | T2_HIT));
    if (type == TYPE_MCONTROL6)
        return (TYPE_MCONTROL6 << TYPE_SHIFT) | (v & (T_KEEP | T6_HIT0));
    return TYPE_DISABLED << TYPE_SHIFT; /* 0 (none), 15 or unsupported types */
}

int rv_trigger_csr_write(struct rv_hart *h, unsigned csr, uint64_t v)
{
    struct rv_trigger *t = &h->trig[h->tselect];
    uint64_t old1 = t->tdata1, old2 = t->tdata2;
    switch (csr) {
    case CSR_TSELECT:
        if (v < RV_NTRIGGERS)
            h->tselect = (unsigned)v;
        return 0;
    case CSR_TDATA1: t->tdata1 = legal_tdata1(v); break;
    case CSR_TDATA2: t->tdata2 = v; break;
    case CSR_TDATA3: case CSR_TINFO: return 0;
    default: return -1;
    }
    bool was_exec = is_addr_trigger(old1) && (old1 & T_EXEC);
    bool is_exec = is_addr_trigger(t->tdata1) && (t->tdata1 & T_EXEC);
    bool was_data = is_addr_trigger(old1) && (old1 & (T_LOAD | T_STORE));
    bool is_data = is_addr_trigger(t->tdata1) && (t->tdata1 & (T_LOAD | T_STORE));
    bool exec_changed = (was_exec || is_exec) && (was_exec != is_exec || old2 != t->tdata2);
    bool data_changed = (was_data || is_data) && (was_data != is_data || old2 != t->tdata2 ||
                                                  ((old1 ^ t->tdata1) & T_KEEP));
    if (!exec_changed && !data_changed)
        return 0;
    rearm(h->tc, exec_changed, data_changed);
    return 1;
}

int rv_trigger_exec(struct rv_hart *h, uint64_t pc)
{
    struct rv_tcache *tc = h->tc;
    for (unsigned i = 0; i < tc->dbg_npoints; i++) {
        const struct rv_dbg_point *p = &tc->dbg_points[i];
        if (is_break(p->type) && p->addr == pc) {
            if (tc->dbg_log) {
                tc->dbg_log(tc->dbg_log_ctx, h, p->type, pc);
                break;
            }
            h->dbg_stop = (struct rv_dbg_stop){ true, p->type, pc };
            return 2;
        }
    }
    for (unsigned i = 0; i < RV_NTRIGGERS; i++) {
        struct rv_trigger *t = &h->trig[i];
        if (is_addr_trigger(t->tdata1) && (t->tdata1 & T_EXEC) && t->tdata2 == pc && mode_ok(h, t->tdata1)) {
            set_hit(t);
            return 1;
        }
    }
    h->dbg_skip = true;
    h->dbg_skip_pc = pc;
    return 0;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a - b < blen || b - a < alen;
}

int rv_trigger_data(struct rv_hart *h, uint64_t va, unsigned size, unsigned rw)
{
    uint64_t want = (rw & 1 ? T_LOAD : 0) | (rw & 2 ? T_STORE : 0);
    for (unsigned i = 0; i < RV_NTRIGGERS; i++) {
        struct rv_trigger *t = &h->trig[i];
        if (is_addr_trigger(t->tdata1) && (t->tdata1 & want) && t->tdata2 - va < size &&
            mode_ok(h, t->tdata1)) {
            set_hit(t);
            h->exc_cause = RV_EXC_BREAKPOINT;
            h->exc_tval = va;
            return 1;
        }
    }
    struct rv_tcache *tc = h->tc;
    if (h->dbg_suppress || !tc->dbg_nwatch)
        return 0;
    for (unsigned i = 0; i < tc->dbg_npoints; i++) {
        const struct rv_dbg_point *p = &tc->dbg_points[i];
        bool kind = p->type == RV_DBG_WATCH_RW || (p->type == RV_DBG_WATCH_W && (rw & 2)) ||
                    (p->type == RV_DBG_WATCH_R && (rw & 1));
        if (kind && overlap(va, size, p->addr, p->len)) {
            if (tc->dbg_log) {
                tc->dbg_log(tc->dbg_log_ctx, h, p->type, va > p->addr ? va : p->addr);
                return 0;
            }
            h->dbg_stop = (struct rv_dbg_stop){ true, p->type, va > p->addr ? va : p->addr };
            h->exc_cause = RV_EXC_DEBUGGER;
            h->exc_tval = va;
            return 1;
        }
    }
    return 0;
}

bool rv_trigger_page_watched(const struct rv_hart *h, uint64_t va)
{
    uint64_t page = va & ~0xfffull;
    for (unsigned i = 0; i < RV_NTRIGGERS; i++) {
        const struct rv_trigger *t = &h->trig[i];
        if (is_addr_trigger(t->tdata1) && (t->tdata1 & (T_LOAD | T_STORE)) && (t->tdata2 & ~0xfffull) == page)
            return true;
    }
    const struct rv_tcache *tc = h->tc;
    for (unsigned i = 0; i < tc->dbg_npoints; i++) {
        const struct rv_dbg_point *p = &tc->dbg_points[i];
        if (!is_break(p->type) && overlap(page, 0x1000, p->addr, p->len))
            return true;
    }
    return false;
}

int rv_dbg_insert(struct rv_tcache *tc, enum rv_dbg_type type, uint64_t addr, uint64_t len)
{
    if ((unsigned)type > RV_DBG_WATCH_RW || tc->dbg_npoints >= RV_DBG_MAX_POINTS)
        return -1;
    if (!is_break(type) && (len == 0 || len > 0x1000 || addr + len < addr))
        return -1;
    tc->dbg_points[tc->dbg_npoints++] = (struct rv_dbg_point){ type, addr, is_break(type) ? 1 : len };
    rearm(tc, is_break(type), !is_break(type));
    return 0;
}

int rv_dbg_remove(struct rv_tcache *tc, enum rv_dbg_type type, uint64_t addr, uint64_t len)
{
    for (unsigned i = 0; i < tc->dbg_npoints; i++) {
        struct rv_dbg_point *p = &tc->dbg_points[i];
        if (p->type == type && p->addr == addr && (is_break(type) || p->len == len)) {
            *p = tc->dbg_points[--tc->dbg_npoints];
            rearm(tc, is_break(type), !is_break(type));
            return 0;
        }
    }
    return -1;
}

void rv_dbg_remove_all(struct rv_tcache *tc)
{
    if (!tc->dbg_npoints)
        return;
    tc->dbg_npoints = 0;
    rearm(tc, true, true);
}

/* One instruction with interrupts held off. A watchpoint hit stops before
 * the access; finish it with watchpoints suppressed so that the stop is
 * reported after the access, as gdb expects. */
static void step_once(struct rv_hart *h)
{
    h->slice_done = 0;
    h->budget = h->limit = 1;
    h->cur_block = NULL;
    h->cur_op = NULL;
    h->irq_ready = false;
    h->dbg_step = true;
    rv_exec(h);
    h->dbg_step = false;
    h->icount += h->slice_done;
    h->slice_done = 0;
    h->cur_block = NULL;
    h->yield = false;
    rv_update_irq(h);
}

void rv_trigger_finish_watch(struct rv_hart *h)
{
    struct rv_dbg_stop st = h->dbg_stop;
    h->dbg_suppress = true;
    step_once(h);
    h->dbg_suppress = false;
    h->dbg_stop = st;
}

void rv_hart_step(struct rv_hart *h)
{
    h->dbg_stop.hit = false;
    h->wfi = false; /* a WFI may complete at any time */
    step_once(h);
    h->bus->epoch++;
    if (h->dbg_stop.hit && !is_break(h->dbg_stop.type))
        rv_trigger_finish_watch(h);
}

void rv_dbg_set_log(struct rv_tcache *tc, void (*log)(void *ctx, struct rv_hart *, enum rv_dbg_type, uint64_t addr),
                    void *ctx)
{
    tc->dbg_log = log;
    tc->dbg_log_ctx = ctx;
}

uint64_t rv_hart_run_exact(struct rv_hart *h, uint64_t n)
{
    uint64_t done = 0;
    unsigned still = 0; /* steps in a row that retired nothing (traps) */
    h->dbg_stop.hit = false;
    while (done < n && !h->stop && !h->trap_loop && still < 64) {
        if (h->wfi && rv_hart_idle(h))
            break;
        h->slice_done = done;
        h->budget = h->limit = done + 1;
        h->cur_block = NULL;
        h->cur_op = NULL;
        h->dbg_step = true; /* one instruction alone */
        h->dbg_exact = h->tc->dbg_log != NULL; /* points logged: look at them */
        rv_exec(h);
        h->dbg_step = h->dbg_exact = false;
        h->yield = false;
        still = h->slice_done == done ? still + 1 : 0;
        done = h->slice_done;
    }
    h->bus->epoch++;
    h->icount += done;
    h->slice_done = 0;
    h->cur_block = NULL;
    if (h->other_harts)
        h->lr_valid = false;
    return done;
}

bool rv_dbg_break_at(const struct rv_tcache *tc, uint64_t pc)
{
    for (unsigned i = 0; i < tc->dbg_npoints; i++)
        if (is_break(tc->dbg_points[i].type) && tc->dbg_points[i].addr == pc)
            return true;
    return false;
}
