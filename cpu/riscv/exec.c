/* cpu/riscv/exec.c: the interpreter.
 *
 * Threaded dispatch over pre-decoded blocks: each op ends with a jump to the
 * next op's label (computed goto). Blocks end at control transfers, system
 * instructions and page ends, and chain directly to successors in the same
 * page. Interrupts, timers and the slice budget are checked only between
 * blocks, through one compare (slice_done >= limit).
 */
#include <string.h>

#include "cpu/riscv/bitmanip.h"
#include "cpu/riscv/fpu.h"
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"
#include "cpu/riscv/trace.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* After this many identical traps in a row with no interrupt between them,
 * the hart is stuck (e.g. a trap vector that itself faults). */

const void *const *rv_exec(struct rv_hart *h)
{
#define RV_OP_LABEL(n) [RV_OP_##n] = &&L_##n,
#define RV_FUSED_LABEL(A, B) [RV_OP_##A##__##B] = &&L_##A##__##B,
    static const void *const labels[RV_OP_COUNT] = { RV_OPS(RV_OP_LABEL) RV_FUSED_OPS(RV_FUSED_LABEL) };
#undef RV_FUSED_LABEL
#undef RV_OP_LABEL
    if (!h)
        return labels;

    uint64_t *const x = h->x;
    struct rv_block *b, *prev = NULL;
    const struct rv_op *op;
    int prev_slot = 0;
    uint64_t done = 0; /* h->slice_done, kept in a register; synced before calls that may read it */

#define NEXT() do { op++; goto *op->impl; } while (0)
#define W(v) ((uint64_t)(int64_t)(int32_t)(uint32_t)(v))
    /* Leave the block at a control transfer; slot 0 = taken, 1 = fall-through. */
#define BLOCK_DONE(target, slot) do {                                   \
        done += b->n;                                                   \
        if (UNLIKELY(done >= h->limit)) {                               \
            h->pc = (target); h->slice_done = done; goto dispatch;      \
        }                                                               \
        struct rv_block *nb_ = b->chain[slot];                          \
        if (LIKELY(nb_ != NULL)) { b = nb_; op = b->ops; goto *op->impl; } \
        h->pc = (target);                                               \
        prev = b; prev_slot = (slot);                                   \
        goto lookup;                                                    \
    } while (0)
    /* An indirect jump: the block's chain[0] holds its last target
     * (prev_slot 2 in lookup), in any page, so it is checked through the
     * fetch TLB as the jump cache is; a dropped block has host 0. */
#define INDIRECT_DONE(target) do {                                      \
        uint64_t t2_ = (target);                                        \
        h->pc = t2_;                                                    \
        done += b->n;                                                   \
        if (UNLIKELY(done >= h->limit)) { h->slice_done = done; goto dispatch; } \
        struct rv_block *nb_ = b->chain[0];                             \
        if (LIKELY(nb_ != NULL) && nb_->vpc == t2_) {                   \
            const struct rv_tlb_entry *e_ =                             \
                &h->tlb[h->imode][RV_TLB_X][(t2_ >> 12) & (RV_TLB_SIZE - 1)]; \
            if (LIKELY(e_->tag == (t2_ & ~0xfffull) &&                  \
                       nb_->host == (uintptr_t)(t2_ + e_->addend))) {   \
                b = nb_; op = b->ops; goto *op->impl;                   \
            }                                                           \
        }                                                               \
        prev = b; prev_slot = 2;                                        \
        goto lookup;                                                    \
    } while (0)
    /* Before a call that may read the retired count (time, MMIO). */
#define SYNC() (h->slice_done = done, h->cur_block = b, h->cur_op = op)
    /* Leave after the current op (state changed under the block). */
#define EXIT_AFTER() do {                                               \
        h->pc = op->pc + op->len;                                       \
        h->slice_done = done + (uint64_t)(op - b->ops) + 1;             \
        goto dispatch;                                                  \
    } while (0)
#define RAISE(cause, tval) do {                                         \
        h->exc_cause = (cause); h->exc_tval = (tval); goto exception;   \
    } while (0)
