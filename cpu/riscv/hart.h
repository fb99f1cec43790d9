/* cpu/riscv/hart.h: one RV64GC hart and the translation cache it shares
 * with the other harts of a machine.
 *
 * The hart knows the bus (bus/) and nothing above it: time comes through a
 * callback, interrupts arrive as levels on its mip bits (rv_hart_set_irq,
 * usable as an irq_line sink), and the machine runs it in slices with
 * rv_hart_run().
 */
#ifndef RIVET_RV_HART_H
#define RIVET_RV_HART_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"

enum rv_priv { RV_PRIV_U = 0, RV_PRIV_S = 1, RV_PRIV_M = 3 };

/* Exception causes */
enum {
    RV_EXC_INSN_MISALIGNED = 0, RV_EXC_INSN_ACCESS = 1, RV_EXC_ILLEGAL = 2,
    RV_EXC_BREAKPOINT = 3, RV_EXC_LOAD_MISALIGNED = 4, RV_EXC_LOAD_ACCESS = 5,
    RV_EXC_STORE_MISALIGNED = 6, RV_EXC_STORE_ACCESS = 7, RV_EXC_ECALL_U = 8,
    RV_EXC_ECALL_S = 9, RV_EXC_ECALL_M = 11, RV_EXC_INSN_PAGE = 12,
    RV_EXC_LOAD_PAGE = 13, RV_EXC_STORE_PAGE = 15,
};
/* Interrupt numbers (mip/mie bits) */
enum { RV_IRQ_SSI = 1, RV_IRQ_MSI = 3, RV_IRQ_STI = 5, RV_IRQ_MTI = 7,
       RV_IRQ_SEI = 9, RV_IRQ_MEI = 11, RV_IRQ_LCOF = 13 };

#define RV_MIP_SSIP (1ull << RV_IRQ_SSI)
#define RV_MIP_MSIP (1ull << RV_IRQ_MSI)
#define RV_MIP_STIP (1ull << RV_IRQ_STI)
#define RV_MIP_MTIP (1ull << RV_IRQ_MTI)
#define RV_MIP_SEIP (1ull << RV_IRQ_SEI)
#define RV_MIP_MEIP (1ull << RV_IRQ_MEI)
#define RV_MIP_LCOFIP (1ull << RV_IRQ_LCOF) /* Sscofpmf: a counter overflowed */

/* mstatus bits */
#define MSTATUS_SIE  (1ull << 1)
#define MSTATUS_MIE  (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP  (1ull << 8)
#define MSTATUS_MPP  (3ull << 11)
#define MSTATUS_FS   (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM  (1ull << 18)
#define MSTATUS_MXR  (1ull << 19)
#define MSTATUS_TVM  (1ull << 20)
#define MSTATUS_TW   (1ull << 21)
#define MSTATUS_TSR  (1ull << 22)
#define MSTATUS_UXL  (3ull << 32)
#define MSTATUS_SXL  (3ull << 34)
#define MSTATUS_SD   (1ull << 63)

/* TLB: per access kind and per translation regime, direct-mapped on the
 * virtual page number. A hit is `host = vaddr + addend`. The tag is the page
 * address; comparing `vaddr & (~0xfff | (size-1))` with it checks the page and
 * the natural alignment in one compare. */
/* Traps at the same pc with the same cause before a hart counts as stuck
 * (trap_loop; traps retire nothing, so a slice's budget does not end such
 * a loop). The fuzz harness sets a smaller trap_loop_limit. */
#define RV_TRAP_LOOP_LIMIT 100000

/* PMP entries implemented (pmp.c); the CSRs of the others read 0. */
#define RV_PMP_ENTRIES 16
#define RV_PMP_MEMO_NONE 0xffu

/* Event counters implemented (pmu.c): mhpmcounter3 .. 3+RV_HPM_COUNTERS-1,
 * as QEMU 7.2's virt (pmu-num=16); the CSRs of the others read 0. */
#define RV_HPM_FIRST 3
#define RV_HPM_COUNTERS 16
struct rv_hpm {
    uint64_t event;          /* mhpmevent: OF, xINH bits, event selector */
    uint64_t val, base;      /* value = val + (retired - base) while it counts */
    uint64_t wrap_at;        /* retired count at which it wraps to 0, or UINT64_MAX */
};

