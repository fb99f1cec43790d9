/* tests/fuzz/fuzz_virtio_pci.c: the virtio-pci transport under a guest
 * that does anything: a seeded virtio-rng behind a PCI host bridge (ECAM,
 * a 32-bit memory window), with configuration space writes and reads
 * (BARs anywhere, command bits, MSI-X control, the cfg_type 5 access
 * window), accesses of every width to BAR 4 (common config, ISR, device
 * config, notify) and to BAR 1 (the MSI-X table and PBA, whose message
 * addresses may point at RAM, at the device's own doorbell, or nowhere),
 * RAM pokes, descriptors and avail-ring publishes. 64 KiB of RAM start as a
 * copy of the input. Checked: ASan/UBSan, the fuzzer's timeout, and that
 * the work done per notify stays within the queue size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "bus/pci/pci.h"
#include "virtio/pci.h"
#include "virtio/rng.h"
#include "virtio/virtio.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u
#define ECAM 0x30000000ull
#define WIN32 0x40000000ull
#define WIN64 0x400000000ull
#define BAR4 WIN64
#define BAR1 WIN32
#define SLOT 1

struct pf {
    struct bus bus;
    uint8_t *ram;
    struct pci_host *host;
    struct virtio_dev *dev;
    struct virtio_pci *vp;
    uint64_t desc, avail;
    unsigned num;
    uint16_t avail_idx;
};

static void intx_set(void *opaque, unsigned n, bool level) {}

static uint64_t cfg_addr(unsigned off) { return ECAM + ((uint64_t)SLOT << 15) + (off & 0xfff); }

static void bar4_wr(struct pf *p, unsigned off, unsigned size, uint64_t v) { bus_write(&p->bus, BAR4 + off, size, v); }

static uint64_t gpa(struct fin *in)
{
    return fin_u8(in) < 0xf0 ? RAM_BASE + fin_u16(in) : fin_u64(in);
}

static void ram_poke(struct pf *p, uint64_t addr, const void *b, unsigned len)
{
    uint64_t off = addr - RAM_BASE;
    if (off < RAM_SIZE && len <= RAM_SIZE - off)
        memcpy(p->ram + off, b, len);
}

static void bring_up(struct pf *p, struct fin *in)
{
    bus_write(&p->bus, cfg_addr(0x10 + 16), 4, (uint32_t)BAR4);
    bus_write(&p->bus, cfg_addr(0x10 + 20), 4, (uint32_t)(BAR4 >> 32));
    bus_write(&p->bus, cfg_addr(0x10 + 4), 4, (uint32_t)BAR1);
    bus_write(&p->bus, cfg_addr(0x04), 2, 0x6);          /* memory, bus master */
    bar4_wr(p, 0x14, 1, 0);
    bar4_wr(p, 0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    bar4_wr(p, 0x08, 4, 0);
    bar4_wr(p, 0x0c, 4, fin_u32(in));
    bar4_wr(p, 0x08, 4, 1);
    bar4_wr(p, 0x0c, 4, fin_u32(in) | 1);
    bar4_wr(p, 0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    bar4_wr(p, 0x16, 2, 0);
    p->num = 1u << (fin_u8(in) % 8);   /* 1 .. 128: the rng takes up to 64 */
    bar4_wr(p, 0x18, 2, p->num);
    bar4_wr(p, 0x1a, 2, fin_u8(in) % 3);                 /* MSI-X vector, maybe NO_VECTOR-ish */
    p->desc = gpa(in);
    p->avail = gpa(in);
    bar4_wr(p, 0x20, 8, p->desc);
    bar4_wr(p, 0x28, 8, p->avail);
    bar4_wr(p, 0x30, 8, gpa(in));
    bar4_wr(p, 0x1c, 2, 1);
    bar4_wr(p, 0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                            VIRTIO_STATUS_DRIVER_OK);
    p->avail_idx = 0;
}

static void step(struct pf *p, struct fin *in)
{
    uint8_t b[64];
    uint64_t v;
    switch (fin_u8(in) % 10) {
    case 0: { unsigned o = fin_u16(in), s = 1u << (fin_u8(in) & 3); bus_write(&p->bus, cfg_addr(o), s, fin_u32(in)); break; }
    case 1: { unsigned o = fin_u16(in); bus_read(&p->bus, cfg_addr(o), 1u << (fin_u8(in) & 3), &v); break; }
    case 2: { unsigned o = fin_u16(in) & 0x3fff, s = 1u << (fin_u8(in) & 3); bar4_wr(p, o, s, fin_u64(in)); break; }
    case 3: { unsigned o = fin_u16(in) & 0x3fff; bus_read(&p->bus, BAR4 + o, 1u << (fin_u8(in) & 3), &v); break; }
    case 4: { /* MSI-X table entry: address in RAM, at our doorbell, or anywhere */
            unsigned e = fin_u8(in) % 4;
            uint8_t k = fin_u8(in);
            uint64_t a = k < 0x80 ? RAM_BASE + fin_u16(in) : k < 0xc0 ? BAR4 + 0x3000 : fin_u64(in);
            bus_write(&p->bus, BAR1 + 16 * e, 4, (uint32_t)a);
            bus_write(&p->bus, BAR1 + 16 * e + 4, 4, (uint32_t)(a >> 32));
            bus_write(&p->bus, BAR1 + 16 * e + 8, 4, fin_u32(in));
            bus_write(&p->bus, BAR1 + 16 * e + 12, 4, fin_u8(in) & 1);
            break;
        }
    case 5: bring_up(p, in); break;
    case 6: { uint64_t a = RAM_BASE + fin_u16(in); unsigned l = fin_u8(in) % 64;
            for (unsigned i = 0; i < l; i++) b[i] = fin_u8(in);
            ram_poke(p, a, b, l); break; }
    case 7: {
            uint8_t d[16];
            unsigned i = fin_u16(in) % (p->num ? p->num : 1);
            virtio_st64(d, gpa(in));
            virtio_st32(d + 8, fin_u16(in));
            virtio_st16(d + 12, fin_u8(in) & 7);
            virtio_st16(d + 14, fin_u16(in));
            ram_poke(p, p->desc + 16ull * i, d, 16);
            virtio_st16(b, fin_u16(in));
            ram_poke(p, p->avail + 4 + 2ull * (p->avail_idx % (p->num ? p->num : 1)), b, 2);
            virtio_st16(b, ++p->avail_idx);
            ram_poke(p, p->avail + 2, b, 2);
            break;
        }
    case 8: {
            struct virtq *q = virtio_queue(p->dev, 0);
            uint16_t before = q->used_idx;
            bar4_wr(p, 0x3000 + 4 * (fin_u8(in) % 3), 2, 0);
            if ((uint16_t)(q->used_idx - before) > q->num) {
                fprintf(stderr, "fuzz_virtio_pci: unbounded work in one notify\n");
                abort();
            }
            break;
        }
    case 9: bus_read(&p->bus, BAR4 + 0x1000, 1, &v); break;   /* ISR, read to clear */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pf p;
    memset(&p, 0, sizeof p);
    struct fin in = { data, size };
    bus_init(&p.bus);
    p.ram = calloc(1, RAM_SIZE);
    memcpy(p.ram, data, size < RAM_SIZE ? size : RAM_SIZE);
    bus_map_ram(&p.bus, RAM_BASE, RAM_SIZE, "ram", p.ram);
    struct irq_line intx[4];
    for (unsigned i = 0; i < 4; i++)
        intx[i] = (struct irq_line){ intx_set, &p, i };
    p.host = pci_host_new(&p.bus, intx);
    uint64_t seed = 1;
    p.dev = virtio_rng_new(&p.bus, &seed);
    if (!p.host || !p.dev || pci_host_map_ecam(p.host, ECAM, PCI_ECAM_BUS_SIZE) ||
        pci_host_add_mem_window(p.host, WIN32, 0x10000000) ||
        pci_host_add_mem_window(p.host, WIN64, 0x10000000))
        abort();
    p.vp = virtio_pci_new(p.dev, p.host, SLOT, 2, 0);
    if (!p.vp)
        abort();
    for (unsigned n = 0; in.n && n < 4096; n++)
        step(&p, &in);
    virtio_pci_free(p.vp);
    pci_host_free(p.host);
    virtio_dev_free(p.dev);
    bus_free(&p.bus);
    free(p.ram);
    return 0;
}