#define ILLEGAL() RAISE(RV_EXC_ILLEGAL, op->insn)
    /* The data TLBs of the current regime: the regime only changes through
     * traps, xRET and CSR writes, which all return to the dispatcher. */
    const struct rv_tlb_entry *tlb_d[RV_TLB_KINDS] = { NULL, NULL, NULL };
#define TLB(kind, va) (&tlb_d[kind][((va) >> 12) & (RV_TLB_SIZE - 1)])
#define HIT(e, va, sz) (((va) & (~0xfffull | ((sz) - 1))) == (e)->tag)

#define LOAD_BODY(T, SZ) do {                                                \
        uint64_t va_ = x[op->rs1] + (uint64_t)op->imm;                  \
        const struct rv_tlb_entry *e_ = TLB(RV_TLB_R, va_);             \
        if (LIKELY(HIT(e_, va_, SZ))) {                                 \
            T v_; memcpy(&v_, (void *)(uintptr_t)(va_ + e_->addend), SZ); \
            x[op->rd] = (uint64_t)v_;                                   \
        } else {                                                        \
            uint64_t v_;                                                \
            SYNC();                                             \
            if (rv_load_slow(h, va_, SZ, &v_)) goto exception;          \
            x[op->rd] = (uint64_t)(T)v_;                                \
        }                                                               \
    } while (0)
#define LOAD(T, SZ) do { LOAD_BODY(T, SZ); NEXT(); } while (0)
#define STORE_BODY(T, SZ, VAL) do {                                      \
        uint64_t va_ = x[op->rs1] + (uint64_t)op->imm;                  \
        const struct rv_tlb_entry *e_ = TLB(RV_TLB_W, va_);             \
        uint64_t val_ = (VAL);                                          \
        if (LIKELY(HIT(e_, va_, SZ))) {                                 \
            T v_ = (T)val_;                                             \
            memcpy((void *)(uintptr_t)(va_ + e_->addend), &v_, SZ);     \
        } else {                                                        \
            SYNC();                                             \
            int r_ = rv_store_slow(h, va_, SZ, val_);                   \
            if (r_ == 1) goto exception;                                \
            if (r_ == 2) EXIT_AFTER();                                  \
        }                                                               \
    } while (0)
#define STORE_VAL(T, SZ, VAL) do { STORE_BODY(T, SZ, VAL); NEXT(); } while (0)
#define STORE(T, SZ) STORE_VAL(T, SZ, x[op->rs2])
#define FS_ON() (h->mstatus & MSTATUS_FS)
#define FS_DIRTY() (h->mstatus |= MSTATUS_FS)

dispatch:
    for (;;) {
        h->cur_block = NULL; /* slice_done is exact here: retired() must not add cur_op */
        if (UNLIKELY(h->stop || h->yield))
            return NULL;
        /* a counter wrapped just now (pmu.c): at the exact budget of
         * rv_hart_run, or (single steps, rv_hart_run_exact) at its deadline */
        if (UNLIKELY((h->budget_exact && h->slice_done >= h->budget) ||
                     h->pmu_deadline <= h->icount + h->slice_done))
            rv_pmu_slice(h);
        for (int guard = 0; h->irq_ready && guard < 8; guard++)
            rv_take_interrupt(h);
        h->limit = h->budget;
        if (h->slice_done >= h->budget)
            return NULL;
        if (UNLIKELY(h->budget_exact)) {
            /* no block may run past a counter's wrap: single instructions
             * from RV_BLOCK_MAX_INSNS before it */
            if (h->budget - h->slice_done <= RV_BLOCK_MAX_INSNS) {
                h->limit = 0;
                h->exact_step = true;
            } else {
                h->limit = h->budget - RV_BLOCK_MAX_INSNS;
            }
        }
        if (h->wfi) {
            if (!((h->mip_hw | h->mip_sw) & h->mie))
                return NULL;
            h->wfi = false;
        }
        if (UNLIKELY(h->same_trap_count > h->trap_loop_limit)) {
            h->trap_loop = true;
            h->stop = true;
            return NULL;
        }
        b = rv_block_get(h);
        if (b)
            break;
    }
    /* -d exec,cpu: every block comes back here (limit 0 ends it at its
     * first boundary), so nothing is added to the chained path. */
    if (UNLIKELY(trace_mask & (1u << TRACE_EXEC | 1u << TRACE_CPU))) {
        rv_trace_exec(h, b);
        h->limit = 0;
    }
    done = h->slice_done;
    tlb_d[RV_TLB_R] = h->tlb[h->dmode][RV_TLB_R];
    tlb_d[RV_TLB_W] = h->tlb[h->dmode][RV_TLB_W];
    op = b->ops;
    goto *op->impl;

