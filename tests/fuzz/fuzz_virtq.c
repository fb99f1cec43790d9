/* tests/fuzz/fuzz_virtq.c: a guest driving a virtio-mmio device with
 * anything it likes. 64 KiB of guest RAM start as a copy of the input; the
 * input is then read as a program of register writes and reads (status,
 * features, queue select/size/addresses/ready, notify, interrupt ack,
 * config, legacy PFN), RAM pokes, descriptor writes and avail-ring
 * publishes, so broken rings (loops, out-of-range heads and nexts, indirect
 * tables anywhere, avail indices far ahead, rings across the end of RAM)
 * all reach virtio/queue.c through the real transport and core. The device
 * is a seeded virtio-rng, which writes whatever the chains offer.
 *
 * What is checked: ASan/UBSan for the host side (RAM is one exact-size
 * heap block, so any DMA outside it is a heap overflow), the fuzzer's
 * timeout for hangs, and after every notify that the device's used index
 * moved by at most the queue size (the work per notify is bounded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "virtio/mmio.h"
#include "virtio/rng.h"
#include "virtio/virtio.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u
#define MMIO_BASE 0x10001000ull

struct vq_fuzz {
    struct bus bus;
    uint8_t *ram;
    struct virtio_dev *dev;
    struct virtio_mmio *mmio;
    uint64_t desc, avail;     /* what the last bring-up programmed */
    unsigned num;
    uint16_t avail_idx;
    unsigned irq_edges;
};

static void irq_sink(void *ctx, unsigned n, bool level) { ((struct vq_fuzz *)ctx)->irq_edges += level; }

static void wr(struct vq_fuzz *v, unsigned off, uint32_t val) { bus_write(&v->bus, MMIO_BASE + off, 4, val); }
static uint32_t rd(struct vq_fuzz *v, unsigned off, unsigned size)
{
    uint64_t x = 0;
    bus_read(&v->bus, MMIO_BASE + off, size, &x);
    return (uint32_t)x;
}

/* A guest-physical address: mostly inside RAM, sometimes anywhere. */
static uint64_t gpa(struct fin *in)
{
    uint8_t kind = fin_u8(in);
    if (kind < 0xf0)
        return RAM_BASE + fin_u16(in);
    return fin_u64(in);
}

static void ram_poke(struct vq_fuzz *v, uint64_t addr, const void *p, unsigned len)
{
    uint64_t off = addr - RAM_BASE;
    if (off < RAM_SIZE && len <= RAM_SIZE - off)
        memcpy(v->ram + off, p, len);
}

static void bring_up(struct vq_fuzz *v, struct fin *in)
{
    wr(v, 0x070, 0);
    wr(v, 0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(v, 0x024, 0);
    wr(v, 0x020, fin_u32(in));
    wr(v, 0x024, 1);
    wr(v, 0x020, fin_u32(in) | 1);     /* VERSION_1 most of the time */
    wr(v, 0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    wr(v, 0x030, 0);
    v->num = 1u << (fin_u8(in) % 8);   /* 1 .. 128: the rng takes up to 64 */
    wr(v, 0x038, v->num);
    v->desc = gpa(in);
    v->avail = gpa(in);
    uint64_t used = gpa(in);
    wr(v, 0x080, (uint32_t)v->desc);
    wr(v, 0x084, (uint32_t)(v->desc >> 32));
    wr(v, 0x090, (uint32_t)v->avail);
    wr(v, 0x094, (uint32_t)(v->avail >> 32));
    wr(v, 0x0a0, (uint32_t)used);
    wr(v, 0x0a4, (uint32_t)(used >> 32));
    wr(v, 0x044, 1);
    wr(v, 0x070, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                     VIRTIO_STATUS_DRIVER_OK);
    v->avail_idx = 0;
}

static void step(struct vq_fuzz *v, struct fin *in)
{
    uint8_t buf[256];
    switch (fin_u8(in) % 9) {
    case 0: /* any register or config write, any width */
        {
            unsigned off = fin_u16(in) & 0x1ff;
            unsigned size = 1u << (fin_u8(in) & 3);
            bus_write(&v->bus, MMIO_BASE + off, size, fin_u32(in));
        }
        break;
    case 1: /* any register or config read */
        rd(v, fin_u16(in) & 0x1ff, 1u << (fin_u8(in) & 3));
        break;
    case 2:
        bring_up(v, in);
        break;
    case 3: /* poke RAM */
        {
            uint64_t a = RAM_BASE + fin_u16(in);
            unsigned len = fin_u8(in) % 64;
            for (unsigned i = 0; i < len; i++)
                buf[i] = fin_u8(in);
            ram_poke(v, a, buf, len);
        }
        break;
    case 4: /* a descriptor of the programmed table */
        {
            unsigned i = fin_u16(in) % (v->num ? v->num : 1);
            uint8_t d[16];
            virtio_st64(d, gpa(in));
            virtio_st32(d + 8, fin_u8(in) < 0xf0 ? fin_u16(in) : fin_u32(in));
            virtio_st16(d + 12, fin_u8(in) & 7);
            virtio_st16(d + 14, fin_u16(in));
            ram_poke(v, v->desc + 16ull * i, d, 16);
        }
        break;
    case 5: /* publish a head (in range or not) */
        {
            uint8_t h[2], idx[2];
            virtio_st16(h, fin_u16(in));
            ram_poke(v, v->avail + 4 + 2ull * (v->avail_idx % (v->num ? v->num : 1)), h, 2);
            v->avail_idx += 1 + (fin_u8(in) >= 0xf8 ? fin_u16(in) : 0);
            virtio_st16(idx, v->avail_idx);
            ram_poke(v, v->avail + 2, idx, 2);
        }
        break;
    case 6: /* notify, then check the work done was bounded */
        {
            struct virtq *q = virtio_queue(v->dev, 0);
            uint16_t before = q->used_idx;
            wr(v, 0x050, fin_u8(in) % 3);
            if ((uint16_t)(q->used_idx - before) > q->num) {
                fprintf(stderr, "fuzz_virtq: %u buffers used in one notify of a %u-entry queue\n",
                        (unsigned)(uint16_t)(q->used_idx - before), q->num);
                abort();
            }
        }
        break;
    case 7: /* interrupt acknowledge */
        wr(v, 0x064, rd(v, 0x060, 4));
        break;
    case 8: /* reset */
        wr(v, 0x070, 0);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vq_fuzz v;
    memset(&v, 0, sizeof v);
    struct fin in = { data, size };
    bool legacy = fin_u8(&in) == 0x4c;   /* 'L': the version 1 register file */

    bus_init(&v.bus);
    v.ram = calloc(1, RAM_SIZE);
    memcpy(v.ram, data, size < RAM_SIZE ? size : RAM_SIZE);
    bus_map_ram(&v.bus, RAM_BASE, RAM_SIZE, "ram", v.ram);
    uint64_t seed = 1;
    v.dev = virtio_rng_new(&v.bus, &seed);
    struct irq_line irq = { irq_sink, &v, 1 };
    v.mmio = virtio_mmio_new(v.dev, MMIO_BASE, irq, legacy);
    if (!v.dev || !v.mmio)
        abort();
    bus_map(&v.bus, MMIO_BASE, VIRTIO_MMIO_SIZE, "virtio-mmio", &virtio_mmio_ops, v.mmio);

    for (unsigned n = 0; in.n && n < 4096; n++)
        step(&v, &in);

    virtio_mmio_free(v.mmio);
    virtio_dev_free(v.dev);
    bus_free(&v.bus);
    free(v.ram);
    return 0;
}
