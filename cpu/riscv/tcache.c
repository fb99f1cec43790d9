/* cpu/riscv/tcache.c: decoded blocks, their lookup, and invalidation when
 * guest code is written.
 *
 * Every block lies inside one page. Blocks in main RAM are listed per page
 * (struct rv_code_page) with the 64-byte chunks their code covers, and the
 * page is flagged in the bus's code_pages. Flagged pages are never in a
 * hart's write TLB, so every write to them takes the slow path and is seen
 * here: a write that misses the chunks costs only that slow path; one that
 * hits them drops exactly the blocks whose bytes it overlaps (unhashed,
 * unchained, host 0), and the page loses its flag when no block is left.
 * Dropped blocks' memory is reused only by a full flush (arena full, new
 * extensions, debugger points, a state load), which happens at the next
 * dispatch, so a block never frees itself while it runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"
#include "cpu/riscv/trace.h"

#define ARENA_SIZE (64u << 20)
#define HASH_BITS 16

uint64_t rv_tcache_ext(const struct rv_tcache *tc) { return tc->ext; }

void rv_tcache_set_ext(struct rv_tcache *tc, uint64_t ext)
{
    tc->ext = ext;
    rv_tcache_invalidate(tc);
}

struct rv_tcache *rv_tcache_new(struct bus *bus)
{
    struct rv_tcache *tc = calloc(1, sizeof *tc);
    if (!tc)
        return NULL;
    tc->bus = bus;
    tc->arena_size = ARENA_SIZE;
    /* Mapped, not malloc'ed: pages are only backed once blocks use them,
     * and a machine built per fuzz input does not pay for poisoning 64 MiB
     * of sanitizer shadow each time. */
    tc->arena = mmap(NULL, tc->arena_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (tc->arena == MAP_FAILED)
        tc->arena = NULL;
    tc->hash_bits = HASH_BITS;
    tc->hash = calloc(1u << HASH_BITS, sizeof *tc->hash);
    if (!tc->arena || !tc->hash) {
        rv_tcache_free(tc);
        return NULL;
    }
    tc->labels = rv_exec(NULL);
    tc->ext = rv_ext_default();
    bus->code_write = (bus_write_hook)NULL;
    return tc;
}

void rv_tcache_free(struct rv_tcache *tc)
{
    if (!tc)
        return;
    if (tc->arena)
        munmap(tc->arena, tc->arena_size);
    free(tc->hash);
    free(tc->pages);
    free(tc);
}

void rv_tcache_stats(const struct rv_tcache *tc, uint64_t *blocks, uint64_t *flushes)
{
    *blocks = tc->blocks_built;
    *flushes = tc->flushes;
}

static void dma_code_write(void *ctx, uint64_t gpa, uint64_t len)
{
    rv_tcache_code_written(ctx, gpa, len);
}

/* A dirty-page consumer collected (bus_dirty_next): every hart's next
 * store to a page refills its write translation, which marks the page. */
static void write_protect(void *ctx)
{
    struct rv_tcache *tc = ctx;
    for (unsigned i = 0; i < tc->nharts; i++)
        rv_tlb_flush_writes(tc->harts[i]);
}

void rv_tcache_add_hart(struct rv_tcache *tc, struct rv_hart *h)
{
    if (tc->nharts < sizeof tc->harts / sizeof tc->harts[0])
        tc->harts[tc->nharts++] = h;
    tc->bus->code_write = dma_code_write;
    tc->bus->code_write_ctx = tc;
    tc->bus->wprotect = write_protect;
    tc->bus->wprotect_ctx = tc;
}

static void request_flush(struct rv_tcache *tc)
{
    if (tc->flush_pending)
        return;
    tc->flush_pending = true;
    for (unsigned i = 0; i < tc->nharts; i++)
        tc->harts[i]->limit = 0; /* leave stale blocks at the next boundary */
}

void rv_tcache_invalidate(struct rv_tcache *tc)
{
    request_flush(tc);
}

/* The 64-byte chunks of a page that bytes [lo, hi) touch (lo < hi <= 4096). */
static uint64_t chunks_of(unsigned lo, unsigned hi)
{
    unsigned a = lo >> 6, z = (hi - 1) >> 6;
    uint64_t upto = z == 63 ? ~0ull : (2ull << z) - 1;
    return upto & ~((1ull << a) - 1);
}

static unsigned hash_of(const struct rv_tcache *tc, uintptr_t host, uint64_t vpc);