lookup: {
        uint64_t gen = h->tc->gen;
        struct rv_block *nb;
        /* Fast path: fetch TLB hit and a jump-cache entry for this pc. */
        uint64_t pc = h->pc;
        const struct rv_tlb_entry *e = &h->tlb[h->imode][RV_TLB_X][(pc >> 12) & (RV_TLB_SIZE - 1)];
        nb = h->jump_cache[(pc >> 1) & ((1u << RV_JC_BITS) - 1)];
        if (LIKELY(e->tag == (pc & ~0xfffull) && h->tc_gen == gen && nb && nb->vpc == pc &&
                   nb->host == (uintptr_t)(pc + e->addend))) {
            /* found */
        } else {
            /* a fetch fault raised in there traps with the exact count
             * (pmu.c folds its counters at the privilege change) */
            h->slice_done = done;
            h->cur_block = NULL;
            nb = rv_block_get(h);
            if (!nb)
                goto dispatch;
        }
        if (prev && h->tc->gen == gen && nb->host && prev->host) {
            if (prev_slot == 2)
                prev->chain[0] = nb;
            else if (((prev->vpc ^ nb->vpc) >> 12) == 0)
                prev->chain[prev_slot] = nb;
        }
        b = nb;
        op = b->ops;
        goto *op->impl;
    }

exception:
    h->pc = op->pc;
    h->slice_done = done + (uint64_t)(op - b->ops);
    h->cur_block = NULL;
    rv_raise(h, h->exc_cause, h->exc_tval);
    goto dispatch;

#define BRANCH(cond) do {                                               \
        if (cond) BLOCK_DONE(op->pc + (uint64_t)op->imm, 0);            \
        else BLOCK_DONE(op->pc + op->len, 1);                           \
    } while (0)
    /* Bodies of the ops that take part in fused pairs (decode.h). */
#define B_AUIPC (x[op->rd] = op->pc + (uint64_t)op->imm)
#define B_BEQ   BRANCH(x[op->rs1] == x[op->rs2])
#define B_BNE   BRANCH(x[op->rs1] != x[op->rs2])
#define B_BLTU  BRANCH(x[op->rs1] < x[op->rs2])
#define B_JAL do {                                                      \
        x[op->rd] = op->pc + op->len;                                   \
        BLOCK_DONE(op->pc + (uint64_t)op->imm, 0);                      \
    } while (0)
#define B_JALR do {                                                     \
        uint64_t t_ = (x[op->rs1] + (uint64_t)op->imm) & ~1ull;         \
        x[op->rd] = op->pc + op->len;                                   \
        INDIRECT_DONE(t_);                                              \
    } while (0)
