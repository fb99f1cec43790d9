/* bus/bus.h: the guest-physical address map.
 *
 * An ordered array of non-overlapping regions, found by binary search with a
 * last-hit cache. A region is either RAM (a host buffer the CPU may cache a
 * pointer into) or a device (called through bus_device_ops, never cached).
 * Regions can be mapped and unmapped at run time; every change bumps
 * `generation` so that address caches (CPU TLBs) know to flush.
 */
#ifndef RIVET_BUS_H
#define RIVET_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A part of a device's window with its own access sizes: offsets in
 * [start, end). An access must lie entirely inside the rule that holds its
 * first byte. */
struct bus_access_rule {
    uint64_t start, end;
    uint8_t sizes;          /* BUS_SIZE_* bits */
    bool aligned;
};

struct bus_device_ops {
    /* size is 1, 2, 4 or 8; offset is relative to the region base. The
     * device is only called with accesses it declared below. */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    /* The access sizes the device takes (BUS_SIZE_* bits; 0: all, for
     * test doubles only: every device declares its sizes) and whether they
     * must be naturally aligned. The bus enforces both: any other access
     * is an access fault (bus_read/bus_write return false) and the device
     * is not called. */
    uint8_t sizes;
    bool aligned;
    /* Optional: windows with other sizes (register file vs. configuration
     * space), sorted by start, ended by a rule with end == 0. An offset in
     * none of them takes `sizes` / `aligned`. */
    const struct bus_access_rule *rules;
};
#define BUS_SIZE_1 1u
#define BUS_SIZE_2 2u
#define BUS_SIZE_4 4u
#define BUS_SIZE_8 8u

/* The rules part of bus_access_ok (devices with rules only). */
bool bus_access_ok_rules(const struct bus_device_ops *, uint64_t offset, unsigned size);

/* Whether a device takes this access (see bus_device_ops). size is 1, 2,
 * 4 or 8. Devices that forward accesses by other paths (a configuration
 * window in PCI config space) check with it too. */
static inline bool bus_access_ok(const struct bus_device_ops *ops, uint64_t offset, unsigned size)
{
    if (__builtin_expect(ops->rules != NULL, 0))
        return bus_access_ok_rules(ops, offset, size);
    if (ops->sizes && !(ops->sizes & size))
        return false;
    return !ops->aligned || !(offset & (size - 1));
}

struct bus_region {
    uint64_t base, size;
    const char *name;
    const struct bus_device_ops *ops; /* NULL for RAM */
    void *opaque;
    uint8_t *host;                    /* RAM only: host memory of the region */
};

/* Called when guest RAM is written by anything but the CPU fast path
 * (DMA helpers), so that decoded code of those pages can be dropped. */
typedef void (*bus_write_hook)(void *ctx, uint64_t gpa, uint64_t len);
/* Drops the write permission of every cached translation (CPU TLBs), so
 * that the next store to each page goes through the slow path again. */
typedef void (*bus_wprotect_hook)(void *ctx);
/* Called with the main-RAM page number before the first write to a page
 * since the generation `cow_since` began (copy-on-write undo logs). */
typedef void (*bus_cow_hook)(void *ctx, uint64_t page);

struct bus {
    struct bus_region *regions;
    unsigned count, cap;
    unsigned last;          /* index of the last region hit */
    uint64_t generation;    /* bumped on every map/unmap */
    /* Per 4 KiB page of the main RAM: nonzero when decoded code lives there. */
    uint8_t *code_pages;
    uint64_t ram_base, ram_size;
    uint8_t *ram;
    bus_write_hook code_write;
    void *code_write_ctx;
    /* Bumped whenever guest code may have run: after every slice of a hart
     * (and a debugger's single step) and at every virtio notify. Between
     * two bumps the driver cannot have made new buffers available, so a
     * virtqueue pops at most its size in one epoch (virtio/queue.c): a ring
     * the device's own writes keep refilling ends in NEEDS_RESET, not in a
     * device loop that never returns. */
    uint64_t epoch;
    /* Dirty pages of the main RAM, for any number of consumers (the state
     * hash, reverse execution's snapshots): per 4 KiB page, the dirty
     * generation of its last write (0: not written since the RAM was
     * mapped). Writers mark (bus_mark_dirty*); a consumer keeps the
     * generation bus_dirty_next gave it and asks bus_page_dirty. */
    uint32_t *dirty_gen;
    uint32_t dirty_now;
    bus_wprotect_hook wprotect;
    void *wprotect_ctx;
    /* Copy-on-write (reverse execution): pages whose dirty generation is
     * below cow_since are copied through cow before they are written.
     * cow_since 0: none. */
    uint32_t cow_since;
    bus_cow_hook cow;
    void *cow_ctx;
};