#define RV_TLB_BITS 8
#define RV_TLB_SIZE (1u << RV_TLB_BITS)
enum { RV_TLB_R, RV_TLB_W, RV_TLB_X, RV_TLB_KINDS };
/* Regimes: U, S with SUM=0, S with SUM=1, M (physical). */
enum { RV_MODE_U, RV_MODE_S, RV_MODE_SSUM, RV_MODE_M, RV_MODES };

struct rv_tlb_entry {
    uint64_t tag;       /* page-aligned vaddr, or RV_TLB_INVALID */
    uintptr_t addend;   /* host address minus vaddr */
};
/* Never equal to a page address, nor to what the load/store hit test
 * compares with the tag (the page plus the access's alignment bits 0..2):
 * with a tag of 1, a misaligned access to virtual page 0 (va 1, 3, 5 ...)
 * "hit" an invalid entry and went to host address va + a stale addend. */
#define RV_TLB_INVALID 0x800ull
/* Or'ed into the tag of a write entry for a RAM page holding decoded code:
 * the hit test never matches it (stores go to rv_store_slow, which checks
 * them against the decoded code), but the slow path finds the translation
 * there instead of walking the page table again (mmu.c). */
#define RV_TLB_CODE 0x400ull

struct rv_block;
struct rv_imsic_ops;
struct rv_op;
struct rv_tcache;

/* Debug triggers (Sdtrig, trigger.c): the guest's, selected by tselect. */
#define RV_NTRIGGERS 4
struct rv_trigger {
    uint64_t tdata1, tdata2;
};

/* Breakpoints and watchpoints of a debugger (gdb's Z0-Z4), shared by the
 * harts of one translation cache (trigger.c). */
enum rv_dbg_type { RV_DBG_BREAK_SW, RV_DBG_BREAK_HW, RV_DBG_WATCH_W, RV_DBG_WATCH_R, RV_DBG_WATCH_RW };
#define RV_DBG_MAX_POINTS 64
struct rv_dbg_point {
    enum rv_dbg_type type;
    uint64_t addr, len;
};
/* Why a hart stopped for the debugger (valid when hit is set). */
struct rv_dbg_stop {
    bool hit;
    enum rv_dbg_type type;
    uint64_t addr;          /* the breakpoint's pc, or the watched address accessed */
};
/* Internal cause: a stop for the debugger, not a guest trap. */
#define RV_EXC_DEBUGGER 0x100

struct rv_hart {
    uint64_t x[33];          /* x[32] swallows writes to x0 */
    uint64_t pc;
    uint64_t f[32];
    uint32_t fflags, frm;

    enum rv_priv priv;
    unsigned dmode, imode;   /* TLB regime for data accesses / fetches */

    /* Execution control. slice_done counts instructions retired in this
     * slice; the interpreter leaves its blocks when slice_done >= limit.
     * limit is budget, or 0 to force a return to the dispatcher (pending
     * interrupt, stop request). */
    uint64_t slice_done, limit, budget;
    bool budget_exact;       /* the budget ends at a counter overflow (pmu.c): no block runs past it */
    bool exact_step;         /* near that end: blocks of one instruction */
    bool wfi;                /* waiting for an interrupt */
    bool stop;               /* leave rv_hart_run as soon as possible */
    bool yield;              /* end this slice at the next block boundary */
    bool other_harts;        /* others share the memory: a slice ends at spin-wait hints, and its
                              * end drops the LR reservation */
    bool irq_ready;          /* an interrupt can be taken now */
    struct rv_block *cur_block;
    const struct rv_op *cur_op;