#define B_ADD   (x[op->rd] = x[op->rs1] + x[op->rs2])
#define B_ADDI  (x[op->rd] = x[op->rs1] + (uint64_t)op->imm)
#define B_SLLI  (x[op->rd] = x[op->rs1] << op->imm)
#define B_SRLI  (x[op->rd] = x[op->rs1] >> op->imm)
#define B_XOR   (x[op->rd] = x[op->rs1] ^ x[op->rs2])
#define B_ANDI  (x[op->rd] = x[op->rs1] & (uint64_t)op->imm)
#define B_ADDIW (x[op->rd] = W(x[op->rs1] + (uint64_t)op->imm))
#define B_SRLIW (x[op->rd] = W((uint32_t)x[op->rs1] >> op->imm))
#define B_LW    LOAD_BODY(int32_t, 4)
#define B_LD    LOAD_BODY(uint64_t, 8)
#define B_LBU   LOAD_BODY(uint8_t, 1)
#define B_SD    STORE_BODY(uint64_t, 8, x[op->rs2])
#define B_FLD do {                                                      \
        if (!FS_ON()) ILLEGAL();                                        \
        uint64_t va_ = x[op->rs1] + (uint64_t)op->imm;                  \
        const struct rv_tlb_entry *e_ = TLB(RV_TLB_R, va_);             \
        uint64_t v_;                                                    \
        if (LIKELY(HIT(e_, va_, 8))) {                                  \
            memcpy(&v_, (void *)(uintptr_t)(va_ + e_->addend), 8);      \
        } else {                                                        \
            SYNC();                                                     \
            if (rv_load_slow(h, va_, 8, &v_)) goto exception;           \
        }                                                               \
        h->f[op->rd] = v_;                                              \
        FS_DIRTY();                                                     \
    } while (0)
    /* A fused pair runs both bodies with no dispatch between them; op
     * moves to the second before its body, so a fault there is precise. */
#define RV_FUSED_LABEL_BODY(A, B) L_##A##__##B: B_##A; op++; B_##B; NEXT();
    RV_FUSED_OPS(RV_FUSED_LABEL_BODY)
#undef RV_FUSED_LABEL_BODY

L_ILLEGAL: ILLEGAL();
L_EXIT: BLOCK_DONE(op->pc, 1);
    /* A pc with a breakpoint or an execute trigger (trigger.c). */
L_DEBUG:
    SYNC();
    switch (rv_trigger_exec(h, op->pc)) {
    case 1: RAISE(RV_EXC_BREAKPOINT, op->pc);
    case 2: RAISE(RV_EXC_DEBUGGER, op->pc);
    default: /* not for this hart or mode: run the instruction alone */
        h->pc = op->pc;
        h->slice_done = done + (uint64_t)(op - b->ops);
        goto dispatch;
    }

L_LUI: x[op->rd] = (uint64_t)op->imm; NEXT();
L_AUIPC: B_AUIPC; NEXT();
L_JAL: B_JAL;
L_JALR: B_JALR;
L_BEQ: B_BEQ;
L_BNE: B_BNE;
L_BLT: BRANCH((int64_t)x[op->rs1] < (int64_t)x[op->rs2]);
L_BGE: BRANCH((int64_t)x[op->rs1] >= (int64_t)x[op->rs2]);
L_BLTU: B_BLTU;
L_BGEU: BRANCH(x[op->rs1] >= x[op->rs2]);

L_LB: LOAD(int8_t, 1);
L_LH: LOAD(int16_t, 2);
L_LW: LOAD(int32_t, 4);
L_LD: LOAD(uint64_t, 8);
L_LBU: LOAD(uint8_t, 1);
L_LHU: LOAD(uint16_t, 2);
L_LWU: LOAD(uint32_t, 4);
L_SB: STORE(uint8_t, 1);
L_SH: STORE(uint16_t, 2);
L_SW: STORE(uint32_t, 4);
L_SD: STORE(uint64_t, 8);

