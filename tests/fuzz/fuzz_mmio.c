/* tests/fuzz/fuzz_mmio.c: the whole virt board as a guest without a CPU
 * sees it. The board is machine/virt.c's own (virt_board_new: PLIC, CLINT,
 * 16550 UART, goldfish RTC, test finisher, PCI host bridge, the
 * virtio-mmio slots), with -device virtio devices on both transports:
 *   virtio-mmio: keyboard, tablet, console, virtio-serial + virtconsole,
 *                net, rng
 *   virtio-pci:  mouse, console, net, rng (slots 1-4)
 * and host sides the harness plays: the serial console, three chardevs,
 * two -netdevs and a display whose input events all come from the input.
 * The first byte picks the virtio-mmio flavour (bit 0: legacy), the
 * number of harts (bit 1: 2) and the interrupt controllers (bits 2-3 mod
 * 3: aia=none, aplic, aplic-imsic; docs/aia.md); the first 64 KiB of RAM
 * start as a copy of the input (buffers and descriptors point there).
 *
 * The rest is a script of records, u8 op then:
 *   0 write   u8 region, u32 offset, u8 size (1<<(n&3)), u64 value
 *   1 read    u8 region, u32 offset, u8 size
 *       regions: CLINT, PLIC (or the APLIC's M domain), UART, RTC, test
 *       finisher, the 8 virtio-mmio slots, ECAM (any bus/device/function/
 *       register), the PCI 32-bit window (where BARs go), the PIO window,
 *       the 64-bit window, RAM, any address (u64 offset), the APLIC's S
 *       domain, the IMSIC files
 *   2 poke    u16 RAM offset, u8 length, bytes
 *   3 time    u16 ticks << (u8 & 15): timers fire, then host input polls
 *   4 serial  u8 n, n bytes typed on the UART's host side
 *   5 chardev u8 which, u8 n, n bytes from that chardev's host side
 *   6 event   u8 type, u16 code, u8 down, u32 x, u32 y: a display event
 *   7 frame   u8 netdev, u16 length, bytes: a host frame for the guest
 *   8 mmioq   u8 slot, u8 queue, u8 log2 size, u32 features: a correct
 *             driver bring-up of one queue of a virtio-mmio device
 *   9 pciq    u8 pci slot, u8 queue, u8 log2 size, u32 features, u8
 *             vector (bit 7: MSI-X off, INTx): BARs placed, memory + bus
 *             master on, the same bring-up through the common configuration
 *  10 chain   u8 queue handle, u8 segments, each u16 RAM offset, u16
 *             length, u8 device-writable; then the avail ring and a notify
 * Records 8 and 9 keep a handle (their ring addresses and doorbell) so
 * chains can follow; everything else a guest may do to the same registers
 * is reachable through 0 and 1, so the fuzzer starts from a working device
 * and breaks it from there.
 *
 * Checked besides ASan/UBSan and the timeout: nothing. A device answers
 * whatever it is asked with defined behaviour, or the sanitizers say so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/device.h"
#include "machine/aplic.h"
#include "machine/clint.h"
#include "machine/devices.h"
#include "machine/display_glue.h"
#include "machine/goldfish_rtc.h"
#include "machine/pci_virt.h"
#include "machine/plic.h"
#include "machine/sifive_test.h"
#include "machine/uart16550.h"
#include "machine/virt.h"
#include "virtio/pci.h"
#include "virtio/virtio.h"
#include "fuzz_input.h"

#define RAM_BASE VIRT_RAM_BASE
#define RAM_SIZE (1u << 20)      /* less than -m allows: the per-input build stays cheap */
#define INPUT_RAM 0x10000u       /* the input's copy; buffers point here */
#define RINGS 0x10000u           /* queue handle k's rings at RINGS + k * RING_STRIDE */
#define RING_STRIDE 0x2000u
#define HANDLES 16
#define MMIO_BASE 0x10001000ull
#define PCI_BARS VIRT_PCIE_MMIO  /* slot s: BAR4 at + s * 0x100000, BAR1 at + 0x80000 */
#define BUF_MAX 256

/* ---- the host side ---- */

struct bytes {
    uint8_t b[BUF_MAX];
    size_t len, pos;
};

static void put_bytes(struct bytes *q, struct fin *in)
{
    unsigned n = fin_u8(in) % 64;
    if (q->pos == q->len)
        q->pos = q->len = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t c = fin_u8(in);
        if (q->len < BUF_MAX)
            q->b[q->len++] = c;
    }
}