    /* CSRs */
    uint64_t mstatus, misa, medeleg, mideleg, mie, mtvec, mscratch, mepc,
        mcause, mtval, mcounteren, menvcfg, mcountinhibit;
    uint64_t stvec, sscratch, sepc, scause, stval, satp, scounteren, senvcfg,
        stimecmp;
    uint64_t mip_hw;         /* levels driven by devices (MSIP MTIP MEIP SEIP) and Sstc STIP */
    uint64_t mip_sw;         /* software-writable bits: SSIP, STIP, SEIP */
    uint64_t mhartid;
    uint64_t icount;         /* instructions retired before this slice */
    int64_t cycle_offset, instret_offset;
    uint64_t mseccfg;        /* Zkr: SSEED, USEED */
    /* Event counters and Sscofpmf (pmu.c). hpm_run: counters counting now
     * (bit = counter number); pmu_deadline: the retired count of the next
     * wrap of one of them, or UINT64_MAX (nothing armed: no cost);
     * pmu_filter: a privilege change stops or starts one of them. */
    struct rv_hpm hpm[RV_HPM_COUNTERS];
    uint32_t hpm_run;
    bool pmu_filter;
    uint64_t pmu_deadline, budget_full;
    uint64_t miselect, siselect; /* Smaia/Ssaia (aia.c) */
    const struct rv_imsic_ops *imsic; /* the hart's IMSIC files, or NULL (aia.h) */
    void *imsic_ctx;
    uint8_t pmpcfg[64];      /* entries RV_PMP_ENTRIES.. stay 0 (pmp.c) */
    uint64_t pmpaddr[64];
    /* Derived from pmpcfg/pmpaddr by rv_pmp_update (pmp.c) after each
     * change: the active entries in priority order, inclusive ranges. */
    struct rv_pmp_rule {
        uint64_t lo, last;
        uint8_t cfg;
    } pmp_rule[RV_PMP_ENTRIES];
    unsigned pmp_nrules;
    bool pmp_locked;         /* an entry has L: M-mode is checked too */
    struct rv_pmp_memo {     /* per access kind: accesses inside [lo, last] by priv pass */
        uint64_t lo, last;
        unsigned priv;       /* RV_PMP_MEMO_NONE: empty */
    } pmp_memo[3][2];        /* [kind][priv & 1] */

    /* LR/SC reservation (the host address of the word), dropped at a trap
     * and, with other_harts, at every slice end: another hart may store to
     * it before our SC. */
    uint64_t lr_addr;
    bool lr_valid;

    /* Time: ticks of the machine's mtime clock. */
    uint64_t (*time)(void *ctx);
    void *time_ctx;
    uint64_t timebase_hz;

    /* Zkr's seed CSR: 16 bits of host entropy, false when none now. NULL:
     * the host's getrandom. (The board sets it to log and replay them.) */
    bool (*entropy)(void *ctx, uint16_t *out);
    void *entropy_ctx;

    /* Trap reported by a slow path to the interpreter. */
    uint64_t exc_cause, exc_tval;

    struct bus *bus;
    struct rv_tcache *tc;
    uint64_t tc_gen;         /* tc generation jump_cache belongs to */
    struct rv_block **jump_cache;

    /* Trap loop detection: consecutive traps at the same pc and cause. */
    uint64_t last_trap_pc, last_trap_cause;
    uint64_t same_trap_count;
    uint64_t trap_loop_limit; /* more repeats than this: a trap loop (RV_TRAP_LOOP_LIMIT) */
    bool trap_loop;          /* stopped: the same trap repeated endlessly */
    struct rv_block *scratch_block; /* for an instruction that crosses a page */
    bool tlb_big;            /* the TLB may hold pieces of a superpage or NAPOT page (mmu.c) */
    uint64_t big_lo, big_hi; /* ... inside these virtual addresses (inclusive) */
    bool fetch_split;        /* rv_fetch_page: PMP treats parts of the page differently (not in the TLB) */

    /* Debug triggers and the debugger (trigger.c). dbg_data: loads and
     * stores must check (a data trigger or watchpoint is armed), so watched
     * pages stay out of the TLB and accesses take the slow paths. */
    unsigned tselect;
    struct rv_trigger trig[RV_NTRIGGERS];
    bool dbg_data;
    bool dbg_step;           /* rv_hart_step: one instruction */
    bool dbg_exact;          /* rv_hart_run_exact: its single steps check points */
    bool dbg_suppress;       /* finishing an access a watchpoint stopped */
    bool dbg_skip;           /* run the instruction at dbg_skip_pc alone, unchecked */
    uint64_t dbg_skip_pc;
    struct rv_dbg_stop dbg_stop;