L_ADDI: x[op->rd] = x[op->rs1] + (uint64_t)op->imm; NEXT();
L_SLTI: x[op->rd] = (int64_t)x[op->rs1] < op->imm; NEXT();
L_SLTIU: x[op->rd] = x[op->rs1] < (uint64_t)op->imm; NEXT();
L_XORI: x[op->rd] = x[op->rs1] ^ (uint64_t)op->imm; NEXT();
L_ORI: x[op->rd] = x[op->rs1] | (uint64_t)op->imm; NEXT();
L_ANDI: x[op->rd] = x[op->rs1] & (uint64_t)op->imm; NEXT();
L_SLLI: x[op->rd] = x[op->rs1] << op->imm; NEXT();
L_SRLI: x[op->rd] = x[op->rs1] >> op->imm; NEXT();
L_SRAI: x[op->rd] = (uint64_t)((int64_t)x[op->rs1] >> op->imm); NEXT();
L_ADD: x[op->rd] = x[op->rs1] + x[op->rs2]; NEXT();
L_SUB: x[op->rd] = x[op->rs1] - x[op->rs2]; NEXT();
L_SLL: x[op->rd] = x[op->rs1] << (x[op->rs2] & 63); NEXT();
L_SLT: x[op->rd] = (int64_t)x[op->rs1] < (int64_t)x[op->rs2]; NEXT();
L_SLTU: x[op->rd] = x[op->rs1] < x[op->rs2]; NEXT();
L_XOR: x[op->rd] = x[op->rs1] ^ x[op->rs2]; NEXT();
L_SRL: x[op->rd] = x[op->rs1] >> (x[op->rs2] & 63); NEXT();
L_SRA: x[op->rd] = (uint64_t)((int64_t)x[op->rs1] >> (x[op->rs2] & 63)); NEXT();
L_OR: x[op->rd] = x[op->rs1] | x[op->rs2]; NEXT();
L_AND: x[op->rd] = x[op->rs1] & x[op->rs2]; NEXT();
L_ZB: x[op->rd] = rv_zb((unsigned)op->imm & 0xff, x[op->rs1], x[op->rs2]); NEXT();
L_ZBI: x[op->rd] = rv_zb((unsigned)op->imm & 0xff, x[op->rs1], (uint64_t)op->imm >> 8); NEXT();

L_ADDIW: x[op->rd] = W(x[op->rs1] + (uint64_t)op->imm); NEXT();
L_SLLIW: x[op->rd] = W((uint32_t)x[op->rs1] << op->imm); NEXT();
L_SRLIW: x[op->rd] = W((uint32_t)x[op->rs1] >> op->imm); NEXT();
L_SRAIW: x[op->rd] = W((int32_t)x[op->rs1] >> op->imm); NEXT();
L_ADDW: x[op->rd] = W(x[op->rs1] + x[op->rs2]); NEXT();
L_SUBW: x[op->rd] = W(x[op->rs1] - x[op->rs2]); NEXT();
L_SLLW: x[op->rd] = W((uint32_t)x[op->rs1] << (x[op->rs2] & 31)); NEXT();
L_SRLW: x[op->rd] = W((uint32_t)x[op->rs1] >> (x[op->rs2] & 31)); NEXT();
L_SRAW: x[op->rd] = W((int32_t)x[op->rs1] >> (x[op->rs2] & 31)); NEXT();

L_MUL: x[op->rd] = x[op->rs1] * x[op->rs2]; NEXT();
L_MULH:
    x[op->rd] = (uint64_t)(((__int128)(int64_t)x[op->rs1] * (__int128)(int64_t)x[op->rs2]) >> 64);
    NEXT();
L_MULHSU:
    x[op->rd] = (uint64_t)(((__int128)(int64_t)x[op->rs1] * (__int128)(unsigned __int128)x[op->rs2]) >> 64);
    NEXT();
L_MULHU:
    x[op->rd] = (uint64_t)(((unsigned __int128)x[op->rs1] * x[op->rs2]) >> 64);
    NEXT();
L_DIV: {
        int64_t a = (int64_t)x[op->rs1], d = (int64_t)x[op->rs2];
        x[op->rd] = d == 0 ? ~0ull : (a == INT64_MIN && d == -1) ? (uint64_t)a : (uint64_t)(a / d);
        NEXT();
    }
L_DIVU: {
        uint64_t a = x[op->rs1], d = x[op->rs2];
        x[op->rd] = d == 0 ? ~0ull : a / d;
        NEXT();
    }
L_REM: {
        int64_t a = (int64_t)x[op->rs1], d = (int64_t)x[op->rs2];
        x[op->rd] = d == 0 ? (uint64_t)a : (a == INT64_MIN && d == -1) ? 0 : (uint64_t)(a % d);
        NEXT();
    }
L_REMU: {
        uint64_t a = x[op->rs1], d = x[op->rs2];
        x[op->rd] = d == 0 ? a : a % d;
        NEXT();
    }
