/* cpu/riscv/mmu.c: address translation (Sv39/Sv48/Sv57), the TLB, and the
 * slow paths of loads, stores and fetches that miss it.
 *
 * Misaligned loads and stores are emulated (split into bytes), as the spec
 * allows; misaligned LR/SC/AMOs raise address-misaligned exceptions.
 * PMP (pmp.c) is checked on every slow path, on the page walk's own
 * accesses, and before a page enters a TLB: only pages PMP treats alike
 * over all 4 KiB are cached, so a TLB hit needs no check.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "cpu/riscv/ext.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/tcache.h"
#include "cpu/riscv/trace.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_G (1u << 5)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PTE_PBMT (3ull << 61)     /* Svpbmt: 0 PMA, 1 NC, 2 IO, 3 reserved */
#define PTE_N (1ull << 63)        /* Svnapot */
#define PTE_RESERVED (0x7full << 54)
#define MENVCFG_PBMTE (1ull << 62)

void rv_tlb_flush(struct rv_hart *h)
{
    struct rv_tlb_entry *e = &h->tlb[0][0][0];
    for (size_t i = 0; i < sizeof h->tlb / sizeof *e; i++)
        e[i].tag = RV_TLB_INVALID;
    h->tlb_big = false;
}

/* satp, sfence.vma and MXR change translations, but not the M regime,
 * which maps physical addresses to RAM and stays valid. */
void rv_tlb_flush_translated(struct rv_hart *h)
{
    static_assert(RV_MODE_M == RV_MODES - 1, "M is the last regime");
    struct rv_tlb_entry *e = &h->tlb[0][0][0];
    size_t n = (size_t)RV_MODE_M * RV_TLB_KINDS * RV_TLB_SIZE;
    for (size_t i = 0; i < n; i++)
        e[i].tag = RV_TLB_INVALID;
    h->tlb_big = false;
}

void rv_tlb_flush_page(struct rv_hart *h, uint64_t va)
{
    /* The TLB holds 4 KiB pieces: a superpage or a NAPOT page filled since
     * the last full flush may have pieces at other indexes, all of which
     * an sfence.vma of any address inside it must drop. Such pages lie in
     * [big_lo, big_hi] (Linux: its linear map and kernel image), so fences
     * of other addresses (user pages) stay cheap. */
    if (h->tlb_big && va >= h->big_lo && va <= h->big_hi) {
        rv_tlb_flush_translated(h);
        return;
    }
    uint64_t tag = va & ~0xfffull;
    unsigned idx = (va >> 12) & (RV_TLB_SIZE - 1);
    for (unsigned m = 0; m < RV_MODES; m++)
        for (unsigned k = 0; k < RV_TLB_KINDS; k++)
            if ((h->tlb[m][k][idx].tag & ~RV_TLB_CODE) == tag)
                h->tlb[m][k][idx].tag = RV_TLB_INVALID;
}

void rv_tlb_flush_writes(struct rv_hart *h)
{
    for (unsigned m = 0; m < RV_MODES; m++)
        for (unsigned i = 0; i < RV_TLB_SIZE; i++)
            h->tlb[m][RV_TLB_W][i].tag = RV_TLB_INVALID;
}

static uint64_t fault_cause(int kind)
{
    return kind == RV_ACC_X ? RV_EXC_INSN_PAGE : kind == RV_ACC_W ? RV_EXC_STORE_PAGE : RV_EXC_LOAD_PAGE;
}

static uint64_t access_cause(int kind)
{
    return kind == RV_ACC_X ? RV_EXC_INSN_ACCESS : kind == RV_ACC_W ? RV_EXC_STORE_ACCESS : RV_EXC_LOAD_ACCESS;
}

/* Effective privilege of an access of this kind. */
static unsigned access_priv(const struct rv_hart *h, int kind)
{
    if (kind != RV_ACC_X && h->priv == RV_PRIV_M && (h->mstatus & MSTATUS_MPRV))
        return (h->mstatus & MSTATUS_MPP) >> 11;
    return h->priv;
}

static int walk(struct rv_hart *h, uint64_t va, int kind, unsigned priv, uint64_t *pa, bool debug);

int rv_translate(struct rv_hart *h, uint64_t va, int kind, uint64_t *pa)
{
    unsigned priv = access_priv(h, kind);
    uint64_t mode = h->satp >> 60;
    if (priv == RV_PRIV_M || mode == 0) {
        *pa = va;
        return 0;
    }
    int c = walk(h, va, kind, priv, pa, false);
    if (TRACE_ON(TRACE_MMU))
        rv_trace_walk(h, va, kind, c, c ? 0 : *pa);
    return c;
}