    struct rv_tlb_entry tlb[RV_MODES][RV_TLB_KINDS][RV_TLB_SIZE];
};

/* The ISA string of what the hart offers comes from the extension mask
 * (ext.h: rv_ext_isa_string); the mask lives in the translation cache. */

/* The translation cache shared by the harts of one machine. */
struct rv_tcache *rv_tcache_new(struct bus *);
void rv_tcache_free(struct rv_tcache *);
/* Blocks decoded and whole-cache flushes (code writes) so far. */
void rv_tcache_stats(const struct rv_tcache *, uint64_t *blocks, uint64_t *flushes);
/* The ISA extensions the machine's harts offer (ext.h mask; default
 * rv_ext_default()). Set before the harts run: it changes decoding. */
uint64_t rv_tcache_ext(const struct rv_tcache *);
void rv_tcache_set_ext(struct rv_tcache *, uint64_t ext);
/* Register a hart so code writes flush its TLB write entries. */
void rv_tcache_add_hart(struct rv_tcache *, struct rv_hart *);

int rv_hart_init(struct rv_hart *, struct bus *, struct rv_tcache *, uint64_t hartid);
void rv_hart_destroy(struct rv_hart *);
/* Reset state: M-mode at pc, a0/a1 given. */
void rv_hart_reset(struct rv_hart *, uint64_t pc);

/* Run up to `budget` instructions. Returns the number retired. Returns early
 * when the hart waits in WFI or rv_hart_request_stop() was called. */
uint64_t rv_hart_run(struct rv_hart *, uint64_t budget);
void rv_hart_request_stop(struct rv_hart *);
/* End the current slice early (at the next block boundary), e.g. after
 * sending an IPI, so that the other harts get to answer it. */
void rv_hart_yield(struct rv_hart *);

/* Instructions retired so far in the current slice (exact mid-block). */
uint64_t rv_hart_progress(const struct rv_hart *);

/* Debugger interface (trigger.c). Points apply to every hart of the
 * cache; inserting or removing one drops decoded blocks and TLBs so that
 * the checked slow paths are taken (no cost while none is armed).
 * Breakpoints stop before the instruction, watchpoints after the access;
 * the hart returns from rv_hart_run with dbg_stop.hit set. */
int rv_dbg_insert(struct rv_tcache *, enum rv_dbg_type, uint64_t addr, uint64_t len); /* 0, -1: full or bad */
int rv_dbg_remove(struct rv_tcache *, enum rv_dbg_type, uint64_t addr, uint64_t len); /* 0, -1: none such */
void rv_dbg_remove_all(struct rv_tcache *);
/* Execute one instruction (interrupts not taken, breakpoints at the pc
 * ignored), as gdb's stepi. */
void rv_hart_step(struct rv_hart *);
/* Reverse execution (machine/reverse.h). rv_dbg_set_log: while log is
 * set, a debugger point that would stop a hart calls it instead (the hart
 * goes on: a breakpoint before the instruction, a watchpoint at the access,
 * addr the pc or the data address); NULL: stop again. rv_hart_run_exact:
 * a slice of exactly n instructions (fewer only when the hart waits in
 * WFI or stops), one instruction per block, interrupts taken between any
 * two of them, debugger points ignored: the instructions a slice with that
 * budget runs, cut exactly. */
void rv_dbg_set_log(struct rv_tcache *, void (*log)(void *ctx, struct rv_hart *, enum rv_dbg_type, uint64_t addr),
                    void *ctx);
uint64_t rv_hart_run_exact(struct rv_hart *, uint64_t n);
/* Is there a debugger breakpoint at pc? */
bool rv_dbg_break_at(const struct rv_tcache *, uint64_t pc);
/* Side-effect-free translation for a debugger's memory access as the hart
 * sees it (no A/D updates, no permission checks). 0 or -1. */
int rv_dbg_translate(struct rv_hart *, uint64_t va, uint64_t *pa);
/* Any CSR as M-mode would see it: 0, or -1 when it does not exist. */
int rv_csr_debug(struct rv_hart *, unsigned csr, bool write, uint64_t *val);
/* Set the privilege mode (a debugger's write of $priv). */
void rv_hart_set_priv(struct rv_hart *, enum rv_priv);