L_MULW: x[op->rd] = W((uint32_t)x[op->rs1] * (uint32_t)x[op->rs2]); NEXT();
L_DIVW: {
        int32_t a = (int32_t)x[op->rs1], d = (int32_t)x[op->rs2];
        x[op->rd] = d == 0 ? ~0ull : (a == INT32_MIN && d == -1) ? W(a) : W(a / d);
        NEXT();
    }
L_DIVUW: {
        uint32_t a = (uint32_t)x[op->rs1], d = (uint32_t)x[op->rs2];
        x[op->rd] = d == 0 ? ~0ull : W(a / d);
        NEXT();
    }
L_REMW: {
        int32_t a = (int32_t)x[op->rs1], d = (int32_t)x[op->rs2];
        x[op->rd] = d == 0 ? W(a) : (a == INT32_MIN && d == -1) ? 0 : W(a % d);
        NEXT();
    }
L_REMUW: {
        uint32_t a = (uint32_t)x[op->rs1], d = (uint32_t)x[op->rs2];
        x[op->rd] = d == 0 ? W(a) : W(a % d);
        NEXT();
    }

L_FENCE: NEXT();
    /* Spin-wait hints: with other harts to run, give them the rest of the
     * slice (the lock holder may be one of them). */
L_PAUSE:
    if (h->other_harts) {
        h->yield = true;
        EXIT_AFTER();
    }
    NEXT();
L_DIV_SPIN:
    x[op->rd] = ~0ull; /* division by zero */
    if (h->other_harts) {
        h->yield = true;
        EXIT_AFTER();
    }
    NEXT();
L_WRS: /* Zawrs: no wait; like pause, it gives the other harts the slice */
    if (op->imm && h->priv != RV_PRIV_M && (h->mstatus & MSTATUS_TW))
        ILLEGAL(); /* wrs.nto under TW: rivet's "bounded time" is zero (as QEMU) */
    if (h->other_harts) {
        h->yield = true;
        EXIT_AFTER();
    }
    NEXT();
L_CBO: {
        SYNC();
        int r_ = rv_cbo(h, (unsigned)op->imm, x[op->rs1]);
        if (r_ < 0) ILLEGAL();
        if (r_ == 1) goto exception;
        if (r_ == 2) EXIT_AFTER();
        NEXT();
    }
L_FENCE_I: EXIT_AFTER(); /* code writes are tracked; just re-dispatch */
L_ECALL:
    RAISE(h->priv == RV_PRIV_U ? RV_EXC_ECALL_U : h->priv == RV_PRIV_S ? RV_EXC_ECALL_S : RV_EXC_ECALL_M, 0);
L_EBREAK: RAISE(RV_EXC_BREAKPOINT, op->pc);
L_MRET:
    if (h->priv != RV_PRIV_M)
        ILLEGAL();
    h->slice_done = done + (uint64_t)(op - b->ops) + 1;
    h->cur_block = NULL;
    rv_mret(h);
    goto dispatch;
L_SRET:
    if (h->priv < RV_PRIV_S || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TSR)))
        ILLEGAL();
    h->slice_done = done + (uint64_t)(op - b->ops) + 1;
    h->cur_block = NULL;
    rv_sret(h);
    goto dispatch;
L_WFI:
    if (h->priv == RV_PRIV_U || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TW)))
        ILLEGAL();
    if (!((h->mip_hw | h->mip_sw) & h->mie))
        h->wfi = true;
    else if (h->other_harts)
        h->yield = true; /* a WFI that cannot wait is a spin loop: let others run */
    EXIT_AFTER();
    /* Svinval's sfence.w.inval / sfence.inval.ir: the invalidations they
     * order are done at once here, so only U-mode's illegal instruction is
     * left (mstatus.TVM does not apply to them). */
L_SFENCE_INVAL:
    if (h->priv == RV_PRIV_U)
        ILLEGAL();
    NEXT();
L_SFENCE_VMA:
    if (h->priv == RV_PRIV_U || (h->priv == RV_PRIV_S && (h->mstatus & MSTATUS_TVM)))
        ILLEGAL();
    if (op->rs1 == 0)
        rv_tlb_flush_translated(h);
    else
        rv_tlb_flush_page(h, x[op->rs1]);
    EXIT_AFTER();

