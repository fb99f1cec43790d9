/* tests/fuzz/fuzz_ring.h: the driver side of well-formed split virtqueues
 * for the device harnesses (fuzz_blk.c, fuzz_gpu.c), so that the fuzzer
 * spends its time on device commands rather than on ring validation
 * (fuzz_virtq.c covers broken rings). Buffers may still point anywhere the
 * input says. Header-only, as fuzz_input.h. */
#ifndef RIVET_FUZZ_RING_H
#define RIVET_FUZZ_RING_H

#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "virtio/virtio.h"
#include "fuzz_input.h"

#define FR_RAM_BASE 0x80000000ull
#define FR_RAM_SIZE (256u << 10)
#define FR_NUM 16u
#define FR_HEAP 0x4000u          /* buffers from here; rings below */
#define FR_QUEUES 2

struct fring {
    struct bus bus;
    uint8_t *ram;
    uint64_t heap;               /* next free RAM offset */
    uint16_t avail_idx[FR_QUEUES], next_desc[FR_QUEUES];
};

struct fr_seg {
    uint64_t addr;
    uint32_t len;
    bool write;
};

static inline uint64_t fr_desc_addr(unsigned q) { return FR_RAM_BASE + q * 0x1000ull; }
static inline uint64_t fr_avail_addr(unsigned q) { return fr_desc_addr(q) + 0x100; }
static inline uint64_t fr_used_addr(unsigned q) { return fr_desc_addr(q) + 0x200; }

static inline uint8_t *fr_ptr(struct fring *f, uint64_t gpa, uint64_t len)
{
    uint64_t off = gpa - FR_RAM_BASE;
    return off < FR_RAM_SIZE && len <= FR_RAM_SIZE - off ? f->ram + off : NULL;
}

static inline void fr_init(struct fring *f)
{
    memset(f, 0, sizeof *f);
    bus_init(&f->bus);
    f->ram = calloc(1, FR_RAM_SIZE);
    if (!f->ram || bus_map_ram(&f->bus, FR_RAM_BASE, FR_RAM_SIZE, "ram", f->ram))
        abort();
    f->heap = FR_HEAP;
}

static inline void fr_free(struct fring *f)
{
    bus_free(&f->bus);
    free(f->ram);
}

/* Guest RAM for a buffer; wraps around the heap when it runs out. */
static inline uint64_t fr_alloc(struct fring *f, uint64_t len)
{
    if (len > FR_RAM_SIZE - FR_HEAP)
        len = FR_RAM_SIZE - FR_HEAP;
    if (f->heap + len >= FR_RAM_SIZE)
        f->heap = FR_HEAP;
    uint64_t a = FR_RAM_BASE + f->heap;
    f->heap = (f->heap + len + 7) & ~7ull;
    return a;
}

/* A buffer address for len bytes: usually fresh heap, sometimes any RAM
 * offset (maybe overlapping the rings or running past the end), rarely any
 * 64-bit address at all. */
static inline uint64_t fr_buf(struct fring *f, struct fin *in, uint64_t len)
{
    uint8_t mode = fin_u8(in);
    if (mode < 0xe0)
        return fr_alloc(f, len);
    if (mode < 0xf8)
        return FR_RAM_BASE + fin_u32(in) % FR_RAM_SIZE;
    return fin_u64(in);
}

/* Negotiates `features` (VERSION_1 added) and starts queues 0..nq-1. */
static inline void fr_start(struct fring *f, struct virtio_dev *dev, unsigned nq, uint64_t features)
{
    virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(dev, (features & virtio_offered_features(dev)) |
                                        VIRTIO_BIT(VIRTIO_F_VERSION_1));
    virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    for (unsigned q = 0; q < nq; q++) {
        virtio_queue_set_num(dev, q, FR_NUM);
        virtio_queue_set_addr(dev, q, fr_desc_addr(q), fr_avail_addr(q), fr_used_addr(q));
        virtio_queue_set_ready(dev, q, true);
    }
    virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                               VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static inline void fr_put_desc(struct fring *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                               uint16_t flags, uint16_t next)
{
    uint8_t *d = fr_ptr(f, table + 16ull * i, 16);
    if (!d)
        return;
    virtio_st64(d, addr);
    virtio_st32(d + 8, len);
    virtio_st16(d + 12, flags);
    virtio_st16(d + 14, next);
}

/* Makes a chain of n (1..FR_NUM) segments available on queue q, either in
 * the ring's table or as an indirect table. */
static inline void fr_chain(struct fring *f, unsigned q, const struct fr_seg *s, unsigned n, bool indirect)
{
    uint16_t head = f->next_desc[q];
    if (indirect) {
        uint64_t table = fr_alloc(f, 16ull * n);
        for (unsigned i = 0; i < n; i++)
            fr_put_desc(f, table, i, s[i].addr, s[i].len,
                        (uint16_t)((s[i].write ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
                        (uint16_t)(i + 1));
        fr_put_desc(f, fr_desc_addr(q), head, table, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
        f->next_desc[q] = (uint16_t)((head + 1) % FR_NUM);
    } else {
        for (unsigned i = 0; i < n; i++) {
            unsigned d = (head + i) % FR_NUM;
            fr_put_desc(f, fr_desc_addr(q), d, s[i].addr, s[i].len,
                        (uint16_t)((s[i].write ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
                        (uint16_t)((d + 1) % FR_NUM));
        }
        f->next_desc[q] = (uint16_t)((head + n) % FR_NUM);
    }
    uint8_t *a = fr_ptr(f, fr_avail_addr(q), 4 + 2 * FR_NUM);
    virtio_st16(a + 4 + 2 * (f->avail_idx[q] % FR_NUM), head);
    f->avail_idx[q]++;
    virtio_st16(a + 2, f->avail_idx[q]);
}

static inline uint16_t fr_used_idx(struct fring *f, unsigned q)
{
    return virtio_ld16(fr_ptr(f, fr_used_addr(q) + 2, 2));
}

#endif
