/* cpu/riscv/tcache.h: the translation cache: decoded blocks, keyed by the
 * host address of their first instruction (that is, by physical address)
 * and their virtual pc (cpu/riscv internal). */
#ifndef RIVET_RV_TCACHE_H
#define RIVET_RV_TCACHE_H

#include <stdint.h>

#include "cpu/riscv/decode.h"
#include "cpu/riscv/ext.h"
#include "cpu/riscv/hart.h"

#define RV_BLOCK_MAX_INSNS 128
#define RV_JC_BITS 12

struct rv_block {
    uint64_t vpc;
    uintptr_t host;             /* host address of the first instruction */
    struct rv_block *hnext;     /* hash chain */
    struct rv_block *chain[2];  /* successors in the same page: [0] taken, [1] fall-through;
                                 * after an indirect jump, [0] is its last target (any page,
                                 * checked through the fetch TLB at each use; a dropped
                                 * block has host 0 and never matches) */
    struct rv_block *pnext;     /* the other live blocks of its RAM page */
    uint32_t n;                 /* guest instructions */
    uint32_t nops;              /* ops, including a final EXIT */
    uint16_t lo, hi;            /* bytes [lo, hi) of its page hold its code */
    struct rv_op ops[];
};

/* Decoded code of one page of main RAM: its live blocks, and which 64-byte
 * chunks of the page they cover. Valid only while the bus's code_pages flag
 * of the page is set (a full flush clears the flags, not these). */
struct rv_code_page {
    struct rv_block *blocks;
    uint64_t chunks;
};

struct rv_tcache {
    struct bus *bus;
    struct rv_code_page *pages; /* one per page of main RAM, NULL until code is seen */
    uint64_t npages;
    uint8_t *arena;
    size_t arena_size, arena_used;
    struct rv_block **hash;
    unsigned hash_bits;
    uint64_t gen;               /* bumped on every flush */
    bool flush_pending;
    struct rv_hart *harts[16];
    unsigned nharts;
    const void *const *labels;  /* op implementations in rv_exec */
    uint64_t flushes, blocks_built, blocks_dropped;
    uint64_t ext;               /* the extensions the harts offer (ext.h) */
    /* Debugger points (trigger.c); dbg_exec counts the pcs decoding must
     * mark (breakpoints, armed execute triggers of any hart). */
    struct rv_dbg_point dbg_points[RV_DBG_MAX_POINTS];
    unsigned dbg_npoints, dbg_nwatch, dbg_exec;
    /* rv_dbg_set_log: debugger points are logged, not stopped at */
    void (*dbg_log)(void *ctx, struct rv_hart *, enum rv_dbg_type, uint64_t addr);
    void *dbg_log_ctx;
};

/* Block for h->pc, decoding it when new. NULL when fetching raised an
 * exception (already delivered to the hart). */
struct rv_block *rv_block_get(struct rv_hart *);
/* Drop every decoded block (at the next dispatch of each hart). */
void rv_tcache_invalidate(struct rv_tcache *);
/* Guest RAM [pa, pa + len) is about to be written: drops the blocks whose
 * code overlaps it, at once (their memory stays valid until the next full
 * flush, so a block that drops itself finishes its current op). Returns
 * true when a block was dropped. A dropped block has host 0, so it matches
 * no lookup and gets no chain; a block pointer cached anywhere (jump cache,
 * an op) is only valid while its vpc and host match. */
bool rv_tcache_code_written(struct rv_tcache *, uint64_t pa, uint64_t len);
/* False when a write of len (1..8) bytes at RAM offset off, inside one page
 * the bus flags as holding code, cannot touch decoded code (it misses the
 * chunks): the store path's check before rv_tcache_code_written. */
static inline bool rv_tcache_may_hit(const struct rv_tcache *tc, uint64_t off, unsigned len)
{
    uint64_t pg = off >> 12;
    if (!tc->pages || pg >= tc->npages)
        return true;
    unsigned a = (unsigned)(off & 0xfff) >> 6, z = (unsigned)((off + len - 1) & 0xfff) >> 6;
    return (tc->pages[pg].chunks >> a & 1) || (tc->pages[pg].chunks >> z & 1);
}

/* The interpreter (exec.c); rv_exec(NULL) returns the op label table. */
const void *const *rv_exec(struct rv_hart *);

#endif
