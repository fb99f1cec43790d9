/* tests/fuzz/fuzz_state.c: device state streams (bus/state.c) loaded into
 * devices, as a snapshot file will hand them over: the bytes come from a
 * file, so every field may be hostile. The first input byte picks the
 * device: 0-3 the platform devices (PLIC, CLINT, 16550 UART, goldfish RTC;
 * the rest of the input is the stream), 4-11 the virtio and PCI load paths
 * (virtio-rng behind virtio-mmio, behind virtio-pci on a PCIe host, then
 * virtio-blk, -console, -net, -gpu, -input on their own, the host bridge).
 * For those the next byte picks raw (the rest is the stream) or patched:
 * a healthy stream of a busy device (rings set up, requests published and
 * not consumed, a GPU resource with backing, a frame or events waiting) is
 * saved and the rest of the input XORs bytes into it (offset, value pairs),
 * so wrong sizes, queue indices past the ring and buffers outside RAM are
 * reached in every field. An unpatched healthy stream must load.
 *
 * Checked besides ASan/UBSan: a load that the reader accepted leaves a
 * device that answers register reads, claims (of sources that exist) and
 * completions, takes UART input, processes its queues, and saves again; a
 * rejected load leaves a device that can still be used and freed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "bus/bus.h"
#include "bus/state.h"
#include "fuzz_input.h"
#include "machine/clint.h"
#include "machine/clock.h"
#include "machine/goldfish_rtc.h"
#include "machine/plic.h"
#include "machine/uart16550.h"
#include "bus/pci/pci.h"
#include "fuzz_ring.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/gpu.h"
#include "virtio/input.h"
#include "virtio/mmio.h"
#include "virtio/net.h"
#include "virtio/pci.h"
#include "virtio/rng.h"

#define NHARTS 2

static void sink(void *opaque, unsigned n, bool level) { (void)opaque; (void)n; (void)level; }
static void tx(void *ctx, uint8_t b) { (void)ctx; (void)b; }

typedef void state_fn(void *dev, struct state *st);

/* Reads every 32-bit register in [0, size) with the given stride, and
 * writes each value back to its offset when write is set. */
static void poke(const struct bus_device_ops *ops, void *d, uint64_t size, uint64_t stride, bool write)
{
    for (uint64_t off = 0; off < size; off += stride) {
        uint64_t v = ops->read(d, off, 4);
        if (write)
            ops->write(d, off, v, 4);
    }
}

/* ---- virtio and PCI ---- */

enum { K_MMIO = 4, K_PCI, K_BLK, K_CONSOLE, K_NET, K_GPU, K_INPUT, K_HOST, K_COUNT };

#define MMIO_BASE 0x10001000ull
#define ECAM_BASE 0x30000000ull
#define WIN_BASE 0x40000000ull