/* irq_line sink: n is the mip bit number (RV_IRQ_*). */
void rv_hart_set_irq(void *hart, unsigned n, bool level);

/* Sstc: re-evaluate STIP against the current time. */
void rv_hart_update_timer(struct rv_hart *);
/* Earliest time (ticks) at which this hart's own timer (stimecmp) fires,
 * or UINT64_MAX. */
uint64_t rv_hart_next_deadline(const struct rv_hart *);

/* True when the hart is in WFI with nothing pending. */
bool rv_hart_idle(const struct rv_hart *);

/* Up to len bytes of code at virtual address va, as the hart would fetch
 * them in its current mode, for reports (trap loop, tracing): raises
 * nothing, fills no TLB. Returns the bytes read; fewer (0) where va does
 * not translate to RAM. */
size_t rv_hart_peek_code(struct rv_hart *, uint64_t va, uint8_t *buf, size_t len);

/* For the interpreter and its helpers (cpu/riscv internal). */
void rv_update_irq(struct rv_hart *);
/* pmu.c: event counters (mhpmcounter/mhpmevent), Sscofpmf's overflow. */
void rv_pmu_reset(struct rv_hart *);
bool rv_pmu_csr(unsigned csr);                     /* one of pmu.c's CSRs */
int rv_pmu_csr_read(struct rv_hart *, unsigned csr, uint64_t *v);   /* 0, -1 */
int rv_pmu_csr_write(struct rv_hart *, unsigned csr, uint64_t v);   /* 0, 1 (end block) */
void rv_pmu_set_priv(struct rv_hart *, enum rv_priv); /* h->priv = p, counters follow */
void rv_pmu_slice(struct rv_hart *);               /* a slice starts or reached its exact budget */
void rv_pmu_rearm(struct rv_hart *);               /* after a load of the state */
/* csrw mip: the software-writable bits (csr.c; Smaia's mvip too). */
void rv_write_mip(struct rv_hart *, uint64_t v);
void rv_update_modes(struct rv_hart *);
void rv_tlb_flush(struct rv_hart *);
void rv_tlb_flush_translated(struct rv_hart *);
void rv_tlb_flush_page(struct rv_hart *, uint64_t vaddr);
void rv_raise(struct rv_hart *, uint64_t cause, uint64_t tval); /* h->pc = faulting pc */
bool rv_take_interrupt(struct rv_hart *);
void rv_mret(struct rv_hart *);
void rv_sret(struct rv_hart *);
uint64_t rv_read_mstatus(const struct rv_hart *);

/* CSR access: returns 0, -1 (illegal), or 1 (written and state changed
 * enough that the current block must end). */
int rv_csr_op(struct rv_hart *, unsigned csr, int op, uint64_t operand, bool write, uint64_t *old);
enum { RV_CSR_RW, RV_CSR_RS, RV_CSR_RC };

/* trigger.c, for the interpreter and its helpers. */
void rv_trigger_reset(struct rv_hart *);
int rv_trigger_csr_read(struct rv_hart *, unsigned csr, uint64_t *v);  /* 0, -1 */
int rv_trigger_csr_write(struct rv_hart *, unsigned csr, uint64_t v); /* 0, 1 (end block), -1 */
/* A marked pc is reached: 0 = no hit here (the hart runs the instruction
 * unchecked next), 1 = guest breakpoint exception, 2 = debugger stop. */
int rv_trigger_exec(struct rv_hart *, uint64_t pc);
/* A load (rw 1), store (2) or AMO (3) in a slow path while dbg_data: 0, or
 * 1 with exc_cause/exc_tval set (breakpoint, or RV_EXC_DEBUGGER). */
int rv_trigger_data(struct rv_hart *, uint64_t va, unsigned size, unsigned rw);
/* Does a trigger or watchpoint cover this virtual page (keep it out of the TLB)? */
bool rv_trigger_page_watched(const struct rv_hart *, uint64_t va);
/* Must decoding mark this pc (a breakpoint or an execute trigger)? */
bool rv_trigger_exec_marked(const struct rv_tcache *, uint64_t pc);
/* After a watchpoint stopped the hart before an access: perform it. */
void rv_trigger_finish_watch(struct rv_hart *);

#endif