#define BUS_PAGE_SHIFT 12
#define BUS_PAGE_SIZE  (1ull << BUS_PAGE_SHIFT)

void bus_init(struct bus *);
void bus_free(struct bus *);

/* Map a device region. Returns 0, or -1 when it overlaps a mapped region,
 * is empty, or wraps around the address space. */
int bus_map(struct bus *, uint64_t base, uint64_t size, const char *name,
            const struct bus_device_ops *ops, void *opaque);
/* Map host memory as guest RAM. The first RAM mapped becomes the main RAM
 * (code page tracking, DMA). Returns 0 or -1 as bus_map. */
int bus_map_ram(struct bus *, uint64_t base, uint64_t size, const char *name,
                uint8_t *host);
/* Unmap the region that starts at base. Returns 0, or -1 if none does. */
int bus_unmap(struct bus *, uint64_t base);

/* The region holding addr, or NULL. */
const struct bus_region *bus_find(struct bus *, uint64_t addr);

/* Device or RAM access of size 1/2/4/8 (little-endian). Returns false for
 * an access fault: unmapped address, or an access that does not lie
 * entirely inside one region. */
bool bus_read(struct bus *, uint64_t addr, unsigned size, uint64_t *value);
bool bus_write(struct bus *, uint64_t addr, unsigned size, uint64_t value);

/* DMA helpers: guest-physical range to host pointer, or NULL when the range
 * is not entirely inside one RAM region (or wraps). bus_dma_w also tells the
 * code-write hook that the range is about to be written. */
void *bus_dma(struct bus *, uint64_t gpa, uint64_t len);
void *bus_dma_w(struct bus *, uint64_t gpa, uint64_t len);
/* Copy helpers: 0 on success, -1 when the range is not all RAM. */
int bus_dma_read(struct bus *, uint64_t gpa, void *buf, uint64_t len);
int bus_dma_write(struct bus *, uint64_t gpa, const void *buf, uint64_t len);

/* Dirty page tracking (see struct bus). The CPU marks a page when it
 * fills a write translation for it into its TLB and on every store that
 * takes the slow path; bus_write to RAM, bus_dma_w and bus_dma_write mark
 * what they hand out or write, always BEFORE the write (copy-on-write
 * sees the old bytes). Anything that writes main RAM by another way (a
 * test's raw pointer, a snapshot load in place) marks it itself. */
static inline void bus_mark_dirty(struct bus *b, uint64_t gpa)
{
    uint64_t off = gpa - b->ram_base;
    if (off < b->ram_size && b->dirty_gen) {
        uint32_t *g = &b->dirty_gen[off >> BUS_PAGE_SHIFT];
        if (__builtin_expect(*g < b->cow_since, 0))
            b->cow(b->cow_ctx, off >> BUS_PAGE_SHIFT);
        *g = b->dirty_now;
    }
}
void bus_mark_dirty_range(struct bus *, uint64_t gpa, uint64_t len);
void bus_mark_all_dirty(struct bus *);
/* A consumer's collection point: starts a new dirty generation, drops
 * cached write permissions (so that the next store to every page marks it
 * again) and returns the generation. Pages written since a consumer's
 * previous bus_dirty_next (which returned `since`; 0 the first time) are
 * those with bus_page_dirty(b, page, since). */
uint32_t bus_dirty_next(struct bus *);
static inline bool bus_page_dirty(const struct bus *b, uint64_t page, uint32_t since)
{
    return !b->dirty_gen || b->dirty_gen[page] >= since;
}
static inline uint64_t bus_ram_pages(const struct bus *b)
{
    return (b->ram_size + BUS_PAGE_SIZE - 1) >> BUS_PAGE_SHIFT;
}

/* Mark the main-RAM page of gpa as (not) holding decoded code. */
static inline bool bus_is_code_page(const struct bus *b, uint64_t gpa)
{
    uint64_t off = gpa - b->ram_base;
    return b->code_pages && off < b->ram_size && b->code_pages[off >> BUS_PAGE_SHIFT];
}

#endif