static uint8_t disk[8192];
static int d_preadv(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    for (int i = 0; i < n; i++) {
        if (off > sizeof disk || iov[i].iov_len > sizeof disk - off)
            return -1;
        memcpy(iov[i].iov_base, disk + off, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return 0;
}
static int d_pwritev(void *ctx, const struct iovec *iov, int n, uint64_t off)
{
    for (int i = 0; i < n; i++) {
        if (off > sizeof disk || iov[i].iov_len > sizeof disk - off)
            return -1;
        memcpy(disk + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return 0;
}
static int d_flush(void *ctx) { return 0; }
static const struct virtio_blk_backend disk_be = {
    .size = sizeof disk, .block_size = 512, .preadv = d_preadv, .pwritev = d_pwritev, .flush = d_flush,
};
static void con_write(void *ctx, const uint8_t *buf, size_t len) { (void)ctx; (void)buf; (void)len; }
static int net_send(void *ctx, const void *f, size_t len) { (void)ctx; (void)f; (void)len; return 0; }
static const struct virtio_net_backend net_be = { .send = net_send };

/* One instance of a kind: the device, and its transport or host. */
struct vinst {
    struct virtio_dev *dev;
    struct virtio_mmio *mmio;
    struct pci_host *host;
    struct virtio_pci *pci;
    unsigned nq;
};

static bool vmake(struct vinst *v, unsigned kind, struct bus *bus)
{
    memset(v, 0, sizeof *v);
    uint64_t seed = 1;
    v->nq = 2;
    switch (kind) {
    case K_MMIO:
    case K_PCI:
    case K_HOST:
        v->dev = virtio_rng_new(bus, &seed);
        v->nq = 1;
        break;
    case K_BLK: {
        struct virtio_blk_options o = { 0 };
        v->dev = virtio_blk_new(bus, &disk_be, &o);
        v->nq = 1;
        break;
    }
    case K_CONSOLE: {
        struct virtio_console_port p = { con_write, NULL };
        v->dev = virtio_console_new(bus, &p);
        break;
    }
    case K_NET: {
        struct virtio_net_options o = { .mac = { 2, 0, 0, 0, 0, 1 }, .queue_size = FR_NUM };
        v->dev = virtio_net_new(bus, &net_be, &o);
        v->nq = 3;
        break;
    }
    case K_GPU: {
        struct virtio_gpu_options o = { .max_hostmem = 1u << 20 };
        v->dev = virtio_gpu_new(bus, &o, NULL);
        break;
    }
    default:
        v->dev = virtio_input_new(bus, VIRTIO_INPUT_TABLET, NULL);
        break;
    }
    if (!v->dev)
        return false;
    if (kind == K_MMIO) {
        v->mmio = virtio_mmio_new(v->dev, MMIO_BASE, (struct irq_line){ sink, NULL, 0 }, false);
        return v->mmio && bus_map(bus, MMIO_BASE, 0x1000, "virtio-mmio", &virtio_mmio_ops, v->mmio) == 0;
    }
    if (kind == K_PCI || kind == K_HOST) {
        struct irq_line intx[4];
        for (unsigned i = 0; i < 4; i++)
            intx[i] = (struct irq_line){ sink, NULL, i };
        v->host = pci_host_new(bus, intx);
        if (!v->host || pci_host_map_ecam(v->host, ECAM_BASE, PCI_ECAM_BUS_SIZE) < 0 ||
            pci_host_add_mem_window(v->host, WIN_BASE, 0x40000000) < 0)
            return false;
        v->pci = virtio_pci_new(v->dev, v->host, 1, 0, 0);
        return v->pci != NULL;
    }
    return true;
}

static void vfree(struct vinst *v, struct bus *bus)
{
    if (v->mmio) {
        bus_unmap(bus, MMIO_BASE);
        virtio_mmio_free(v->mmio);
    }
    if (v->pci)
        virtio_pci_free(v->pci);
    if (v->host)
        pci_host_free(v->host);
    virtio_dev_free(v->dev);
}

static void vstate(struct vinst *v, unsigned kind, struct state *st)
{
    if (kind == K_MMIO)
        virtio_mmio_state(v->mmio, st);
    else if (kind == K_PCI)
        virtio_pci_state(v->pci, st);
    else if (kind == K_HOST)
        pci_host_state(v->host, st);
    else
        virtio_dev_state(v->dev, st);
}

static void put32(struct fring *r, uint64_t gpa, const uint32_t *w, unsigned n)
{
    uint8_t *p = fr_ptr(r, gpa, 4ull * n);
    for (unsigned i = 0; p && i < n; i++)
        virtio_st32(p + 4 * i, w[i]);
}

/* A GPU command chain (command, 64-byte response) on the control queue. */
static void gpu_cmd(struct fring *r, const uint32_t *w, unsigned n)
{
    uint64_t c = fr_alloc(r, 4ull * n), resp = fr_alloc(r, 64);
    put32(r, c, w, n);
    struct fr_seg s[2] = { { c, 4 * n, false }, { resp, 64, true } };
    fr_chain(r, 0, s, 2, false);
}

/* The healthy busy state: the driver up, the kind's own work done or
 * waiting, one request published and not consumed on each queue. */
static void vbusy(struct vinst *v, unsigned kind, struct fring *r)
{
    struct virtio_dev *d = v->dev;
    if (kind == K_PCI) {
        /* BAR 4 placed and decoding, MSI-X on */
        struct bus *b = &r->bus;
        uint64_t cfg = ECAM_BASE + (1u << 15);
        bus_write(b, cfg + 0x20, 4, (uint32_t)WIN_BASE);
        bus_write(b, cfg + 0x24, 4, 0);
        bus_write(b, cfg + 0x14, 4, (uint32_t)WIN_BASE + 0x10000);
        bus_write(b, cfg + 0x04, 2, 6);
    }
    fr_start(r, d, v->nq, ~0ull);
    if (kind == K_GPU) {
        uint64_t px = fr_alloc(r, 256);
        uint32_t create[10] = { VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0, 0, 0, 0, 0, 5, 1, 8, 8 };
        uint32_t attach[12] = { VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0, 0, 5, 1,
                                (uint32_t)px, (uint32_t)(px >> 32), 256, 0 };
        uint32_t scan[12] = { VIRTIO_GPU_CMD_SET_SCANOUT, 0, 0, 0, 0, 0, 0, 0, 8, 8, 0, 5 };
        gpu_cmd(r, create, 10);
        gpu_cmd(r, attach, 12);
        gpu_cmd(r, scan, 12);
        virtio_notify(d, 0);
    }
    if (kind == K_NET) {
        static const uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        virtio_net_receive(d, frame, sizeof frame);  /* no buffers yet: it waits */
    }
    if (kind == K_INPUT) {
        struct virtio_input_event ev = { 3, 0, 100 };
        virtio_input_send(d, &ev, 1);
    }
    for (unsigned q = 0; q < v->nq && q < FR_QUEUES; q++) {
        struct fr_seg s[2] = { { fr_alloc(r, 16), 16, false }, { fr_alloc(r, 64), 64, true } };
        fr_chain(r, q, s, 2, false);
    }
}

/* Uses a loaded device: registers, config space, every queue. */
static void vexercise(struct vinst *v, unsigned kind, struct bus *bus)
{
    uint64_t x;
    if (kind == K_MMIO)
        for (uint64_t off = 0; off < 0x110; off += 4)
            bus_read(bus, MMIO_BASE + off, 4, &x);
    if (kind == K_PCI || kind == K_HOST) {
        for (unsigned slot = 0; slot < 2; slot++)
            for (uint64_t off = 0; off < 0x100; off += 4)
                bus_read(bus, ECAM_BASE + ((uint64_t)slot << 15) + off, 4, &x);
        for (uint64_t off = 0; off < 0x40; off += 4)
            bus_read(bus, WIN_BASE + off, 4, &x);       /* BAR 4 where the healthy stream put it */
        bus_read(bus, WIN_BASE + 0x1000, 1, &x);        /* ISR */
        bus_write(bus, WIN_BASE + 0x3000, 2, 0);        /* doorbell 0 */
    }
    uint8_t cfg[VIRTIO_CONFIG_MAX];
    virtio_config_read(v->dev, 0, cfg, sizeof cfg);
    for (unsigned q = 0; q < v->nq; q++)
        virtio_notify(v->dev, q);
    if (kind == K_CONSOLE) {
        static const uint8_t in[4] = "abc";
        virtio_console_receive(v->dev, in, 3);
    }
    if (kind == K_NET)
        virtio_net_flush(v->dev);
}

static void virtio_case(unsigned kind, struct fin *in)
{
    struct fring r;
    fr_init(&r);
    struct vinst a, b;
    if (!vmake(&a, kind, &r.bus))
        abort();
    vbusy(&a, kind, &r);
    struct state base;
    state_init_save(&base);
    vstate(&a, kind, &base);
    if (!state_ok(&base, false))
        abort();
    vfree(&a, &r.bus);
    uint8_t *bytes;
    size_t len;
    bool healthy = false;
    if (fin_u8(in) & 1) {
        len = in->n;
        bytes = malloc(len ? len : 1);
        memcpy(bytes, in->p, len);
    } else {
        len = base.len;
        bytes = malloc(len);
        memcpy(bytes, base.buf, len);
        healthy = in->n < 3;
        for (unsigned k = 0; k < 64 && in->n >= 3; k++) {
            size_t off = fin_u16(in) % len;
            bytes[off] ^= fin_u8(in);
        }
    }
    state_free(&base);
    if (!vmake(&b, kind, &r.bus))
        abort();
    struct state st;
    state_init_load(&st, bytes, len);
    vstate(&b, kind, &st);
    bool ok = state_ok(&st, true);
    if (healthy && !ok) {
        fprintf(stderr, "fuzz_state: a healthy stream of kind %u did not load: %s\n", kind, st.why);
        abort();
    }
    state_free(&st);
    free(bytes);
    vexercise(&b, kind, &r.bus);      /* loaded or refused: usable either way */
    if (ok) {
        struct state again;
        state_init_save(&again);
        vstate(&b, kind, &again);
        if (!state_ok(&again, false)) {
            fprintf(stderr, "fuzz_state: a loaded device does not save again\n");
            abort();
        }
        state_free(&again);
    }
    vfree(&b, &r.bus);
    fr_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    unsigned which = fin_u8(&in) % K_COUNT;
    if (which >= K_MMIO) {
        virtio_case(which, &in);
        return 0;
    }
    struct irq_line a[NHARTS], b[NHARTS];
    for (unsigned i = 0; i < NHARTS; i++) {
        a[i] = (struct irq_line){ sink, NULL, i };
        b[i] = (struct irq_line){ sink, NULL, NHARTS + i };
    }
    struct vclock clock;
    vclock_init(&clock);
    void *dev;
    state_fn *fn;
    void (*free_fn)(void *);
    switch (which) {
    case 0:
        dev = plic_new(NHARTS, a, b);
        fn = (state_fn *)plic_state;
        free_fn = (void (*)(void *))plic_free;
        break;
    case 1:
        dev = clint_new(&clock, NHARTS, a, b);
        fn = (state_fn *)clint_state;
        free_fn = (void (*)(void *))clint_free;
        break;
    case 2:
        dev = uart16550_new(a[0], tx, NULL);
        fn = (state_fn *)uart16550_state;
        free_fn = (void (*)(void *))uart16550_free;
        break;
    default:
        dev = goldfish_rtc_new(&clock, 0, a[0]);
        fn = (state_fn *)goldfish_rtc_state;
        free_fn = (void (*)(void *))goldfish_rtc_free;
        break;
    }
    if (!dev)
        abort();

    struct state st;
    state_init_load(&st, in.p, in.n);
    fn(dev, &st);
    bool ok = state_ok(&st, true);
    state_free(&st);

    if (ok) {
        switch (which) {
        case 0:
            poke(&plic_ops, dev, 0x3000, 4, false);            /* priorities, pending, enables */
            for (unsigned ctx = 0; ctx < 2 * NHARTS; ctx++) {
                uint64_t base = 0x200000 + 0x1000 * (uint64_t)ctx;
                uint64_t id = plic_ops.read(dev, base + 4, 4);  /* claim */
                if (id > PLIC_NDEV) {
                    fprintf(stderr, "fuzz_state: PLIC claim of a source that does not exist\n");
                    abort();
                }
                plic_ops.write(dev, base + 4, id, 4);          /* complete */
            }
            break;
        case 1:
            poke(&clint_ops, dev, 4 * NHARTS, 4, true);
            poke(&clint_ops, dev, 0x4000 + 8 * NHARTS, 0x4000, false);
            clint_ops.read(dev, 0xbff8, 8);
            vclock_advance(&clock, 1000);
            break;
        case 2: {
            static const uint8_t bytes[20] = "hostile state bytes";
            uart16550_receive(dev, bytes, sizeof bytes);
            poke(&uart16550_ops, dev, 8, 1, false);
            poke(&uart16550_ops, dev, 8, 1, false);
            break;
        }
        default:
            poke(&goldfish_rtc_ops, dev, 0x20, 4, false);
            vclock_advance(&clock, 1000);
            break;
        }
        struct state again;
        state_init_save(&again);
        fn(dev, &again);
        if (!state_ok(&again, false)) {
            fprintf(stderr, "fuzz_state: a loaded device does not save again\n");
            abort();
        }
        state_free(&again);
    }
    free_fn(dev);
    return 0;
}