static void unhash(struct rv_tcache *tc, struct rv_block *b)
{
    struct rv_block **pp = &tc->hash[hash_of(tc, b->host, b->vpc)];
    while (*pp && *pp != b)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = b->hnext;
}

/* Drops the blocks of RAM page pg whose code overlaps bytes [lo, hi). */
static bool drop_in_page(struct rv_tcache *tc, uint64_t pg, unsigned lo, unsigned hi)
{
    struct rv_code_page *p = &tc->pages[pg];
    if (!(p->chunks & chunks_of(lo, hi)))
        return false;
    uint64_t chunks = 0;
    bool dropped = false;
    struct rv_block **pp = &p->blocks, *b;
    while ((b = *pp) != NULL) {
        if (b->lo < hi && lo < b->hi) {
            *pp = b->pnext;
            unhash(tc, b);
            b->host = 0;
            b->chain[0] = b->chain[1] = NULL;
            b->pnext = NULL;
            tc->blocks_dropped++;
            dropped = true;
        } else {
            chunks |= chunks_of(b->lo, b->hi);
            pp = &b->pnext;
        }
    }
    if (!dropped)
        return false;
    /* Chains stay inside a page: only the page's own blocks can lead to
     * the dropped ones. */
    for (b = p->blocks; b; b = b->pnext)
        for (int i = 0; i < 2; i++)
            if (b->chain[i] && !b->chain[i]->host)
                b->chain[i] = NULL;
    p->chunks = chunks;
    if (!chunks)
        tc->bus->code_pages[pg] = 0; /* writes may use the write TLB again */
    return true;
}

bool rv_tcache_code_written(struct rv_tcache *tc, uint64_t pa, uint64_t len)
{
    struct bus *bus = tc->bus;
    if (!bus->code_pages || len == 0 || pa - bus->ram_base >= bus->ram_size)
        return false;
    if (!tc->pages) { /* could not track pages: drop everything */
        request_flush(tc);
        return true;
    }
    uint64_t off = pa - bus->ram_base;
    uint64_t end = len > bus->ram_size - off ? bus->ram_size : off + len;
    bool dropped = false;
    while (off < end) {
        uint64_t pg = off >> BUS_PAGE_SHIFT;
        uint64_t page_end = (pg + 1) << BUS_PAGE_SHIFT;
        uint64_t stop = end < page_end ? end : page_end;
        if (bus->code_pages[pg] && pg < tc->npages &&
            drop_in_page(tc, pg, (unsigned)(off & (BUS_PAGE_SIZE - 1)), (unsigned)(stop - (pg << BUS_PAGE_SHIFT))))
            dropped = true;
        off = stop;
    }
    return dropped;
}

static void flush(struct rv_tcache *tc)
{
    tc->arena_used = 0;
    memset(tc->hash, 0, sizeof *tc->hash << tc->hash_bits);
    if (tc->bus->code_pages)
        memset(tc->bus->code_pages, 0, (tc->bus->ram_size + BUS_PAGE_SIZE - 1) >> BUS_PAGE_SHIFT);
    tc->gen++;
    tc->flushes++;
    tc->flush_pending = false;
}

static unsigned hash_of(const struct rv_tcache *tc, uintptr_t host, uint64_t vpc)
{
    uint64_t k = (uint64_t)host ^ (vpc << 7);
    k *= 0x9e3779b97f4a7c15ull;
    return (unsigned)(k >> (64 - tc->hash_bits));
}

/* Physical address of host memory in main RAM, or UINT64_MAX. */
static uint64_t host_to_pa(const struct bus *bus, uintptr_t host)
{
    uintptr_t base = (uintptr_t)bus->ram;
    if (bus->ram && host >= base && host - base < bus->ram_size)
        return bus->ram_base + (host - base);
    return UINT64_MAX;
}

/* Lists a new block of main RAM with its page and flags the page, taking
 * it out of every hart's write TLB. */
static void track_block(struct rv_tcache *tc, struct rv_block *b, unsigned len)
{
    struct bus *bus = tc->bus;
    uint64_t pa = host_to_pa(bus, b->host);
    if (pa == UINT64_MAX || !bus->code_pages)
        return;
    uint64_t pg = (pa - bus->ram_base) >> BUS_PAGE_SHIFT;
    if (!tc->pages) {
        uint64_t n = (bus->ram_size + BUS_PAGE_SIZE - 1) >> BUS_PAGE_SHIFT;
        tc->pages = calloc(n, sizeof *tc->pages); /* NULL: every code write drops everything */
        tc->npages = tc->pages ? n : 0;
    }
    b->lo = (uint16_t)(pa & (BUS_PAGE_SIZE - 1));
    b->hi = (uint16_t)(b->lo + len);
    uint8_t *flag = &bus->code_pages[pg];
    if (pg < tc->npages) {
        struct rv_code_page *p = &tc->pages[pg];
        if (!*flag) { /* the entry is stale: from before the last flush, or emptied */
            p->blocks = NULL;
            p->chunks = 0;
        }
        b->pnext = p->blocks;
        p->blocks = b;
        p->chunks |= chunks_of(b->lo, b->hi);
    }
    if (*flag)
        return;
    *flag = 1;
    for (unsigned i = 0; i < tc->nharts; i++)
        rv_tlb_flush_writes(tc->harts[i]);
}