int rv_dbg_translate(struct rv_hart *h, uint64_t va, uint64_t *pa)
{
    if (h->priv == RV_PRIV_M || (h->satp >> 60) == 0) {
        *pa = va;
        return 0;
    }
    return walk(h, va, RV_ACC_R, h->priv, pa, true) ? -1 : 0;
}

/* The page walk of rv_translate, for a translated mode. A debugger's walk
 * (debug) sets no A/D bits and checks no permissions: a valid leaf is
 * enough. */
static int walk(struct rv_hart *h, uint64_t va, int kind, unsigned priv, uint64_t *pa, bool debug)
{
    uint64_t mode = h->satp >> 60;
    unsigned levels = mode == 8 ? 3 : mode == 9 ? 4 : 5;
    unsigned vabits = 12 + 9 * levels;
    /* The upper bits must be a sign extension of the top VA bit. */
    int64_t sx = (int64_t)(va << (64 - vabits)) >> (64 - vabits);
    if ((uint64_t)sx != va)
        return (int)fault_cause(kind);
    uint64_t base = (h->satp & ((1ull << 44) - 1)) << 12;
    uint64_t ext = rv_tcache_ext(h->tc);
    /* PBMT is only there with Svpbmt and menvcfg.PBMTE; N with Svnapot.
     * Where they are not, their bits are reserved: a page fault. */
    uint64_t reserved = PTE_RESERVED |
                        (RV_EXT_HAS(ext, SVPBMT) && (h->menvcfg & MENVCFG_PBMTE) ? 0 : PTE_PBMT) |
                        (RV_EXT_HAS(ext, SVNAPOT) ? 0 : PTE_N);
    for (int lvl = (int)levels - 1; lvl >= 0; lvl--) {
        uint64_t vpn = (va >> (12 + 9 * lvl)) & 0x1ff;
        uint64_t pte_addr = base + vpn * 8;
        uint64_t *pte_p = bus_dma(h->bus, pte_addr, 8);
        /* The walk's own accesses: PMP-checked as S-mode loads and stores,
         * an access fault of the original access's kind (priv. spec 3.7.1, 4.3.2). */
        if (!pte_p || (!debug && !rv_pmp_ok(h, pte_addr, 8, RV_ACC_R, RV_PRIV_S)))
            return (int)access_cause(kind);
        uint64_t pte = *pte_p;
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & reserved) ||
            (pte & PTE_PBMT) == PTE_PBMT)
            return (int)fault_cause(kind);
        uint64_t ppn = (pte >> 10) & ((1ull << 44) - 1);
        if (!(pte & (PTE_R | PTE_X))) { /* pointer to the next level */
            /* A, D, U, PBMT and N are reserved in a non-leaf PTE. */
            if (pte & (PTE_A | PTE_D | PTE_U | PTE_PBMT | PTE_N))
                return (int)fault_cause(kind);
            base = ppn << 12;
            continue;
        }
        uint64_t low_mask = (1ull << (9 * lvl)) - 1;
        if (pte & PTE_N) {
            /* Svnapot: only 64 KiB pages (a level-0 leaf with ppn[3:0] =
             * 1000); every other encoding is reserved. The page's 16 PTEs
             * say the same; the low 4 bits of the PPN come from the va. */
            if (lvl != 0 || (ppn & 0xf) != 0x8)
                return (int)fault_cause(kind);
            ppn = (ppn & ~0xfull) | ((va >> 12) & 0xf);
        }
        if (debug) {
            if (ppn & low_mask)
                return (int)fault_cause(kind);
            uint64_t off_mask = (1ull << (12 + 9 * lvl)) - 1;
            *pa = ((ppn << 12) & ~off_mask) | (va & off_mask);
            return 0;
        }
        /* Leaf: permissions. */
        if (priv == RV_PRIV_U && !(pte & PTE_U))
            return (int)fault_cause(kind);
        if (priv == RV_PRIV_S && (pte & PTE_U) &&
            (kind == RV_ACC_X || !(h->mstatus & MSTATUS_SUM)))
            return (int)fault_cause(kind);
        bool ok;
        if (kind == RV_ACC_X)
            ok = pte & PTE_X;
        else if (kind == RV_ACC_W)
            ok = pte & PTE_W;
        else
            ok = (pte & PTE_R) || ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X));
        if (!ok)
            return (int)fault_cause(kind);
        if (ppn & low_mask) /* misaligned superpage */
            return (int)fault_cause(kind);
        /* Hardware A/D update. */
        uint64_t want = PTE_A | (kind == RV_ACC_W ? PTE_D : 0);
        if ((pte & want) != want) {
            uint64_t *w = bus_dma_w(h->bus, pte_addr, 8);
            if (!w || !rv_pmp_ok(h, pte_addr, 8, RV_ACC_W, RV_PRIV_S))
                return (int)access_cause(kind);
            *w = pte | want;
        }
        uint64_t off_mask = (1ull << (12 + 9 * lvl)) - 1;
        *pa = ((ppn << 12) & ~off_mask) | (va & off_mask);
        if (lvl > 0 || (pte & PTE_N)) { /* see rv_tlb_flush_page */
            uint64_t size = (pte & PTE_N) ? 0x10000 : off_mask + 1;
            uint64_t lo = va & ~(size - 1), hi = lo + (size - 1);
            if (!h->tlb_big || lo < h->big_lo)
                h->big_lo = lo;
            if (!h->tlb_big || hi > h->big_hi)
                h->big_hi = hi;
            h->tlb_big = true;
        }
        return 0;
    }
    return (int)fault_cause(kind);
}

