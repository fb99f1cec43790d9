/* bus/bus.c: the ordered region map, device dispatch and DMA helpers. */
#include "bus/bus.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bus/trace.h"

void bus_init(struct bus *b)
{
    memset(b, 0, sizeof *b);
}

void bus_free(struct bus *b)
{
    free(b->regions);
    free(b->code_pages);
    free(b->dirty_gen);
    memset(b, 0, sizeof *b);
}

/* Index of the first region whose end is above addr (may be count). */
static unsigned lower_bound(const struct bus *b, uint64_t addr)
{
    unsigned lo = 0, hi = b->count;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const struct bus_region *r = &b->regions[mid];
        if (r->base + (r->size - 1) < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int insert(struct bus *b, const struct bus_region *nr)
{
    if (nr->size == 0 || nr->base + (nr->size - 1) < nr->base)
        return -1;
    unsigned i = lower_bound(b, nr->base);
    if (i < b->count && b->regions[i].base <= nr->base + (nr->size - 1))
        return -1; /* overlap */
    if (b->count == b->cap) {
        unsigned cap = b->cap ? b->cap * 2 : 16;
        struct bus_region *n = realloc(b->regions, cap * sizeof *n);
        if (!n)
            return -1;
        b->regions = n;
        b->cap = cap;
    }
    memmove(&b->regions[i + 1], &b->regions[i], (b->count - i) * sizeof *nr);
    b->regions[i] = *nr;
    b->count++;
    b->last = 0;
    b->generation++;
    return 0;
}

int bus_map(struct bus *b, uint64_t base, uint64_t size, const char *name,
            const struct bus_device_ops *ops, void *opaque)
{
    if (!ops)
        return -1;
    struct bus_region r = { base, size, name, ops, opaque, NULL };
    return insert(b, &r);
}

int bus_map_ram(struct bus *b, uint64_t base, uint64_t size, const char *name,
                uint8_t *host)
{
    struct bus_region r = { base, size, name, NULL, NULL, host };
    if (!host)
        return -1;
    bool main_ram = !b->ram;
    uint8_t *pages = NULL;
    uint32_t *gens = NULL;
    if (main_ram) {
        pages = calloc((size + BUS_PAGE_SIZE - 1) >> BUS_PAGE_SHIFT, 1);
        gens = calloc((size + BUS_PAGE_SIZE - 1) >> BUS_PAGE_SHIFT, sizeof *gens);
        if (!pages || !gens) {
            free(pages);
            free(gens);
            return -1;
        }
    }
    if (insert(b, &r) < 0) {
        free(pages);
        free(gens);
        return -1;
    }
    if (main_ram) {
        b->ram = host;
        b->ram_base = base;
        b->ram_size = size;
        b->code_pages = pages;
        b->dirty_gen = gens;
        b->dirty_now = 1;
    }
    return 0;
}

int bus_unmap(struct bus *b, uint64_t base)
{
    unsigned i = lower_bound(b, base);
    if (i >= b->count || b->regions[i].base != base)
        return -1;
    if (b->regions[i].host == b->ram && b->ram) {
        free(b->code_pages);
        b->code_pages = NULL;
        free(b->dirty_gen);
        b->dirty_gen = NULL;
        b->ram = NULL;
        b->ram_base = b->ram_size = 0;
    }
    memmove(&b->regions[i], &b->regions[i + 1], (b->count - i - 1) * sizeof b->regions[0]);
    b->count--;
    b->last = 0;
    b->generation++;
    return 0;
}

const struct bus_region *bus_find(struct bus *b, uint64_t addr)
{
    if (b->last < b->count) {
        const struct bus_region *r = &b->regions[b->last];
        if (addr - r->base < r->size)
            return r;
    }
    unsigned i = lower_bound(b, addr);
    if (i < b->count && addr - b->regions[i].base < b->regions[i].size) {
        b->last = i;
        return &b->regions[i];
    }
    return NULL;
}

/* The region that holds all of [addr, addr+len), or NULL. */
static const struct bus_region *find_range(struct bus *b, uint64_t addr, uint64_t len)
{
    if (len == 0 || addr + (len - 1) < addr)
        return NULL;
    const struct bus_region *r = bus_find(b, addr);
    if (!r || (addr - r->base) + (len - 1) >= r->size)
        return NULL;
    return r;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, p, size); /* host is little-endian (checked by configure) */
    return v;
}

bool bus_access_ok_rules(const struct bus_device_ops *ops, uint64_t offset, unsigned size)
{
    for (const struct bus_access_rule *r = ops->rules; r->end; r++) {
        if (offset < r->start)
            break;
        if (offset < r->end)
            return (r->sizes & size) && (!r->aligned || !(offset & (size - 1))) && size <= r->end - offset;
    }
    if (ops->sizes && !(ops->sizes & size))
        return false;
    return !ops->aligned || !(offset & (size - 1));
}

bool bus_read(struct bus *b, uint64_t addr, unsigned size, uint64_t *value)
{
    const struct bus_region *r = find_range(b, addr, size);
    if (!r || (size != 1 && size != 2 && size != 4 && size != 8))
        return false;
    if (!r->host && !bus_access_ok(r->ops, addr - r->base, size))
        return false;
    if (r->host)
        *value = load_le(r->host + (addr - r->base), size);
    else {
        *value = r->ops->read ? r->ops->read(r->opaque, addr - r->base, size) : 0;
        if (TRACE_ON(TRACE_MMIO))
            trace_printf("mmio: read  %s@0x%" PRIx64 "+0x%" PRIx64 " size %u -> 0x%" PRIx64 "\n", r->name, r->base,
                         addr - r->base, size,
                         *value);
    }
    return true;
}

bool bus_write(struct bus *b, uint64_t addr, unsigned size, uint64_t value)
{
    const struct bus_region *r = find_range(b, addr, size);
    if (!r || (size != 1 && size != 2 && size != 4 && size != 8))
        return false;
    if (!r->host && !bus_access_ok(r->ops, addr - r->base, size))
        return false;
    if (r->host) {
        if (r->host == b->ram && b->code_write && bus_is_code_page(b, addr))
            b->code_write(b->code_write_ctx, addr, size);
        if (r->host == b->ram)
            bus_mark_dirty(b, addr);
        memcpy(r->host + (addr - r->base), &value, size);
    } else {
        if (TRACE_ON(TRACE_MMIO))
            trace_printf("mmio: write %s@0x%" PRIx64 "+0x%" PRIx64 " size %u <- 0x%" PRIx64 "\n", r->name, r->base,
                         addr - r->base, size,
                         value);
        if (r->ops->write)
            r->ops->write(r->opaque, addr - r->base, value, size);
    }
    return true;
}

void *bus_dma(struct bus *b, uint64_t gpa, uint64_t len)
{
    const struct bus_region *r = find_range(b, gpa, len);
    if (!r || !r->host)
        return NULL;
    return r->host + (gpa - r->base);
}

void *bus_dma_w(struct bus *b, uint64_t gpa, uint64_t len)
{
    void *p = bus_dma(b, gpa, len);
    if (p)
        bus_mark_dirty_range(b, gpa, len);
    if (p && b->code_write && b->code_pages && gpa - b->ram_base < b->ram_size) {
        uint64_t first = (gpa - b->ram_base) >> BUS_PAGE_SHIFT;
        uint64_t last = (gpa + len - 1 - b->ram_base) >> BUS_PAGE_SHIFT;
        for (uint64_t pg = first; pg <= last; pg++)
            if (b->code_pages[pg]) {
                b->code_write(b->code_write_ctx, gpa, len);
                break;
            }
    }
    return p;
}

int bus_dma_read(struct bus *b, uint64_t gpa, void *buf, uint64_t len)
{
    if (len == 0)
        return 0;
    const void *p = bus_dma(b, gpa, len);
    if (!p)
        return -1;
    memcpy(buf, p, len);
    return 0;
}

int bus_dma_write(struct bus *b, uint64_t gpa, const void *buf, uint64_t len)
{
    if (len == 0)
        return 0;
    void *p = bus_dma_w(b, gpa, len);
    if (!p)
        return -1;
    memcpy(p, buf, len);
    return 0;
}

void bus_mark_dirty_range(struct bus *b, uint64_t gpa, uint64_t len)
{
    uint64_t off = gpa - b->ram_base;
    if (!b->dirty_gen || !len || off >= b->ram_size)
        return;
    if (len > b->ram_size - off)
        len = b->ram_size - off;
    for (uint64_t pg = off >> BUS_PAGE_SHIFT; pg <= (off + len - 1) >> BUS_PAGE_SHIFT; pg++) {
        if (b->dirty_gen[pg] < b->cow_since)
            b->cow(b->cow_ctx, pg);
        b->dirty_gen[pg] = b->dirty_now;
    }
}

void bus_mark_all_dirty(struct bus *b)
{
    if (b->dirty_gen)
        bus_mark_dirty_range(b, b->ram_base, b->ram_size);
}

uint32_t bus_dirty_next(struct bus *b)
{
    b->dirty_now++;
    if (b->wprotect)
        b->wprotect(b->wprotect_ctx);
    return b->dirty_now;
}