static void finish_op(struct rv_tcache *tc, struct rv_op *op, enum rv_op_kind k)
{
    op->impl = tc->labels[k];
}

/* One instruction alone in the hart's scratch block, never cached: an
 * instruction that straddles two pages, a debugger's single step, the
 * instruction at a marked pc that did not stop (unchecked), or one in a page
 * that PMP cuts (`split`: its second half is fetched, so checked, apart). */
static struct rv_block *single_block(struct rv_hart *h, const uint8_t *host, bool check, bool split)
{
    uint16_t lo, hi = 0;
    memcpy(&lo, host, 2);
    if ((lo & 3) == 3) {
        if ((h->pc & 0xfff) == 0xffe || split) {
            uint8_t *host2;
            uint64_t pa2;
            if (rv_fetch_page(h, h->pc + 2, &host2, &pa2)) {
                rv_raise(h, h->exc_cause, h->exc_tval);
                return NULL;
            }
            memcpy(&hi, host2, 2);
        } else {
            memcpy(&hi, host + 2, 2);
        }
    }
    if (TRACE_ON(TRACE_IN_ASM)) {
        uint8_t code[4] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)hi, (uint8_t)(hi >> 8) };
        rv_trace_in_asm(h, h->pc, code, (lo & 3) == 3 ? 4 : 2);
    }
    struct rv_block *b = h->scratch_block;
    memset(b, 0, sizeof *b + 2 * sizeof(struct rv_op));
    b->vpc = h->pc;
    b->host = 0;
    enum rv_op_kind k = rv_decode((uint32_t)hi << 16 | lo, h->pc, h->tc->ext, &b->ops[0]);
    finish_op(h->tc, &b->ops[0], k);
    if (check && h->tc->dbg_exec && rv_trigger_exec_marked(h->tc, h->pc))
        finish_op(h->tc, &b->ops[0], RV_OP_DEBUG);
    b->n = 1;
    b->nops = 1;
    if (!rv_op_ends_block(k)) {
        b->ops[1].pc = h->pc + b->ops[0].len;
        finish_op(h->tc, &b->ops[1], RV_OP_EXIT);
        b->nops = 2;
    }
    return b;
}

static struct rv_block *build(struct rv_hart *h, const uint8_t *host)
{
    struct rv_tcache *tc = h->tc;
    size_t max_size = sizeof(struct rv_block) + (RV_BLOCK_MAX_INSNS + 1) * sizeof(struct rv_op);
    if (tc->arena_used + max_size > tc->arena_size)
        flush(tc);
    struct rv_block *b = (struct rv_block *)(tc->arena + tc->arena_used);
    memset(b, 0, sizeof *b);
    b->vpc = h->pc;
    b->host = (uintptr_t)host;
    uint64_t pc = h->pc;
    unsigned off = pc & 0xfff;
    unsigned n = 0;
    bool ended = false;
    enum rv_op_kind kinds[RV_BLOCK_MAX_INSNS];
    while (n < RV_BLOCK_MAX_INSNS) {
        if (off + 2 > 4096)
            break;
        uint16_t lo;
        memcpy(&lo, (const uint8_t *)b->host + (pc - h->pc), 2);
        uint32_t raw = lo;
        if ((lo & 3) == 3) {
            if (off + 4 > 4096)
                break; /* crosses the page: the next block starts with it */
            uint16_t hi;
            memcpy(&hi, (const uint8_t *)b->host + (pc - h->pc) + 2, 2);
            raw |= (uint32_t)hi << 16;
        }
        struct rv_op *op = &b->ops[n];
        enum rv_op_kind k = rv_decode(raw, pc, h->tc->ext, op);
        finish_op(tc, op, k);
        if (__builtin_expect(tc->dbg_exec != 0, 0) && rv_trigger_exec_marked(tc, pc)) {
            finish_op(tc, op, RV_OP_DEBUG); /* a breakpoint or execute trigger: check first */
            k = RV_OP_DEBUG;
        }
        kinds[n] = k;
        n++;
        pc += op->len;
        off += op->len;
        if (rv_op_ends_block(k)) {
            ended = true;
            break;
        }
    }
    /* Fuse frequent pairs, left to right. The second op stays in place
     * (its pc and fields serve the fused handler and precise faults). */
    for (unsigned i = 0; i + 1 < n; i++) {
        enum rv_op_kind f = rv_fuse(kinds[i], kinds[i + 1]);
        if (f != RV_OP_COUNT) {
            finish_op(tc, &b->ops[i], f);
            i++;
        }
    }
    b->n = n;
    b->nops = n;
    if (!ended) {
        struct rv_op *op = &b->ops[n];
        memset(op, 0, sizeof *op);
        op->pc = pc;
        finish_op(tc, op, RV_OP_EXIT);
        b->nops = n + 1;
    }
    tc->arena_used += sizeof *b + b->nops * sizeof(struct rv_op);
    tc->arena_used = (tc->arena_used + 15) & ~(size_t)15;
    tc->blocks_built++;
    if (TRACE_ON(TRACE_IN_ASM))
        rv_trace_in_asm(h, b->vpc, (const uint8_t *)b->host, (unsigned)(pc - b->vpc));
    track_block(tc, b, (unsigned)(pc - b->vpc));
    unsigned hi = hash_of(tc, b->host, b->vpc);
    b->hnext = tc->hash[hi];
    tc->hash[hi] = b;
    return b;
}