/* memcpy with a constant size per case, so it compiles to one move. */
static inline void copy_sized(void *dst, const void *src, unsigned size)
{
    switch (size) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    default: memcpy(dst, src, 8); break;
    }
}

/* PMP for an access of `size` bytes at pa: false = access fault. *page_ok
 * tells whether the whole 4 KiB page passes as well (it may enter the TLB). */
static bool pmp_access(struct rv_hart *h, uint64_t pa, unsigned size, int kind, bool *page_ok)
{
    unsigned priv = access_priv(h, kind);
    *page_ok = rv_pmp_ok(h, pa & ~0xfffull, 0x1000, kind, priv);
    return *page_ok || rv_pmp_ok(h, pa, size, kind, priv);
}

static void tlb_fill(struct rv_hart *h, unsigned mode, int kind, uint64_t va, uint8_t *host_page, bool page_ok)
{
    if (!page_ok)
        return; /* PMP treats parts of the page differently: check each access */
    if (__builtin_expect(h->dbg_data, 0) && rv_trigger_page_watched(h, va))
        return; /* accesses to a watched page must reach rv_trigger_data */
    struct rv_tlb_entry *e = &h->tlb[mode][kind][(va >> 12) & (RV_TLB_SIZE - 1)];
    e->tag = va & ~0xfffull;
    e->addend = (uintptr_t)host_page - (uintptr_t)(va & ~0xfffull);
}

/* Host page for a RAM page fully inside a RAM region, else NULL. */
static uint8_t *ram_page(struct rv_hart *h, uint64_t pa, const struct bus_region **rp)
{
    struct bus *bus = h->bus;
    if (pa - bus->ram_base < bus->ram_size) { /* main RAM: the common case */
        *rp = NULL;
        return bus->ram + ((pa - bus->ram_base) & ~0xfffull);
    }
    const struct bus_region *r = bus_find(bus, pa);
    *rp = r;
    if (!r || !r->host)
        return NULL;
    uint64_t page = pa & ~0xfffull;
    if (page < r->base || page - r->base + 0x1000 > r->size)
        return NULL;
    return r->host + (page - r->base);
}

/* One aligned access (does not cross a page). Returns 0 or an exception
 * cause + 1 (so 0 stays "ok"): see RV_FAULT(). `split`: a byte of a
 * misaligned access, which only RAM performs: a device never sees a piece
 * of an access (that is an access fault, as any access the device does not
 * declare, bus/bus.h). */