static size_t take_bytes(struct bytes *q, uint8_t *buf, size_t len)
{
    size_t n = q->len - q->pos < len ? q->len - q->pos : len;
    memcpy(buf, q->b + q->pos, n);
    q->pos += n;
    return n;
}

static struct bytes serial_in, chr_in[3];

static void sink(void *ctx, const uint8_t *buf, size_t len)
{
    volatile uint8_t x = len ? buf[len - 1] : 0; /* readable */
    (void)x;
}

static size_t serial_read(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    return take_bytes(&serial_in, buf, len);
}

static size_t chr_read(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    return take_bytes(ctx, buf, len);
}

#define EVENTS 32
static struct devices_input_event events[EVENTS];
static unsigned nevents, event_pos;

static bool poll_event(void *ctx, struct devices_input_event *ev)
{
    if (event_pos == nevents) {
        nevents = event_pos = 0;
        return false;
    }
    *ev = events[event_pos++];
    return true;
}

struct netdev {
    bool (*can_receive)(void *);
    void (*rx)(void *, const void *, size_t);
    void *opaque;
    uint8_t frame[4][2048];
    size_t len[4];
    unsigned n;
};
static struct netdev nets[2];

static int net_send(void *ctx, const void *frame, size_t len)
{
    volatile uint8_t x = len ? ((const uint8_t *)frame)[len - 1] : 0;
    (void)x;
    return 0;
}

static void net_set_receiver(void *ctx, bool (*can_receive)(void *), void (*rx)(void *, const void *, size_t),
                             void *opaque)
{
    struct netdev *n = ctx;
    n->can_receive = can_receive;
    n->rx = rx;
    n->opaque = opaque;
}

/* As a real backend: frames wait until the device can take them. */
static void net_poll(void *ctx)
{
    struct netdev *n = ctx;
    unsigned done = 0;
    while (done < n->n && n->rx && n->can_receive(n->opaque)) {
        n->rx(n->opaque, n->frame[done], n->len[done]);
        done++;
    }
    memmove(n->frame, n->frame[done], (n->n - done) * sizeof n->frame[0]);
    memmove(n->len, n->len + done, (n->n - done) * sizeof n->len[0]);
    n->n -= done;
}

static void net_set_clock(void *ctx, uint64_t (*now_ns)(void *), void *clock) {}

/* ---- the guest side ---- */

struct handle {
    bool live;
    unsigned num;
    uint64_t desc, avail, used;
    uint64_t notify;             /* doorbell address */
    unsigned notify_size;
    uint32_t notify_value;
    uint16_t avail_idx, next;
};

struct fm {
    struct virt *board;
    struct bus *bus;
    uint8_t *ram;
    bool legacy;
    struct handle h[HANDLES];
    unsigned next_handle;
};

static void wr(struct fm *f, uint64_t a, unsigned size, uint64_t v) { bus_write(f->bus, a, size, v); }
static uint64_t rd(struct fm *f, uint64_t a, unsigned size)
{
    uint64_t v = 0;
    bus_read(f->bus, a, size, &v);
    return v;
}

static uint64_t region_addr(struct fm *f, unsigned region, struct fin *in)
{
    uint32_t off = fin_u32(in);
    switch (region % 14) {
    case 0: return 0x2000000 + off % CLINT_SIZE;
    case 12: return 0xd000000 + off % APLIC_SIZE;           /* the APLIC's S domain (aia=) */
    case 13: return 0x24000000 + off % 0x8000000;           /* IMSIC M and S files */
    case 1: return 0xc000000 + off % PLIC_SIZE;
    case 2: return 0x10000000 + off % UART16550_SIZE;
    case 3: return 0x101000 + off % GOLDFISH_RTC_SIZE;
    case 4: return 0x100000 + off % SIFIVE_TEST_SIZE;
    case 5: return MMIO_BASE + off % (VIRT_VIRTIO_MMIO_SLOTS * 0x1000);
    case 6: return VIRT_PCIE_ECAM + off % VIRT_PCIE_ECAM_SIZE;
    case 7: return VIRT_PCIE_MMIO + off % VIRT_PCIE_MMIO_SIZE;
    case 8: return VIRT_PCIE_PIO + off % VIRT_PCIE_PIO_SIZE;
    case 9: return virt_pcie_mmio64_base(RAM_BASE, RAM_SIZE) + off;
    case 10: return RAM_BASE + off % INPUT_RAM;
    default: return (uint64_t)off << 32 | fin_u32(in);
    }
}