#define CSR(kind, operand, writes) do {                                 \
        uint64_t old_;                                                  \
        SYNC();                                                 \
        int r_ = rv_csr_op(h, (unsigned)op->imm, kind, (operand), (writes), &old_); \
        if (r_ < 0) ILLEGAL();                                          \
        x[op->rd] = old_;                                               \
        if (r_ > 0) EXIT_AFTER();                                       \
        NEXT();                                                         \
    } while (0)
L_CSRRW: CSR(RV_CSR_RW, x[op->rs1], true);
L_CSRRS: CSR(RV_CSR_RS, x[op->rs1], op->rs1 != 0);
L_CSRRC: CSR(RV_CSR_RC, x[op->rs1], op->rs1 != 0);
L_CSRRWI: CSR(RV_CSR_RW, op->rs1, true);
L_CSRRSI: CSR(RV_CSR_RS, op->rs1, op->rs1 != 0);
L_CSRRCI: CSR(RV_CSR_RC, op->rs1, op->rs1 != 0);

    /* Atomics: the host pointer of the word is the reservation key. */
#define AMO_PTR(SZ, kind, is_lr, ptr) do {                              \
        uint64_t va_ = x[op->rs1];                                      \
        const struct rv_tlb_entry *e_ = TLB(kind, va_);                 \
        if (LIKELY(HIT(e_, va_, SZ))) {                                 \
            ptr = (void *)(uintptr_t)(va_ + e_->addend);                \
        } else {                                                        \
            uint64_t pa_;                                               \
            SYNC();                                             \
            if (rv_amo_addr(h, va_, SZ, is_lr, &ptr, &pa_)) goto exception; \
        }                                                               \
    } while (0)
L_LR_W: {
        void *p; int32_t v;
        AMO_PTR(4, RV_TLB_R, true, p);
        memcpy(&v, p, 4);
        h->lr_addr = (uintptr_t)p; h->lr_valid = true;
        x[op->rd] = (uint64_t)(int64_t)v;
        NEXT();
    }
L_LR_D: {
        void *p; uint64_t v;
        AMO_PTR(8, RV_TLB_R, true, p);
        memcpy(&v, p, 8);
        h->lr_addr = (uintptr_t)p; h->lr_valid = true;
        x[op->rd] = v;
        NEXT();
    }
L_SC_W: {
        void *p;
        AMO_PTR(4, RV_TLB_W, false, p);
        if (h->lr_valid && h->lr_addr == (uintptr_t)p) {
            uint32_t v = (uint32_t)x[op->rs2];
            memcpy(p, &v, 4);
            x[op->rd] = 0;
        } else {
            x[op->rd] = 1;
        }
        h->lr_valid = false;
        NEXT();
    }
L_SC_D: {
        void *p;
        AMO_PTR(8, RV_TLB_W, false, p);
        if (h->lr_valid && h->lr_addr == (uintptr_t)p) {
            memcpy(p, &x[op->rs2], 8);
            x[op->rd] = 0;
        } else {
            x[op->rd] = 1;
        }
        h->lr_valid = false;
        NEXT();
    }
L_AMO_W: {
        void *p; int32_t a, b2 = (int32_t)x[op->rs2], r;
        AMO_PTR(4, RV_TLB_W, false, p);
        memcpy(&a, p, 4);
        switch (op->imm) {
        case 0x01: r = b2; break;
        case 0x00: r = (int32_t)((uint32_t)a + (uint32_t)b2); break;
        case 0x04: r = a ^ b2; break;
        case 0x0c: r = a & b2; break;
        case 0x08: r = a | b2; break;
        case 0x10: r = a < b2 ? a : b2; break;
        case 0x14: r = a > b2 ? a : b2; break;
        case 0x18: r = (uint32_t)a < (uint32_t)b2 ? a : b2; break;
        default:   r = (uint32_t)a > (uint32_t)b2 ? a : b2; break;
        }
        memcpy(p, &r, 4);
        x[op->rd] = (uint64_t)(int64_t)a;
        NEXT();
    }