struct rv_block *rv_block_get(struct rv_hart *h)
{
    struct rv_tcache *tc = h->tc;
    if (tc->flush_pending)
        flush(tc);
    if (h->tc_gen != tc->gen) {
        memset(h->jump_cache, 0, sizeof *h->jump_cache << RV_JC_BITS);
        h->tc_gen = tc->gen;
    }
    uint64_t pc = h->pc;
    bool alone = false, checked = false, pmu_step = false;
    if (__builtin_expect(h->dbg_step || h->dbg_skip || h->exact_step, 0)) {
        bool skip = h->dbg_skip && h->dbg_skip_pc == pc;
        if (h->dbg_step)
            h->yield = true; /* return after this block, whatever happens */
        alone = h->dbg_step || skip;
        checked = h->dbg_exact && !skip; /* rv_hart_run_exact: points are logged */
        if (!alone && h->exact_step) /* a counter wraps soon (pmu.c): one instruction, checked */
            alone = checked = pmu_step = true;
        h->dbg_skip = false;
        h->exact_step = false;
    }
    const struct rv_tlb_entry *e = &h->tlb[h->imode][RV_TLB_X][(pc >> 12) & (RV_TLB_SIZE - 1)];
    uint8_t *host;
    if (e->tag == (pc & ~0xfffull)) {
        host = (uint8_t *)(pc + e->addend);
    } else {
        uint64_t pa;
        if (rv_fetch_page(h, pc, &host, &pa)) {
            rv_raise(h, h->exc_cause, h->exc_tval);
            return NULL;
        }
        /* PMP cuts this page: no block (its instructions could lie on both
         * sides of a boundary), one checked instruction at a time. */
        if (__builtin_expect(h->fetch_split, 0))
            return single_block(h, host, !alone || pmu_step, true);
    }
    if (__builtin_expect(alone, 0))
        return single_block(h, host, checked, false);
    if ((pc & 0xfff) == 0xffe) {
        uint16_t lo;
        memcpy(&lo, host, 2);
        if ((lo & 3) == 3)
            return single_block(h, host, true, false);
    }
    struct rv_block **jc = &h->jump_cache[(pc >> 1) & ((1u << RV_JC_BITS) - 1)];
    struct rv_block *b = *jc;
    if (b && b->vpc == pc && b->host == (uintptr_t)host)
        return b;
    for (b = tc->hash[hash_of(tc, (uintptr_t)host, pc)]; b; b = b->hnext)
        if (b->host == (uintptr_t)host && b->vpc == pc)
            break;
    if (!b) {
        uint64_t gen = tc->gen;
        b = build(h, host);
        if (tc->gen != gen) { /* build flushed a full arena */
            memset(h->jump_cache, 0, sizeof *h->jump_cache << RV_JC_BITS);
            h->tc_gen = tc->gen;
        }
    }
    h->jump_cache[(pc >> 1) & ((1u << RV_JC_BITS) - 1)] = b;
    return b;
}