static struct handle *new_handle(struct fm *f, unsigned num)
{
    struct handle *h = &f->h[f->next_handle % HANDLES];
    uint64_t base = RAM_BASE + RINGS + (uint64_t)(f->next_handle % HANDLES) * RING_STRIDE;
    f->next_handle++;
    memset(h, 0, sizeof *h);
    h->num = num;
    h->desc = base;
    h->avail = base + 16ull * num;
    h->used = base + 0x1000;     /* the legacy layout with 4 KiB alignment */
    memset(f->ram + (base - RAM_BASE), 0, RING_STRIDE);
    return h;
}

static void mmio_queue(struct fm *f, struct fin *in)
{
    uint64_t b = MMIO_BASE + (fin_u8(in) % VIRT_VIRTIO_MMIO_SLOTS) * 0x1000ull;
    unsigned q = fin_u8(in) % 4, num = 1u << (fin_u8(in) % 8);
    uint32_t feat = fin_u32(in);
    if (!(rd(f, b + 0x070, 4) & VIRTIO_STATUS_DRIVER_OK)) {
        wr(f, b + 0x070, 4, 0);
        wr(f, b + 0x070, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
        wr(f, b + 0x014, 4, 0);
        uint32_t dev = (uint32_t)rd(f, b + 0x010, 4);
        wr(f, b + 0x024, 4, 0);
        wr(f, b + 0x020, 4, dev & feat);
        wr(f, b + 0x024, 4, 1);
        wr(f, b + 0x020, 4, f->legacy ? 0 : 1);   /* VERSION_1 */
        if (f->legacy)
            wr(f, b + 0x028, 4, 4096);
        else
            wr(f, b + 0x070, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    }
    struct handle *h = new_handle(f, num);
    wr(f, b + 0x030, 4, q);
    wr(f, b + 0x038, 4, num);
    if (f->legacy) {
        wr(f, b + 0x03c, 4, 4096);
        wr(f, b + 0x040, 4, h->desc >> 12);
    } else {
        wr(f, b + 0x080, 4, (uint32_t)h->desc);
        wr(f, b + 0x084, 4, h->desc >> 32);
        wr(f, b + 0x090, 4, (uint32_t)h->avail);
        wr(f, b + 0x094, 4, h->avail >> 32);
        wr(f, b + 0x0a0, 4, (uint32_t)h->used);
        wr(f, b + 0x0a4, 4, h->used >> 32);
        wr(f, b + 0x044, 4, 1);
    }
    wr(f, b + 0x070, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |
                            (f->legacy ? 0 : VIRTIO_STATUS_FEATURES_OK));
    h->notify = b + 0x050;
    h->notify_size = 4;
    h->notify_value = q;
    h->live = true;
}

static void pci_queue(struct fm *f, struct fin *in)
{
    unsigned slot = 1 + fin_u8(in) % 4, q = fin_u8(in) % 4, num = 1u << (fin_u8(in) % 8);
    uint32_t feat = fin_u32(in);
    uint8_t vb = fin_u8(in);
    unsigned vector = vb % 4;
    bool msix = !(vb & 0x80);   /* else INTx through the PLIC (sources 32-35) */
    uint64_t cfg = VIRT_PCIE_ECAM + ((uint64_t)slot << 15);
    uint64_t bar4 = PCI_BARS + slot * 0x100000ull, bar1 = bar4 + 0x80000;
    wr(f, cfg + 0x10 + 4 * VIRTIO_PCI_BAR, 4, (uint32_t)bar4);
    wr(f, cfg + 0x14 + 4 * VIRTIO_PCI_BAR, 4, bar4 >> 32);
    wr(f, cfg + 0x10 + 4 * VIRTIO_PCI_MSIX_BAR, 4, (uint32_t)bar1);
    wr(f, cfg + 0x04, 2, 0x6);                   /* memory, bus master */
    /* MSI-X enable: find the capability. */
    unsigned cap = (unsigned)rd(f, cfg + 0x34, 1);
    for (unsigned k = 0; cap && k < 16; k++) {
        if (rd(f, cfg + cap, 1) == 0x11) {
            wr(f, cfg + cap + 2, 2, msix ? 0x8000 : 0);
            break;
        }
        cap = (unsigned)rd(f, cfg + cap + 1, 1);
    }
    /* Vector table entries point at RAM (the interrupt "controller" a
     * guest could map there). */
    for (unsigned e = 0; e < 4; e++) {
        wr(f, bar1 + 16 * e, 4, (uint32_t)(RAM_BASE + 0x100 * e));
        wr(f, bar1 + 16 * e + 4, 4, 0);
        wr(f, bar1 + 16 * e + 8, 4, e);
        wr(f, bar1 + 16 * e + 12, 4, 0);
    }
    if (!(rd(f, bar4 + VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK)) {
        wr(f, bar4 + VIRTIO_PCI_COMMON_STATUS, 1, 0);
        wr(f, bar4 + VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
        wr(f, bar4 + VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
        uint32_t dev = (uint32_t)rd(f, bar4 + VIRTIO_PCI_COMMON_DF, 4);
        wr(f, bar4 + VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
        wr(f, bar4 + VIRTIO_PCI_COMMON_GF, 4, dev & feat);
        wr(f, bar4 + VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
        wr(f, bar4 + VIRTIO_PCI_COMMON_GF, 4, 1);
        wr(f, bar4 + VIRTIO_PCI_COMMON_MSIX, 2, vector);
        wr(f, bar4 + VIRTIO_PCI_COMMON_STATUS, 1,
           VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    }
    struct handle *h = new_handle(f, num);
    wr(f, bar4 + VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
    wr(f, bar4 + VIRTIO_PCI_COMMON_Q_SIZE, 2, num);
    wr(f, bar4 + 0x1a, 2, vector);               /* queue_msix_vector */
    wr(f, bar4 + 0x20, 8, h->desc);
    wr(f, bar4 + 0x28, 8, h->avail);
    wr(f, bar4 + 0x30, 8, h->used);
    unsigned noff = (unsigned)rd(f, bar4 + 0x1e, 2);  /* queue_notify_off */
    wr(f, bar4 + 0x1c, 2, 1);                    /* queue_enable */
    wr(f, bar4 + VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                                                  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    h->notify = bar4 + VIRTIO_PCI_NOTIFY_OFF + (uint64_t)(noff & 0xff) * VIRTIO_PCI_NOTIFY_MULT;
    h->notify_size = 2;
    h->notify_value = q;
    h->live = true;
}

static void chain(struct fm *f, struct fin *in)
{
    struct handle *h = &f->h[fin_u8(in) % HANDLES];
    unsigned nseg = 1 + fin_u8(in) % 4;
    if (!h->live) {
        for (unsigned i = 0; i < nseg; i++)
            fin_u32(in), fin_u8(in);
        return;
    }
    unsigned head = h->next % h->num;
    for (unsigned i = 0; i < nseg; i++) {
        unsigned d = h->next++ % h->num;
        uint8_t *p = f->ram + (h->desc - RAM_BASE) + 16 * d;
        uint64_t addr = RAM_BASE + fin_u16(in);
        uint32_t len = fin_u16(in);
        uint16_t flags = (fin_u8(in) & 1) ? 2 : 0;  /* VIRTQ_DESC_F_WRITE */
        if (i + 1 < nseg)
            flags |= 1;                              /* NEXT */
        virtio_st64(p, addr);
        virtio_st32(p + 8, len);
        virtio_st16(p + 12, flags);
        virtio_st16(p + 14, (uint16_t)(h->next % h->num));
    }
    uint8_t *avail = f->ram + (h->avail - RAM_BASE);
    virtio_st16(avail + 4 + 2 * (h->avail_idx % h->num), (uint16_t)head);
    virtio_st16(avail + 2, ++h->avail_idx);
    wr(f, h->notify, h->notify_size, h->notify_value);
}

static void event(struct fin *in)
{
    struct devices_input_event ev = {
        .type = (enum devices_input_type)(fin_u8(in) % (DEVICES_IN_POWERDOWN + 1)),
        .code = fin_u16(in),
        .down = fin_u8(in) & 1,
        .x = (int32_t)fin_u32(in),
        .y = (int32_t)fin_u32(in),
    };
    if (nevents < EVENTS)
        events[nevents++] = ev;
}

static void frame(struct fin *in)
{
    struct netdev *n = &nets[fin_u8(in) % 2];
    unsigned len = fin_u16(in) % 2048;
    uint8_t *dst = n->n < 4 ? n->frame[n->n] : NULL;
    for (unsigned i = 0; i < len; i++) {
        uint8_t c = fin_u8(in);
        if (dst)
            dst[i] = c;
    }
    if (dst)
        n->len[n->n++] = len;
}

static const char *const device_args[] = {
    /* virtio-mmio, from the highest slot down */
    "virtio-keyboard-device", "virtio-tablet-device", "virtio-console-device,chardev=c0",
    "virtio-serial-device", "virtconsole,chardev=c1", "virtio-net-device,netdev=n0",
    "virtio-rng-device,seed=1",
    /* virtio-pci, slots 1-4 */
    "virtio-mouse-pci", "virtio-console-pci,chardev=c2", "virtio-net-pci,netdev=n1",
    "virtio-rng-pci,seed=2",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    uint8_t mode = fin_u8(&in);

    memset(&serial_in, 0, sizeof serial_in);
    memset(chr_in, 0, sizeof chr_in);
    memset(nets, 0, sizeof nets);
    nevents = event_pos = 0;
    static struct devices_chardev chardevs[3] = {
        { "c0", &chr_in[0], sink, chr_read },
        { "c1", &chr_in[1], sink, chr_read },
        { "c2", &chr_in[2], sink, chr_read },
    };
    static const struct devices_netdev netdevs[2] = {
        { "n0", &nets[0], net_send, net_set_receiver, net_poll, net_set_clock },
        { "n1", &nets[1], net_send, net_set_receiver, net_poll, net_set_clock },
    };
    static const struct devices_display display = { .poll_event = poll_event };
    struct devices_config dc = {
        .devices = device_args, .ndevices = sizeof device_args / sizeof device_args[0],
        .chardevs = chardevs, .nchardevs = 3, .netdevs = netdevs, .nnetdevs = 2,
        .display = &display, .mmio_legacy = mode & 1,
    };
    struct virt_config vc = {
        .ram_size = RAM_SIZE, .smp = (mode & 2) ? 2 : 1, .devices = &dc, .aia = (mode >> 2 & 3) % 3,
        .host = { .serial_write = sink, .serial_read = serial_read },
    };
    struct fm f = { .legacy = mode & 1 };
    f.board = virt_board_new(&vc);
    if (!f.board)
        abort();
    f.bus = virt_board_bus(f.board);
    f.ram = virt_board_ram(f.board);
    memcpy(f.ram, data, size < INPUT_RAM ? size : INPUT_RAM);

    bool stopped = false;
    for (unsigned n = 0; in.n && n < 2048 && !stopped; n++) {
        uint8_t op = fin_u8(&in);
        switch (op % 11) {
        case 0: {
                uint64_t a = region_addr(&f, fin_u8(&in), &in);
                unsigned s = 1u << (fin_u8(&in) & 3);
                wr(&f, a, s, fin_u64(&in));
                break;
            }
        case 1: {
                uint64_t a = region_addr(&f, fin_u8(&in), &in);
                rd(&f, a, 1u << (fin_u8(&in) & 3));
                break;
            }
        case 2: {
                unsigned off = fin_u16(&in), len = fin_u8(&in);
                for (unsigned i = 0; i < len; i++)
                    f.ram[(off + i) % INPUT_RAM] = fin_u8(&in);
                break;
            }
        case 3: {
                uint64_t t = fin_u16(&in);
                stopped = virt_board_step(f.board, t << (fin_u8(&in) & 15));
                break;
            }
        case 4: put_bytes(&serial_in, &in); break;
        case 5: put_bytes(&chr_in[fin_u8(&in) % 3], &in); break;
        case 6: event(&in); break;
        case 7: frame(&in); break;
        case 8: mmio_queue(&f, &in); break;
        case 9: pci_queue(&f, &in); break;
        case 10: chain(&f, &in); break;
        }
    }
    if (!stopped)
        virt_board_step(f.board, 1);
    /* FUZZ_MMIO_SHOW=1: how far each queue got (to check that seeds reach
     * the devices). */
    if (getenv("FUZZ_MMIO_SHOW"))
        for (unsigned k = 0; k < HANDLES; k++)
            if (f.h[k].live)
                fprintf(stderr, "fuzz_mmio: handle %u doorbell %#llx: %u published, %u used\n", k,
                        (unsigned long long)f.h[k].notify, f.h[k].avail_idx,
                        virtio_ld16(f.ram + (f.h[k].used - RAM_BASE) + 2));
    virt_board_free(f.board);
    return 0;
}
