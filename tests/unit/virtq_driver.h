/* tests/unit/virtq_driver.h: the driver side of a split virtqueue in a
 * test's guest RAM, for crafting good and malformed rings. Header-only so
 * every virtio test binary can use it. */
#ifndef RIVET_TEST_VIRTQ_DRIVER_H
#define RIVET_TEST_VIRTQ_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"

#define TD_RAM_BASE 0x80000000ull
#define TD_RAM_SIZE (8ull << 20)
#define TD_HEAP (TD_RAM_BASE + (1ull << 20))

struct tdrv {
    struct bus bus;
    uint8_t *ram;
    unsigned num;
    uint64_t desc, avail, used;
    uint16_t avail_idx;
    uint64_t heap;
};

static inline uint8_t *td_ptr(struct tdrv *t, uint64_t gpa)
{
    return t->ram + (gpa - TD_RAM_BASE);
}

static inline void td_st16(struct tdrv *t, uint64_t gpa, uint16_t v) { memcpy(td_ptr(t, gpa), &v, 2); }
static inline void td_st32(struct tdrv *t, uint64_t gpa, uint32_t v) { memcpy(td_ptr(t, gpa), &v, 4); }
static inline void td_st64(struct tdrv *t, uint64_t gpa, uint64_t v) { memcpy(td_ptr(t, gpa), &v, 8); }
static inline uint16_t td_ld16(struct tdrv *t, uint64_t gpa) { uint16_t v; memcpy(&v, td_ptr(t, gpa), 2); return v; }
static inline uint32_t td_ld32(struct tdrv *t, uint64_t gpa) { uint32_t v; memcpy(&v, td_ptr(t, gpa), 4); return v; }

/* RAM and ring addresses for a queue of `num` entries (rings zeroed). */
static inline void td_init(struct tdrv *t, unsigned num)
{
    memset(t, 0, sizeof *t);
    bus_init(&t->bus);
    t->ram = calloc(1, TD_RAM_SIZE);
    bus_map_ram(&t->bus, TD_RAM_BASE, TD_RAM_SIZE, "ram", t->ram);
    t->num = num;
    t->desc = TD_RAM_BASE + 0x1000;
    t->avail = t->desc + 16ull * num;
    t->used = (t->avail + 6 + 2ull * num + 4095) & ~4095ull;
    t->heap = TD_HEAP;
}

static inline void td_free(struct tdrv *t)
{
    bus_free(&t->bus);
    free(t->ram);
}

/* Guest memory for buffers (16-byte aligned, never reused). */
static inline uint64_t td_alloc(struct tdrv *t, uint64_t len)
{
    uint64_t a = t->heap;
    t->heap = (t->heap + len + 15) & ~15ull;
    return a;
}

/* Descriptor i of the table at `table` (the ring's or an indirect one). */
static inline void td_desc_at(struct tdrv *t, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                              uint16_t flags, uint16_t next)
{
    uint64_t d = table + 16ull * i;
    td_st64(t, d, addr);
    td_st32(t, d + 8, len);
    td_st16(t, d + 12, flags);
    td_st16(t, d + 14, next);
}

static inline void td_desc(struct tdrv *t, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    td_desc_at(t, t->desc, i, addr, len, flags, next);
}

/* Makes `head` available. */
static inline void td_publish(struct tdrv *t, uint16_t head)
{
    td_st16(t, t->avail + 4 + 2ull * (t->avail_idx % t->num), head);
    t->avail_idx++;
    td_st16(t, t->avail + 2, t->avail_idx);
}

static inline uint16_t td_used_idx(struct tdrv *t) { return td_ld16(t, t->used + 2); }
static inline uint32_t td_used_id(struct tdrv *t, uint16_t i) { return td_ld32(t, t->used + 4 + 8ull * (i % t->num)); }
static inline uint32_t td_used_len(struct tdrv *t, uint16_t i) { return td_ld32(t, t->used + 8 + 8ull * (i % t->num)); }
/* avail->used_event and used->avail_event (EVENT_IDX) */
static inline void td_set_used_event(struct tdrv *t, uint16_t v) { td_st16(t, t->avail + 4 + 2ull * t->num, v); }
static inline uint16_t td_avail_event(struct tdrv *t) { return td_ld16(t, t->used + 4 + 8ull * t->num); }

#endif