static int access_one(struct rv_hart *h, uint64_t va, unsigned size, int kind, uint64_t *val, bool *code_hit,
                      bool split)
{
    uint64_t pa;
    int c = rv_translate(h, va, kind, &pa);
    if (c)
        return c + 1;
    bool page_ok;
    if (!pmp_access(h, pa, size, kind, &page_ok))
        return (int)access_cause(kind) + 1;
    const struct bus_region *r;
    uint8_t *page = ram_page(h, pa, &r);
    unsigned mode = kind == RV_ACC_X ? h->imode : h->dmode;
    if (page) {
        uint8_t *p = page + (pa & 0xfff);
        if (kind == RV_ACC_W) {
            bool code = bus_is_code_page(h->bus, pa);
            if (code && rv_tcache_code_written(h->tc, pa, size)) {
                *code_hit = true;
                code = bus_is_code_page(h->bus, pa); /* no block left there? */
            }
            if (!r) /* main RAM: dirty pages are tracked (before the write) */
                bus_mark_dirty(h->bus, pa);
            copy_sized(p, val, size);
            if (!r) { /* main RAM: code writes to it are tracked */
                tlb_fill(h, mode, kind, va, page, page_ok);
                struct rv_tlb_entry *e = &h->tlb[mode][kind][(va >> 12) & (RV_TLB_SIZE - 1)];
                if (code && e->tag == (va & ~0xfffull))
                    e->tag |= RV_TLB_CODE; /* rv_store_slow checks each store */
            }
        } else {
            *val = 0;
            copy_sized(val, p, size);
            tlb_fill(h, mode, kind, va, page, page_ok);
        }
        return 0;
    }
    bool ok = (!split || (r && r->host)) &&
              (kind == RV_ACC_W ? bus_write(h->bus, pa, size, *val) : bus_read(h->bus, pa, size, val));
    if (!ok && TRACE_ON(TRACE_GUEST_ERRORS)) {
        const struct bus_region *d = bus_find(h->bus, pa);
        trace_printf("guest_errors: hart %" PRIu64 " %s of %u bytes at 0x%" PRIx64 " (pa 0x%" PRIx64
                     "): %s%s, access fault\n",
                     h->mhartid, kind == RV_ACC_W ? "store" : "load", size, va, pa,
                     d ? d->name : "nothing mapped there",
                     !d ? "" : split ? " takes no misaligned access" : " does not take this size or alignment");
    }
    return ok ? 0 : (int)access_cause(kind) + 1;
}

int rv_load_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    bool dummy = false;
    if (__builtin_expect(h->dbg_data, 0) && rv_trigger_data(h, va, size, 1))
        return 1;
    if ((va & (size - 1)) == 0) {
        int c = access_one(h, va, size, RV_ACC_R, val, &dummy, false);
        if (c) {
            h->exc_cause = c - 1;
            h->exc_tval = va;
            return 1;
        }
        return 0;
    }
    /* Misaligned: emulate byte by byte (each may fault independently). */
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b;
        int c = access_one(h, va + i, 1, RV_ACC_R, &b, &dummy, true);
        if (c) {
            h->exc_cause = c - 1;
            h->exc_tval = va + i;
            return 1;
        }
        v |= (b & 0xff) << (8 * i);
    }
    *val = v;
    return 0;
}

/* A store through a write entry of a page with decoded code (RV_TLB_CODE):
 * drops the blocks it overlaps, if any. Returns 2 when it did, else 0. */
static int store_code_page(struct rv_hart *h, struct rv_tlb_entry *e, uint64_t va, unsigned size, uint64_t val)
{
    uint8_t *p = (uint8_t *)(uintptr_t)(va + e->addend);
    struct bus *bus = h->bus;
    uint64_t off = (uint64_t)(p - bus->ram);
    bus_mark_dirty(bus, bus->ram_base + off); /* as a fast-path store after a refill would have */
    if (!rv_tcache_may_hit(h->tc, off, size)) { /* data next to code: the common case */
        copy_sized(p, &val, size);
        return 0;
    }
    uint64_t pa = bus->ram_base + off;
    bool code = rv_tcache_code_written(h->tc, pa, size);
    copy_sized(p, &val, size);
    if (!bus_is_code_page(bus, pa))
        e->tag &= ~RV_TLB_CODE; /* no code left there: the fast path may write */
    return code ? 2 : 0;
}

int rv_store_slow(struct rv_hart *h, uint64_t va, unsigned size, uint64_t val)
{
    bool code = false;
    if (__builtin_expect(h->dbg_data, 0) && rv_trigger_data(h, va, size, 2))
        return 1;
    if ((va & (size - 1)) == 0) {
        struct rv_tlb_entry *e = &h->tlb[h->dmode][RV_TLB_W][(va >> 12) & (RV_TLB_SIZE - 1)];
        if (e->tag == ((va & ~0xfffull) | RV_TLB_CODE))
            return store_code_page(h, e, va, size, val);
        int c = access_one(h, va, size, RV_ACC_W, &val, &code, false);
        if (c) {
            h->exc_cause = c - 1;
            h->exc_tval = va;
            return 1;
        }
        return code ? 2 : 0;
    }
    /* Misaligned: check every byte translates to RAM before writing any,
     * so a fault leaves memory untouched. */
    for (unsigned i = 0; i < size; i++) {
        uint64_t pa;
        const struct bus_region *r;
        int c = rv_translate(h, va + i, RV_ACC_W, &pa);
        if (!c && ((!ram_page(h, pa, &r) && !(r && r->host)) ||
                   !rv_pmp_ok(h, pa, 1, RV_ACC_W, access_priv(h, RV_ACC_W))))
            c = (int)access_cause(RV_ACC_W);
        if (c) {
            h->exc_cause = (uint64_t)c;
            h->exc_tval = va + i;
            return 1;
        }
    }
    for (unsigned i = 0; i < size; i++) {
        uint64_t b = (val >> (8 * i)) & 0xff;
        int c = access_one(h, va + i, 1, RV_ACC_W, &b, &code, true);
        if (c) {
            h->exc_cause = c - 1;
            h->exc_tval = va + i;
            return 1;
        }
    }
    return code ? 2 : 0;
}