L_AMO_D: {
        void *p; uint64_t a, b2 = x[op->rs2], r;
        AMO_PTR(8, RV_TLB_W, false, p);
        memcpy(&a, p, 8);
        switch (op->imm) {
        case 0x01: r = b2; break;
        case 0x00: r = a + b2; break;
        case 0x04: r = a ^ b2; break;
        case 0x0c: r = a & b2; break;
        case 0x08: r = a | b2; break;
        case 0x10: r = (int64_t)a < (int64_t)b2 ? a : b2; break;
        case 0x14: r = (int64_t)a > (int64_t)b2 ? a : b2; break;
        case 0x18: r = a < b2 ? a : b2; break;
        default:   r = a > b2 ? a : b2; break;
        }
        memcpy(p, &r, 8);
        x[op->rd] = a;
        NEXT();
    }

L_FLW:
    if (!FS_ON()) ILLEGAL();
    {
        uint64_t va_ = x[op->rs1] + (uint64_t)op->imm;
        const struct rv_tlb_entry *e_ = TLB(RV_TLB_R, va_);
        uint32_t v;
        if (LIKELY(HIT(e_, va_, 4))) {
            memcpy(&v, (void *)(uintptr_t)(va_ + e_->addend), 4);
        } else {
            uint64_t t;
            SYNC();
            if (rv_load_slow(h, va_, 4, &t)) goto exception;
            v = (uint32_t)t;
        }
        h->f[op->rd] = 0xffffffff00000000ull | v;
        FS_DIRTY();
        NEXT();
    }
L_FLD: B_FLD; NEXT();
L_FSW:
    if (!FS_ON()) ILLEGAL();
    STORE_VAL(uint32_t, 4, h->f[op->rs2]);
L_FSD:
    if (!FS_ON()) ILLEGAL();
    STORE_VAL(uint64_t, 8, h->f[op->rs2]);
L_FP:
    if (!FS_ON()) ILLEGAL();
    if (rv_fpu_exec(x, h->f, &h->fflags, h->frm, op->insn) < 0)
        ILLEGAL();
    FS_DIRTY();
    NEXT();
    /* The hot arithmetic, without rv_fpu_exec's decoding (decode.c). */
#define FP_OWN(fn) do {                                                 \
        if (!FS_ON()) ILLEGAL();                                        \
        if (fn(h->f, &h->fflags, h->frm, op->insn) < 0) ILLEGAL();      \
        FS_DIRTY();                                                     \
        NEXT();                                                         \
    } while (0)
L_FARITH_S: FP_OWN(rv_fpu_arith_s);
L_FARITH_D: FP_OWN(rv_fpu_arith_d);
L_FMA_S: FP_OWN(rv_fpu_fma_s);
L_FMA_D: FP_OWN(rv_fpu_fma_d);
    /* Zfh/Zfhmin and Zfa (decoded only when the hart offers them) */
L_FLH:
    if (!FS_ON()) ILLEGAL();
    {
        uint64_t va_ = x[op->rs1] + (uint64_t)op->imm;
        const struct rv_tlb_entry *e_ = TLB(RV_TLB_R, va_);
        uint16_t v;
        if (LIKELY(HIT(e_, va_, 2))) {
            memcpy(&v, (void *)(uintptr_t)(va_ + e_->addend), 2);
        } else {
            uint64_t t;
            SYNC();
            if (rv_load_slow(h, va_, 2, &t)) goto exception;
            v = (uint16_t)t;
        }
        h->f[op->rd] = 0xffffffffffff0000ull | v;
        FS_DIRTY();
        NEXT();
    }
L_FSH:
    if (!FS_ON()) ILLEGAL();
    STORE_VAL(uint16_t, 2, h->f[op->rs2]);
L_FP_EXT:
    if (!FS_ON()) ILLEGAL();
    if (rv_fpu_exec_ext(x, h->f, &h->fflags, h->frm, op->insn) < 0)
        ILLEGAL();
    FS_DIRTY();
    NEXT();
}