/* Host pointer for the physical RAM page of an instruction fetch, filling
 * the fetch TLB. Returns 0, or 1 with the exception in exc_cause/tval. */
int rv_fetch_page(struct rv_hart *h, uint64_t va, uint8_t **host, uint64_t *pa_out)
{
    struct rv_tlb_entry *e = &h->tlb[h->imode][RV_TLB_X][(va >> 12) & (RV_TLB_SIZE - 1)];
    uint64_t pa;
    int c = rv_translate(h, va, RV_ACC_X, &pa);
    if (c) {
        h->exc_cause = (uint64_t)c;
        h->exc_tval = va;
        return 1;
    }
    const struct bus_region *r;
    uint8_t *page = ram_page(h, pa, &r);
    bool page_ok;
    if (!page || !pmp_access(h, pa, 2, RV_ACC_X, &page_ok)) {
        h->exc_cause = RV_EXC_INSN_ACCESS;
        h->exc_tval = va;
        return 1;
    }
    /* A page PMP cuts stays out of the TLB: its code runs one checked
     * instruction at a time (tcache.c, fetch_split). */
    h->fetch_split = !page_ok;
    if (page_ok) {
        e->tag = va & ~0xfffull;
        e->addend = (uintptr_t)page - (uintptr_t)(va & ~0xfffull);
    }
    *host = page + (va & 0xfff);
    *pa_out = pa;
    return 0;
}

/* Physical address for an AMO/LR/SC (needs write permission except LR),
 * and its host pointer in RAM. Returns 0 or 1 (exception set). */
int rv_amo_addr(struct rv_hart *h, uint64_t va, unsigned size, bool is_lr, void **host, uint64_t *pa_out)
{
    int kind = is_lr ? RV_ACC_R : RV_ACC_W;
    if (__builtin_expect(h->dbg_data, 0) && rv_trigger_data(h, va, size, is_lr ? 1 : 3))
        return 1;
    if (va & (size - 1)) {
        h->exc_cause = is_lr ? RV_EXC_LOAD_MISALIGNED : RV_EXC_STORE_MISALIGNED;
        h->exc_tval = va;
        return 1;
    }
    uint64_t pa;
    int c = rv_translate(h, va, kind, &pa);
    if (c) {
        h->exc_cause = (uint64_t)c;
        h->exc_tval = va;
        return 1;
    }
    void *p = is_lr ? bus_dma(h->bus, pa, size) : bus_dma_w(h->bus, pa, size);
    /* An AMO needs read and write permission; PMP's W implies R (R=0 W=1 is
     * reserved and reads back W=0), so checking W checks both. */
    if (!p || !rv_pmp_ok(h, pa, size, kind, access_priv(h, kind))) {
        h->exc_cause = access_cause(kind);
        h->exc_tval = va;
        return 1;
    }
    *host = p;
    *pa_out = pa;
    return 0;
}

size_t rv_hart_peek_code(struct rv_hart *h, uint64_t va, uint8_t *buf, size_t len)
{
    size_t n = 0;
    while (n < len) {
        uint64_t pa;
        const struct bus_region *r;
        if (rv_translate(h, va + n, RV_ACC_X, &pa) || !rv_pmp_ok(h, pa, 1, RV_ACC_X, h->priv))
            break;
        uint8_t *page = ram_page(h, pa, &r);
        if (!page)
            break;
        size_t chunk = 0x1000 - ((va + n) & 0xfff);
        if (chunk > len - n)
            chunk = len - n;
        memcpy(buf + n, page + (pa & 0xfff), chunk);
        n += chunk;
    }
    return n;
}
